package livetemplate

import (
	"context"
	"net/http"

	"github.com/lvtgo/livetemplate/internal/runtime"
)

// Handler serves one page of an App at the URL it is mounted on: GET
// renders it (with the client script before </body>), a WebSocket upgrade
// of the same URL opens its live connection, POST carries its messages over
// plain HTTP when WebSockets are unavailable. Make one with App.Handle (or
// Template.Handle for a one-page app). It is safe for concurrent use.
type Handler struct {
	app *App
	v   *runtime.View
}

// ServeHTTP implements http.Handler.
func (h *Handler) ServeHTTP(w http.ResponseWriter, r *http.Request) {
	h.app.srv.Serve(w, r, h.v)
}

// App returns the app the page is mounted on.
func (h *Handler) App() *App { return h.app }

// Broadcast applies a server action to the pages of this handler that t
// targets ([All], [Users], [Groups], [Filter]), as if a tab of each had
// sent it ("action", or "store.action" on pages with several stores; data
// as a page sends it), with no request and as the state's owner (a group's
// stores act as the group). Each targeted state is changed exactly once,
// even across instances; a PerConnection store, on each targeted page.
// Every page that shows a changed state, of any page of the app, then gets
// its own minimal patch. Broadcast returns once this instance applied it
// and handed it to the bus; it never waits on a client. It honours ctx and
// returns the first error of a state whose action failed (rolled back like
// a tab's; the others apply all the same), and ErrClosed after Shutdown
// began, so a goroutine that pushes can stop with the app.
func (h *Handler) Broadcast(ctx context.Context, t Target, action string, data map[string]any) (Reach, error) {
	return push(ctx, h.app.rt, h.v, t, action, data)
}

// Refresh renders this handler's pages that t targets again without
// changing any state: for templates that read shared data through
// functions (who is online, a cache). Like Broadcast it reaches every
// instance, returns at once and never waits on a client.
func (h *Handler) Refresh(ctx context.Context, t Target) (Reach, error) {
	r, err := h.app.rt.Refresh(ctx, h.v, t.t)
	return Reach(r), closedErr(err)
}

// Disconnect closes the live connections of this handler's pages that t
// targets, on every instance: a WebSocket is closed with 4001 ("signed
// out"), after which the browser client stops and marks the page lvt-failed
// until it is loaded again; an HTTP page stops being served (its next
// request must authenticate again). Use App.Disconnect to sign a user out
// of every page. Pair it with clearing the credentials (the cookie), or the
// pages would just connect again. Like Broadcast it returns at once.
func (h *Handler) Disconnect(ctx context.Context, t Target) (Reach, error) {
	r, err := h.app.rt.Disconnect(ctx, h.v, t.t)
	return Reach(r), closedErr(err)
}

// Shutdown shuts down the handler's App (see App.Shutdown): for a handler
// of Template.Handle that is its own; for a handler of App.Handle it is the
// app of all its pages, so prefer App.Shutdown there.
func (h *Handler) Shutdown(ctx context.Context) error { return h.app.Shutdown(ctx) }

// Close is the App's Close. It is idempotent.
func (h *Handler) Close() error { return h.app.Close() }
