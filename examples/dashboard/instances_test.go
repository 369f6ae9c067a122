package main

import (
	"testing"
	"time"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"

	"github.com/lvtgo/livetemplate/cluster"
	"github.com/lvtgo/livetemplate/internal/testutil"
)

// Two instances on one Redis server, as -redis and one -secret make them:
// an announcement made on one reaches exactly its targets on both, and the
// counts cover both.
func TestLivetestTwoInstancesShareTheBoard(t *testing.T) {
	rdb := testutil.StartRedis(t)
	instance := func() *app {
		c, err := cluster.Open(t.Context(), rdb.URL(), nil)
		require.NoError(t, err)
		t.Cleanup(func() { assert.NoError(t, c.Close()) }) // after the handler's own cleanup
		return start(t, c.Options()...)
	}
	const wait = 5 * time.Second
	a, b := instance(), instance()
	boss := a.browser(t, admin).Open("/admin")
	annB := b.browser(t, "ann").Open("/")
	annA := a.browser(t, "ann").Open("/") // another browser of ann, on A
	cidB := b.browser(t, "cid").Open("/") // team blue
	require.NoError(t, boss.WaitText("#connections", "4", wait))
	assert.Equal(t, "3", boss.Text("#users"))

	announce(t, boss, "group:red", "red, on both")
	require.NoError(t, annB.WaitText("#announcements li:first-child .text", "red, on both", wait))
	require.NoError(t, annA.WaitText("#announcements li:first-child .text", "red, on both", wait))
	announce(t, boss, "user:cid", "cid only")
	require.NoError(t, cidB.WaitText("#announcements li:first-child .text", "cid only", wait))
	assert.Equal(t, "cid only", texts(cidB), "nothing for red")
	announce(t, boss, "all", "everyone")
	require.NoError(t, annB.WaitText("#announcements li:first-child .text", "everyone", wait))
	assert.Equal(t, "everyone, red, on both", texts(annB), "nothing for cid")
}
