package broadcasttest_test

import (
	"testing"

	"github.com/lvtgo/livetemplate/broadcast"
	"github.com/lvtgo/livetemplate/broadcast/broadcasttest"
)

// An adapter's tests hand Run a constructor for two connected buses that
// stand for two instances. Run needs a *testing.T, so this example has no
// output; put the body of testBus in a TestXxx function.
func Example() {
	testBus := func(t *testing.T) {
		broadcasttest.Run(t, func(t *testing.T) (a, b broadcast.Bus) {
			hub := broadcast.NewLocal() // or two instances of the adapter under test
			t.Cleanup(func() { _ = hub.Close() })
			return hub.Bus(), hub.Bus()
		})
	}
	_ = testBus
}
