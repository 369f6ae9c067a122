package broadcasttest_test

import (
	"context"
	"testing"

	"github.com/lvtgo/livetemplate/broadcast"
	"github.com/lvtgo/livetemplate/broadcast/broadcasttest"
)

// TestRunLocal runs the suite against the reference adapter, so a change
// to the suite that the reference adapter cannot pass fails here first.
func TestRunLocal(t *testing.T) {
	t.Parallel()

	broadcasttest.Run(t, func(t *testing.T) (a, b broadcast.Bus) {
		hub := broadcast.NewLocal()
		t.Cleanup(func() { _ = hub.Close() })
		return hub.Bus(), hub.Bus()
	})
}

// noCloser hides every method of the bus it wraps except Publish and
// Subscribe.
type noCloser struct {
	bus broadcast.Bus
}

func (n noCloser) Publish(ctx context.Context, msg []byte) error {
	return n.bus.Publish(ctx, msg)
}

func (n noCloser) Subscribe(ctx context.Context, r broadcast.Receiver) error {
	return n.bus.Subscribe(ctx, r)
}

// TestRunNoCloser runs the suite against a bus without Close: the Close
// checks are skipped, the others pass.
func TestRunNoCloser(t *testing.T) {
	t.Parallel()

	broadcasttest.Run(t, func(t *testing.T) (a, b broadcast.Bus) {
		hub := broadcast.NewLocal()
		t.Cleanup(func() { _ = hub.Close() })
		return noCloser{hub.Bus()}, noCloser{hub.Bus()}
	})
}
