package state

import (
	"context"
	"encoding/json"
	"errors"
	"fmt"
	"log/slog"
	"net/http"
	"sync"
	"sync/atomic"
	"time"

	"github.com/lvtgo/livetemplate/auth"
	"github.com/lvtgo/livetemplate/internal/fault"
	"github.com/lvtgo/livetemplate/internal/schema"
	"github.com/lvtgo/livetemplate/session"
	"github.com/lvtgo/livetemplate/telemetry"
)

// Options configure a Table. Sessions is required; the others may be nil.
type Options struct {
	// Sessions is where states are kept.
	Sessions session.Store
	// Logger receives an outage of the session store (once, and once when
	// it ends) and states that no longer decode. Default slog.Default().
	Logger *slog.Logger
	// Mount sets up store, a fresh store of d, for a state that starts
	// without it: for the page of id opened by r (r is nil when no page
	// opens it, say for a server push). It runs user code, under the
	// state's lock. An error fails the Acquire.
	Mount func(ctx context.Context, d *schema.Decl, store any, id auth.Identity, r *http.Request) error
	// Changed is told, after the state's lock is released, that s has a
	// new snapshot: local when this instance changed it, false when it was
	// reloaded because another instance did.
	Changed func(s *State, local bool)
	// Timeout bounds each call of the session store: a store that does not
	// answer within it is failing (default 2s).
	Timeout time.Duration
	// Telemetry receives a StoreCall event for every call to Sessions.
	// Default: none.
	Telemetry telemetry.Sink
}

// Table is an app's shared states in memory, by key. A state stays in
// memory while somebody uses it (a live page that shows it, a page being
// loaded, a server push changing it), and its snapshots stay in the session
// store. It is safe for concurrent use.
type Table struct {
	o      Options
	outage atomic.Bool   // the session store is failing (logged once)
	ids    atomic.Uint64 // snapshot ids

	mu     sync.Mutex
	m      map[string]*State
	closed bool
}

// NewTable returns an empty table.
func NewTable(o Options) *Table {
	if o.Logger == nil {
		o.Logger = slog.Default()
	}
	if o.Mount == nil {
		o.Mount = func(context.Context, *schema.Decl, any, auth.Identity, *http.Request) error { return nil }
	}
	if o.Changed == nil {
		o.Changed = func(*State, bool) {}
	}
	if o.Timeout <= 0 {
		o.Timeout = 2 * time.Second
	}
	if o.Telemetry == nil {
		o.Telemetry = telemetry.SinkFunc(func(telemetry.Event) {})
	}
	return &Table{o: o, m: make(map[string]*State)}
}

// ErrClosed is returned by Acquire once the table is closed.
var ErrClosed = &fault.Error{Kind: fault.ShuttingDown, Cause: errors.New("state: table closed")}

// State is one shared state in memory: its key and its current snapshot.
type State struct {
	t    *Table
	key  Key
	name string // key.String()
	refs int    // guarded by t.mu

	mu     chanMutex // serialises loading, changes and reloads
	loaded bool      // guarded by mu
	cur    atomic.Pointer[Snapshot]
}

// Key returns the state's key.
func (s *State) Key() Key { return s.key }

// Name returns the state's key in the session store (Key().String()).
func (s *State) Name() string { return s.name }

// Current returns the state's current snapshot; nil while it loads for the
// first time.
func (s *State) Current() *Snapshot { return s.cur.Load() }

// Acquire returns the state k with every store of decls in it, loading it
// from the session store or starting it afresh, and counts the caller as
// its user until Release. A state the session store lacks starts from the
// stores' initial states, set up by Options.Mount for the page of id opened
// by r, and is not stored until it changes; so is a store the state lacks.
// It fails when the table is closed, the store fails (a fault.Unavailable),
// a Mount fails, or ctx ends first.
func (t *Table) Acquire(ctx context.Context, k Key, decls []*schema.Decl, id auth.Identity, r *http.Request) (*State, error) {
	name := k.String()
	t.mu.Lock()
	if t.closed {
		t.mu.Unlock()
		return nil, ErrClosed
	}
	s := t.m[name]
	if s == nil {
		s = &State{t: t, key: k, name: name, mu: newChanMutex()}
		t.m[name] = s
	}
	s.refs++
	t.mu.Unlock()
	if err := s.mu.LockContext(ctx); err != nil {
		t.Release(s)
		return nil, fault.Wrap(fault.ShuttingDown, err)
	}
	err := s.ensure(ctx, decls, id, r)
	s.mu.Unlock()
	if err != nil {
		t.Release(s)
		return nil, err
	}
	return s, nil
}

// Release undoes Acquire; a state nobody uses is forgotten (its stored
// snapshot stays in the session store).
func (t *Table) Release(s *State) {
	t.mu.Lock()
	defer t.mu.Unlock()
	s.refs--
	if s.refs <= 0 && t.m[s.name] == s {
		delete(t.m, s.name)
	}
}

// Lookup returns the state named name (a Key's String) if it is in memory.
func (t *Table) Lookup(name string) *State {
	t.mu.Lock()
	defer t.mu.Unlock()
	return t.m[name]
}

// All returns the states in memory.
func (t *Table) All() []*State {
	t.mu.Lock()
	defer t.mu.Unlock()
	out := make([]*State, 0, len(t.m))
	for _, s := range t.m {
		out = append(out, s)
	}
	return out
}

// Len returns how many states are in memory.
func (t *Table) Len() int {
	t.mu.Lock()
	defer t.mu.Unlock()
	return len(t.m)
}

// Close makes every later Acquire fail with ErrClosed.
func (t *Table) Close() {
	t.mu.Lock()
	t.closed = true
	t.mu.Unlock()
}

// ensure loads the state if it is not loaded, and adds the stores of decls
// it lacks. s.mu is held.
func (s *State) ensure(ctx context.Context, decls []*schema.Decl, id auth.Identity, r *http.Request) error {
	if !s.loaded {
		return s.load(ctx, decls, id, r)
	}
	cur := s.cur.Load()
	var missing []*schema.Decl
	for _, d := range decls {
		if !cur.Has(d.Name) {
			missing = append(missing, d)
		}
	}
	if len(missing) == 0 {
		return nil
	}
	next, err := s.fresh(ctx, cur, missing, id, r)
	if err != nil {
		return err
	}
	s.cur.Store(next)
	return nil
}

// load reads the state from the session store, or starts it afresh. s.mu
// is held.
func (s *State) load(ctx context.Context, decls []*schema.Decl, id auth.Identity, r *http.Request) error {
	t := s.t
	state, version, err := t.get(ctx, s.name)
	switch {
	case err == nil:
		t.recovered()
		sn, derr := decodeSnapshot(state, version, decls, &t.ids)
		if derr == nil {
			s.publish(sn)
			return s.ensure(ctx, decls, id, r)
		}
		t.o.Logger.Warn("stored state does not decode; starting afresh", "err", derr)
	case errors.Is(err, session.ErrNotFound):
		t.recovered()
		version = 0
	case ctx.Err() != nil:
		return fault.Wrap(fault.ShuttingDown, ctx.Err())
	default:
		return t.failed(fmt.Errorf("load state: %w", err))
	}
	empty := &Snapshot{raw: map[string]json.RawMessage{}, version: version, ids: &t.ids, id: t.ids.Add(1)}
	sn, err := s.fresh(ctx, empty, decls, id, r)
	if err != nil {
		return err
	}
	s.publish(sn)
	return nil
}

// fresh returns from with the stores of decls added in their initial
// states, set up by Mount. s.mu is held.
func (s *State) fresh(ctx context.Context, from *Snapshot, decls []*schema.Decl, id auth.Identity, r *http.Request) (*Snapshot, error) {
	next := from
	for _, d := range decls {
		store := d.Fresh()
		if err := s.t.o.Mount(ctx, d, store, id, r); err != nil {
			return nil, err
		}
		js, err := d.Encode(store)
		if err != nil {
			return nil, err
		}
		next = next.With(d, store, js, "")
	}
	return next, nil
}

// publish makes sn the state's snapshot. s.mu is held.
func (s *State) publish(sn *Snapshot) {
	s.cur.Store(sn)
	s.loaded = true
}

// failed logs the first failure of the session store in an outage (never
// one per action) and returns it as a fault.Unavailable.
func (t *Table) failed(err error) error {
	if t.outage.CompareAndSwap(false, true) {
		t.o.Logger.Error("session store failing; changes are refused until it recovers", "err", err)
	}
	return fault.Wrap(fault.Unavailable, err)
}

// recovered logs the end of an outage.
func (t *Table) recovered() {
	if t.outage.CompareAndSwap(true, false) {
		t.o.Logger.Info("session store recovered")
	}
}

// chanMutex is a mutex whose Lock can give up when a context ends.
type chanMutex chan struct{}

func newChanMutex() chanMutex { return make(chanMutex, 1) }

// LockContext locks m, or gives up with ctx's error when ctx ends first.
func (m chanMutex) LockContext(ctx context.Context) error {
	select {
	case m <- struct{}{}:
		return nil
	case <-ctx.Done():
		return ctx.Err()
	}
}

// Unlock unlocks m.
func (m chanMutex) Unlock() { <-m }

// get reads the state named name from the session store, within the
// store's deadline.
func (t *Table) get(ctx context.Context, name string) ([]byte, uint64, error) {
	ctx, cancel := context.WithTimeout(ctx, t.o.Timeout)
	defer cancel()
	start := time.Now()
	state, version, err := t.o.Sessions.Get(ctx, name)
	t.called(ctx, telemetry.OpGet, start, err)
	return state, version, err
}

// put stores state under name with compare-and-set on version, within the
// store's deadline.
func (t *Table) put(ctx context.Context, name string, state []byte, version uint64) (uint64, error) {
	ctx, cancel := context.WithTimeout(ctx, t.o.Timeout)
	defer cancel()
	start := time.Now()
	v, err := t.o.Sessions.Put(ctx, name, state, version)
	t.called(ctx, telemetry.OpPut, start, err)
	return v, err
}

// called reports a call to the session store: a missing key and a
// conflict are answers, a call whose caller went away is no failure.
func (t *Table) called(ctx context.Context, op string, start time.Time, err error) {
	e := telemetry.Event{Kind: telemetry.StoreCall, Op: op, Outcome: telemetry.OK, Duration: time.Since(start)}
	switch {
	case err == nil:
	case errors.Is(err, session.ErrNotFound):
		e.Outcome = telemetry.NotFound
	case errors.Is(err, session.ErrConflict):
		e.Outcome = telemetry.Conflict
	case ctx.Err() != nil:
		e.Outcome = telemetry.Canceled
	default:
		e.Outcome, e.Err = telemetry.Error, true
	}
	t.o.Telemetry.Record(e)
}
