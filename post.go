package livetemplate

import (
	"net/http"
	"time"

	"github.com/lvtgo/livetemplate/internal/wire"
	"github.com/lvtgo/livetemplate/transport"
)

// servePost carries one message over plain HTTP: the same messages and
// replies as the WebSocket, for clients that cannot open one.
func (h *handler) servePost(w http.ResponseWriter, r *http.Request) {
	body, err := h.post.ReadMessage(r)
	if err != nil {
		transport.WriteError(w, wire.FindRef(body), err)
		return
	}
	id, ok := h.identify(w, r)
	if !ok {
		return
	}
	m, err := wire.Decode(body)
	if err != nil {
		transport.WriteMessage(w, http.StatusBadRequest, wire.AppendError(nil, wire.FindRef(body), wire.CodeBadRequest, "Malformed message.", nil))
		return
	}
	ctx := r.Context()
	c := h.lookupToken(m.Token, id)
	if c == nil {
		if c, err = h.newConn(ctx, id, r.Clone(h.ctx)); err != nil {
			h.pageError(w, err)
			return
		}
	}
	c.touch()
	c.contacted.Store(true)
	g := c.g
	if err := g.mu.LockContext(ctx); err != nil {
		return
	}
	if c.ws != nil {
		// The page left its WebSocket for HTTP (the socket may look alive
		// here for a while yet): close it, and serve the page by polls.
		_ = c.ws.Close("the page moved to HTTP")
		c.ws = nil
		h.conns.Remove(c)
	}
	if !c.polling {
		if h.lim.MaxConnsPerGroup > 0 && h.conns.GroupLen(g.id) >= h.lim.MaxConnsPerGroup {
			g.mu.Unlock()
			transport.WriteMessage(w, http.StatusTooManyRequests, wire.AppendError(nil, m.Ref, wire.CodeRateLimited, "Too many connections.", nil))
			return
		}
		c.polling, c.notify = true, make(chan struct{}, 1)
		h.conns.Add(c, g.id, c.id.UserID)
	}
	notify := c.notify
	fresh := c.last == nil || m.Seq != c.seq
	g.mu.Unlock()

	switch m.T {
	case wire.TypeAction:
		var reply []byte // written after the group is unlocked: never block it on the network
		h.act(ctx, c, m, func(b []byte) { reply = b })
		transport.WriteMessage(w, http.StatusOK, reply)
	case wire.TypePoll:
		if !fresh {
			h.wait(r, notify)
		}
		h.writeChange(w, r, c, fresh)
	default: // join and sync: the full tree
		h.writeChange(w, r, c, true)
	}
}

// wait blocks until the page's group changed, the poll times out, or the
// client or server goes away.
func (h *handler) wait(r *http.Request, notify chan struct{}) {
	if notify == nil {
		return
	}
	t := time.NewTimer(pollTimeout)
	defer t.Stop()
	select {
	case <-notify:
	case <-t.C:
	case <-r.Context().Done():
	case <-h.ctx.Done():
	}
}

// writeChange answers a poll or sync: a full tree, a patch, or 204 when
// nothing changed.
func (h *handler) writeChange(w http.ResponseWriter, r *http.Request, c *conn, full bool) {
	g := c.g
	if err := g.mu.LockContext(r.Context()); err != nil {
		return
	}
	defer g.mu.Unlock()
	c.touch()
	if full || c.last == nil {
		msg, err := h.fullTree(g, c)
		if err != nil {
			h.log.Error("render failed", "conn", c.logID, "err", err)
			transport.WriteMessage(w, http.StatusInternalServerError, wire.AppendError(nil, 0, wire.CodeInternal, "Something went wrong.", nil))
			return
		}
		transport.WriteMessage(w, http.StatusOK, msg)
		return
	}
	tree, err := h.render(g, c)
	if err != nil {
		h.log.Error("render failed", "conn", c.logID, "err", err)
		transport.WriteMessage(w, http.StatusInternalServerError, wire.AppendError(nil, 0, wire.CodeInternal, "Something went wrong.", nil))
		return
	}
	p := diffTree(c, tree)
	if p == nil {
		w.WriteHeader(http.StatusNoContent)
		return
	}
	transport.WriteMessage(w, http.StatusOK, wire.AppendPatch(nil, c.seq, p))
}
