package jwtauth_test

import (
	"testing"
	"time"

	"github.com/golang-jwt/jwt/v5"
	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"

	"github.com/lvtgo/livetemplate/auth"
	"github.com/lvtgo/livetemplate/auth/jwtauth"
)

// FuzzIdentify checks that no input panics, that only tokens signed with the
// key are accepted, and that no refusal shows its input.
func FuzzIdentify(f *testing.F) {
	key := []byte("fuzzing key, exactly thirty two!")
	a, err := jwtauth.New(jwtauth.Options{Method: "HS256", Key: key, SigningKey: key})
	require.NoError(f, err)
	valid, err := a.Issue(nil, nil, "alice", time.Hour, nil)
	require.NoError(f, err)
	f.Add(valid)
	f.Add(valid[:len(valid)-1])
	f.Add("")
	f.Add("..")
	f.Add("e30.e30.")
	f.Add("eyJhbGciOiJub25lIn0.eyJzdWIiOiJhIn0.")
	f.Add("eyJhbGciOiJIUzI1NiJ9.eyJzdWIiOiJhIiwiZXhwIjoxZTMwMH0.x")

	f.Fuzz(func(t *testing.T, token string) {
		id, err := a.Identify(nil, bearer(token))
		if err != nil {
			assert.ErrorIs(t, err, auth.ErrUnauthenticated)
			if len(token) >= 8 {
				assert.NotContains(t, err.Error(), token)
			}
			return
		}
		// Accepted: it must verify under the key with the library alone.
		parsed, perr := jwt.Parse(token, func(*jwt.Token) (any, error) { return key, nil },
			jwt.WithValidMethods([]string{"HS256"}), jwt.WithLeeway(time.Minute))
		require.NoError(t, perr)
		sub, _ := parsed.Claims.GetSubject()
		assert.Equal(t, sub, id.UserID)
	})
}
