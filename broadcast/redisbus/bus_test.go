package redisbus_test

import (
	"context"
	"fmt"
	"log/slog"
	"strings"
	"sync"
	"sync/atomic"
	"testing"
	"time"

	"github.com/redis/go-redis/v9"
	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"

	"github.com/lvtgo/livetemplate/broadcast"
	"github.com/lvtgo/livetemplate/broadcast/broadcasttest"
	"github.com/lvtgo/livetemplate/broadcast/redisbus"
	"github.com/lvtgo/livetemplate/internal/testutil"
)

// wait bounds every wait of these tests.
const wait = 15 * time.Second

func TestConformance(t *testing.T) {
	t.Parallel()
	srv := testutil.StartRedis(t)
	var n atomic.Int64

	broadcasttest.Run(t, func(t *testing.T) (a, b broadcast.Bus) {
		// Two instances, each with its own client; a channel per pair.
		opts := &redisbus.Options{Channel: fmt.Sprintf("test%d", n.Add(1)), Logger: discard()}
		return newBus(t, srv.Client(t), opts), newBus(t, srv.Client(t), opts)
	})
}

func TestNewNilClient(t *testing.T) {
	t.Parallel()
	_, err := redisbus.New(nil, nil)
	assert.EqualError(t, err, "redisbus: new: nil client")
}

func TestSubscribeNilReceiver(t *testing.T) {
	t.Parallel()
	client := redis.NewClient(&redis.Options{})
	defer client.Close()
	bus := newBus(t, client, nil)
	assert.EqualError(t, bus.Subscribe(t.Context(), nil), "redisbus: subscribe: nil receiver")
}

// TestEnvelope checks the wire form of the package documentation, as a
// plain Redis subscriber sees it, and the default channel.
func TestEnvelope(t *testing.T) {
	t.Parallel()
	srv := testutil.StartRedis(t)
	raw := srv.Client(t)
	ps := raw.Subscribe(t.Context(), "livetemplate")
	defer ps.Close()
	_, err := ps.Receive(t.Context()) // the subscription confirmation
	require.NoError(t, err)

	a := newBus(t, srv.Client(t), nil)
	b := newBus(t, srv.Client(t), nil)
	require.NoError(t, a.Publish(t.Context(), []byte("hi")))
	require.NoError(t, a.Publish(t.Context(), []byte("again")))
	require.NoError(t, b.Publish(t.Context(), []byte("hi")))

	var envs []string
	for range 3 {
		msg, err := ps.ReceiveMessage(t.Context())
		require.NoError(t, err)
		envs = append(envs, msg.Payload)
	}
	for i, msg := range []string{"hi", "again", "hi"} {
		require.Len(t, envs[i], 17+len(msg))
		assert.Equal(t, byte(1), envs[i][0], "envelope version")
		assert.Equal(t, msg, envs[i][17:], "the message follows the header")
	}
	assert.Equal(t, envs[0][1:17], envs[1][1:17], "one origin id per Bus")
	assert.NotEqual(t, envs[0][1:17], envs[2][1:17], "a new origin id for each Bus")
}

// TestUnreadableMessages checks that messages of a newer envelope version
// and malformed ones are ignored, with one log line per kind.
func TestUnreadableMessages(t *testing.T) {
	t.Parallel()
	srv := testutil.StartRedis(t)
	raw := srv.Client(t)
	logs := &logBuffer{}
	a := newBus(t, srv.Client(t), &redisbus.Options{Logger: discard()})
	b := newBus(t, srv.Client(t), &redisbus.Options{Logger: logs.Logger()})
	rb := subscribe(t, b)
	ready(t, a, rb)

	newer := "\x02" + strings.Repeat("o", 16) + "from the future"
	for _, env := range []string{newer, newer, "", "\x01short", "\x00" + strings.Repeat("o", 16) + "zero"} {
		require.NoError(t, raw.Publish(t.Context(), "livetemplate", env).Err())
	}
	require.NoError(t, a.Publish(t.Context(), []byte("readable")))
	rb.waitFor(t, "the readable message", func() bool { return len(rb.msgs) == 1 })

	assert.Equal(t, []string{"readable"}, rb.strings())
	assert.Equal(t, 1, logs.count("newer envelope version"), logs.String())
	assert.Equal(t, 1, logs.count("malformed"), logs.String())
	assert.Contains(t, logs.String(), "version=2")
}

// TestOutage stops Redis while a subscription runs: Publish fails within
// its context, the subscription comes back by itself once Redis does,
// calls Resync, and later messages arrive. The outage and the recovery are
// logged once each.
func TestOutage(t *testing.T) {
	t.Parallel()
	srv := testutil.StartRedis(t)
	logs := &logBuffer{}
	a := newBus(t, srv.Client(t), &redisbus.Options{Logger: discard()})
	b := newBus(t, srv.Client(t), &redisbus.Options{Logger: logs.Logger()})
	rb := subscribe(t, b)
	ready(t, a, rb)
	require.NoError(t, a.Publish(t.Context(), []byte("before")))
	rb.waitFor(t, "the message before the outage", func() bool { return len(rb.msgs) == 1 })
	require.Zero(t, rb.resyncCount(), "no Resync without an interruption")

	srv.Stop()
	for range 3 {
		ctx, cancel := context.WithTimeout(t.Context(), 2*time.Second)
		start := time.Now()
		err := a.Publish(ctx, []byte("lost"))
		cancel()
		require.Error(t, err, "Publish fails while Redis is down")
		assert.Less(t, time.Since(start), 2*time.Second+500*time.Millisecond, "Publish returns within its context")
		assert.Regexp(t, `^redisbus: publish: `, err.Error())
	}
	// Let the subscriber fail a few attempts to reconnect.
	waitLogged(t, logs, "subscription interrupted")
	time.Sleep(300 * time.Millisecond)

	srv.Start()
	rb.waitFor(t, "a Resync after the outage", func() bool { return rb.resyncs >= 1 })
	waitLogged(t, logs, "subscription restored")
	ready(t, a, rb)
	require.NoError(t, a.Publish(t.Context(), []byte("after")))
	rb.waitFor(t, "the message after the outage", func() bool { return len(rb.msgs) == 2 })

	assert.Equal(t, []string{"before", "after"}, rb.strings())
	assert.Equal(t, 1, rb.resyncCount(), "one Resync per outage")
	assert.Equal(t, 1, logs.count("subscription interrupted"), "one log line per outage:\n%s", logs)
	assert.Equal(t, 1, logs.count("subscription restored"), "one log line per recovery:\n%s", logs)
}

// TestRedisDownAtStart subscribes while Redis is down: Subscribe keeps
// trying, and once Redis is up it calls Resync and delivers.
func TestRedisDownAtStart(t *testing.T) {
	t.Parallel()
	srv := testutil.StartRedis(t)
	logs := &logBuffer{}
	a := newBus(t, srv.Client(t), &redisbus.Options{Logger: discard()})
	b := newBus(t, srv.Client(t), &redisbus.Options{Logger: logs.Logger()})
	srv.Stop()

	rb := subscribe(t, b)
	waitLogged(t, logs, "subscription interrupted")
	srv.Start()
	rb.waitFor(t, "a Resync once Redis is up", func() bool { return rb.resyncs >= 1 })
	ready(t, a, rb)
	require.NoError(t, a.Publish(t.Context(), []byte("hello")))
	rb.waitFor(t, "the message", func() bool { return len(rb.msgs) == 1 })
	assert.Equal(t, 1, logs.count("subscription restored"), logs.String())
}

// TestHealthCheck makes Redis stop answering without closing the
// connection (CLIENT PAUSE): the unanswered health-check ping counts as an
// interruption, and the subscription recovers with a Resync when Redis
// answers again.
func TestHealthCheck(t *testing.T) {
	t.Parallel()
	srv := testutil.StartRedis(t)
	raw := srv.Client(t)
	logs := &logBuffer{}
	opts := &redisbus.Options{Logger: logs.Logger(), HealthCheckInterval: 100 * time.Millisecond}
	a := newBus(t, srv.Client(t), &redisbus.Options{Logger: discard()})
	b := newBus(t, srv.Client(t), opts)
	rb := subscribe(t, b)
	ready(t, a, rb)

	require.NoError(t, raw.Do(t.Context(), "CLIENT", "PAUSE", "1000", "ALL").Err())
	waitLogged(t, logs, "ping unanswered")
	rb.waitFor(t, "a Resync once Redis answers", func() bool { return rb.resyncs >= 1 })
	ready(t, a, rb)
	require.NoError(t, a.Publish(t.Context(), []byte("after")))
	rb.waitFor(t, "the message", func() bool { return len(rb.msgs) == 1 })
	assert.Equal(t, []string{"after"}, rb.strings())
}

// TestClosedClient checks that a closed client reads as a closed bus.
func TestClosedClient(t *testing.T) {
	t.Parallel()
	srv := testutil.StartRedis(t)
	client := redis.NewClient(&redis.Options{Addr: srv.Addr()})
	bus := newBus(t, client, nil)
	require.NoError(t, client.Close())
	assert.ErrorIs(t, bus.Publish(t.Context(), []byte("x")), broadcast.ErrClosed)
}

// newBus returns a Bus over client that is closed when t finishes.
func newBus(t *testing.T, client redis.UniversalClient, opts *redisbus.Options) *redisbus.Bus {
	t.Helper()
	bus, err := redisbus.New(client, opts)
	require.NoError(t, err)
	t.Cleanup(func() { assert.NoError(t, bus.Close()) })
	return bus
}

// discard returns a logger that drops everything.
func discard() *slog.Logger {
	return slog.New(slog.DiscardHandler)
}

// logBuffer collects log lines, safe for concurrent use; its Logger logs
// every level.
type logBuffer struct{ testutil.Logs }

// count returns the number of lines that contain s.
func (l *logBuffer) count(s string) int {
	n := 0
	for line := range strings.Lines(l.String()) {
		if strings.Contains(line, s) {
			n++
		}
	}
	return n
}

// waitLogged waits until a log line contains s.
func waitLogged(t *testing.T, logs *logBuffer, s string) {
	t.Helper()
	require.Eventually(t, func() bool { return logs.count(s) > 0 }, wait, 10*time.Millisecond,
		"waiting for a log line with %q; logs:\n%s", s, logs)
}

// recorder is a broadcast.Receiver that keeps what it receives; it ignores
// probes.
type recorder struct {
	changed chan struct{} // capacity 1

	mu      sync.Mutex
	msgs    []string
	probes  int
	resyncs int
}

const probe = "probe"

func (r *recorder) Receive(msg []byte) {
	r.mu.Lock()
	if string(msg) == probe {
		r.probes++
	} else {
		r.msgs = append(r.msgs, string(msg))
	}
	r.mu.Unlock()
	r.notify()
}

func (r *recorder) Resync() {
	r.mu.Lock()
	r.resyncs++
	r.mu.Unlock()
	r.notify()
}

func (r *recorder) notify() {
	select {
	case r.changed <- struct{}{}:
	default:
	}
}

func (r *recorder) strings() []string {
	r.mu.Lock()
	defer r.mu.Unlock()
	return append([]string(nil), r.msgs...)
}

func (r *recorder) resyncCount() int {
	r.mu.Lock()
	defer r.mu.Unlock()
	return r.resyncs
}

// waitFor waits until cond, called with r.mu held, returns true.
func (r *recorder) waitFor(t *testing.T, what string, cond func() bool) {
	t.Helper()
	timer := time.NewTimer(wait)
	defer timer.Stop()
	for {
		r.mu.Lock()
		ok := cond()
		r.mu.Unlock()
		if ok {
			return
		}
		select {
		case <-r.changed:
		case <-timer.C:
			t.Fatalf("waited %v for %s; received %q, %d resyncs", wait, what, r.strings(), r.resyncCount())
		}
	}
}

// subscribe runs bus.Subscribe with a new recorder until the test ends.
func subscribe(t *testing.T, bus *redisbus.Bus) *recorder {
	t.Helper()
	r := &recorder{changed: make(chan struct{}, 1)}
	ctx, cancel := context.WithCancel(context.WithoutCancel(t.Context()))
	done := make(chan error, 1)
	go func() { done <- bus.Subscribe(ctx, r) }()
	t.Cleanup(func() {
		cancel()
		select {
		case err := <-done:
			assert.NoError(t, err)
		case <-time.After(wait):
			t.Errorf("Subscribe did not return within %v", wait)
		}
	})
	return r
}

// ready publishes probes on from until r has received one.
func ready(t *testing.T, from *redisbus.Bus, r *recorder) {
	t.Helper()
	r.mu.Lock()
	seen := r.probes
	r.mu.Unlock()
	deadline := time.Now().Add(wait)
	for {
		require.NoError(t, from.Publish(t.Context(), []byte(probe)))
		time.Sleep(20 * time.Millisecond)
		r.mu.Lock()
		got := r.probes > seen
		r.mu.Unlock()
		if got {
			return
		}
		require.False(t, time.Now().After(deadline), "the subscriber received no probe within %v", wait)
	}
}

// TestCloseWhileDown closes a Bus whose subscription is retrying: Close
// ends it promptly.
func TestCloseWhileDown(t *testing.T) {
	t.Parallel()
	srv := testutil.StartRedis(t)
	logs := &logBuffer{}
	bus, err := redisbus.New(srv.Client(t), &redisbus.Options{Logger: logs.Logger()})
	require.NoError(t, err)
	srv.Stop()

	done := make(chan error, 1)
	go func() { done <- bus.Subscribe(t.Context(), &recorder{changed: make(chan struct{}, 1)}) }()
	waitLogged(t, logs, "subscription interrupted")
	start := time.Now()
	require.NoError(t, bus.Close())
	select {
	case err := <-done:
		assert.NoError(t, err)
	case <-time.After(wait):
		t.Fatal("Subscribe did not return after Close")
	}
	assert.Less(t, time.Since(start), 2*time.Second, "Close does not wait for Redis")
	assert.ErrorIs(t, bus.Subscribe(t.Context(), &recorder{}), broadcast.ErrClosed)
}

// TestQuietSubscription checks that health-check pings keep a quiet
// subscription up: answered pings are no interruption.
func TestQuietSubscription(t *testing.T) {
	t.Parallel()
	srv := testutil.StartRedis(t)
	logs := &logBuffer{}
	a := newBus(t, srv.Client(t), &redisbus.Options{Logger: discard()})
	b := newBus(t, srv.Client(t), &redisbus.Options{Logger: logs.Logger(), HealthCheckInterval: 200 * time.Millisecond})
	rb := subscribe(t, b)
	ready(t, a, rb)

	time.Sleep(time.Second) // about 5 health checks
	require.NoError(t, a.Publish(t.Context(), []byte("still up")))
	rb.waitFor(t, "the message", func() bool { return len(rb.msgs) == 1 })
	assert.Zero(t, rb.resyncCount())
	assert.Empty(t, logs.String())
}
