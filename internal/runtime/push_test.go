package runtime_test

import (
	"context"
	"encoding/json"
	"sync"
	"testing"
	"testing/synctest"
	"time"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"

	"github.com/lvtgo/livetemplate/auth"
	"github.com/lvtgo/livetemplate/broadcast"
	"github.com/lvtgo/livetemplate/internal/fault"
	"github.com/lvtgo/livetemplate/internal/relay"
	"github.com/lvtgo/livetemplate/internal/runtime"
	"github.com/lvtgo/livetemplate/session"
)

func TestBroadcastToSharedStores(t *testing.T) {
	t.Parallel()
	a := newApp(t, appOptions{})
	v := a.mount(t, "counter", counterPage, runtime.Shape{}, nil, counterDecl)
	adas, bobs, cys := a.open(t, v, ada), a.open(t, v, bob), a.open(t, v, cy)

	tests := []struct {
		name   string
		target runtime.Target
		reach  runtime.Reach
		g1, g2 string // what each group's pages show after
		stored map[string]string
	}{
		{
			name:   "every page",
			target: runtime.Target{Target: relay.Target{All: true}},
			reach:  runtime.Reach{States: 2, Pages: 3},
			g1:     "<p>1</p>", g2: "<p>1</p>",
		},
		{
			name:   "a user's pages: their group's state",
			target: runtime.Target{Target: relay.Target{Users: []string{"cy"}}},
			reach:  runtime.Reach{States: 1, Pages: 1},
			g1:     "<p>1</p>", g2: "<p>2</p>",
		},
		{
			name:   "groups, with a group no page shows",
			target: runtime.Target{Target: relay.Target{Groups: []string{"g1", "g9"}}},
			reach:  runtime.Reach{States: 2, Pages: 2},
			g1:     "<p>2</p>", g2: "<p>2</p>",
			stored: map[string]string{"g:g9": `{"counter":{"N":1},"lvt.pushes":["*"]}`},
		},
		{
			name:   "filtered by viewer",
			target: runtime.Target{Target: relay.Target{All: true}, Filter: func(id auth.Identity) bool { return id.UserID == "cy" }},
			reach:  runtime.Reach{States: 1, Pages: 1},
			g1:     "<p>2</p>", g2: "<p>3</p>",
		},
	}
	for _, tc := range tests {
		t.Run(tc.name, func(t *testing.T) {
			reach, err := a.Broadcast(t.Context(), nil, tc.target, "counter.inc", nil)
			require.NoError(t, err)
			assert.Equal(t, tc.reach, reach)
			assert.Equal(t, tc.g1, adas.drain())
			assert.Equal(t, tc.g1, bobs.drain())
			assert.Equal(t, tc.g2, cys.drain())
			for name, want := range tc.stored {
				var got map[string]json.RawMessage
				require.NoError(t, json.Unmarshal([]byte(storedJSON(t, a.mem, name)), &got))
				assert.JSONEq(t, `{"N":1}`, string(got["counter"]), want)
				assert.Contains(t, got, "lvt.pushes", "the push is recorded, so that it is applied once")
			}
		})
	}
}

func TestBroadcastToPageStores(t *testing.T) {
	t.Parallel()
	a := newApp(t, appOptions{})
	v := a.mount(t, "notes", notesPage, runtime.Shape{Map: true}, nil, counterDecl, noteDecl)
	adas, bobs := a.open(t, v, ada), a.open(t, v, bob)

	reach, err := a.Broadcast(t.Context(), v, runtime.Target{Target: relay.Target{Users: []string{"bob"}}}, "note.set", map[string]json.RawMessage{"text": json.RawMessage(`"hi bob"`)})
	require.NoError(t, err)
	assert.Equal(t, runtime.Reach{Pages: 1}, reach)
	assert.Equal(t, "<main>0|hi bob|</main>", bobs.drain())
	assert.True(t, adas.idle())

	_, err = a.Broadcast(t.Context(), nil, runtime.Target{Target: relay.Target{All: true}}, "note.set", map[string]json.RawMessage{"text": json.RawMessage(`"all"`)})
	require.NoError(t, err, "app-wide, a name no shared store has may be a page store")
	assert.Equal(t, "<main>0|all|</main>", adas.drain())
	assert.Equal(t, "<main>0|all|</main>", bobs.drain())
}

func TestBroadcastRefusals(t *testing.T) {
	t.Parallel()
	a := newApp(t, appOptions{})
	v := a.mount(t, "notes", notesPage, runtime.Shape{Map: true}, nil, counterDecl, noteDecl)
	adas := a.open(t, v, ada)
	all := runtime.Target{Target: relay.Target{All: true}}

	for _, tc := range []struct {
		name   string
		view   *runtime.View
		action string
	}{
		{name: "no such store", action: "cart.add"},
		{name: "no such store on the view", view: v, action: "cart.add"},
		{name: "no prefix on a view of two stores", view: v, action: "inc"},
	} {
		t.Run(tc.name, func(t *testing.T) {
			_, err := a.Broadcast(t.Context(), tc.view, all, tc.action, nil)
			assert.Equal(t, fault.UnknownAction, fault.As(err).Kind)
		})
	}

	t.Run("unprefixed app-wide with one shared store", func(t *testing.T) {
		_, err := a.Broadcast(t.Context(), nil, all, "inc", nil)
		require.NoError(t, err)
		assert.Equal(t, "<main>1||</main>", adas.drain())
	})

	t.Run("the action fails", func(t *testing.T) {
		_, err := a.Broadcast(t.Context(), nil, all, "counter.fail", nil)
		assert.Equal(t, fault.Failed, fault.As(err).Kind)
		assert.True(t, adas.idle())
		assert.Contains(t, a.logs.lines(), "ERROR server action failed action=counter.fail")
	})
}

func TestRefreshAndDisconnectByView(t *testing.T) {
	t.Parallel()
	a := newApp(t, appOptions{})
	one := a.mount(t, "one", counterPage, runtime.Shape{}, nil, counterDecl)
	two := a.mount(t, "two", `<b>{{.N}}</b>`, runtime.Shape{}, nil, counterDecl)
	ones, twos := a.open(t, one, ada), a.open(t, two, ada)
	polling, _ := a.load(t, one, bob, "/")
	_, err := a.Attach(t.Context(), polling, nil, request("/"), 0, 0)
	require.NoError(t, err)

	reach, err := a.Refresh(t.Context(), two, runtime.Target{Target: relay.Target{All: true}})
	require.NoError(t, err)
	assert.Equal(t, runtime.Reach{Pages: 1}, reach)
	assert.True(t, ones.idle())
	_ = twos.drain() // it rendered again (the same HTML)

	reach, err = a.Disconnect(t.Context(), one, runtime.Target{Target: relay.Target{Groups: []string{"g1"}}})
	require.NoError(t, err)
	assert.Equal(t, runtime.Reach{Pages: 2}, reach)
	assert.Equal(t, 4001, ones.sock.closedWith(), "its socket is closed; the transport detaches it")
	assert.Zero(t, twos.sock.closedWith(), "another view's page stays")
	assert.False(t, polling.Live(), "an HTTP page is detached")
	assert.Nil(t, a.Lookup(polling.Token, bob), "and forgotten")

	ctx, cancel := context.WithCancel(t.Context())
	cancel()
	_, err = a.Refresh(ctx, nil, runtime.Target{Target: relay.Target{All: true}})
	assert.ErrorIs(t, err, context.Canceled)
	_, err = a.Disconnect(ctx, nil, runtime.Target{Target: relay.Target{All: true}})
	assert.ErrorIs(t, err, context.Canceled)
}

// Two runtimes on one session store and one bus are two instances of an
// app: a push is applied once per state, and each instance's pages see
// every change.
func TestTwoInstances(t *testing.T) {
	t.Parallel()
	synctest.Test(t, func(t *testing.T) {
		mem := session.NewMemory(nil)
		t.Cleanup(func() { _ = mem.Close() })
		hub := broadcast.NewLocal()
		t.Cleanup(func() { _ = hub.Close() })
		a1 := newApp(t, appOptions{mem: mem, bus: hub.Bus()})
		a2 := newApp(t, appOptions{mem: mem, bus: hub.Bus()})
		v1 := a1.mount(t, "counter", counterPage, runtime.Shape{}, nil, counterDecl)
		v2 := a2.mount(t, "counter", counterPage, runtime.Shape{}, nil, counterDecl)
		adas, bobs := a1.open(t, v1, ada), a2.open(t, v2, bob) // one group, two instances
		cys := a2.open(t, v2, cy)
		synctest.Wait() // both relays are subscribed

		// An action.
		{
			_, err := adas.act("inc", "")
			require.NoError(t, err)
			synctest.Wait()
			assert.Equal(t, "<p>1</p>", bobs.drain(), "the other instance caught up")
		}

		// A push to every page.
		{
			reach, err := a1.Broadcast(t.Context(), nil, runtime.Target{Target: relay.Target{All: true}}, "counter.inc", nil)
			require.NoError(t, err)
			assert.Equal(t, runtime.Reach{States: 1, Pages: 1}, reach, "on this instance")
			synctest.Wait()
			assert.Equal(t, "<p>2</p>", adas.drain())
			assert.Equal(t, "<p>2</p>", bobs.drain(), "applied once to the group both show")
			assert.Equal(t, "<p>1</p>", cys.drain(), "applied by the instance that shows g2")
			assert.JSONEq(t, `{"N":2}`, rawStore(t, mem, "g:g1"))
			assert.JSONEq(t, `{"N":1}`, rawStore(t, mem, "g:g2"))
		}

		// A push to a group only the other instance shows.
		{
			_, err := a1.Broadcast(t.Context(), nil, runtime.Target{Target: relay.Target{Groups: []string{"g2"}}}, "counter.inc", nil)
			require.NoError(t, err)
			synctest.Wait()
			assert.Equal(t, "<p>2</p>", cys.drain())
			assert.JSONEq(t, `{"N":2}`, rawStore(t, mem, "g:g2"), "once")
		}

		// Refresh and disconnect reach the other instance.
		{
			_, err := a1.Refresh(t.Context(), nil, runtime.Target{Target: relay.Target{Users: []string{"cy"}}})
			require.NoError(t, err)
			_, err = a1.Disconnect(t.Context(), v1, runtime.Target{Target: relay.Target{Users: []string{"bob"}}})
			require.NoError(t, err)
			synctest.Wait()
			assert.Equal(t, 4001, bobs.sock.closedWith(), "by the view's name")
			assert.Zero(t, cys.sock.closedWith())
			assert.Zero(t, adas.sock.closedWith())
		}

		// A filtered push stays here.
		{
			_, err := a1.Broadcast(t.Context(), nil, runtime.Target{Target: relay.Target{All: true}, Filter: func(auth.Identity) bool { return true }}, "counter.inc", nil)
			require.NoError(t, err)
			synctest.Wait()
			assert.JSONEq(t, `{"N":2}`, rawStore(t, mem, "g:g2"), "a filter does not travel")
			assert.JSONEq(t, `{"N":3}`, rawStore(t, mem, "g:g1"))
		}
	})
}

// rawStore returns the counter store of state name as stored.
func rawStore(tb testing.TB, st session.Store, name string) string {
	tb.Helper()
	var m map[string]json.RawMessage
	require.NoError(tb, json.Unmarshal([]byte(storedJSON(tb, st, name)), &m))
	return string(m["counter"])
}

// gated is a session store whose Puts of one state wait for the test.
type gated struct {
	session.Store
	name    string
	entered chan struct{}
	release chan struct{}
	once    sync.Once
}

func (g *gated) Put(ctx context.Context, name string, state []byte, v uint64) (uint64, error) {
	if name == g.name {
		g.once.Do(func() { close(g.entered) })
		select {
		case <-g.release:
		case <-ctx.Done():
			return 0, ctx.Err()
		}
	}
	return g.Store.Put(ctx, name, state, v)
}

// No page lock is held across the session store: while one group's Put
// hangs, other groups' actions go through and every page still gets its
// messages (issue 17, item 4).
func TestASlowStoreStallsNobodyElse(t *testing.T) {
	t.Parallel()
	mem := session.NewMemory(nil)
	t.Cleanup(func() { _ = mem.Close() })
	g := &gated{Store: mem, name: "g:g1", entered: make(chan struct{}), release: make(chan struct{})}
	a := newApp(t, appOptions{mem: mem, store: g})
	v := a.mount(t, "counter", counterPage, runtime.Shape{}, nil, counterDecl)
	adas, bobs, cys := a.open(t, v, ada), a.open(t, v, bob), a.open(t, v, cy)

	require.True(t, adas.p.Reserve(t.Context(), adas.sock, 1))
	done := make(chan error, 1)
	go func() {
		_, err := a.Act(context.Background(), adas.p, "inc", nil, request("/"), nil)
		done <- err
	}()
	<-g.entered // ada's action waits on the store

	within(t, "another group's action", func() {
		_, err := cys.act("inc", "")
		assert.NoError(t, err)
	})
	assert.Equal(t, "<p>1</p>", cys.html())
	within(t, "a refresh of the stalled group", func() {
		_, err := a.Refresh(t.Context(), nil, runtime.Target{Target: relay.Target{Groups: []string{"g1"}}})
		assert.NoError(t, err)
		bobs.drain()
		adas.drain() // output flows while the action waits on the store
	})

	close(g.release)
	require.NoError(t, <-done)
	adas.p.Settle(adas.sock, 1, nil, "", nil)
	m := adas.read()
	assert.Equal(t, "reply", m.T)
	assert.Equal(t, "<p>1</p>", adas.html())
	assert.Equal(t, "<p>1</p>", bobs.drain())
}

// within runs f, failing the test if it does not return (a deadlock).
func within(tb testing.TB, what string, f func()) {
	tb.Helper()
	done := make(chan struct{})
	go func() { defer close(done); f() }()
	select {
	case <-done:
	case <-time.After(10 * time.Second):
		tb.Fatalf("%s is stuck behind the slow store", what)
	}
}
