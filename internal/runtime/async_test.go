package runtime_test

import (
	"context"
	"testing"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"

	"github.com/lvtgo/livetemplate/auth"
	"github.com/lvtgo/livetemplate/internal/runtime"
	"github.com/lvtgo/livetemplate/internal/wire"
)

func TestPushEventAndAsyncRefuse(t *testing.T) {
	c := runtime.NewCall(t.Context(), "go", auth.Identity{}, nil, nil, func(string) any { return nil })
	for range runtime.MaxCallEvents {
		require.NoError(t, c.PushEvent("tick", 1))
	}
	assert.ErrorIs(t, c.PushEvent("tick", 1), runtime.ErrTooManyEvents)
	c = runtime.NewCall(t.Context(), "go", auth.Identity{}, nil, nil, func(string) any { return nil })
	assert.ErrorIs(t, c.PushEvent("error", 1), wire.ErrEventName, "a name the client uses itself")
	err := c.Async("done", func(context.Context) (map[string]any, error) { return nil, nil })
	assert.ErrorIs(t, err, runtime.ErrNoAsync, "no page acts")
}
