package counter_test

import (
	"testing"

	"github.com/stretchr/testify/require"

	"github.com/lvtgo/livetemplate/cluster"
	"github.com/lvtgo/livetemplate/e2e/internal/browsertest"
	"github.com/lvtgo/livetemplate/internal/testutil"
)

// Two instances of the counter share one Redis server, as `-redis` makes
// them: one browser's tabs on instance A and instance B are one group
// (cookies are per host, not per port), and a click on B shows on A.
func TestE2ETwoInstancesShareTheCount(t *testing.T) {
	rdb := testutil.StartRedis(t)
	instance := func() string {
		c, err := cluster.Open(t.Context(), rdb.URL(), nil)
		require.NoError(t, err)
		t.Cleanup(func() { _ = c.Close() }) // after the app's own cleanup
		return listen(t, testHandler(t, c.Options()...))
	}
	urlA, urlB := instance(), instance()
	b := browsertest.New(t)
	onA, onB := b.Tab(t), b.Tab(t)
	open(onA, urlA)
	open(onB, urlB)
	onB.Click("#add10")
	onB.WaitTextIs("#count", "10")
	onA.WaitTextIs("#count", "10")
	onA.Click("#inc")
	onB.WaitTextIs("#count", "11")

	other := b.Context(t).Tab(t) // another browser: another group
	open(other, urlB)
	other.WaitTextIs("#count", "0")
}
