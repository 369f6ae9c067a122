package broadcasttest

import (
	"bytes"
	"context"
	"fmt"
	"io"
	"math/rand/v2"
	"strings"
	"sync"
	"testing"
	"time"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"

	"github.com/lvtgo/livetemplate/broadcast"
)

const (
	// wait bounds every wait of the suite, so a broken bus fails instead
	// of hanging.
	wait = 10 * time.Second
	// probeInterval is how often ready publishes a probe.
	probeInterval = 20 * time.Millisecond
	// probePrefix starts every probe message; receivers ignore probes.
	probePrefix = "\x00broadcasttest-probe:"

	// Sizes of the concurrent check: each of publishers goroutines on each
	// bus publishes perPublisher messages.
	publishers   = 4
	perPublisher = 50
	// inOrder is the length of the ordered sequence of PublishReceive.
	inOrder = 100
	// largeSize is the size of the large message.
	largeSize = 64 << 10
)

// Run checks that the buses returned by newPair satisfy the [broadcast.Bus]
// contract, each check in its own subtest.
//
// newPair is called once per subtest and must return two buses of one
// backend that stand for two instances (each with its own identity),
// isolated from every other pair it returns. It should register any
// cleanup, such as closing the buses, with t.Cleanup. The checks of Close
// run only on buses that implement [io.Closer] and are skipped otherwise.
func Run(t *testing.T, newPair func(t *testing.T) (a, b broadcast.Bus)) {
	t.Helper()
	checks := []struct {
		name string
		run  func(t *testing.T, a, b broadcast.Bus)
	}{
		{name: "PublishReceive", run: testPublishReceive},
		{name: "NoEcho", run: testNoEcho},
		{name: "OpaqueBytes", run: testOpaqueBytes},
		{name: "LargeMessage", run: testLargeMessage},
		{name: "PublishCopies", run: testPublishCopies},
		{name: "ConcurrentPublishers", run: testConcurrentPublishers},
		{name: "CanceledPublish", run: testCanceledPublish},
		{name: "CancelEndsSubscribe", run: testCancelEndsSubscribe},
		{name: "Closer/CloseEndsSubscribe", run: testCloseEndsSubscribe},
		{name: "Closer/PublishAfterClose", run: testPublishAfterClose},
		{name: "Closer/SubscribeAfterClose", run: testSubscribeAfterClose},
	}
	for _, c := range checks {
		t.Run(c.name, func(t *testing.T) {
			a, b := newPair(t)
			c.run(t, a, b)
		})
	}
}

func testPublishReceive(t *testing.T, a, b broadcast.Bus) {
	rb := subscribe(t, b)
	ready(t, "a", a, rb)

	var want []string
	for i := range inOrder {
		msg := fmt.Sprintf("m-%03d", i)
		require.NoError(t, a.Publish(t.Context(), []byte(msg)))
		want = append(want, msg)
	}
	rb.waitFor(t, "every message", func() bool { return len(rb.msgs) >= inOrder })
	assert.Equal(t, want, rb.strings(), "B receives A's messages once each, in publish order")
}

func testNoEcho(t *testing.T, a, b broadcast.Bus) {
	ra, rb := subscribe(t, a), subscribe(t, b)
	ready(t, "a", a, rb)
	ready(t, "b", b, ra)

	require.NoError(t, a.Publish(t.Context(), []byte("from-a")))
	require.NoError(t, b.Publish(t.Context(), []byte("from-b")))
	// Each fence arrives after the other's message would have: publish
	// order is kept per publisher, and each side publishes after its own
	// message returned.
	require.NoError(t, a.Publish(t.Context(), []byte("fence-a")))
	require.NoError(t, b.Publish(t.Context(), []byte("fence-b")))
	ra.waitFor(t, "B's fence", func() bool { return slicesContain(ra.msgs, "fence-b") })
	rb.waitFor(t, "A's fence", func() bool { return slicesContain(rb.msgs, "fence-a") })

	assert.Equal(t, []string{"from-b", "fence-b"}, ra.strings(), "A receives only B's messages")
	assert.Equal(t, []string{"from-a", "fence-a"}, rb.strings(), "B receives only A's messages")
	assert.Empty(t, ra.ownProbes("a"), "A never receives its own probes")
	assert.Empty(t, rb.ownProbes("b"), "B never receives its own probes")
}

func testOpaqueBytes(t *testing.T, a, b broadcast.Bus) {
	rb := subscribe(t, b)
	ready(t, "a", a, rb)

	want := [][]byte{
		{},
		{0, 1, 0xfe, 0xff, '\r', '\n', '"', '\\'},
		[]byte("\u00e9t\u00e9 \U0001F600"),
		bytes.Repeat([]byte{0}, 17),
	}
	for _, msg := range want {
		require.NoError(t, a.Publish(t.Context(), msg))
	}
	rb.waitFor(t, "every message", func() bool { return len(rb.msgs) >= len(want) })
	got := rb.messages()
	require.Len(t, got, len(want))
	for i := range want {
		assert.Equal(t, want[i], got[i], "message %d", i)
	}
}

func testLargeMessage(t *testing.T, a, b broadcast.Bus) {
	rb := subscribe(t, b)
	ready(t, "a", a, rb)

	large := make([]byte, largeSize)
	rng := rand.NewChaCha8([32]byte{1, 2, 3})
	_, _ = rng.Read(large)
	large[0] = 'L' // never mistaken for a probe
	require.NoError(t, a.Publish(t.Context(), large))
	require.NoError(t, a.Publish(t.Context(), []byte("after")))

	rb.waitFor(t, "both messages", func() bool { return len(rb.msgs) >= 2 })
	got := rb.messages()
	require.Len(t, got, 2)
	assert.True(t, bytes.Equal(large, got[0]), "the %d byte message arrives intact (got %d bytes)", largeSize, len(got[0]))
	assert.Equal(t, "after", string(got[1]))
}

func testPublishCopies(t *testing.T, a, b broadcast.Bus) {
	rb := subscribe(t, b)
	ready(t, "a", a, rb)

	buf := []byte("original")
	require.NoError(t, a.Publish(t.Context(), buf))
	copy(buf, "MODIFIED")
	rb.waitFor(t, "the message", func() bool { return len(rb.msgs) >= 1 })
	assert.Equal(t, []string{"original"}, rb.strings(), "Publish copies msg before it returns")
}

func testConcurrentPublishers(t *testing.T, a, b broadcast.Bus) {
	ra, rb := subscribe(t, a), subscribe(t, b)
	ready(t, "a", a, rb)
	ready(t, "b", b, ra)

	var wg sync.WaitGroup
	for _, side := range []struct {
		name string
		bus  broadcast.Bus
	}{{"a", a}, {"b", b}} {
		for g := range publishers {
			wg.Go(func() {
				for i := range perPublisher {
					msg := fmt.Sprintf("%s/%d/%03d", side.name, g, i)
					if !assert.NoError(t, side.bus.Publish(t.Context(), []byte(msg))) {
						return
					}
				}
			})
		}
	}
	wg.Wait()

	const total = publishers * perPublisher
	ra.waitFor(t, "every message of B", func() bool { return len(ra.msgs) >= total })
	rb.waitFor(t, "every message of A", func() bool { return len(rb.msgs) >= total })
	assertSequences(t, "a", ra.strings(), "b")
	assertSequences(t, "b", rb.strings(), "a")
}

// assertSequences checks that the receiver named self got exactly every
// message of the publisher named from, each goroutine's in order.
func assertSequences(t *testing.T, self string, got []string, from string) {
	t.Helper()
	next := make(map[string]int) // goroutine -> next index
	for _, msg := range got {
		parts := strings.Split(msg, "/")
		if !assert.Len(t, parts, 3, "%s received %q", self, msg) {
			continue
		}
		assert.Equal(t, from, parts[0], "%s receives only %s's messages", self, from)
		want := fmt.Sprintf("%03d", next[parts[1]])
		assert.Equal(t, want, parts[2], "%s receives goroutine %s/%s's messages in order", self, from, parts[1])
		next[parts[1]]++
	}
	assert.Len(t, got, publishers*perPublisher, "%s receives each message once", self)
}

func testCanceledPublish(t *testing.T, a, _ broadcast.Bus) {
	ctx, cancel := context.WithCancel(t.Context())
	cancel()
	err := a.Publish(ctx, []byte("x"))
	assert.ErrorIs(t, err, context.Canceled)
}

func testCancelEndsSubscribe(t *testing.T, a, b broadcast.Bus) {
	ctx, cancel := context.WithCancel(t.Context())
	defer cancel()
	rb := newRecorder()
	done := make(chan error, 1)
	go func() { done <- b.Subscribe(ctx, rb) }()
	ready(t, "a", a, rb)

	cancel()
	select {
	case err := <-done:
		assert.NoError(t, err, "Subscribe returns nil when its context ends")
	case <-time.After(wait):
		t.Fatalf("Subscribe did not return within %v of its context's end", wait)
	}
}

func testCloseEndsSubscribe(t *testing.T, a, b broadcast.Bus) {
	cb := closer(t, b)
	rb := newRecorder()
	done := make(chan error, 1)
	go func() { done <- b.Subscribe(t.Context(), rb) }()
	ready(t, "a", a, rb)

	require.NoError(t, cb.Close())
	select {
	case err := <-done:
		assert.NoError(t, err, "Subscribe returns nil when the bus is closed")
	case <-time.After(wait):
		t.Fatalf("Subscribe did not return within %v of Close", wait)
	}
	assert.NoError(t, cb.Close(), "Close is idempotent")
}

func testPublishAfterClose(t *testing.T, a, _ broadcast.Bus) {
	ca := closer(t, a)
	require.NoError(t, ca.Close())
	err := a.Publish(t.Context(), []byte("x"))
	assert.ErrorIs(t, err, broadcast.ErrClosed)
}

func testSubscribeAfterClose(t *testing.T, _, b broadcast.Bus) {
	cb := closer(t, b)
	require.NoError(t, cb.Close())
	done := make(chan error, 1)
	go func() { done <- b.Subscribe(t.Context(), newRecorder()) }()
	select {
	case err := <-done:
		assert.ErrorIs(t, err, broadcast.ErrClosed)
	case <-time.After(wait):
		t.Fatalf("Subscribe on a closed bus did not return within %v", wait)
	}
}

// closer returns bus as an [io.Closer], or skips the test.
func closer(tb testing.TB, bus broadcast.Bus) io.Closer {
	tb.Helper()
	c, ok := bus.(io.Closer)
	if !ok {
		tb.Skipf("%T does not implement io.Closer", bus)
	}
	return c
}

// subscribe runs bus.Subscribe with a new recorder until the test ends,
// and checks that it then returns nil.
func subscribe(t *testing.T, bus broadcast.Bus) *recorder {
	t.Helper()
	r := newRecorder()
	ctx, cancel := context.WithCancel(context.WithoutCancel(t.Context()))
	done := make(chan error, 1)
	go func() { done <- bus.Subscribe(ctx, r) }()
	t.Cleanup(func() {
		cancel()
		select {
		case err := <-done:
			assert.NoError(t, err, "Subscribe returns nil when its context ends")
		case <-time.After(wait):
			t.Errorf("Subscribe did not return within %v of its context's end", wait)
		}
	})
	return r
}

// ready publishes probes on from, as the publisher named name, until r has
// received one, so that r's subscription is known to be running.
func ready(t *testing.T, name string, from broadcast.Bus, r *recorder) {
	t.Helper()
	deadline := time.Now().Add(wait)
	for i := 0; ; i++ {
		probe := fmt.Sprintf("%s%s:%d", probePrefix, name, i)
		require.NoError(t, from.Publish(t.Context(), []byte(probe)), "publish a probe")
		timer := time.NewTimer(probeInterval)
		select {
		case <-r.probe:
			timer.Stop()
			return
		case <-timer.C:
		}
		if time.Now().After(deadline) {
			t.Fatalf("the subscriber received none of %d probes within %v", i+1, wait)
		}
	}
}

// recorder is a [broadcast.Receiver] that keeps what it receives.
type recorder struct {
	changed chan struct{} // capacity 1: something was received
	probe   chan struct{} // capacity 1: a probe was received

	mu      sync.Mutex
	msgs    [][]byte // messages other than probes
	probes  []string
	resyncs int
}

func newRecorder() *recorder {
	return &recorder{changed: make(chan struct{}, 1), probe: make(chan struct{}, 1)}
}

// Receive implements [broadcast.Receiver].
func (r *recorder) Receive(msg []byte) {
	r.mu.Lock()
	isProbe := bytes.HasPrefix(msg, []byte(probePrefix))
	if isProbe {
		r.probes = append(r.probes, string(msg))
	} else {
		r.msgs = append(r.msgs, msg)
	}
	r.mu.Unlock()
	notify(r.changed)
	if isProbe {
		notify(r.probe)
	}
}

// Resync implements [broadcast.Receiver].
func (r *recorder) Resync() {
	r.mu.Lock()
	r.resyncs++
	r.mu.Unlock()
	notify(r.changed)
}

// waitFor waits until cond, called with r.mu held, returns true.
func (r *recorder) waitFor(t *testing.T, what string, cond func() bool) {
	t.Helper()
	timer := time.NewTimer(wait)
	defer timer.Stop()
	for {
		r.mu.Lock()
		ok := cond()
		n := len(r.msgs)
		r.mu.Unlock()
		if ok {
			return
		}
		select {
		case <-r.changed:
		case <-timer.C:
			t.Fatalf("waited %v for %s; received %d messages", wait, what, n)
		}
	}
}

// messages returns the messages received so far, probes left out.
func (r *recorder) messages() [][]byte {
	r.mu.Lock()
	defer r.mu.Unlock()
	return append([][]byte(nil), r.msgs...)
}

// strings returns the messages received so far as strings.
func (r *recorder) strings() []string {
	var out []string
	for _, m := range r.messages() {
		out = append(out, string(m))
	}
	return out
}

// ownProbes returns the probes received that the publisher named name sent.
func (r *recorder) ownProbes(name string) []string {
	r.mu.Lock()
	defer r.mu.Unlock()
	var own []string
	for _, p := range r.probes {
		if strings.HasPrefix(p, probePrefix+name+":") {
			own = append(own, p)
		}
	}
	return own
}

// slicesContain reports whether msgs holds s.
func slicesContain(msgs [][]byte, s string) bool {
	for _, m := range msgs {
		if string(m) == s {
			return true
		}
	}
	return false
}

// notify signals ch without blocking.
func notify(ch chan struct{}) {
	select {
	case ch <- struct{}{}:
	default:
	}
}
