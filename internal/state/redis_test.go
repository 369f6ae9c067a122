package state_test

import (
	"context"
	"fmt"
	"log/slog"
	"sync"
	"sync/atomic"
	"testing"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"

	"github.com/lvtgo/livetemplate/internal/fault"
	"github.com/lvtgo/livetemplate/internal/schema"
	"github.com/lvtgo/livetemplate/internal/state"
	"github.com/lvtgo/livetemplate/internal/testutil"
	"github.com/lvtgo/livetemplate/session/redisstore"
)

// Two instances share a real Redis: compare-and-set keeps every change of
// both, and an outage of Redis is one log line, its end another.
func TestTablesOverRedis(t *testing.T) {
	t.Parallel()
	if testing.Short() {
		t.Skip("starts redis-server")
	}
	r := testutil.StartRedis(t)
	store, err := redisstore.New(r.Client(t), &redisstore.Options{Prefix: "state-test:"})
	require.NoError(t, err)
	var l logs
	tables := []*state.Table{
		state.NewTable(state.Options{Sessions: store, Logger: slog.New(&l)}),
		state.NewTable(state.Options{Sessions: store, Logger: slog.New(&l)}),
	}

	var done atomic.Int64 // changes that succeeded
	t.Run("no change lost", func(t *testing.T) {
		const workers, each = 8, 10
		var wg sync.WaitGroup
		for w := range workers {
			wg.Go(func() {
				tab := tables[w%2]
				for range each {
					s, err := tab.Acquire(context.Background(), state.GroupKey("g1"), []*schema.Decl{counterDecl}, ada, nil)
					if !assert.NoError(t, err) {
						return
					}
					// Under heavy load a change may give up after
					// MaxConflicts, with an error: it is never lost silently.
					if _, err := s.Change(context.Background(), inc(1), nil); err == nil {
						done.Add(1)
					} else {
						assert.Equal(t, fault.Unavailable, fault.As(err).Kind, "%v", err)
					}
					tab.Release(s)
				}
			})
		}
		wg.Wait()
		assert.Greater(t, done.Load(), int64(workers*each/2), "most changes went through")
		js, _ := stored(t, store, "g:g1")
		assert.JSONEq(t, fmt.Sprintf(`{"counter":{"N":%d}}`, done.Load()), js, "every change that succeeded is stored")
	})

	t.Run("an outage", func(t *testing.T) {
		s := acquire(t, tables[0], state.GroupKey("g1"))
		r.Stop()
		for range 3 {
			_, err := s.Change(t.Context(), inc(1), nil)
			require.Error(t, err)
			assert.Equal(t, fault.Unavailable, fault.As(err).Kind)
		}
		r.Start() // empty: the state was lost with it
		_, err := s.Change(t.Context(), inc(1), nil)
		require.NoError(t, err, "the conflict on the lost state reloads and stores afresh")
		assert.Equal(t, []string{
			"ERROR session store failing; changes are refused until it recovers",
			"INFO session store recovered",
		}, l.lines())
		js, _ := stored(t, store, "g:g1")
		assert.JSONEq(t, fmt.Sprintf(`{"counter":{"N":%d}}`, done.Load()+1), js, "what the instance held survives the outage")
	})
}
