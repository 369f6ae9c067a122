package livetemplate

import (
	"context"
	"errors"
	"net/http"
	"sync/atomic"

	"github.com/lvtgo/livetemplate/auth"
	"github.com/lvtgo/livetemplate/transport"
)

// A page's life: newConn makes it (for a page load, or for a connection
// that names no page the handler knows); attach makes it live on a
// WebSocket or on HTTP polls, in its session group; detach ends that, and
// the page waits in the handler's page table for a while so that it can
// resume; the table forgets it after the idle timeout.

// treeCacheBytes bounds the first renders kept for pages waiting for their
// live connection (which then reuses the render); past it, pages keep no
// render and are rendered again when they connect.
const treeCacheBytes = 32 << 20

// treeBudget counts the bytes of kept first renders.
type treeBudget struct {
	max  int64
	used atomic.Int64
}

func (b *treeBudget) take(n int64) bool {
	if b.used.Add(n) > b.max {
		b.used.Add(-n)
		return false
	}
	return true
}

func (b *treeBudget) give(n int64) { b.used.Add(-n) }

// Errors of attach.
var (
	errTooMany = errors.New("livetemplate: too many connections")
	errTaken   = errors.New("livetemplate: page served by another connection")
	errGone    = errors.New("livetemplate: page forgotten")
)

// newConn makes a page for identity id at client address addr, with its
// PerConnection stores mounted with r.
func (h *Handler) newConn(ctx context.Context, id auth.Identity, addr string, r *http.Request) (*conn, error) {
	c := &conn{h: h, id: id, addr: addr, token: newToken(), keys: h.scopeKeysOf(id, r)}
	c.logID = c.token[:6]
	c.touch()
	if h.private {
		c.private = make([]Store, len(h.specs))
		for i := range h.specs {
			if !h.specs[i].private {
				continue
			}
			c.private[i] = h.specs[i].fresh()
			if err := mount(ctx, c.private[i], id, r); err != nil {
				return nil, err
			}
		}
	}
	return c, nil
}

// attachment is how a page connects: a WebSocket, or HTTP polls when ws is
// nil.
type attachment struct {
	ws  *transport.Conn
	req *http.Request // the upgrade request (WebSocket) or the first POST
	seq uint64        // the last seq the client applied (0: none)
}

// attach makes c live on a: it loads the scopes c shows and joins them. The
// page gets a full tree next, or, when the client says it holds what c last
// sent, a patch from there. stored reports whether the state of c's session
// group (or, without one, of all its scopes) was found in the session store
// (false: it starts afresh). It fails with errTooMany when the group or the
// client's address has no room, errTaken when another WebSocket serves c,
// and errGone when c was forgotten meanwhile.
func (h *Handler) attach(ctx context.Context, c *conn, a attachment) (stored bool, err error) {
	if !h.pages.claim(c) {
		return false, errGone
	}
	scopes := make([]*scope, 0, len(c.keys))
	counted := false
	undo := func(err error) (bool, error) {
		for _, s := range scopes {
			h.release(s)
		}
		if counted {
			h.addrConn.done(c.addr)
		}
		if !errors.Is(err, errTaken) {
			h.pages.release(c)
		}
		return false, err
	}
	if a.ws == nil {
		if !h.addrConn.add(c.addr) {
			return undo(errTooMany)
		}
		counted = true
	}
	stored = true
	for _, k := range c.keys {
		s, err := h.acquire(ctx, k, c.id, a.req)
		if err != nil {
			return undo(err)
		}
		scopes = append(scopes, s)
		if v := s.cur.Load().version; v == 0 && (k.kind == scopeGroup || !h.hasGroup) {
			stored = false
		}
	}
	c.mu.Lock()
	if c.ws != nil || c.polling {
		// Live already: a duplicated tab holds it. (A page that moves
		// from its WebSocket to HTTP is detached first.)
		c.mu.Unlock()
		return undo(errTaken)
	}
	if max := h.lim.MaxConnsPerGroup; max >= 0 && h.hasGroup && h.conns.GroupLen(c.id.GroupID) >= max {
		c.mu.Unlock()
		return undo(errTooMany)
	}
	c.scopes = scopes
	if a.ws != nil {
		c.ws, c.req, c.space = a.ws, a.req, make(chan struct{}, 1)
	} else {
		c.polling, c.notify = true, make(chan struct{}, 1)
	}
	c.touch()
	h.conns.Add(c, c.id.GroupID, c.id.UserID)
	for _, s := range scopes {
		s.add(c)
	}
	h.cache.give(c.cost.Swap(0)) // a kept first render is in use now
	resume := c.stream.Last() != nil && a.seq == c.seq
	if c.target == nil || c.targetOf != c.view() {
		c.dirty = true
	}
	c.full, c.ack = !resume, resume
	c.wakeLocked()
	c.mu.Unlock()
	h.connected(c)
	return stored, nil
}

// detach ends c's live connection if ws (nil for HTTP) still serves it:
// c leaves its scopes and waits in the page table, so that it can resume.
func (h *Handler) detach(c *conn, ws *transport.Conn) {
	c.mu.Lock()
	if (ws != nil && c.ws != ws) || (ws == nil && !c.polling) {
		c.mu.Unlock()
		return
	}
	polling, scopes := c.polling, c.scopes
	c.scopes, c.ws, c.req, c.polling, c.notify, c.out, c.space = nil, nil, nil, false, nil, nil, nil
	c.mu.Unlock()
	h.conns.Remove(c)
	if polling {
		h.addrConn.done(c.addr)
	}
	for _, s := range scopes {
		s.remove(c)
	}
	h.disconnected(c, scopes)
	for _, s := range scopes {
		h.release(s)
	}
	h.pages.release(c)
}
