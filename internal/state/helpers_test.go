package state_test

import (
	"context"
	"errors"
	"log/slog"
	"net/http"
	"reflect"
	"sync"
	"testing"

	"github.com/stretchr/testify/require"

	"github.com/lvtgo/livetemplate/auth"
	"github.com/lvtgo/livetemplate/internal/schema"
	"github.com/lvtgo/livetemplate/internal/state"
	"github.com/lvtgo/livetemplate/session"
)

type counter struct{ N int }

type profile struct{ Name string }

func decl(name string, v any, proto string) *schema.Decl {
	return &schema.Decl{Name: name, Scope: schema.Group, Type: reflect.TypeOf(v), Proto: []byte(proto)}
}

var (
	counterDecl = decl("counter", &counter{}, `{"N":0}`)
	profileDecl = decl("profile", &profile{}, `{"Name":""}`)
)

func newMemory(tb testing.TB) *session.Memory {
	tb.Helper()
	m := session.NewMemory(nil)
	tb.Cleanup(func() { _ = m.Close() })
	return m
}

// inc is a change that adds by to the counter store.
func inc(by int) func(*state.Snapshot) (*state.Snapshot, error) {
	return func(cur *state.Snapshot) (*state.Snapshot, error) {
		v, err := cur.Copy(counterDecl)
		if err != nil {
			return nil, err
		}
		c := v.(*counter)
		c.N += by
		js, err := counterDecl.Encode(c)
		if err != nil {
			return nil, err
		}
		return cur.With(counterDecl, c, js, ""), nil
	}
}

// countOf returns the counter store of sn.
func countOf(tb testing.TB, sn *state.Snapshot) int {
	tb.Helper()
	require.NotNil(tb, sn)
	v, err := sn.Store(counterDecl)
	require.NoError(tb, err)
	return v.(*counter).N
}

// stored returns what the session store holds for name, and its version.
func stored(tb testing.TB, st session.Store, name string) (string, uint64) {
	tb.Helper()
	js, v, err := st.Get(context.Background(), name)
	if errors.Is(err, session.ErrNotFound) {
		return "", 0
	}
	require.NoError(tb, err)
	return string(js), v
}

// mountCall is one call of Options.Mount.
type mountCall struct {
	store string
	id    auth.Identity
	req   *http.Request
}

// mounts records the calls of Options.Mount, and sets the counter of a
// fresh state from the request's "n" query parameter.
type mounts struct {
	mu    sync.Mutex
	calls []mountCall
	err   error
}

func (m *mounts) mount(_ context.Context, d *schema.Decl, store any, id auth.Identity, r *http.Request) error {
	m.mu.Lock()
	defer m.mu.Unlock()
	m.calls = append(m.calls, mountCall{store: d.Name, id: id, req: r})
	if m.err != nil {
		return m.err
	}
	if c, ok := store.(*counter); ok && r != nil && r.URL.Query().Get("n") == "5" {
		c.N = 5
	}
	return nil
}

func (m *mounts) list() []mountCall {
	m.mu.Lock()
	defer m.mu.Unlock()
	return append([]mountCall(nil), m.calls...)
}

// changes records the calls of Options.Changed.
type changes struct {
	mu    sync.Mutex
	calls []changeCall
}

type changeCall struct {
	name    string
	local   bool
	version uint64
}

func (c *changes) changed(s *state.State, local bool) {
	c.mu.Lock()
	defer c.mu.Unlock()
	c.calls = append(c.calls, changeCall{name: s.Name(), local: local, version: s.Current().Version()})
}

func (c *changes) list() []changeCall {
	c.mu.Lock()
	defer c.mu.Unlock()
	return append([]changeCall(nil), c.calls...)
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

// flaky is a session.Store that fails (or conflicts) on demand and
// otherwise uses its inner store.
type flaky struct {
	session.Store
	mu     sync.Mutex
	getErr error
	putErr error
	gets   int
	puts   int
	onPut  func() // called before a Put that goes through
}

func (f *flaky) Get(ctx context.Context, g string) ([]byte, uint64, error) {
	f.mu.Lock()
	f.gets++
	err := f.getErr
	f.mu.Unlock()
	if err != nil {
		return nil, 0, err
	}
	return f.Store.Get(ctx, g)
}

func (f *flaky) Put(ctx context.Context, g string, state []byte, v uint64) (uint64, error) {
	f.mu.Lock()
	f.puts++
	err, onPut := f.putErr, f.onPut
	f.mu.Unlock()
	if err != nil {
		return 0, err
	}
	if onPut != nil {
		onPut()
	}
	return f.Store.Put(ctx, g, state, v)
}

func (f *flaky) fail(get, put error) {
	f.mu.Lock()
	f.getErr, f.putErr = get, put
	f.mu.Unlock()
}

func (f *flaky) counts() (gets, puts int) {
	f.mu.Lock()
	defer f.mu.Unlock()
	return f.gets, f.puts
}
