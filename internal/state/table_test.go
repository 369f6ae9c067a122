package state_test

import (
	"context"
	"errors"
	"log/slog"
	"net/http/httptest"
	"testing"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"

	"github.com/lvtgo/livetemplate/auth"
	"github.com/lvtgo/livetemplate/internal/fault"
	"github.com/lvtgo/livetemplate/internal/schema"
	"github.com/lvtgo/livetemplate/internal/state"
)

var ada = auth.Identity{UserID: "ada", GroupID: "g1"}

func TestKey(t *testing.T) {
	t.Parallel()
	tests := []struct {
		name  string
		key   state.Key
		str   string
		owner auth.Identity
	}{
		{name: "group", key: state.GroupKey("g1"), str: "g:g1", owner: auth.Identity{GroupID: "g1"}},
		{name: "user", key: state.UserKey("ada"), str: "u:ada", owner: auth.Identity{UserID: "ada"}},
		{name: "keyed", key: state.KeyedKey("room", "lobby"), str: "s:room:lobby", owner: auth.Identity{}},
	}
	for _, tc := range tests {
		t.Run(tc.name, func(t *testing.T) {
			t.Parallel()
			assert.Equal(t, tc.str, tc.key.String())
			assert.Equal(t, tc.owner, tc.key.Owner())
		})
	}
}

func TestAcquireStartsAfreshAndStoresNothing(t *testing.T) {
	t.Parallel()
	mem := newMemory(t)
	var m mounts
	tab := state.NewTable(state.Options{Sessions: mem, Mount: m.mount})
	req := httptest.NewRequest("GET", "/?n=5", nil)

	s, err := tab.Acquire(t.Context(), state.GroupKey("g1"), []*schema.Decl{counterDecl}, ada, req)
	require.NoError(t, err)
	assert.Equal(t, state.GroupKey("g1"), s.Key())
	assert.Equal(t, "g:g1", s.Name())
	assert.Equal(t, 5, countOf(t, s.Current()), "Mount set the fresh store up from the request")
	assert.Zero(t, s.Current().Version(), "not stored")
	js, _ := stored(t, mem, "g:g1")
	assert.Empty(t, js, "nothing is stored until the state changes")

	calls := m.list()
	require.Len(t, calls, 1)
	assert.Equal(t, "counter", calls[0].store)
	assert.Equal(t, ada, calls[0].id)
	assert.Same(t, req, calls[0].req)

	// A second user of the state shares it: no second Mount.
	s2, err := tab.Acquire(t.Context(), state.GroupKey("g1"), []*schema.Decl{counterDecl}, ada, nil)
	require.NoError(t, err)
	assert.Same(t, s, s2)
	assert.Len(t, m.list(), 1)
	assert.Equal(t, 1, tab.Len())
	assert.Same(t, s, tab.Lookup("g:g1"))
	assert.ElementsMatch(t, []*state.State{s}, tab.All())
}

func TestAcquireLoadsWhatIsStored(t *testing.T) {
	t.Parallel()
	mem := newMemory(t)
	v, err := mem.Put(t.Context(), "g:g1", []byte(`{"counter":{"N":7}}`), 0)
	require.NoError(t, err)
	var m mounts
	tab := state.NewTable(state.Options{Sessions: mem, Mount: m.mount})

	s, err := tab.Acquire(t.Context(), state.GroupKey("g1"), []*schema.Decl{counterDecl}, ada, nil)
	require.NoError(t, err)
	assert.Equal(t, 7, countOf(t, s.Current()))
	assert.Equal(t, v, s.Current().Version())
	assert.Empty(t, m.list(), "a stored store is not mounted")
}

func TestAcquireAddsAMissingStoreFresh(t *testing.T) {
	t.Parallel()
	mem := newMemory(t)
	v, err := mem.Put(t.Context(), "g:g1", []byte(`{"counter":{"N":7}}`), 0)
	require.NoError(t, err)
	var m mounts
	tab := state.NewTable(state.Options{Sessions: mem, Mount: m.mount})

	t.Run("when loading", func(t *testing.T) {
		s, err := tab.Acquire(t.Context(), state.GroupKey("g1"), []*schema.Decl{counterDecl, profileDecl}, ada, nil)
		require.NoError(t, err)
		t.Cleanup(func() { tab.Release(s) })
		sn := s.Current()
		assert.True(t, sn.Has("counter"))
		assert.True(t, sn.Has("profile"))
		assert.Equal(t, 7, countOf(t, sn))
		assert.Equal(t, v, sn.Version(), "still the stored version, to compare-and-set on")
		calls := m.list()
		require.Len(t, calls, 1)
		assert.Equal(t, "profile", calls[0].store, "only the missing store is mounted")
	})

	t.Run("when already loaded", func(t *testing.T) {
		other := decl("other", &profile{}, `{"Name":"x"}`)
		s, err := tab.Acquire(t.Context(), state.GroupKey("g1"), []*schema.Decl{counterDecl}, ada, nil)
		require.NoError(t, err)
		t.Cleanup(func() { tab.Release(s) })
		require.False(t, s.Current().Has("other"))
		s2, err := tab.Acquire(t.Context(), state.GroupKey("g1"), []*schema.Decl{other}, ada, nil)
		require.NoError(t, err)
		t.Cleanup(func() { tab.Release(s2) })
		assert.Same(t, s, s2)
		assert.True(t, s.Current().Has("other"))
		assert.Equal(t, `{"Name":"x"}`, string(s.Current().Raw("other")))
		js, _ := stored(t, mem, "g:g1")
		assert.NotContains(t, js, "other", "a fresh store is not stored until it changes")
	})
}

func TestAcquireFailures(t *testing.T) {
	t.Parallel()
	t.Run("mount fails", func(t *testing.T) {
		t.Parallel()
		mountErr := &fault.Error{Kind: fault.Refused, Message: "Sign in."}
		m := mounts{err: mountErr}
		tab := state.NewTable(state.Options{Sessions: newMemory(t), Mount: m.mount})
		_, err := tab.Acquire(t.Context(), state.GroupKey("g1"), []*schema.Decl{counterDecl}, ada, nil)
		assert.ErrorIs(t, err, mountErr)
		assert.Zero(t, tab.Len(), "a state that failed to load is not kept")
	})
	t.Run("context ended while another loads", func(t *testing.T) {
		t.Parallel()
		tab := state.NewTable(state.Options{Sessions: newMemory(t)})
		s, err := tab.Acquire(t.Context(), state.GroupKey("g1"), []*schema.Decl{counterDecl}, ada, nil)
		require.NoError(t, err)
		release := holdLock(t, s)
		defer release()
		ctx, cancel := context.WithCancel(t.Context())
		cancel()
		_, err = tab.Acquire(ctx, state.GroupKey("g1"), []*schema.Decl{counterDecl}, ada, nil)
		require.Error(t, err)
		assert.Equal(t, fault.ShuttingDown, fault.As(err).Kind)
		release()
		tab.Release(s)
		assert.Zero(t, tab.Len(), "the refused Acquire is not counted as a user")
	})
	t.Run("stored state does not decode", func(t *testing.T) {
		t.Parallel()
		mem := newMemory(t)
		v, err := mem.Put(t.Context(), "g:g1", []byte(`{"counter":{"N":"seven"}}`), 0)
		require.NoError(t, err)
		var l logs
		tab := state.NewTable(state.Options{Sessions: mem, Logger: slog.New(&l)})
		s, err := tab.Acquire(t.Context(), state.GroupKey("g1"), []*schema.Decl{counterDecl}, ada, nil)
		require.NoError(t, err)
		assert.Equal(t, 0, countOf(t, s.Current()), "started afresh")
		assert.Equal(t, []string{"WARN stored state does not decode; starting afresh"}, l.lines())
		changed, err := s.Change(t.Context(), inc(1), nil)
		require.NoError(t, err, "the next change replaces what does not decode")
		assert.True(t, changed)
		js, v2 := stored(t, mem, "g:g1")
		assert.Greater(t, v2, v)
		assert.JSONEq(t, `{"counter":{"N":1}}`, js)
	})
}

// holdLock holds s's lock (a change that waits) until release is called.
func holdLock(tb testing.TB, s *state.State) (release func()) {
	tb.Helper()
	held, done, finished := make(chan struct{}), make(chan struct{}), make(chan struct{})
	go func() {
		defer close(finished)
		_, _ = s.Change(context.Background(), func(cur *state.Snapshot) (*state.Snapshot, error) {
			close(held)
			<-done
			return cur, nil
		}, nil)
	}()
	<-held
	var once bool
	return func() {
		if !once {
			once = true
			close(done)
			<-finished
		}
	}
}

func TestReleaseForgets(t *testing.T) {
	t.Parallel()
	tab := state.NewTable(state.Options{Sessions: newMemory(t)})
	a, err := tab.Acquire(t.Context(), state.GroupKey("g1"), []*schema.Decl{counterDecl}, ada, nil)
	require.NoError(t, err)
	b, err := tab.Acquire(t.Context(), state.GroupKey("g1"), []*schema.Decl{counterDecl}, ada, nil)
	require.NoError(t, err)
	require.Same(t, a, b)

	tab.Release(a)
	assert.Same(t, a, tab.Lookup("g:g1"), "still used once")
	tab.Release(b)
	assert.Nil(t, tab.Lookup("g:g1"), "forgotten")
	assert.Zero(t, tab.Len())

	c, err := tab.Acquire(t.Context(), state.GroupKey("g1"), []*schema.Decl{counterDecl}, ada, nil)
	require.NoError(t, err)
	assert.NotSame(t, a, c, "a forgotten state is loaded again")
	tab.Release(a) // a stale Release does not forget the new state
	assert.Same(t, c, tab.Lookup("g:g1"))
}

func TestCloseRefusesAcquire(t *testing.T) {
	t.Parallel()
	tab := state.NewTable(state.Options{Sessions: newMemory(t)})
	tab.Close()
	_, err := tab.Acquire(t.Context(), state.GroupKey("g1"), []*schema.Decl{counterDecl}, ada, nil)
	assert.ErrorIs(t, err, state.ErrClosed)
	assert.Equal(t, fault.ShuttingDown, fault.As(err).Kind)
	assert.Zero(t, tab.Len())
}

func TestStoreOutageIsLoggedOnceAndItsEndOnce(t *testing.T) {
	t.Parallel()
	down := errors.New("connection refused")
	st := &flaky{Store: newMemory(t)}
	var l logs
	tab := state.NewTable(state.Options{Sessions: st, Logger: slog.New(&l)})

	s, err := tab.Acquire(t.Context(), state.GroupKey("g1"), []*schema.Decl{counterDecl}, ada, nil)
	require.NoError(t, err)

	st.fail(down, down)
	for range 3 {
		_, err := tab.Acquire(t.Context(), state.GroupKey("g2"), []*schema.Decl{counterDecl}, ada, nil)
		require.Error(t, err)
		assert.Equal(t, fault.Unavailable, fault.As(err).Kind)
		assert.ErrorIs(t, err, down, "the cause is kept for the log")

		changed, err := s.Change(t.Context(), inc(1), nil)
		assert.False(t, changed)
		assert.Equal(t, fault.Unavailable, fault.As(err).Kind)
	}
	assert.Equal(t, 0, countOf(t, s.Current()), "a change the store refused is not published")
	assert.Equal(t, []string{"ERROR session store failing; changes are refused until it recovers"}, l.lines())

	st.fail(nil, nil)
	for range 2 {
		_, err := s.Change(t.Context(), inc(1), nil)
		require.NoError(t, err)
	}
	assert.Equal(t, []string{
		"ERROR session store failing; changes are refused until it recovers",
		"INFO session store recovered",
	}, l.lines())
	assert.Equal(t, 2, countOf(t, s.Current()))
}
