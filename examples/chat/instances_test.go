package main

import (
	"net/url"
	"testing"
	"time"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"

	"github.com/lvtgo/livetemplate/cluster"
	"github.com/lvtgo/livetemplate/internal/testutil"
	"github.com/lvtgo/livetemplate/livetest"
)

// Two instances on one Redis server, as -redis and one -secret make them:
// a room and its presence are the same on both, and a sign-in on one is
// valid on the other.
func TestLivetestTwoInstancesShareRooms(t *testing.T) {
	rdb := testutil.StartRedis(t)
	instance := func() *app {
		c, err := cluster.Open(t.Context(), rdb.URL(), nil)
		require.NoError(t, err)
		t.Cleanup(func() { assert.NoError(t, c.Close()) }) // after the handler's own cleanup
		return start(t, c.Options()...)
	}
	const wait = 5 * time.Second
	a, b := instance(), instance()
	ann := a.browser(t, "ann").Open("/")
	bob := b.srv.NewBrowser(&livetest.BrowserOptions{Cookies: a.signIn(t, "bob")}).Open("/") // signed in on A
	cid := b.browser(t, "cid").Open("/?room=dev")
	require.NoError(t, ann.WaitText("#online", online("ann", "bob"), wait))
	require.NoError(t, bob.WaitText("#online", online("ann", "bob"), wait))

	require.NoError(t, ann.Submit("#send", url.Values{"text": {"from A"}}))
	require.NoError(t, bob.WaitText("#messages li:last-child", "ann: from A", wait))
	require.NoError(t, bob.Submit("#send", url.Values{"text": {"from B"}}))
	require.NoError(t, ann.WaitText("#messages li:last-child", "bob: from B", wait))

	require.NoError(t, cid.Submit("#send", url.Values{"text": {"dev only"}}))
	assert.Equal(t, 1, cid.Count("#messages li"), "nothing of the lobby")
	assert.Equal(t, online("cid"), cid.Text("#online"))
	bob.Close()
	require.NoError(t, ann.WaitText("#online", online("ann"), wait))
}
