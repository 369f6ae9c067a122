package counter_test

import (
	"net/http"
	"slices"
	"strings"
	"sync/atomic"
	"testing"
	"time"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"

	"github.com/lvtgo/livetemplate/e2e/internal/browsertest"
)

// A page that fell back to HTTP because WebSocket upgrades failed (a proxy
// refusing them for a while) goes on working over HTTP, and moves back to a
// WebSocket within seconds of upgrades working again (the client tries one
// after 2–4 s, doubling: client/src/transport.ts). Clicks made before,
// during and after the move each apply exactly once.
func TestE2EMovesBackToAWebSocketOnceUpgradesWork(t *testing.T) {
	var refuse atomic.Bool
	refuse.Store(true)
	var refused atomic.Int64
	var seen traffic
	h := testHandler(t)
	url := listen(t, seen.count(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		if refuse.Load() && strings.EqualFold(r.Header.Get("Upgrade"), "websocket") {
			refused.Add(1)
			http.Error(w, "no websockets here", http.StatusForbidden)
			return
		}
		h.ServeHTTP(w, r)
	})))
	tab := browsertest.New(t).Tab(t)
	tab.AllowConsole(`WebSocket connection to .* failed`)
	tab.OnNewDocument(`window.transports = []; window.log = [];
		document.addEventListener('lvt:connected', (e) => { window.transports.push(e.detail.transport); window.log.push('connected:' + e.detail.transport); });
		document.addEventListener('lvt:disconnected', () => window.log.push('disconnected'));
		document.addEventListener('lvt:reconnected', (e) => window.log.push('reconnected:' + e.detail.transport));`)
	open(tab, url)
	assert.Equal(t, []string{"http"}, browsertest.Eval[[]string](tab, "window.transports"))
	assert.Positive(t, refused.Load())
	tab.Click("#inc") // a POST
	tab.WaitTextIs("#count", "1")

	// 40 clicks, one every 100 ms, while upgrades start working.
	const clicks = 40
	browsertest.Eval[bool](tab, `(() => {
		let n = 0;
		const id = setInterval(() => { document.querySelector('#inc').click(); if (++n === 40) clearInterval(id); }, 100);
		return true;
	})()`)
	refuse.Store(false)
	allowed := time.Now()
	tab.SetTimeout(20 * time.Second) // the second probe comes 4–8 s after the first
	tab.WaitJS(`() => window.transports.includes('websocket')`)
	t.Logf("moved to a WebSocket %v after upgrades worked again", time.Since(allowed).Round(10*time.Millisecond))
	tab.SetTimeout(browsertest.Timeout)
	tab.WaitTextIs("#count", "41") // 1 + 40: none lost, none twice

	posts := seen.posts.Load()
	tab.Click("#inc")
	tab.WaitTextIs("#count", "42")
	assert.Equal(t, posts, seen.posts.Load(), "after the move, actions go over the WebSocket")
	// A move is not a reconnection. (A poll that failed on this busy
	// machine is one, over HTTP, before the move: the log shows it.)
	log := browsertest.Eval[[]string](tab, "window.log")
	i := slices.Index(log, "connected:websocket")
	require.GreaterOrEqual(t, i, 0, "%v", log)
	assert.NotContains(t, log[i:], "reconnected:websocket", "%v", log)
	assert.NotContains(t, log[i:], "disconnected", "%v", log)
	transports := browsertest.Eval[[]string](tab, "window.transports")
	assert.Equal(t, "websocket", transports[len(transports)-1], "%v", log)
	if len(log) > 2 {
		t.Logf("events: %v", log)
	}

	// What the server holds: a page loaded afresh shows the same count.
	tab.Reload()
	tab.WaitClass("html", "lvt-connected")
	tab.WaitTextIs("#count", "42")
}
