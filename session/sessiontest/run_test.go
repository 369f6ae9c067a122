package sessiontest_test

import (
	"testing"

	"github.com/stretchr/testify/assert"

	"github.com/lvtgo/livetemplate/session"
	"github.com/lvtgo/livetemplate/session/sessiontest"
)

// TestRunMemory runs the suite against the reference adapter, so a change
// to the suite that the reference adapter cannot pass fails here first.
func TestRunMemory(t *testing.T) {
	t.Parallel()

	sessiontest.Run(t, func(t *testing.T) session.Store {
		return newMemory(t)
	})
}

// coreOnly hides every method of the store it wraps except Get and Put.
type coreOnly struct {
	session.Store
}

// TestRunCoreOnly runs the suite against a store with no optional
// capabilities: the core checks pass and the optional ones are skipped.
func TestRunCoreOnly(t *testing.T) {
	t.Parallel()

	var s session.Store = coreOnly{}
	_, isDeleter := s.(session.Deleter)
	_, isLister := s.(session.Lister)
	assert.False(t, isDeleter || isLister, "coreOnly must hide the optional methods")

	sessiontest.Run(t, func(t *testing.T) session.Store {
		return coreOnly{Store: newMemory(t)}
	})
}

// newMemory returns a Memory store that is closed when t finishes.
func newMemory(t *testing.T) *session.Memory {
	t.Helper()
	m := session.NewMemory(nil)
	t.Cleanup(func() { assert.NoError(t, m.Close()) })
	return m
}
