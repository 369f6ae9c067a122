package apps_test

import (
	"net/http"
	"net/http/httptest"
	"strings"
	"sync/atomic"
	"testing"

	"github.com/stretchr/testify/assert"

	"github.com/lvtgo/livetemplate"
	"github.com/lvtgo/livetemplate/e2e/internal/browsertest"
	"github.com/lvtgo/livetemplate/livetest"
)

// Counter is the store both pages show.
type Counter struct{ Count int }

// Change counts, and "save" sends the page to /b with a flash message.
func (c *Counter) Change(ctx *livetemplate.ActionContext) error {
	switch ctx.Action() {
	case "increment":
		c.Count++
	case "save":
		c.Count += 10
		ctx.Flash("info", "Saved.")
		return ctx.Redirect("/b")
	default:
		return livetemplate.ErrUnknownAction
	}
	return nil
}

const layout = `<!DOCTYPE html><html><head><title>{{template "title"}}</title></head><body>` +
	`<h1>{{template "title"}}</h1><p id="count">{{.counter.Count}}</p>` +
	`{{range .flash}}<p class="flash">{{.Message}}<button class="dismiss" lvt-click="lvt.dismiss" lvt-data-kind="{{.Kind}}">x</button></p>{{end}}` +
	`<button id="inc" lvt-click="increment">+</button><button id="save" lvt-click="save">save</button>` +
	`<nav><a id="to-a" href="/a" lvt-navigate>A</a> <a id="to-b" href="/b" lvt-navigate>B</a></nav></body></html>`

// traffic counts the WebSocket upgrades a handler serves, and refuses them
// all when block is set (a proxy that does not pass WebSockets).
type traffic struct {
	upgrades atomic.Int64
	block    bool
}

func (c *traffic) wrap(next http.Handler) http.Handler {
	return http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		if strings.EqualFold(r.Header.Get("Upgrade"), "websocket") {
			c.upgrades.Add(1)
			if c.block {
				http.Error(w, "no websockets here", http.StatusBadRequest)
				return
			}
		}
		next.ServeHTTP(w, r)
	})
}

// start serves pages A and B of one app, both showing the counter, and
// returns the server's URL.
func start(t *testing.T, tr *traffic) string {
	t.Helper()
	app := livetest.App(t)
	mux := http.NewServeMux()
	for _, name := range []string{"a", "b"} {
		tmpl := livetemplate.Must(livetemplate.New(name, livetemplate.WithText(
			`{{define "title"}}`+strings.ToUpper(name)+`{{end}}`+layout)))
		mux.Handle("/"+name, app.Handle(tmpl, livetemplate.Named("counter", &Counter{})))
	}
	srv := httptest.NewServer(tr.wrap(mux))
	t.Cleanup(srv.Close)
	return srv.URL
}

func open(tab *browsertest.Tab, url string) {
	tab.Navigate(url)
	tab.WaitClass("html", "lvt-connected")
}

// The report, in a browser: a click on /a reaches an open /b, a
// fresh /b shows what the store holds, and /b's click reaches /a.
func TestE2ETwoPagesShareAStore(t *testing.T) {
	base := start(t, &traffic{})
	ctx := browsertest.New(t).Context(t)
	a, b := ctx.Tab(t), ctx.Tab(t)
	open(a, base+"/a")
	open(b, base+"/b")
	a.Click("#inc")
	a.WaitTextIs("#count", "1")
	b.WaitTextIs("#count", "1")
	fresh := ctx.Tab(t)
	open(fresh, base+"/b")
	assert.Equal(t, "1", fresh.Text("#count"))
	b.Click("#inc")
	a.WaitTextIs("#count", "2")
	fresh.WaitTextIs("#count", "2")
}

func TestE2ELiveNavigation(t *testing.T) {
	for _, mode := range []string{"websocket", "http"} {
		t.Run(mode, func(t *testing.T) {
			tr := &traffic{block: mode == "http"}
			base := start(t, tr)
			tab := browsertest.New(t).Tab(t)
			tab.AllowConsole(`WebSocket`) // the blocked upgrade, in HTTP mode
			open(tab, base+"/a")
			tab.Click("#inc")
			tab.WaitTextIs("#count", "1")
			// A marker that a page load would wipe out.
			browsertest.Eval[bool](tab, `(window.__kept = true)`)
			upgrades := tr.upgrades.Load()

			tab.Click("#to-b")
			tab.WaitTextIs("h1", "B")
			tab.WaitJS(`() => location.pathname === "/b" && document.title === "B"`)
			assert.True(t, browsertest.Eval[bool](tab, `window.__kept === true`), "no page load")
			assert.Equal(t, "1", tab.Text("#count"), "the shared state")
			tab.Click("#inc")
			tab.WaitTextIs("#count", "2")

			browsertest.Eval[bool](tab, `(history.back(), true)`)
			tab.WaitTextIs("h1", "A")
			tab.WaitJS(`() => location.pathname === "/a"`)
			tab.WaitTextIs("#count", "2")
			browsertest.Eval[bool](tab, `(history.forward(), true)`)
			tab.WaitTextIs("h1", "B")
			assert.True(t, browsertest.Eval[bool](tab, `window.__kept === true`), "back and forward are live too")
			if mode == "websocket" {
				assert.Equal(t, upgrades, tr.upgrades.Load(), "no new connection")
			}
		})
	}
}

// An action that redirects opens its target live, with its flash message,
// which the user dismisses.
func TestE2ERedirectWithFlash(t *testing.T) {
	base := start(t, &traffic{})
	tab := browsertest.New(t).Tab(t)
	open(tab, base+"/a")
	browsertest.Eval[bool](tab, `(window.__kept = true)`)
	tab.Click("#save")
	tab.WaitTextIs("h1", "B")
	tab.WaitJS(`() => location.pathname === "/b"`)
	tab.WaitText(".flash", "Saved.")
	assert.Equal(t, "10", tab.Text("#count"))
	assert.True(t, browsertest.Eval[bool](tab, `window.__kept === true`), "the redirect was live")
	tab.Click(".flash .dismiss")
	tab.WaitGone(".flash")
	tab.Reload()
	tab.WaitClass("html", "lvt-connected")
	assert.Zero(t, browsertest.Eval[int](tab, `document.querySelectorAll(".flash").length`), "shown once")
}
