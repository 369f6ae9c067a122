package main

import (
	"context"
	"strings"
	"sync"
	"testing"
	"time"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"

	"github.com/lvtgo/livetemplate/cluster"
	"github.com/lvtgo/livetemplate/examples/dashboard/dashboard"
	"github.com/lvtgo/livetemplate/internal/testutil"
)

// The clock is pushed once per tick however many instances serve the
// dashboard: two instances on one Redis publish half as much as when each
// ticks on its own. The publishes are counted on the bus's channel.
func TestClockTicksOnceAcrossInstances(t *testing.T) {
	const every = 200 * time.Millisecond
	const window = 10 * every
	rdb := testutil.StartRedis(t)
	instance := func() *app {
		c, err := cluster.Open(t.Context(), rdb.URL(), nil)
		require.NoError(t, err)
		t.Cleanup(func() { assert.NoError(t, c.Close()) })
		return start(t, c.Options()...)
	}
	a, b := instance(), instance()
	boss := a.browser(t, admin).Open("/admin")
	ann := b.browser(t, "ann").Open("/")

	// publishes counts, for the window, the messages on the bus's channel
	// about the clock.
	publishes := func() int {
		sub := rdb.Client(t).Subscribe(t.Context(), "livetemplate") // redisbus's default channel
		defer sub.Close()
		_, err := sub.Receive(t.Context()) // subscribed
		require.NoError(t, err)
		n := 0
		ctx, cancel := context.WithTimeout(t.Context(), window)
		defer cancel()
		for {
			m, err := sub.ReceiveMessage(ctx)
			if err != nil {
				return n
			}
			// Each tick publishes the push ("clock.tick") and the change of
			// the state it made ("s:clock:").
			if strings.Contains(m.Payload, "clock") {
				n++
			}
		}
	}

	// Before: each instance ticks on its own.
	ctx, cancel := context.WithCancel(t.Context())
	var wg sync.WaitGroup
	for _, in := range []*app{a, b} {
		wg.Go(func() { dashboard.Tick(ctx, in.app, every) })
	}
	ticked := func(html string) bool { return strings.Contains(html, " UTC</span>") }
	require.NoError(t, boss.WaitFor(ticked, 5*time.Second))
	naive := publishes()
	cancel()
	wg.Wait()

	// After: one instance at a time (App.Lead).
	for _, in := range []*app{a, b} {
		require.NoError(t, dashboard.StartClock(in.app, every))
	}
	require.NoError(t, ann.WaitFor(ticked, 5*time.Second))
	led := publishes()

	perTick := func(n int) float64 { return float64(n) / window.Seconds() * every.Seconds() }
	t.Logf("PUBLISHes about the clock per tick period, two instances: each ticking %.1f, led %.1f", perTick(naive), perTick(led))
	assert.Greater(t, naive, led*3/2, "two instances ticking on their own publish about twice as much")
	assert.LessOrEqual(t, led, 2*(int(window/every)+1), "one tick's publishes per period")
}
