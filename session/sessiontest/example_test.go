package sessiontest_test

import (
	"testing"

	"github.com/lvtgo/livetemplate/session"
	"github.com/lvtgo/livetemplate/session/sessiontest"
)

// An adapter's tests hand Run a constructor for fresh, empty stores. Run
// needs a *testing.T, so this example has no output; put the body of
// testStore in a TestXxx function.
func Example() {
	testStore := func(t *testing.T) {
		sessiontest.Run(t, func(t *testing.T) session.Store {
			s := session.NewMemory(nil) // or the adapter under test
			t.Cleanup(func() { _ = s.Close() })
			return s
		})
	}
	_ = testStore
}
