package sessiontest

import (
	"context"
	"errors"
	"fmt"
	"strconv"
	"sync"
	"testing"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"

	"github.com/lvtgo/livetemplate/session"
)

// Concurrency of the compare-and-set check: writers goroutines each add
// increments to one counter.
const (
	writers    = 8
	increments = 25
	// maxAttempts bounds the retry loop so a broken store fails instead of
	// spinning forever.
	maxAttempts = 10_000
)

// Run checks that the stores returned by newStore satisfy the
// [session.Store] contract, each check in its own subtest.
//
// The core checks exercise Get and Put and run for every store. The checks
// of the optional capabilities, [session.Deleter] and [session.Lister], run
// only on stores that implement them and are skipped otherwise, so a store
// that offers just Get and Put passes the whole suite.
//
// newStore is called once per subtest and must return a new, empty store
// that is isolated from every other store it returns. It should register any
// cleanup, such as closing the store, with t.Cleanup.
func Run(t *testing.T, newStore func(t *testing.T) session.Store) {
	t.Helper()
	checks := []struct {
		name string
		run  func(t *testing.T, s session.Store)
	}{
		// Store: Get and Put.
		{name: "GetMissing", run: testGetMissing},
		{name: "PutCreates", run: testPutCreates},
		{name: "PutOpaqueBytes", run: testPutOpaqueBytes},
		{name: "PutEmptyState", run: testPutEmptyState},
		{name: "CreateConflictsWhenPresent", run: testCreateConflictsWhenPresent},
		{name: "StaleVersionConflicts", run: testStaleVersionConflicts},
		{name: "UpdateMissingConflicts", run: testUpdateMissingConflicts},
		{name: "VersionsIncrease", run: testVersionsIncrease},
		{name: "GroupsAreIsolated", run: testGroupsAreIsolated},
		{name: "ConcurrentCompareAndSet", run: testConcurrentCompareAndSet},
		{name: "PutCopiesState", run: testPutCopiesState},
		{name: "GetCopiesState", run: testGetCopiesState},
		{name: "CanceledContext", run: testCanceledContext},
		{name: "ErrorsHideGroupIDs", run: testErrorsHideGroupIDs},
		// Deleter.
		{name: "Deleter/Delete", run: testDelete},
		{name: "Deleter/DeleteMissing", run: testDeleteMissing},
		{name: "Deleter/VersionsNotReusedAfterDelete", run: testVersionsNotReusedAfterDelete},
		{name: "Deleter/CanceledContext", run: testDeleteCanceledContext},
		// Lister.
		{name: "Lister/GroupsSorted", run: testGroupsSorted},
		{name: "Lister/GroupsAfterDelete", run: testGroupsAfterDelete},
		{name: "Lister/CanceledContext", run: testGroupsCanceledContext},
	}
	for _, c := range checks {
		t.Run(c.name, func(t *testing.T) {
			c.run(t, newStore(t))
		})
	}
}

// deleter returns s as a [session.Deleter], or skips the test.
func deleter(tb testing.TB, s session.Store) session.Deleter {
	tb.Helper()
	d, ok := s.(session.Deleter)
	if !ok {
		tb.Skipf("%T does not implement session.Deleter", s)
	}
	return d
}

// lister returns s as a [session.Lister], or skips the test.
func lister(tb testing.TB, s session.Store) session.Lister {
	tb.Helper()
	l, ok := s.(session.Lister)
	if !ok {
		tb.Skipf("%T does not implement session.Lister", s)
	}
	return l
}

func testGetMissing(t *testing.T, s session.Store) {
	state, version, err := s.Get(t.Context(), "missing")
	require.ErrorIs(t, err, session.ErrNotFound)
	assert.Nil(t, state)
	assert.Zero(t, version)
}

func testPutCreates(t *testing.T, s session.Store) {
	v := mustPut(t, s, "g1", `{"count":1}`, 0)
	require.Positive(t, v)
	assertState(t, s, "g1", `{"count":1}`, v)
}

func testPutOpaqueBytes(t *testing.T, s session.Store) {
	state := string([]byte{0, 1, 0xfe, 0xff, '\n', '"'})
	v := mustPut(t, s, "g1", state, 0)
	assertState(t, s, "g1", state, v)
}

func testPutEmptyState(t *testing.T, s session.Store) {
	v := mustPut(t, s, "g1", "", 0)
	got, version, err := s.Get(t.Context(), "g1")
	require.NoError(t, err, "an empty state is still present")
	assert.Empty(t, got)
	assert.Equal(t, v, version)
}

func testCreateConflictsWhenPresent(t *testing.T, s session.Store) {
	v := mustPut(t, s, "g1", "first", 0)
	_, err := s.Put(t.Context(), "g1", []byte("second"), 0)
	require.ErrorIs(t, err, session.ErrConflict)
	assertState(t, s, "g1", "first", v)
}

func testStaleVersionConflicts(t *testing.T, s session.Store) {
	v1 := mustPut(t, s, "g1", "one", 0)
	v2 := mustPut(t, s, "g1", "two", v1)

	tests := []struct {
		name    string
		version uint64
	}{
		{name: "previous version", version: v1},
		{name: "future version", version: v2 + 1000},
	}
	for _, tc := range tests {
		t.Run(tc.name, func(t *testing.T) {
			_, err := s.Put(t.Context(), "g1", []byte("stale"), tc.version)
			require.ErrorIs(t, err, session.ErrConflict)
			assertState(t, s, "g1", "two", v2)
		})
	}
}

func testUpdateMissingConflicts(t *testing.T, s session.Store) {
	_, err := s.Put(t.Context(), "g1", []byte("x"), 7)
	require.ErrorIs(t, err, session.ErrConflict)
	_, _, err = s.Get(t.Context(), "g1")
	require.ErrorIs(t, err, session.ErrNotFound, "a failed put stores nothing")
}

func testVersionsIncrease(t *testing.T, s session.Store) {
	var version uint64
	for i := range 5 {
		state := strconv.Itoa(i)
		next := mustPut(t, s, "g1", state, version)
		require.Greater(t, next, version)
		assertState(t, s, "g1", state, next)
		version = next
	}
}

func testVersionsNotReusedAfterDelete(t *testing.T, s session.Store) {
	d := deleter(t, s)
	v1 := mustPut(t, s, "g1", "old", 0)
	require.NoError(t, d.Delete(t.Context(), "g1"))
	v2 := mustPut(t, s, "g1", "new", 0)

	_, err := s.Put(t.Context(), "g1", []byte("stale"), v1)
	require.ErrorIs(t, err, session.ErrConflict, "a version read before the delete must not match")
	assertState(t, s, "g1", "new", v2)
}

func testGroupsAreIsolated(t *testing.T, s session.Store) {
	va := mustPut(t, s, "a", "A", 0)
	_, _, err := s.Get(t.Context(), "b")
	require.ErrorIs(t, err, session.ErrNotFound)

	vb := mustPut(t, s, "b", "B", 0)
	assertState(t, s, "a", "A", va)
	assertState(t, s, "b", "B", vb)
}

func testConcurrentCompareAndSet(t *testing.T, s session.Store) {
	var (
		wg       sync.WaitGroup
		mu       sync.Mutex
		versions = make(map[uint64]bool)
	)
	for range writers {
		wg.Go(func() {
			for range increments {
				v, err := increment(t.Context(), s, "counter")
				if !assert.NoError(t, err) {
					return
				}
				mu.Lock()
				assert.False(t, versions[v], "version %d returned twice", v)
				versions[v] = true
				mu.Unlock()
			}
		})
	}
	wg.Wait()

	state, _, err := s.Get(t.Context(), "counter")
	require.NoError(t, err)
	assert.Equal(t, strconv.Itoa(writers*increments), string(state), "no update may be lost")
}

func testDelete(t *testing.T, s session.Store) {
	d := deleter(t, s)
	mustPut(t, s, "g1", "x", 0)
	v2 := mustPut(t, s, "g2", "y", 0)
	require.NoError(t, d.Delete(t.Context(), "g1"))

	_, _, err := s.Get(t.Context(), "g1")
	require.ErrorIs(t, err, session.ErrNotFound)
	assertState(t, s, "g2", "y", v2)

	require.NoError(t, d.Delete(t.Context(), "g1"), "deleting twice is not an error")
	v := mustPut(t, s, "g1", "again", 0)
	assertState(t, s, "g1", "again", v)
}

func testDeleteMissing(t *testing.T, s session.Store) {
	require.NoError(t, deleter(t, s).Delete(t.Context(), "missing"))
}

func testDeleteCanceledContext(t *testing.T, s session.Store) {
	d := deleter(t, s)
	v := mustPut(t, s, "g1", "kept", 0)
	err := d.Delete(canceledContext(t), "g1")
	require.ErrorIs(t, err, context.Canceled)
	assertState(t, s, "g1", "kept", v)
}

func testGroupsSorted(t *testing.T, s session.Store) {
	l := lister(t, s)
	groups, err := l.Groups(t.Context())
	require.NoError(t, err)
	assert.Empty(t, groups, "a new store is empty")

	for _, g := range []string{"c", "a", "b"} {
		mustPut(t, s, g, g, 0)
	}
	groups, err = l.Groups(t.Context())
	require.NoError(t, err)
	assert.Equal(t, []string{"a", "b", "c"}, groups)
}

func testGroupsAfterDelete(t *testing.T, s session.Store) {
	l := lister(t, s)
	d := deleter(t, s)
	for _, g := range []string{"a", "b", "c"} {
		mustPut(t, s, g, g, 0)
	}
	require.NoError(t, d.Delete(t.Context(), "b"))
	groups, err := l.Groups(t.Context())
	require.NoError(t, err)
	assert.Equal(t, []string{"a", "c"}, groups)
}

func testGroupsCanceledContext(t *testing.T, s session.Store) {
	_, err := lister(t, s).Groups(canceledContext(t))
	require.ErrorIs(t, err, context.Canceled)
}

func testPutCopiesState(t *testing.T, s session.Store) {
	buf := []byte("abc")
	v, err := s.Put(t.Context(), "g1", buf, 0)
	require.NoError(t, err)
	buf[0] = 'X'
	assertState(t, s, "g1", "abc", v)
}

func testGetCopiesState(t *testing.T, s session.Store) {
	v := mustPut(t, s, "g1", "abc", 0)
	got, _, err := s.Get(t.Context(), "g1")
	require.NoError(t, err)
	got[0] = 'X'
	assertState(t, s, "g1", "abc", v)
}

func testCanceledContext(t *testing.T, s session.Store) {
	v := mustPut(t, s, "g1", "kept", 0)
	ctx := canceledContext(t)

	_, _, err := s.Get(ctx, "g1")
	assert.ErrorIs(t, err, context.Canceled, "Get")
	_, err = s.Put(ctx, "g1", []byte("lost"), v)
	assert.ErrorIs(t, err, context.Canceled, "Put")
	_, err = s.Put(ctx, "g2", []byte("lost"), 0)
	assert.ErrorIs(t, err, context.Canceled, "Put creating a group")

	assertState(t, s, "g1", "kept", v)
	_, _, err = s.Get(t.Context(), "g2")
	require.ErrorIs(t, err, session.ErrNotFound, "a canceled put stores nothing")
}

func testErrorsHideGroupIDs(t *testing.T, s session.Store) {
	const group = "group-7f3a9c"
	_, _, err := s.Get(t.Context(), group)
	require.ErrorIs(t, err, session.ErrNotFound)
	assert.NotContains(t, err.Error(), group)

	_, err = s.Put(t.Context(), group, []byte("x"), 42)
	require.ErrorIs(t, err, session.ErrConflict)
	assert.NotContains(t, err.Error(), group)
}

// increment adds one to the decimal counter stored in group, retrying on
// conflicts, and returns the version it wrote.
func increment(ctx context.Context, s session.Store, group string) (uint64, error) {
	for range maxAttempts {
		state, version, err := s.Get(ctx, group)
		switch {
		case errors.Is(err, session.ErrNotFound):
			state, version = []byte("0"), 0
		case err != nil:
			return 0, err
		}
		n, err := strconv.Atoi(string(state))
		if err != nil {
			return 0, fmt.Errorf("sessiontest: counter holds %q: %w", state, err)
		}
		v, err := s.Put(ctx, group, []byte(strconv.Itoa(n+1)), version)
		if errors.Is(err, session.ErrConflict) {
			continue
		}
		return v, err
	}
	return 0, fmt.Errorf("sessiontest: increment: gave up after %d conflicts", maxAttempts)
}

// canceledContext returns a context that is already canceled.
func canceledContext(tb testing.TB) context.Context {
	tb.Helper()
	ctx, cancel := context.WithCancel(tb.Context())
	cancel()
	return ctx
}

// mustPut stores state for group at version and returns the new version.
func mustPut(tb testing.TB, s session.Store, group, state string, version uint64) uint64 {
	tb.Helper()
	v, err := s.Put(tb.Context(), group, []byte(state), version)
	require.NoError(tb, err)
	return v
}

// assertState checks that group holds state at version.
func assertState(tb testing.TB, s session.Store, group, state string, version uint64) {
	tb.Helper()
	got, v, err := s.Get(tb.Context(), group)
	require.NoError(tb, err)
	assert.Equal(tb, state, string(got))
	assert.Equal(tb, version, v)
}
