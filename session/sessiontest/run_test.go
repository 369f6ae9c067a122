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
		m := session.NewMemory(nil)
		t.Cleanup(func() { assert.NoError(t, m.Close()) })
		return m
	})
}
