package main

import (
	"net/http"
	"sync/atomic"
	"testing"
	"time"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"

	"github.com/lvtgo/livetemplate/livetest"
)

// The browser tests' scenarios (e2e_test.go), in-process with livetest: the
// same page, the same protocol, the HTML rebuilt by the reference client.

// wait is how long a pushed update may take to arrive.
const wait = 2 * time.Second

func TestLivetestClicksUpdateTheCount(t *testing.T) {
	var seen traffic
	srv := livetest.Start(t, seen.count(testHandler(t)))
	p := srv.Open("/")
	assert.Equal(t, "0", p.Text("#count"))

	require.NoError(t, p.Click("#inc"))
	assert.Equal(t, "1", p.Text("#count"))
	require.NoError(t, p.Click("#add10")) // lvt-data-by="10"
	assert.Equal(t, "11", p.Text("#count"))
	require.NoError(t, p.Click("#dec"))
	assert.Equal(t, "10", p.Text("#count"))
	assert.Equal(t, "Counter: 10", p.Text("title"))

	// The state is the session's, not the page's: a reload shows it.
	p.Close()
	p = p.Tab("/")
	assert.Equal(t, "10", p.Text("#count"))
	require.NoError(t, p.Click("#inc"))
	assert.Equal(t, "11", p.Text("#count"))
	assert.Equal(t, int64(2), seen.upgrades.Load(), "one WebSocket per page load")
	assert.Zero(t, seen.posts.Load(), "nothing went over HTTP")
}

func TestLivetestResetAsksFirst(t *testing.T) {
	srv := livetest.Start(t, testHandler(t))
	p := srv.Open("/")
	confirm, ok := p.Attr("#reset", "lvt-confirm")
	assert.True(t, ok)
	assert.Equal(t, "Reset the counter?", confirm)
	require.NoError(t, p.Click("#add10"))
	require.NoError(t, p.Click("#reset")) // livetest says yes
	assert.Equal(t, "0", p.Text("#count"))
}

func TestLivetestTwoTabsShareTheCount(t *testing.T) {
	srv := livetest.Start(t, testHandler(t))
	tabA := srv.Open("/")
	tabB := tabA.Tab("/")

	require.NoError(t, tabA.Click("#inc"))
	assert.Equal(t, "1", tabA.Text("#count"))
	require.NoError(t, tabB.WaitText("#count", "1", wait)) // pushed, no reload
	require.NoError(t, tabB.WaitText("title", "Counter: 1", wait))

	require.NoError(t, tabB.Click("#add10"))
	assert.Equal(t, "11", tabB.Text("#count"))
	require.NoError(t, tabA.WaitText("#count", "11", wait))
}

func TestLivetestTwoBrowsersAreIsolated(t *testing.T) {
	srv := livetest.Start(t, testHandler(t))
	one := srv.Open("/")
	two := srv.Open("/") // another browser

	require.NoError(t, one.Click("#inc"))
	assert.Equal(t, "1", one.Text("#count"))
	// The other browser's next change starts from its own count, 0 ...
	require.NoError(t, two.Click("#add10"))
	assert.Equal(t, "10", two.Text("#count"))
	// ... and this one's from 1: neither saw the other's change.
	require.NoError(t, one.Click("#inc"))
	assert.Equal(t, "2", one.Text("#count"))
	two.Close()
	assert.Equal(t, "10", two.Tab("/").Text("#count"))
}

func TestLivetestWorksOverHTTPWhenWebSocketsAreBlocked(t *testing.T) {
	h := testHandler(t)
	var refused atomic.Int64
	var viaHTTP traffic
	srv := livetest.Start(t, viaHTTP.count(blockWebSockets(h, http.StatusForbidden, &refused)))
	b := srv.NewBrowser(&livetest.BrowserOptions{Transport: livetest.HTTP})
	httpTab := b.Open("/")
	assert.Zero(t, viaHTTP.upgrades.Load())
	assert.Positive(t, viaHTTP.posts.Load())  // the sync that brought the tree
	require.NoError(t, httpTab.Click("#inc")) // a POST
	assert.Equal(t, "1", httpTab.Text("#count"))

	// The same browser on a server that allows WebSockets.
	var viaWS traffic
	plain := livetest.Start(t, viaWS.count(h))
	wsTab := plain.NewBrowser(&livetest.BrowserOptions{Cookies: b.Cookies()}).Open("/")
	assert.Equal(t, "1", wsTab.Text("#count"))
	require.NoError(t, wsTab.Click("#add10"))
	require.NoError(t, httpTab.WaitText("#count", "11", wait)) // reached the HTTP tab by its long poll

	require.NoError(t, httpTab.Click("#inc"))
	require.NoError(t, wsTab.WaitText("#count", "12", wait))
	assert.Positive(t, viaWS.upgrades.Load())
	assert.Zero(t, viaWS.posts.Load(), "the WebSocket tab stayed on its WebSocket")
	assert.Zero(t, refused.Load(), "livetest does not try a WebSocket in HTTP mode")
}
