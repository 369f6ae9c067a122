package state_test

import (
	"context"
	"fmt"
	"reflect"
	"sync"
	"sync/atomic"
	"testing"
	"testing/synctest"
	"time"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"

	"github.com/lvtgo/livetemplate/internal/fault"
	"github.com/lvtgo/livetemplate/internal/schema"
	"github.com/lvtgo/livetemplate/internal/state"
	"github.com/lvtgo/livetemplate/session"
)

func acquire(tb testing.TB, tab *state.Table, key state.Key, decls ...*schema.Decl) *state.State {
	tb.Helper()
	if len(decls) == 0 {
		decls = []*schema.Decl{counterDecl}
	}
	s, err := tab.Acquire(context.Background(), key, decls, ada, nil)
	require.NoError(tb, err)
	tb.Cleanup(func() { tab.Release(s) })
	return s
}

func TestChangeStoresThenPublishesThenTells(t *testing.T) {
	t.Parallel()
	mem := newMemory(t)
	var ch changes
	var tab *state.Table
	unlocked := make(chan error, 1)
	tab = state.NewTable(state.Options{Sessions: mem, Changed: func(s *state.State, local bool) {
		ch.changed(s, local)
		// The state's lock is released by now: another change can run.
		ctx, cancel := context.WithTimeout(context.Background(), 10*time.Second)
		defer cancel()
		_, err := s.Change(ctx, func(cur *state.Snapshot) (*state.Snapshot, error) { return cur, nil }, nil)
		unlocked <- err
	}})
	s := acquire(t, tab, state.GroupKey("g1"))
	before := s.Current()

	storedCalls := 0
	changed, err := s.Change(t.Context(), inc(1), func() {
		storedCalls++
		assert.Same(t, before, s.Current(), "stored is called before the snapshot is published")
		js, v := stored(t, mem, "g:g1")
		assert.JSONEq(t, `{"counter":{"N":1}}`, js, "the store accepted it first")
		assert.NotZero(t, v)
	})
	require.NoError(t, err)
	assert.True(t, changed)
	assert.Equal(t, 1, storedCalls)

	after := s.Current()
	assert.NotSame(t, before, after)
	assert.Equal(t, 1, countOf(t, after))
	_, v := stored(t, mem, "g:g1")
	assert.Equal(t, v, after.Version())
	assert.Equal(t, []changeCall{{name: "g:g1", local: true, version: v}}, ch.list())
	require.NoError(t, <-unlocked, "Changed runs after the lock is released")
}

func TestChangeThatChangesNothing(t *testing.T) {
	t.Parallel()
	tests := []struct {
		name string
		next func(*state.Snapshot) (*state.Snapshot, error)
		err  error
	}{
		{name: "returns the current snapshot", next: func(cur *state.Snapshot) (*state.Snapshot, error) { return cur, nil }},
		{name: "returns nil", next: func(*state.Snapshot) (*state.Snapshot, error) { return nil, nil }},
		{name: "fails", next: func(cur *state.Snapshot) (*state.Snapshot, error) {
			if _, err := inc(1)(cur); err != nil {
				return nil, err
			}
			return nil, fault.New(fault.Failed, "Out of stock.")
		}, err: fault.New(fault.Failed, "Out of stock.")},
	}
	for _, tc := range tests {
		t.Run(tc.name, func(t *testing.T) {
			t.Parallel()
			st := &flaky{Store: newMemory(t)}
			var ch changes
			tab := state.NewTable(state.Options{Sessions: st, Changed: ch.changed})
			s := acquire(t, tab, state.GroupKey("g1"))
			before := s.Current()
			stored := false
			changed, err := s.Change(t.Context(), tc.next, func() { stored = true })
			if tc.err != nil {
				assert.Equal(t, tc.err, err)
			} else {
				assert.NoError(t, err)
			}
			assert.False(t, changed)
			assert.False(t, stored)
			assert.Same(t, before, s.Current())
			_, puts := st.counts()
			assert.Zero(t, puts, "nothing stored")
			assert.Empty(t, ch.list(), "nobody told")
		})
	}
}

// Two tables on one session store are two instances: a change made on a
// state another instance stored meanwhile runs again on what it stored.
func TestConflictReloadsAndRunsTheChangeAgain(t *testing.T) {
	t.Parallel()
	mem := newMemory(t)
	var chA, chB changes
	a := state.NewTable(state.Options{Sessions: mem, Changed: chA.changed})
	b := state.NewTable(state.Options{Sessions: mem, Changed: chB.changed})
	sa := acquire(t, a, state.GroupKey("g1"))
	sb := acquire(t, b, state.GroupKey("g1"))

	_, err := sa.Change(t.Context(), inc(1), nil)
	require.NoError(t, err)

	var seen []int
	changed, err := sb.Change(t.Context(), func(cur *state.Snapshot) (*state.Snapshot, error) {
		seen = append(seen, countOf(t, cur))
		return inc(10)(cur)
	}, nil)
	require.NoError(t, err)
	assert.True(t, changed)
	assert.Equal(t, []int{0, 1}, seen, "run on B's snapshot, then again on what A stored")
	assert.Equal(t, 11, countOf(t, sb.Current()))
	js, v := stored(t, mem, "g:g1")
	assert.JSONEq(t, `{"counter":{"N":11}}`, js)
	assert.Equal(t, v, sb.Current().Version())
	require.Len(t, chB.list(), 1)
	assert.True(t, chB.list()[0].local)
}

// conflicting is a session store that someone else always writes first.
type conflicting struct {
	mu   sync.Mutex
	v    uint64
	puts int
}

func (c *conflicting) Get(context.Context, string) ([]byte, uint64, error) {
	c.mu.Lock()
	defer c.mu.Unlock()
	c.v++
	return []byte(`{"counter":{"N":1}}`), c.v, nil
}

func (c *conflicting) Put(context.Context, string, []byte, uint64) (uint64, error) {
	c.mu.Lock()
	defer c.mu.Unlock()
	c.puts++
	return 0, fmt.Errorf("put: %w", session.ErrConflict)
}

func TestChangeGivesUpAfterMaxConflicts(t *testing.T) {
	t.Parallel()
	synctest.Test(t, func(t *testing.T) {
		st := &conflicting{}
		var ch changes
		tab := state.NewTable(state.Options{Sessions: st, Changed: ch.changed})
		s := acquire(t, tab, state.GroupKey("g1"))
		runs := 0
		start := time.Now()
		changed, err := s.Change(t.Context(), func(cur *state.Snapshot) (*state.Snapshot, error) {
			runs++
			return inc(1)(cur)
		}, nil)
		assert.False(t, changed)
		require.Error(t, err)
		assert.Equal(t, fault.Unavailable, fault.As(err).Kind)
		assert.ErrorIs(t, err, session.ErrConflict)
		assert.Equal(t, state.MaxConflicts, runs)
		assert.Equal(t, state.MaxConflicts, st.puts)
		assert.Empty(t, ch.list())
		// Between attempts it backs off (1 ms doubling to 64 ms, jittered
		// from half to one and a half): in fake time, at least the halves.
		assert.GreaterOrEqual(t, time.Since(start), (1+2+4+8+16+32+64*9)*time.Millisecond/2)
	})
}

func TestChangeGivesUpWhenItsContextEnds(t *testing.T) {
	t.Parallel()
	t.Run("waiting for the lock", func(t *testing.T) {
		t.Parallel()
		tab := state.NewTable(state.Options{Sessions: newMemory(t)})
		s := acquire(t, tab, state.GroupKey("g1"))
		release := holdLock(t, s)
		defer release()
		ctx, cancel := context.WithCancel(t.Context())
		cancel()
		changed, err := s.Change(ctx, inc(1), nil)
		assert.False(t, changed)
		assert.Equal(t, fault.ShuttingDown, fault.As(err).Kind)
	})
	t.Run("backing off after a conflict", func(t *testing.T) {
		t.Parallel()
		synctest.Test(t, func(t *testing.T) {
			tab := state.NewTable(state.Options{Sessions: &conflicting{}})
			s := acquire(t, tab, state.GroupKey("g1"))
			ctx, cancel := context.WithTimeout(t.Context(), 5*time.Millisecond)
			defer cancel()
			_, err := s.Change(ctx, inc(1), nil)
			assert.Equal(t, fault.ShuttingDown, fault.As(err).Kind)
			assert.ErrorIs(t, err, context.DeadlineExceeded)
		})
	})
}

func TestCatchUp(t *testing.T) {
	t.Parallel()
	mem := newMemory(t)
	stB := &flaky{Store: mem}
	var chB changes
	a := state.NewTable(state.Options{Sessions: mem})
	b := state.NewTable(state.Options{Sessions: stB, Changed: chB.changed})
	sa := acquire(t, a, state.GroupKey("g1"))
	sb := acquire(t, b, state.GroupKey("g1"))

	for range 3 { // to a version past 1, so that an older one is not 0
		_, err := sa.Change(t.Context(), inc(1), nil)
		require.NoError(t, err)
	}
	v := sa.Current().Version()
	require.Greater(t, v, uint64(1))

	gets, _ := stB.counts()
	sb.CatchUp(t.Context(), v)
	assert.Equal(t, 3, countOf(t, sb.Current()))
	assert.Equal(t, v, sb.Current().Version())
	assert.Equal(t, []changeCall{{name: "g:g1", local: false, version: v}}, chB.list())
	after, _ := stB.counts()
	assert.Equal(t, gets+1, after)

	tests := []struct {
		name    string
		version uint64
		reload  bool
	}{
		{name: "the same version", version: v},
		{name: "an older version", version: v - 1},
		{name: "version 0 always checks", version: 0, reload: true},
	}
	for _, tc := range tests {
		t.Run(tc.name, func(t *testing.T) {
			before, _ := stB.counts()
			sb.CatchUp(t.Context(), tc.version)
			got, _ := stB.counts()
			assert.Equal(t, tc.reload, got > before, "reloaded")
			assert.Len(t, chB.list(), 1, "nothing new: nobody told")
		})
	}
}

func TestCatchUpOfAStateStillLoading(t *testing.T) {
	t.Parallel()
	tab := state.NewTable(state.Options{Sessions: newMemory(t)})
	s := acquire(t, tab, state.GroupKey("g1"))
	ctx, cancel := context.WithCancel(t.Context())
	cancel()
	release := holdLock(t, s)
	s.CatchUp(ctx, 99) // gives up waiting for the lock
	release()
	assert.Equal(t, 0, countOf(t, s.Current()))
}

// A state that holds stores the stored snapshot lacks (added fresh here,
// not stored yet) keeps them when it reloads.
func TestReloadKeepsFreshStores(t *testing.T) {
	t.Parallel()
	mem := newMemory(t)
	a := state.NewTable(state.Options{Sessions: mem})
	b := state.NewTable(state.Options{Sessions: mem})
	sa := acquire(t, a, state.GroupKey("g1"))
	_, err := sa.Change(t.Context(), inc(1), nil)
	require.NoError(t, err)

	sb := acquire(t, b, state.GroupKey("g1"), counterDecl, profileDecl)
	require.True(t, sb.Current().Has("profile"))

	_, err = sa.Change(t.Context(), inc(1), nil)
	require.NoError(t, err)
	sb.CatchUp(t.Context(), sa.Current().Version())
	assert.Equal(t, 2, countOf(t, sb.Current()))
	assert.True(t, sb.Current().Has("profile"), "the fresh store is kept")
	assert.Equal(t, sa.Current().Version(), sb.Current().Version())
	assert.NotEqual(t, sa.Current().Tag(), sb.Current().Tag(), "B holds more than what is stored")

	// B's next change stores both.
	_, err = sb.Change(t.Context(), inc(1), nil)
	require.NoError(t, err)
	js, _ := stored(t, mem, "g:g1")
	assert.JSONEq(t, `{"counter":{"N":3},"profile":{"Name":""}}`, js)
}

func TestReloadAfterTheStoreLostTheState(t *testing.T) {
	t.Parallel()
	mem := newMemory(t)
	var ch changes
	tab := state.NewTable(state.Options{Sessions: mem, Changed: ch.changed})
	s := acquire(t, tab, state.GroupKey("g1"))
	_, err := s.Change(t.Context(), inc(4), nil)
	require.NoError(t, err)
	require.NoError(t, mem.Delete(t.Context(), "g:g1")) // expired, say

	t.Run("a change stores it afresh", func(t *testing.T) {
		changed, err := s.Change(t.Context(), inc(1), nil)
		require.NoError(t, err, "the conflict reloads, finds nothing, and stores from version 0")
		assert.True(t, changed)
		js, _ := stored(t, mem, "g:g1")
		assert.JSONEq(t, `{"counter":{"N":5}}`, js, "what this instance held is kept")
	})

	t.Run("a catch-up keeps what it holds", func(t *testing.T) {
		require.NoError(t, mem.Delete(t.Context(), "g:g1"))
		s.CatchUp(t.Context(), 0)
		assert.Equal(t, 5, countOf(t, s.Current()))
		assert.Zero(t, s.Current().Version(), "to be stored afresh by the next change")
		calls := ch.list()
		assert.False(t, calls[len(calls)-1].local)
	})
}

func TestSnapshot(t *testing.T) {
	t.Parallel()
	mem := newMemory(t)
	tab := state.NewTable(state.Options{Sessions: mem})
	s := acquire(t, tab, state.GroupKey("g1"))
	fresh := s.Current()

	t.Run("Store decodes once and shares", func(t *testing.T) {
		x, err := fresh.Store(counterDecl)
		require.NoError(t, err)
		y, err := fresh.Store(counterDecl)
		require.NoError(t, err)
		assert.Same(t, x, y)
		c, err := fresh.Copy(counterDecl)
		require.NoError(t, err)
		assert.NotSame(t, x, c, "Copy is the change's own")
		p, err := fresh.Store(profileDecl)
		require.NoError(t, err)
		assert.Equal(t, &profile{}, p, "a store the snapshot lacks is its initial state")
	})

	t.Run("With", func(t *testing.T) {
		next, err := inc(2)(fresh)
		require.NoError(t, err)
		assert.Equal(t, 0, countOf(t, fresh), "snapshots are immutable")
		assert.Equal(t, 2, countOf(t, next))
		assert.Equal(t, fresh.Version(), next.Version(), "the version until stored")
		assert.NotEqual(t, fresh.ID(), next.ID())
		assert.JSONEq(t, `{"N":2}`, string(next.Raw("counter")))
		assert.Nil(t, next.Raw("profile"))
	})

	t.Run("Equal", func(t *testing.T) {
		assert.True(t, fresh.Equal(counterDecl, []byte(`{"N":0}`)))
		assert.False(t, fresh.Equal(counterDecl, []byte(`{"N":1}`)))
		assert.True(t, fresh.Equal(profileDecl, []byte(`{"Name":""}`)), "a missing store equals its initial state")
	})

	t.Run("Applied", func(t *testing.T) {
		sn := fresh.With(nil, nil, nil, "push-1")
		assert.True(t, sn.Applied("push-1"))
		assert.False(t, sn.Applied("push-2"))
		assert.False(t, fresh.Applied("push-1"))
		for i := range 64 {
			sn = sn.With(nil, nil, nil, fmt.Sprintf("more-%d", i))
		}
		assert.False(t, sn.Applied("push-1"), "only the last 64 pushes are remembered")
		assert.True(t, sn.Applied("more-0"))
		assert.True(t, sn.Applied("more-63"))
	})

	t.Run("Tag and ID", func(t *testing.T) {
		other := state.NewTable(state.Options{Sessions: newMemory(t)})
		twin := acquire(t, other, state.GroupKey("g1")).Current()
		assert.Equal(t, fresh.Tag(), twin.Tag(), "unstored snapshots of the same contents")
		changedSn, err := inc(1)(fresh)
		require.NoError(t, err)
		assert.NotEqual(t, fresh.Tag(), changedSn.Tag(), "unstored snapshots of other contents")

		_, err = s.Change(t.Context(), inc(1), nil)
		require.NoError(t, err)
		first := s.Current()
		// Forget the state and load it again: the same stored version.
		again := state.NewTable(state.Options{Sessions: mem})
		reloaded := acquire(t, again, state.GroupKey("g1")).Current()
		assert.Equal(t, first.Tag(), reloaded.Tag(), "two loads of one stored version")
		assert.NotEqual(t, first.ID(), reloaded.ID(), "but two snapshots")
		assert.NotEqual(t, changedSn.Tag(), first.Tag(), "stored and unstored differ")

		ids := map[uint64]bool{}
		for _, sn := range []*state.Snapshot{fresh, changedSn, first, fresh.With(nil, nil, nil, "")} {
			ids[sn.ID()] = true
		}
		assert.Len(t, ids, 4, "IDs are unique in a table, even for equal contents")
	})
}

func TestConcurrentChanges(t *testing.T) {
	t.Parallel()
	const workers, each = 16, 25
	mem := newMemory(t)
	var told atomic.Int64
	tables := []*state.Table{
		state.NewTable(state.Options{Sessions: mem, Changed: func(*state.State, bool) { told.Add(1) }}),
		state.NewTable(state.Options{Sessions: mem, Changed: func(*state.State, bool) { told.Add(1) }}),
	}
	var wg sync.WaitGroup
	for w := range workers {
		wg.Go(func() {
			tab := tables[w%2]
			// One shared state, changed from both instances, and one state
			// per worker.
			keys := []state.Key{state.GroupKey("shared"), state.GroupKey(fmt.Sprint("own-", w))}
			for range each {
				for _, k := range keys {
					s, err := tab.Acquire(context.Background(), k, []*schema.Decl{counterDecl}, ada, nil)
					if !assert.NoError(t, err) {
						return
					}
					_, err = s.Change(context.Background(), inc(1), nil)
					assert.NoError(t, err)
					_ = s.Current().Tag()
					tab.Release(s)
				}
			}
		})
	}
	wg.Wait()
	js, _ := stored(t, mem, "g:shared")
	assert.JSONEq(t, fmt.Sprintf(`{"counter":{"N":%d}}`, workers*each), js, "no change lost")
	for w := range workers {
		js, _ := stored(t, mem, fmt.Sprint("g:own-", w))
		assert.JSONEq(t, fmt.Sprintf(`{"counter":{"N":%d}}`, each), js)
	}
	assert.EqualValues(t, 2*workers*each, told.Load())
	for _, tab := range tables {
		assert.Zero(t, tab.Len(), "every state released")
	}
}

// A state is acquired by the pages that show it, changed one change at a
// time (stored with compare-and-set, then published), and released.
func ExampleTable() {
	ctx := context.Background()
	mem := session.NewMemory(nil)
	defer mem.Close()
	decl := &schema.Decl{Name: "counter", Scope: schema.Group, Type: reflect.TypeOf(&counter{}), Proto: []byte(`{"N":0}`)}
	tab := state.NewTable(state.Options{
		Sessions: mem,
		Changed: func(s *state.State, local bool) {
			fmt.Printf("%s changed here (%v), now version %d\n", s.Name(), local, s.Current().Version())
		},
	})

	s, _ := tab.Acquire(ctx, state.GroupKey("g1"), []*schema.Decl{decl}, ada, nil)
	fmt.Println("starts at version", s.Current().Version(), "holding", string(s.Current().Raw("counter")))

	_, err := s.Change(ctx, func(cur *state.Snapshot) (*state.Snapshot, error) {
		v, _ := cur.Copy(decl)
		v.(*counter).N++
		js, _ := decl.Encode(v)
		return cur.With(decl, v, js, ""), nil
	}, nil)
	fmt.Println(err, string(s.Current().Raw("counter")))

	tab.Release(s)
	tab.Close()
	_, err = tab.Acquire(ctx, state.GroupKey("g1"), []*schema.Decl{decl}, ada, nil)
	fmt.Println(err)
	// Output:
	// starts at version 0 holding {"N":0}
	// g:g1 changed here (true), now version 1
	// <nil> {"N":1}
	// shutting_down: The server is shutting down.: state: table closed
}
