package widgets_test

import (
	"context"
	"log/slog"
	"net"
	"net/http/httptest"
	"strings"
	"testing"
	"time"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"

	"github.com/lvtgo/livetemplate"
	"github.com/lvtgo/livetemplate/auth"
	"github.com/lvtgo/livetemplate/e2e/internal/browsertest"
	"github.com/lvtgo/livetemplate/livetest"
	"github.com/lvtgo/livetemplate/session"
)

// Board is the page's store: a count, and a report made in the background.
type Board struct {
	Count   int
	Loading bool
	Report  string
	Error   string
}

// release lets the work of a report finish (the tests using it do not run
// in parallel).
var release = make(chan struct{})

// finish lets one report's work finish.
func finish(t *testing.T) {
	t.Helper()
	select {
	case release <- struct{}{}:
	case <-time.After(10 * time.Second):
		t.Fatal("no report's work waits")
	}
}

func (b *Board) Change(ctx *livetemplate.ActionContext) error {
	switch ctx.Action() {
	case "inc":
		b.Count++
		return ctx.PushEvent("points", map[string]int{"count": b.Count})
	case "run":
		b.Loading, b.Error = true, ""
		fail := ctx.GetBool("fail") // ctx is valid only during Change
		return ctx.Async("ran", func(c context.Context) (map[string]any, error) {
			select {
			case <-release:
			case <-c.Done():
				return nil, c.Err()
			}
			if fail {
				return nil, livetemplate.UserErrorf("The report failed.")
			}
			return map[string]any{"report": "42 rows"}, nil
		})
	case "ran":
		b.Loading = false
		b.Report, b.Error = ctx.GetString("report"), ctx.GetString("error")
		return nil
	}
	return livetemplate.ErrUnknownAction
}

const page = `<!DOCTYPE html><html><head><title>Widgets</title>
<style>.open { font-weight: bold } .modal-open #count { opacity: .5 }</style></head><body>
<p id="count">{{.Count}}</p>
<div class="dropdown" lvt-js-click-away="hide #menu">
  <button id="menu-btn" lvt-js-click="toggle #menu; toggle-class open">Menu</button>
  <ul id="menu" hidden><li><button id="inc" lvt-click="inc" lvt-js-click="hide #menu">Add one</button></li></ul>
</div>
<button id="open-modal" lvt-js-click="show #modal; add-class modal-open body; focus #modal-name">Open</button>
<div id="modal" role="dialog" hidden>
  <input id="modal-name">
  <button id="close-modal" lvt-js-click="hide #modal; remove-class modal-open body">Close</button>
</div>
<div id="editor" lvt-ignore data-count="{{.Count}}"><p id="server-text">server {{.Count}}</p></div>
<canvas id="chart" lvt-hook="Chart"></canvas>
{{if .Loading}}<p id="report">Loading…</p>{{else if .Error}}<p id="report" role="alert">{{.Error}}</p>{{else}}<p id="report">{{.Report}}</p>{{end}}
<button id="run" lvt-click="run">Run</button>
<button id="run-bad" lvt-click="run" lvt-data-fail="true">Run badly</button>
</body></html>`

// hook registers the Chart hook before the client starts: it records the
// server events it gets, and so does a window listener.
const hook = `window.got = [];
window.LiveTemplate = { hooks: { Chart: { mounted() {
	this.handleEvent('points', (p) => window.got.push('hook ' + p.count + ' ' + document.querySelector('#count').textContent));
} } } };
window.addEventListener('lvt:points', (e) => window.got.push('window ' + e.detail.count));`

func handler(t *testing.T, b *Board, opts ...livetemplate.Option) *livetemplate.Handler {
	t.Helper()
	tmpl, err := livetemplate.New("page", livetemplate.WithText(page))
	require.NoError(t, err)
	return livetest.App(t, opts...).Handle(tmpl, livetemplate.PerConnection(b))
}

func open(tab *browsertest.Tab, url string) {
	tab.Navigate(url)
	tab.WaitClass("html", "lvt-connected")
}

func TestE2EDropdownAndModalWithoutTheServer(t *testing.T) {
	h := handler(t, &Board{})
	srv := httptest.NewServer(h)
	t.Cleanup(srv.Close)
	tab := browsertest.New(t).Tab(t)
	open(tab, srv.URL+"/")

	// The dropdown opens and closes with no round trip.
	tab.Click("#menu-btn")
	tab.WaitJS(`() => getComputedStyle(document.querySelector('#menu')).display !== 'none'`)
	tab.WaitClass("#menu-btn", "open")
	tab.Click("#count") // a click outside closes it
	tab.WaitJS(`() => getComputedStyle(document.querySelector('#menu')).display === 'none'`)

	// A command and an action together: the menu closes, the count grows.
	tab.Click("#menu-btn")
	tab.Click("#inc")
	tab.WaitTextIs("#count", "1")
	assert.True(t, browsertest.Eval[bool](tab, `getComputedStyle(document.querySelector('#menu')).display === 'none'`))

	// What commands changed survives patches: the menu open, a patch comes.
	tab.Click("#menu-btn")
	tab.WaitClass("#menu-btn", "open")
	_, err := h.Broadcast(t.Context(), livetemplate.All(), "inc", nil)
	require.NoError(t, err)
	tab.WaitTextIs("#count", "2")
	assert.True(t, browsertest.Eval[bool](tab, `getComputedStyle(document.querySelector('#menu')).display !== 'none'`), "the menu stays open")
	assert.True(t, browsertest.Eval[bool](tab, `document.querySelector('#menu-btn').classList.contains('open')`))

	// The modal: shown, the body's class added, its field focused; closed again.
	tab.Click("#open-modal")
	tab.WaitClass("body", "modal-open")
	tab.WaitJS(`() => document.activeElement && document.activeElement.id === 'modal-name'`)
	tab.Click("#close-modal")
	tab.WaitJS(`() => getComputedStyle(document.querySelector('#modal')).display === 'none' && !document.body.classList.contains('modal-open')`)
}

func TestE2EIgnoreEventsAndAsync(t *testing.T) {
	srv := httptest.NewServer(handler(t, &Board{}))
	t.Cleanup(srv.Close)
	tab := browsertest.New(t).Tab(t)
	tab.OnNewDocument(hook)
	open(tab, srv.URL+"/")

	// lvt-ignore: a library's content stays; the element's attributes follow.
	browsertest.Eval[bool](tab, `(document.querySelector('#editor').innerHTML = '<b id="mine">drawn</b>', true)`)
	tab.Click("#menu-btn")
	tab.Click("#inc")
	tab.WaitTextIs("#count", "1")
	tab.WaitJS(`() => document.querySelector('#editor').dataset.count === '1'`)
	assert.Equal(t, "drawn", tab.Text("#mine"))
	assert.False(t, browsertest.Eval[bool](tab, `!!document.querySelector('#server-text')`))

	// Server events: the hook and the window, after the action's patch.
	tab.WaitJS(`() => window.got.length === 2`)
	assert.Equal(t, []string{"hook 1 1", "window 1"}, browsertest.Eval[[]string](tab, "window.got"))

	// Async: pending at once, the result later, the error where the user sees it.
	tab.Click("#run")
	tab.WaitTextIs("#report", "Loading…")
	finish(t)
	tab.WaitTextIs("#report", "42 rows")
	tab.Click("#run-bad")
	tab.WaitTextIs("#report", "Loading…")
	finish(t)
	tab.WaitTextIs("#report", "The report failed.")
}

// visibility lets the test hide and show the tab: headless Chromium keeps
// every tab visible, so the page's document.visibilityState is the test's.
const visibility = `window.hidden_ = false;
Object.defineProperty(document, 'visibilityState', { configurable: true, get: () => (window.hidden_ ? 'hidden' : 'visible') });
Object.defineProperty(document, 'hidden', { configurable: true, get: () => window.hidden_ });
window.setVisible = (v) => { window.hidden_ = !v; window.wokeAt = performance.now(); document.dispatchEvent(new Event('visibilitychange')); };
document.addEventListener('lvt:connected', () => { window.connectedAt = performance.now(); });`

func TestE2EWakesUpAfterTheServerRestartedWhileHidden(t *testing.T) {
	store := session.NewMemory(nil) // outlives both servers
	t.Cleanup(func() { assert.NoError(t, store.Close()) })
	id, err := auth.NewAnonymous(&auth.AnonymousOptions{Key: []byte(strings.Repeat("k", auth.AnonymousKeySize))})
	require.NoError(t, err)
	var stops []func()
	t.Cleanup(func() {
		for _, stop := range stops {
			stop()
		}
	})
	startAt := func(ln net.Listener) (stop func()) {
		app, err := livetemplate.NewApp(livetemplate.WithSessionStore(store), livetemplate.WithAuthenticator(id),
			livetemplate.WithLogger(slog.New(slog.NewTextHandler(t.Output(), nil))))
		require.NoError(t, err)
		tmpl, err := livetemplate.New("page", livetemplate.WithText(page))
		require.NoError(t, err)
		h := app.Handle(tmpl, &Board{})
		stop = browsertest.Serve(t, ln, h, app.Close)
		stops = append(stops, stop)
		return stop
	}
	ln, err := net.Listen("tcp", "127.0.0.1:0")
	require.NoError(t, err)
	addr := ln.Addr().String()
	stop := startAt(ln)

	tab := browsertest.New(t).Tab(t)
	tab.AllowConsole(`ERR_CONNECTION_REFUSED|WebSocket connection to .* failed`)
	tab.OnNewDocument(visibility)
	open(tab, "http://"+addr+"/")
	tab.Click("#menu-btn")
	tab.Click("#inc")
	tab.WaitTextIs("#count", "1")

	// Hidden, the server restarts; the client's attempts fail meanwhile and
	// back off (to seconds between attempts).
	browsertest.Eval[bool](tab, "(window.setVisible(false), true)")
	stop()
	tab.WaitClass("html", "lvt-disconnected")
	time.Sleep(6 * time.Second) // attempts fail: the backoff reaches 4-8 s
	ln, err = net.Listen("tcp", addr)
	require.NoError(t, err)
	startAt(ln)

	// Visible again: it connects at once instead of waiting out its backoff.
	down := browsertest.Eval[bool](tab, "(() => { const d = document.documentElement.classList.contains('lvt-disconnected'); window.setVisible(true); return d; })()")
	require.True(t, down, "still waiting out its backoff when it woke up")
	tab.WaitClass("html", "lvt-connected")
	tab.WaitTextIs("#count", "1")
	ms := browsertest.Eval[float64](tab, "window.connectedAt - window.wokeAt")
	t.Logf("from visibilitychange to a working page after a restart while hidden: %.0f ms", ms)
	assert.Less(t, ms, 1000.0, "reconnected and resynced within 1 s of waking")
	tab.Click("#menu-btn")
	tab.Click("#inc")
	tab.WaitTextIs("#count", "2")
}
