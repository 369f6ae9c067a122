package livetemplate_test

// One runner across instances (issue 18, item 8): App.Lead runs a function
// on one instance at a time, through a lease in the shared session store.
// The timing itself is tested with synctest in internal/lease; these tests
// run real apps, on one instance and on a real Redis.

import (
	"context"
	"sync"
	"sync/atomic"
	"testing"
	"time"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"

	"github.com/lvtgo/livetemplate"
	"github.com/lvtgo/livetemplate/broadcast/redisbus"
	"github.com/lvtgo/livetemplate/internal/testutil"
	"github.com/lvtgo/livetemplate/session/redisstore"
)

// runners counts the runs of one led function across instances.
type runners struct {
	active, most, starts atomic.Int32

	mu     sync.Mutex
	leader string // the instance whose run began last
}

// on returns the led function of instance who: it runs until ctx ends.
func (r *runners) on(who string) func(ctx context.Context) {
	return func(ctx context.Context) {
		n := r.active.Add(1)
		for m := r.most.Load(); n > m && !r.most.CompareAndSwap(m, n); m = r.most.Load() {
		}
		r.starts.Add(1)
		r.mu.Lock()
		r.leader = who
		r.mu.Unlock()
		<-ctx.Done()
		r.active.Add(-1)
	}
}

func (r *runners) who() string {
	r.mu.Lock()
	defer r.mu.Unlock()
	return r.leader
}

func TestLeadRunsAtOnceOnASingleInstanceAndStopsWithShutdown(t *testing.T) {
	t.Parallel()
	app := on(t, livetemplate.WithLogger(quietLogger()))
	var r runners
	require.NoError(t, app.Lead("clock", r.on("a")))
	require.Eventually(t, func() bool { return r.active.Load() == 1 }, 5*time.Second, time.Millisecond)

	err := app.Lead("clock", r.on("a"))
	require.Error(t, err, "a name is led once")
	assert.EqualError(t, err, `livetemplate: lead "clock": lease: the name is led already`)
	require.Error(t, app.Lead("", r.on("a")))

	require.NoError(t, app.Shutdown(t.Context()))
	assert.Zero(t, r.active.Load(), "Shutdown waited for the run to return")
	assert.ErrorIs(t, app.Lead("cleanup", r.on("a")), livetemplate.ErrClosed)
}

// Three apps on one Redis, each leading the same name: exactly one runs at
// a time across many lease periods; when the leader shuts down another
// takes over within the lease time; when the leader loses the store,
// another takes over within the lease time plus a renewal.
func TestLeadOneRunnerAcrossInstancesOnRedis(t *testing.T) {
	t.Parallel()
	const lease = 2 * time.Second // renewed every 600 ms, held 1.6 s
	rdb := testutil.StartRedis(t)
	logs := quietLogger()
	var r runners
	apps := map[string]*livetemplate.App{}
	stores := map[string]*cutStore{}
	for _, who := range []string{"a", "b", "c"} {
		client := rdb.Client(t)
		store, err := redisstore.New(client, nil)
		require.NoError(t, err)
		bus, err := redisbus.New(client, &redisbus.Options{Logger: logs})
		require.NoError(t, err)
		t.Cleanup(func() { _ = bus.Close() })
		stores[who] = &cutStore{Store: store}
		apps[who] = on(t, livetemplate.WithLogger(logs), livetemplate.WithSessionStore(stores[who]),
			livetemplate.WithBus(bus), livetemplate.WithLease(lease))
		require.NoError(t, apps[who].Lead("clock", r.on(who)))
	}

	time.Sleep(5 * lease) // many renewals
	assert.Equal(t, int32(1), r.active.Load())
	assert.Equal(t, int32(1), r.most.Load(), "never two at once")
	assert.Equal(t, int32(1), r.starts.Load(), "the leader kept its lease")

	first := r.who()
	start := time.Now()
	require.NoError(t, apps[first].Shutdown(t.Context()))
	require.Eventually(t, func() bool { return r.starts.Load() == 2 }, lease, 5*time.Millisecond,
		"another instance took over within the lease time after the leader shut down")
	t.Logf("takeover after a shutdown: %v", time.Since(start))

	second := r.who()
	require.NotEqual(t, first, second)
	start = time.Now()
	stores[second].cut.Store(true)
	require.Eventually(t, func() bool { return r.starts.Load() == 3 }, 2*lease, 5*time.Millisecond,
		"the last instance took over from the one cut off from the store")
	t.Logf("takeover after the leader lost the store: %v", time.Since(start))
	third := r.who()
	assert.NotContains(t, []string{first, second}, third)
	assert.Equal(t, int32(1), r.active.Load(), "the leader cut off stopped")
	assert.Equal(t, int32(1), r.most.Load(), "never two at once")

	stores[second].cut.Store(false)
	time.Sleep(2 * lease)
	assert.Equal(t, int32(3), r.starts.Load(), "the instance back on the store does not take the lease back")
}
