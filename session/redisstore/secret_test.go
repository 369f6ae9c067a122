package redisstore_test

import (
	"testing"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"

	"github.com/lvtgo/livetemplate/internal/testutil"
	"github.com/lvtgo/livetemplate/session/redisstore"
)

func TestSecretIsSharedAndStable(t *testing.T) {
	srv := testutil.StartRedis(t)
	a, b := srv.Client(t), srv.Client(t)
	s1, err := redisstore.Secret(t.Context(), a, "app:key", 32)
	require.NoError(t, err)
	assert.Len(t, s1, 32)
	s2, err := redisstore.Secret(t.Context(), b, "app:key", 32)
	require.NoError(t, err)
	assert.Equal(t, s1, s2, "a second instance gets the same secret")
	other, err := redisstore.Secret(t.Context(), a, "app:other", 32)
	require.NoError(t, err)
	assert.NotEqual(t, s1, other)
	_, err = redisstore.Secret(t.Context(), a, "app:key", 16)
	assert.Error(t, err, "a size that does not match is an error, not a silent new key")
	_, err = redisstore.Secret(t.Context(), nil, "k", 32)
	assert.Error(t, err)
}
