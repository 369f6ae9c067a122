package broadcast_test

import (
	"context"
	"fmt"
	"strconv"
	"sync"
	"testing"
	"testing/synctest"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"

	"github.com/lvtgo/livetemplate/broadcast"
	"github.com/lvtgo/livetemplate/broadcast/broadcasttest"
)

func TestLocalConformance(t *testing.T) {
	t.Parallel()
	broadcasttest.Run(t, func(t *testing.T) (a, b broadcast.Bus) {
		hub := broadcast.NewLocal()
		t.Cleanup(func() { assert.NoError(t, hub.Close()) })
		return hub.Bus(), hub.Bus()
	})
}

// events records what a receiver is called with, in order: messages as
// themselves and resyncs as "RESYNC". Receive blocks while block holds a
// channel that is not closed yet.
type events struct {
	mu    sync.Mutex
	got   []string
	block chan struct{}
}

func (e *events) Receive(msg []byte) {
	e.mu.Lock()
	e.got = append(e.got, string(msg))
	block := e.block
	e.mu.Unlock()
	if block != nil {
		<-block
	}
}

func (e *events) Resync() {
	e.mu.Lock()
	e.got = append(e.got, "RESYNC")
	e.mu.Unlock()
}

func (e *events) list() []string {
	e.mu.Lock()
	defer e.mu.Unlock()
	return append([]string(nil), e.got...)
}

// subscribe runs bus.Subscribe(ctx, r) in a new goroutine and returns a
// channel for its result.
func subscribe(ctx context.Context, bus broadcast.Bus, r broadcast.Receiver) <-chan error {
	done := make(chan error, 1)
	go func() { done <- bus.Subscribe(ctx, r) }()
	return done
}

// TestLocalSlowReceiver checks the bound: a receiver that blocks never
// blocks Publish; once it returns it gets one Resync and then the newest
// LocalQueueSize messages in order.
func TestLocalSlowReceiver(t *testing.T) {
	t.Parallel()
	synctest.Test(t, func(t *testing.T) {
		hub := broadcast.NewLocal()
		defer hub.Close()
		a, b := hub.Bus(), hub.Bus()
		release := make(chan struct{})
		rb := &events{block: release}
		ctx, cancel := context.WithCancel(t.Context())
		done := subscribe(ctx, b, rb)
		synctest.Wait() // b's subscription is running

		require.NoError(t, a.Publish(ctx, []byte("first")))
		synctest.Wait() // b blocks in Receive("first")
		const extra = 5
		for i := range broadcast.LocalQueueSize + extra {
			require.NoError(t, a.Publish(ctx, []byte(strconv.Itoa(i))), "Publish never waits for a slow receiver")
		}
		rb.mu.Lock()
		rb.block = nil
		rb.mu.Unlock()
		close(release)
		synctest.Wait()

		want := []string{"first", "RESYNC"}
		for i := extra; i < broadcast.LocalQueueSize+extra; i++ {
			want = append(want, strconv.Itoa(i))
		}
		assert.Equal(t, want, rb.list(), "the oldest messages are dropped, one Resync replaces them")

		require.NoError(t, a.Publish(ctx, []byte("later")))
		synctest.Wait()
		got := rb.list()
		assert.Equal(t, []string{"later"}, got[len(want):], "no further Resync once caught up")

		cancel()
		assert.NoError(t, <-done)
	})
}

func TestLocalFanOut(t *testing.T) {
	t.Parallel()
	synctest.Test(t, func(t *testing.T) {
		hub := broadcast.NewLocal()
		defer hub.Close()
		a, b, c := hub.Bus(), hub.Bus(), hub.Bus()
		ra, rb1, rb2, rc := &events{}, &events{}, &events{}, &events{}
		ctx, cancel := context.WithCancel(t.Context())
		dones := []<-chan error{
			subscribe(ctx, a, ra), subscribe(ctx, b, rb1), subscribe(ctx, b, rb2), subscribe(ctx, c, rc),
		}
		synctest.Wait()

		require.NoError(t, a.Publish(ctx, []byte("from a")))
		require.NoError(t, c.Publish(ctx, []byte("from c")))
		synctest.Wait()

		assert.Equal(t, []string{"from c"}, ra.list(), "a gets c's message, not its own")
		assert.Equal(t, []string{"from a", "from c"}, rb1.list(), "every subscription of b gets both")
		assert.Equal(t, []string{"from a", "from c"}, rb2.list())
		assert.Equal(t, []string{"from a"}, rc.list(), "c gets a's message, not its own")

		cancel()
		for _, done := range dones {
			assert.NoError(t, <-done)
		}
	})
}

func TestLocalClose(t *testing.T) {
	t.Parallel()
	synctest.Test(t, func(t *testing.T) {
		hub := broadcast.NewLocal()
		a, b := hub.Bus(), hub.Bus()
		doneA := subscribe(t.Context(), a, &events{})
		doneB := subscribe(t.Context(), b, &events{})
		synctest.Wait()

		require.NoError(t, hub.Close())
		assert.NoError(t, <-doneA, "closing the hub ends every Subscribe")
		assert.NoError(t, <-doneB)
		require.NoError(t, hub.Close(), "Close is idempotent")

		for name, bus := range map[string]*broadcast.Endpoint{"old": a, "new": hub.Bus()} {
			err := bus.Publish(t.Context(), []byte("x"))
			assert.ErrorIs(t, err, broadcast.ErrClosed, "%s endpoint: Publish", name)
			err = bus.Subscribe(t.Context(), &events{})
			assert.ErrorIs(t, err, broadcast.ErrClosed, "%s endpoint: Subscribe", name)
			assert.Equal(t, "broadcast: subscribe: closed", fmt.Sprint(err))
		}
	})
}

func TestLocalCloseEndpointKeepsOthers(t *testing.T) {
	t.Parallel()
	synctest.Test(t, func(t *testing.T) {
		hub := broadcast.NewLocal()
		defer hub.Close()
		a, b, c := hub.Bus(), hub.Bus(), hub.Bus()
		rc := &events{}
		ctx, cancel := context.WithCancel(t.Context())
		doneB := subscribe(ctx, b, &events{})
		doneC := subscribe(ctx, c, rc)
		synctest.Wait()

		require.NoError(t, b.Close())
		assert.NoError(t, <-doneB)
		require.NoError(t, a.Publish(ctx, []byte("still here")))
		synctest.Wait()
		assert.Equal(t, []string{"still here"}, rc.list())

		cancel()
		assert.NoError(t, <-doneC)
	})
}

func TestLocalSubscribeNilReceiver(t *testing.T) {
	t.Parallel()
	hub := broadcast.NewLocal()
	defer hub.Close()
	err := hub.Bus().Subscribe(t.Context(), nil)
	assert.EqualError(t, err, "broadcast: subscribe: nil receiver")
}

func TestReceiverFuncs(t *testing.T) {
	t.Parallel()
	var got []string
	r := broadcast.ReceiverFuncs{
		OnReceive: func(msg []byte) { got = append(got, string(msg)) },
		OnResync:  func() { got = append(got, "RESYNC") },
	}
	r.Receive([]byte("m"))
	r.Resync()
	assert.Equal(t, []string{"m", "RESYNC"}, got)

	assert.NotPanics(t, func() {
		broadcast.ReceiverFuncs{}.Receive([]byte("m"))
		broadcast.ReceiverFuncs{}.Resync()
	}, "nil funcs ignore their events")
}
