package relay_test

import (
	"bytes"
	"context"
	"encoding/json"
	"errors"
	"fmt"
	"log/slog"
	"sync"
	"sync/atomic"
	"testing"
	"testing/synctest"
	"time"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"
	"go.uber.org/goleak"

	"github.com/lvtgo/livetemplate/broadcast"
	"github.com/lvtgo/livetemplate/internal/relay"
)

// receiver records what a Relay hands it.
type receiver struct {
	holds func(name string) bool

	mu       sync.Mutex
	catchUps []string // "name@version", in order
	pushes   []string // "view push"
	refresh  []string
	discon   []string
	resyncs  int

	running    sync.Map // state name → *atomic.Int32: its catch-ups running now
	overlapped atomic.Bool
}

func (r *receiver) Holds(name string) bool { return r.holds == nil || r.holds(name) }

func (r *receiver) CatchUp(_ context.Context, name string, version uint64) {
	n, _ := r.running.LoadOrStore(name, new(atomic.Int32))
	if n.(*atomic.Int32).Add(1) > 1 {
		r.overlapped.Store(true)
	}
	defer n.(*atomic.Int32).Add(-1)
	r.mu.Lock()
	defer r.mu.Unlock()
	r.catchUps = append(r.catchUps, fmt.Sprintf("%s@%d", name, version))
}

// Events records name@version and the events among the catch-ups, so that
// their order shows.
func (r *receiver) Events(_ context.Context, name string, version uint64, events [][]byte) {
	r.mu.Lock()
	defer r.mu.Unlock()
	r.catchUps = append(r.catchUps, fmt.Sprintf("%s@%d %s", name, version, bytes.Join(events, []byte(" "))))
}

func (r *receiver) Push(_ context.Context, view string, p relay.Push) {
	js, _ := json.Marshal(p)
	r.mu.Lock()
	defer r.mu.Unlock()
	r.pushes = append(r.pushes, view+" "+string(js))
}

func (r *receiver) Refresh(view string, t relay.Target) {
	js, _ := json.Marshal(t)
	r.mu.Lock()
	defer r.mu.Unlock()
	r.refresh = append(r.refresh, view+" "+string(js))
}

func (r *receiver) Disconnect(view string, t relay.Target) {
	js, _ := json.Marshal(t)
	r.mu.Lock()
	defer r.mu.Unlock()
	r.discon = append(r.discon, view+" "+string(js))
}

func (r *receiver) Resync(context.Context) {
	r.mu.Lock()
	defer r.mu.Unlock()
	r.resyncs++
}

// seen returns a copy of what r recorded.
func (r *receiver) seen() (catchUps, pushes, refresh, discon []string, resyncs int) {
	r.mu.Lock()
	defer r.mu.Unlock()
	cp := func(s []string) []string { return append([]string(nil), s...) }
	return cp(r.catchUps), cp(r.pushes), cp(r.refresh), cp(r.discon), r.resyncs
}

// logs is a slog.Handler that keeps every record's level and message.
type logs struct {
	mu   sync.Mutex
	recs []string
}

func (l *logs) Enabled(context.Context, slog.Level) bool { return true }
func (l *logs) Handle(_ context.Context, r slog.Record) error {
	l.mu.Lock()
	defer l.mu.Unlock()
	l.recs = append(l.recs, r.Level.String()+" "+r.Message)
	return nil
}
func (l *logs) WithAttrs([]slog.Attr) slog.Handler { return l }
func (l *logs) WithGroup(string) slog.Handler      { return l }
func (l *logs) lines() []string {
	l.mu.Lock()
	defer l.mu.Unlock()
	return append([]string(nil), l.recs...)
}

// instance is one instance of an app as its relay sees it.
type instance struct {
	relay *relay.Relay
	recv  *receiver
	bus   *broadcast.Endpoint
}

// pair starts two relays over one broadcast.Local hub, and waits until
// both are subscribed. It must run in a synctest bubble.
func pair(t *testing.T, recvA, recvB *receiver) (a, b instance) {
	t.Helper()
	hub := broadcast.NewLocal()
	a = instance{recv: recvA, bus: hub.Bus()}
	b = instance{recv: recvB, bus: hub.Bus()}
	a.relay = relay.New(a.bus, recvA, slog.New(&logs{}), nil, 0)
	b.relay = relay.New(b.bus, recvB, slog.New(&logs{}), nil, 0)
	a.relay.Start()
	b.relay.Start()
	t.Cleanup(func() {
		a.relay.Close()
		b.relay.Close()
		_ = hub.Close()
	})
	synctest.Wait() // both subscriptions are running
	return a, b
}

func TestAnnounceReachesTheInstancesThatHoldTheState(t *testing.T) {
	synctest.Test(t, func(t *testing.T) {
		recvA := &receiver{}
		recvB := &receiver{holds: func(name string) bool { return name == "g:1" }}
		a, _ := pair(t, recvA, recvB)

		a.relay.Announce("g:1", 3)
		a.relay.Announce("g:2", 4) // B does not hold it
		synctest.Wait()

		catchUps, _, _, _, _ := recvB.seen()
		assert.Equal(t, []string{"g:1@3"}, catchUps)
		catchUpsA, _, _, _, _ := recvA.seen()
		assert.Empty(t, catchUpsA, "an instance does not hear itself")
	})
}

// A push's events follow its change of a state, in order, to the
// instances that hold the state.
func TestEventsFollowTheirChange(t *testing.T) {
	synctest.Test(t, func(t *testing.T) {
		recvB := &receiver{holds: func(name string) bool { return name == "g:1" }}
		a, _ := pair(t, &receiver{}, recvB)

		a.relay.Announce("g:1", 3)
		a.relay.Events("g:1", 3, [][]byte{[]byte(`["tick",1]`), []byte(`["tock",{"n":2}]`)})
		a.relay.Events("g:2", 5, [][]byte{[]byte(`["tick",1]`)}) // B does not hold it
		a.relay.Announce("g:1", 4)
		synctest.Wait()

		catchUps, _, _, _, _ := recvB.seen()
		assert.Equal(t, []string{"g:1@3", `g:1@3 ["tick",1] ["tock",{"n":2}]`, "g:1@4"}, catchUps)
	})
}

func TestMessagesAreDeliveredWithViewAndTarget(t *testing.T) {
	synctest.Test(t, func(t *testing.T) {
		recvB := &receiver{}
		a, _ := pair(t, &receiver{}, recvB)

		push := &relay.Push{
			ID:     "p1",
			Target: relay.Target{Groups: []string{"g1"}},
			Action: "counter.inc",
			Data:   map[string]json.RawMessage{"by": json.RawMessage(`2`)},
			Done:   []string{"g:g1"},
		}
		a.relay.Send(relay.Message{Kind: relay.KindPush, View: "page", Push: push})
		a.relay.Send(relay.Message{Kind: relay.KindRefresh, View: "", Target: relay.Target{All: true}})
		a.relay.Send(relay.Message{Kind: relay.KindDisconnect, View: "admin", Target: relay.Target{Users: []string{"ada"}}})
		synctest.Wait()

		_, pushes, refresh, discon, _ := recvB.seen()
		assert.Equal(t, []string{`page {"id":"p1","t":{"g":["g1"]},"a":"counter.inc","d":{"by":2},"done":["g:g1"]}`}, pushes)
		assert.Equal(t, []string{` {"all":true}`}, refresh)
		assert.Equal(t, []string{`admin {"u":["ada"]}`}, discon)
	})
}

func TestUnknownMessagesAreIgnored(t *testing.T) {
	synctest.Test(t, func(t *testing.T) {
		recvB := &receiver{}
		a, _ := pair(t, &receiver{}, recvB)

		for _, raw := range []string{
			`not json`,
			`{"v":1,"k":"refresh","t":{"all":true}}`, // another version
			`{"v":3,"k":"changed","s":"g:1","ver":2}`,
			`{"k":"changed","s":"g:1","ver":2}`, // no version
			`{"v":2,"k":"push"}`,                // a push without its push
			`{"v":2,"k":"unknown"}`,
			`[1,2,3]`,
		} {
			require.NoError(t, a.bus.Publish(t.Context(), []byte(raw)))
		}
		a.relay.Announce("g:1", 9) // and then one that counts
		synctest.Wait()

		catchUps, pushes, refresh, discon, resyncs := recvB.seen()
		assert.Equal(t, []string{"g:1@9"}, catchUps)
		assert.Empty(t, pushes)
		assert.Empty(t, refresh)
		assert.Empty(t, discon)
		assert.Zero(t, resyncs)
	})
}

// One state's catch-ups run on one worker, in the order they were
// announced; other states' run alongside.
func TestCatchUpsOfOneStateStayInOrder(t *testing.T) {
	synctest.Test(t, func(t *testing.T) {
		recvB := &receiver{}
		a, _ := pair(t, &receiver{}, recvB)

		var want []string
		for v := uint64(1); v <= 200; v++ {
			a.relay.Announce("g:busy", v)
			a.relay.Announce(fmt.Sprint("g:other-", v%16), v)
			want = append(want, fmt.Sprintf("g:busy@%d", v))
		}
		synctest.Wait()

		catchUps, _, _, _, _ := recvB.seen()
		var busy []string
		for _, c := range catchUps {
			if len(c) > 7 && c[:7] == "g:busy@" {
				busy = append(busy, c)
			}
		}
		assert.Equal(t, want, busy)
		assert.Len(t, catchUps, 400)
		assert.False(t, recvB.overlapped.Load(), "never two catch-ups of one state at once")
	})
}

func TestCloseStopsEveryGoroutine(t *testing.T) {
	defer goleak.VerifyNone(t, goleak.IgnoreCurrent())
	hub := broadcast.NewLocal()
	defer hub.Close()
	r := relay.New(hub.Bus(), &receiver{}, slog.New(&logs{}), nil, 0)
	r.Start()
	r.Announce("g:1", 1)
	r.Close()
	r.Close() // idempotent
}

func TestAFullQueueDropsAndLogsOnce(t *testing.T) {
	hub := broadcast.NewLocal()
	defer hub.Close()
	var l logs
	r := relay.New(hub.Bus(), &receiver{}, slog.New(&l), nil, 0) // not started: nobody publishes
	defer r.Close()
	for v := range relay.Queue + 10 {
		r.Announce("g:1", uint64(v))
	}
	assert.Equal(t, []string{"WARN bus queue full; other instances will catch up later"}, l.lines())
}

// bus is a broadcast.Bus whose Publish fails on demand and whose Subscribe
// fails the first time, then reports lost messages.
type bus struct {
	mu         sync.Mutex
	publishErr error
	published  int
	subscribes int
}

func (b *bus) Publish(context.Context, []byte) error {
	b.mu.Lock()
	defer b.mu.Unlock()
	b.published++
	return b.publishErr
}

func (b *bus) Subscribe(ctx context.Context, r broadcast.Receiver) error {
	b.mu.Lock()
	b.subscribes++
	n := b.subscribes
	b.mu.Unlock()
	if n == 1 {
		return errors.New("connection refused")
	}
	r.Resync() // the backend reconnected by itself meanwhile
	<-ctx.Done()
	return nil
}

func (b *bus) setPublishErr(err error) {
	b.mu.Lock()
	b.publishErr = err
	b.mu.Unlock()
}

func TestBusFailures(t *testing.T) {
	synctest.Test(t, func(t *testing.T) {
		b := &bus{}
		var l logs
		recv := &receiver{}
		r := relay.New(b, recv, slog.New(&l), nil, 0)
		r.Start()
		defer r.Close()

		synctest.Wait()
		assert.Equal(t, []string{"ERROR bus subscription ended; retrying"}, l.lines())
		_, _, _, _, resyncs := recv.seen()
		assert.Zero(t, resyncs, "it waits before subscribing again")

		time.Sleep(time.Second)
		synctest.Wait()
		b.mu.Lock()
		assert.Equal(t, 2, b.subscribes)
		b.mu.Unlock()
		_, _, _, _, resyncs = recv.seen()
		assert.Equal(t, 2, resyncs, "once for the retry, once for the bus's own report")

		b.setPublishErr(errors.New("timeout"))
		for v := range 3 {
			r.Announce("g:1", uint64(v+1))
			synctest.Wait()
		}
		b.setPublishErr(nil)
		r.Announce("g:1", 4)
		r.Announce("g:1", 5)
		synctest.Wait()
		assert.Equal(t, []string{
			"ERROR bus subscription ended; retrying",
			"ERROR bus publish failing; other instances will catch up later",
			"INFO bus publish recovered",
		}, l.lines(), "an outage is one line, its end another")
		b.mu.Lock()
		assert.Equal(t, 5, b.published)
		b.mu.Unlock()
	})
}

// Two instances: what one announces, the other catches up with.
func Example() {
	hub := broadcast.NewLocal()
	defer hub.Close()
	caughtUp := make(chan string, 1)
	b := relay.New(hub.Bus(), catchUpFunc(func(name string, v uint64) {
		select {
		case caughtUp <- fmt.Sprintf("B catches up with %s at version %d", name, v):
		default: // heard already
		}
	}), slog.Default(), nil, 0)
	b.Start()
	defer b.Close()
	a := relay.New(hub.Bus(), catchUpFunc(nil), slog.Default(), nil, 0)
	a.Start()
	defer a.Close()

	// A bus is not a queue: announce until B's subscription hears it.
	for {
		a.Announce("g:g1", 7)
		select {
		case s := <-caughtUp:
			fmt.Println(s)
			return
		case <-time.After(10 * time.Millisecond):
		}
	}
	// Output: B catches up with g:g1 at version 7
}

// catchUpFunc is a Receiver that only catches up.
type catchUpFunc func(name string, version uint64)

func (f catchUpFunc) Holds(string) bool { return true }
func (f catchUpFunc) CatchUp(_ context.Context, name string, version uint64) {
	if f != nil {
		f(name, version)
	}
}
func (catchUpFunc) Events(context.Context, string, uint64, [][]byte) {}
func (catchUpFunc) Push(context.Context, string, relay.Push)         {}
func (catchUpFunc) Refresh(string, relay.Target)                     {}
func (catchUpFunc) Disconnect(string, relay.Target)                  {}
func (catchUpFunc) Resync(context.Context)                           {}
