package livetemplate

import (
	"context"
)

// Watcher is implemented by stores that want to know who is viewing them,
// say to keep a list of who is online in a chat room. Connected is called
// when a page that shows the store gets its live connection, and
// Disconnected when that connection ends, each as an action of its own
// (ctx.Action() is "connect" or "disconnect", ctx.UserID() the page's
// viewer, ctx.Request() the request that opened the connection): what they
// change is kept and shown like any other change, and an error rolls it
// back and is logged. The Context of Connected's ctx ends when the page
// disconnects, so a store may start work that lasts as long as the page
// and stop it then.
//
// A page that moves between transports, or reconnects, disconnects and
// connects again. An instance that stops without closing its connections
// (a crash) never calls Disconnected for them.
type Watcher interface {
	Connected(ctx *ActionContext) error
	Disconnected(ctx *ActionContext) error
}

func callConnected(s Store, actx *ActionContext) error    { return s.(Watcher).Connected(actx) }
func callDisconnected(s Store, actx *ActionContext) error { return s.(Watcher).Disconnected(actx) }

// connected runs Connected on the page's Watcher stores, with a context
// that ends when the page disconnects.
func (h *Handler) connected(c *conn) {
	if !h.watchers {
		return
	}
	ctx, cancel := context.WithCancel(h.ctx)
	c.mu.Lock()
	c.endLife = cancel
	scopes, req := c.scopes, c.req
	c.mu.Unlock()
	h.watch(ctx, c, scopes, action{name: "connect", call: callConnected, req: req, as: &c.id})
}

// disconnected runs Disconnected on the page's Watcher stores, on the
// scopes the page has just left.
func (h *Handler) disconnected(c *conn, scopes []*scope) {
	if !h.watchers {
		return
	}
	c.mu.Lock()
	end := c.endLife
	c.endLife = nil
	c.mu.Unlock()
	if end != nil {
		end()
	}
	// Not the handler's context: a shutdown disconnects every page, and
	// their Disconnected must still run (presence must not stay behind).
	ctx, cancel := context.WithTimeout(context.Background(), busTimeout)
	defer cancel()
	h.watch(ctx, c, scopes, action{name: "disconnect", call: callDisconnected, as: &c.id})
}

// watch applies a to every Watcher store of page c: its own, or the one in
// the scope of scopes that holds it.
func (h *Handler) watch(ctx context.Context, c *conn, scopes []*scope, a action) {
	for i := range h.specs {
		sp := &h.specs[i]
		if !sp.watcher {
			continue
		}
		var err error
		if sp.private {
			err = c.actOwn(ctx, i, a.name, a)
		} else if si := h.specScope[i]; si < len(scopes) {
			err = scopes[si].act(ctx, nil, i, a.name, a)
		}
		if err != nil && ctx.Err() == nil {
			h.log.Error("watcher failed", "store", sp.name, "action", a.name, "err", err)
		}
	}
}
