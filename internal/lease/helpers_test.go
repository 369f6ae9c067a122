package lease_test

import (
	"context"
	"errors"
	"io"
	"log/slog"
	"sync"
	"sync/atomic"
	"testing"
	"time"

	"github.com/lvtgo/livetemplate/internal/lease"
	"github.com/lvtgo/livetemplate/session"
)

// errCut is what a store cut off from its instance answers.
var errCut = errors.New("the network to the store is down")

// cutStore is a session store an instance can lose: once cut, every call
// fails. With lose set, a Put is made but its answer is lost.
type cutStore struct {
	session.Store
	cut  atomic.Bool
	lose atomic.Int32 // the next n Puts are made, and answered with an error
}

func (s *cutStore) Get(ctx context.Context, key string) ([]byte, uint64, error) {
	if s.cut.Load() {
		return nil, 0, errCut
	}
	return s.Store.Get(ctx, key)
}

func (s *cutStore) Put(ctx context.Context, key string, state []byte, version uint64) (uint64, error) {
	if s.cut.Load() {
		return 0, errCut
	}
	v, err := s.Store.Put(ctx, key, state, version)
	if err == nil && s.lose.Add(-1) >= 0 {
		return 0, errCut
	}
	return v, err
}

// work counts the runs of one led function across instances: how many run
// now, the most that ever ran at once, and when each began and ended.
type work struct {
	active, most, starts atomic.Int32

	mu     sync.Mutex
	events []event
}

type event struct {
	who   string
	start bool
	at    time.Time
}

// runOn returns the function instance who leads: it runs until its
// context ends.
func (w *work) runOn(who string) func(ctx context.Context) {
	return func(ctx context.Context) {
		n := w.active.Add(1)
		for m := w.most.Load(); n > m && !w.most.CompareAndSwap(m, n); m = w.most.Load() {
		}
		w.starts.Add(1)
		w.note(who, true)
		<-ctx.Done()
		w.note(who, false)
		w.active.Add(-1)
	}
}

func (w *work) note(who string, start bool) {
	w.mu.Lock()
	defer w.mu.Unlock()
	w.events = append(w.events, event{who: who, start: start, at: time.Now()})
}

// last returns the last event of who (start or end).
func (w *work) last(who string, start bool) (time.Time, bool) {
	w.mu.Lock()
	defer w.mu.Unlock()
	for i := len(w.events) - 1; i >= 0; i-- {
		if e := w.events[i]; e.who == who && e.start == start {
			return e.at, true
		}
	}
	return time.Time{}, false
}

// newRunner returns a Runner of instance holder on store, closed when the
// test ends (closing twice is fine).
func newRunner(tb testing.TB, store session.Store, holder string, o lease.Options) *lease.Runner {
	tb.Helper()
	o.Store, o.Holder = store, holder
	if o.Logger == nil {
		o.Logger = slog.New(slog.NewTextHandler(io.Discard, nil))
	}
	r := lease.New(o)
	tb.Cleanup(r.Close)
	return r
}
