package lease_test

import (
	"context"
	"fmt"
	"strings"
	"sync/atomic"
	"testing"
	"testing/synctest"
	"time"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"

	"github.com/lvtgo/livetemplate/internal/lease"
	"github.com/lvtgo/livetemplate/internal/testutil"
	"github.com/lvtgo/livetemplate/session"
)

// The timing of these tests is the default: leases of 10 s renewed every
// 3 s, held for 8 s after a renewal began; synctest's clock makes it exact.
const (
	leaseTime = lease.DefaultLease
	renew     = 3 * time.Second
	hold      = 8 * time.Second
)

func memory(t *testing.T) *session.Memory {
	t.Helper()
	m := session.NewMemory(nil)
	t.Cleanup(func() { _ = m.Close() })
	return m
}

func TestOneInstanceRunsAtOnceAndFreesTheLeaseWhenItStops(t *testing.T) {
	synctest.Test(t, func(t *testing.T) {
		store := memory(t)
		var w work
		r := newRunner(t, store, "a", lease.Options{})
		require.NoError(t, r.Lead("clock", w.runOn("a")))
		synctest.Wait()
		assert.Equal(t, int32(1), w.active.Load(), "it runs at once, with no time passing")

		r.Close()
		assert.Zero(t, w.active.Load(), "Close waits for the run to return")
		js, _, err := store.Get(t.Context(), lease.Key("clock"))
		require.NoError(t, err)
		assert.JSONEq(t, `{"holder": ""}`, string(js), "the lease is marked free")
	})
}

func TestOneRunsAtATimeAcrossManyLeasePeriods(t *testing.T) {
	synctest.Test(t, func(t *testing.T) {
		store := memory(t)
		var w work
		for _, who := range []string{"a", "b", "c"} {
			require.NoError(t, newRunner(t, store, who, lease.Options{}).Lead("clock", w.runOn(who)))
		}
		time.Sleep(30 * leaseTime)
		assert.Equal(t, int32(1), w.active.Load())
		assert.Equal(t, int32(1), w.most.Load(), "never two at once")
		assert.Equal(t, int32(1), w.starts.Load(), "the holder kept its lease: no hand-over")
	})
}

func TestAnotherTakesOverWithinRenewWhenTheHolderStops(t *testing.T) {
	synctest.Test(t, func(t *testing.T) {
		store := memory(t)
		var w work
		a := newRunner(t, store, "a", lease.Options{})
		require.NoError(t, a.Lead("clock", w.runOn("a")))
		synctest.Wait()
		require.NoError(t, newRunner(t, store, "b", lease.Options{}).Lead("clock", w.runOn("b")))
		time.Sleep(leaseTime + time.Second)
		_, bRan := w.last("b", true)
		require.False(t, bRan, "b waits while a holds the lease")

		a.Close()
		stopped := time.Now()
		time.Sleep(renew)
		synctest.Wait()
		started, ok := w.last("b", true)
		require.True(t, ok, "b took over within %v of a stopping", renew)
		assert.LessOrEqual(t, started.Sub(stopped), renew)
		assert.Equal(t, int32(1), w.most.Load())
	})
}

func TestAnotherTakesOverWhenTheHolderLosesTheStore(t *testing.T) {
	synctest.Test(t, func(t *testing.T) {
		store := memory(t)
		var w work
		cut := &cutStore{Store: store}
		require.NoError(t, newRunner(t, cut, "a", lease.Options{}).Lead("clock", w.runOn("a")))
		synctest.Wait()
		require.NoError(t, newRunner(t, store, "b", lease.Options{}).Lead("clock", w.runOn("b")))
		time.Sleep(leaseTime + time.Second) // a renewed at 9 s

		cut.cut.Store(true)
		at := time.Now()
		time.Sleep(leaseTime + renew)
		synctest.Wait()
		aEnded, ok := w.last("a", false)
		require.True(t, ok, "a stopped: it could not renew")
		bStarted, ok := w.last("b", true)
		require.True(t, ok, "b took over")
		assert.LessOrEqual(t, aEnded.Sub(at), hold, "a stopped at most %v after its last renewal", hold)
		assert.GreaterOrEqual(t, bStarted.Sub(aEnded), leaseTime-hold, "b started a margin after a stopped")
		assert.LessOrEqual(t, bStarted.Sub(at), leaseTime+renew)
		assert.Equal(t, int32(1), w.most.Load(), "never two at once")

		// a gets the store back: b keeps the lease.
		cut.cut.Store(false)
		time.Sleep(3 * leaseTime)
		assert.Equal(t, int32(2), w.starts.Load())
		assert.Equal(t, int32(1), w.active.Load())
	})
}

func TestAStoreOutageStopsTheRunRatherThanLettingTwoRun(t *testing.T) {
	synctest.Test(t, func(t *testing.T) {
		store := &cutStore{Store: memory(t)}
		var w work
		var logs testutil.Logs
		for _, who := range []string{"a", "b"} {
			o := lease.Options{}
			if who == "a" {
				o.Logger = logs.Logger()
			}
			require.NoError(t, newRunner(t, store, who, o).Lead("clock", w.runOn(who)))
			synctest.Wait()
		}
		store.cut.Store(true)
		time.Sleep(hold)
		synctest.Wait()
		assert.Zero(t, w.active.Load(), "the run stopped once its lease ran out")
		time.Sleep(10 * leaseTime)
		assert.Zero(t, w.active.Load(), "nobody runs while the store fails")
		assert.Equal(t, 1, strings.Count(logs.String(), "the session store fails"), "once per outage:\n%s", logs.String())

		store.cut.Store(false)
		time.Sleep(leaseTime + renew)
		synctest.Wait()
		assert.Equal(t, int32(1), w.active.Load(), "one runs again")
		assert.Equal(t, int32(1), w.most.Load())
		assert.Contains(t, logs.String(), "the session store answers again")
	})
}

// A renewal the store made but whose answer was lost does not end the
// term: the next renewal finds the record naming this instance still.
func TestALostAnswerKeepsTheHolderLeading(t *testing.T) {
	synctest.Test(t, func(t *testing.T) {
		store := &cutStore{Store: memory(t)}
		var w work
		require.NoError(t, newRunner(t, store, "a", lease.Options{}).Lead("clock", w.runOn("a")))
		require.NoError(t, newRunner(t, store, "b", lease.Options{}).Lead("clock", w.runOn("b")))
		synctest.Wait()
		store.lose.Store(1)
		time.Sleep(5 * leaseTime)
		assert.Equal(t, int32(1), w.starts.Load(), "no hand-over")
		assert.Equal(t, int32(1), w.most.Load())
	})
}

func TestARunThatReturnsOrPanicsRunsAgainWhileLeading(t *testing.T) {
	synctest.Test(t, func(t *testing.T) {
		var calls atomic.Int32
		var logs testutil.Logs
		r := newRunner(t, memory(t), "a", lease.Options{Logger: logs.Logger()})
		require.NoError(t, r.Lead("cleanup", func(ctx context.Context) {
			if calls.Add(1)%2 == 0 {
				panic("boom")
			}
		}))
		synctest.Wait()
		assert.Equal(t, int32(1), calls.Load())
		time.Sleep(renew)
		synctest.Wait()
		assert.Equal(t, int32(2), calls.Load(), "called again after Renew")
		time.Sleep(time.Minute - renew)
		synctest.Wait()
		assert.Equal(t, int32(21), calls.Load())
		assert.Equal(t, 1, strings.Count(logs.String(), "panicked"), "a panic is logged once a minute:\n%s", logs.String())
		assert.Contains(t, logs.String(), "boom")
	})
}

func TestLeadRefusesBadNamesTwiceTheSameNameAndAfterStop(t *testing.T) {
	synctest.Test(t, func(t *testing.T) {
		r := newRunner(t, memory(t), "a", lease.Options{})
		run := func(ctx context.Context) { <-ctx.Done() }
		require.ErrorIs(t, r.Lead("", run), lease.ErrName)
		require.ErrorIs(t, r.Lead(strings.Repeat("x", lease.MaxName+1), run), lease.ErrName)
		require.NoError(t, r.Lead("clock", run))
		require.ErrorIs(t, r.Lead("clock", run), lease.ErrTaken)
		require.NoError(t, r.Lead("cleanup", run), "names are independent")
		r.Stop()
		require.ErrorIs(t, r.Lead("other", run), lease.ErrClosed)
	})
}

// Names are independent: each may be led by a different instance.
func TestEachNameHasItsOwnLease(t *testing.T) {
	synctest.Test(t, func(t *testing.T) {
		store := memory(t)
		works := map[string]*work{}
		for i := range 4 {
			name := fmt.Sprint("job", i)
			works[name] = &work{}
			for _, who := range []string{"a", "b"} {
				require.NoError(t, newRunner(t, store, who+name, lease.Options{}).Lead(name, works[name].runOn(who)))
			}
		}
		time.Sleep(3 * leaseTime)
		for name, w := range works {
			assert.Equal(t, int32(1), w.active.Load(), name)
			assert.Equal(t, int32(1), w.most.Load(), name)
		}
	})
}
