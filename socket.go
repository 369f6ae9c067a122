package livetemplate

import (
	"context"
	"net/http"

	"github.com/lvtgo/livetemplate/auth"
	"github.com/lvtgo/livetemplate/diff"
	"github.com/lvtgo/livetemplate/internal/wire"
	"github.com/lvtgo/livetemplate/transport"
)

// serveSocket runs one WebSocket connection.
func (h *handler) serveSocket(w http.ResponseWriter, r *http.Request) {
	id, ok := h.identify(w, r)
	if !ok {
		return
	}
	h.ws.Serve(w, r, func(tc *transport.Conn) (transport.Session, error) {
		return &socket{h: h, tc: tc, id: id, req: r.Clone(tc.Context())}, nil
	})
}

// socket is the Session of one WebSocket: it joins a page, then carries its
// actions. Its methods run on the connection's read loop, one at a time.
type socket struct {
	h   *handler
	tc  *transport.Conn
	id  auth.Identity
	req *http.Request
	c   *conn // after join
}

// Handle implements transport.Session.
func (s *socket) Handle(ctx context.Context, msg []byte) {
	m, err := wire.Decode(msg)
	if err != nil {
		s.send(wire.AppendError(nil, wire.FindRef(msg), wire.CodeBadRequest, "Malformed message.", nil))
		return
	}
	if s.c == nil && m.T != wire.TypeJoin {
		s.send(wire.AppendError(nil, m.Ref, wire.CodeBadRequest, "Join first.", nil))
		return
	}
	switch m.T {
	case wire.TypeJoin:
		if s.c != nil {
			s.send(wire.AppendError(nil, m.Ref, wire.CodeBadRequest, "Already joined.", nil))
			return
		}
		s.join(ctx, m)
	case wire.TypeAction:
		s.c.touch()
		s.h.act(ctx, s.c, m, s.send)
	case wire.TypeSync:
		s.sync(ctx)
	default: // poll is for HTTP
		s.send(wire.AppendError(nil, m.Ref, wire.CodeBadRequest, "Unsupported message.", nil))
	}
}

// TooLarge implements transport.Session.
func (s *socket) TooLarge(_ context.Context, prefix []byte) {
	s.send(wire.AppendError(nil, wire.FindRef(prefix), wire.CodeTooLarge, "Message too large.", nil))
}

// Closed implements transport.Session.
func (s *socket) Closed(error) {
	c := s.c
	if c == nil {
		return
	}
	c.g.mu.Lock()
	if c.ws == s.tc {
		c.ws = nil
		s.h.conns.Remove(c)
		c.polling = false
	}
	c.g.mu.Unlock()
	c.touch()
	c.attached.Store(false)
}

func (s *socket) send(msg []byte) {
	if err := s.tc.Send(msg); err != nil {
		s.h.log.Debug("send failed", "conn", s.tc.ID(), "err", err)
	}
}

// join attaches the WebSocket to the page its token names (or to a new page
// state when the token is unknown, say after a server restart) and sends the
// full tree, or just a patch when the client resumes what it holds.
func (s *socket) join(ctx context.Context, m wire.Message) {
	h := s.h
	c := h.lookupToken(m.Token, s.id)
	if c != nil && !c.attached.CompareAndSwap(false, true) {
		c = nil // another tab (a duplicated one) holds this page
	}
	if c == nil {
		nc, err := h.newConn(ctx, s.id, s.req)
		if err != nil {
			_ = s.tc.Close("cannot open page")
			return
		}
		c = nc
		c.attached.Store(true)
	}
	g := c.g
	if err := g.mu.LockContext(ctx); err != nil {
		c.attached.Store(false)
		return
	}
	defer g.mu.Unlock()
	if h.lim.MaxConnsPerGroup > 0 && h.conns.GroupLen(g.id) >= h.lim.MaxConnsPerGroup {
		c.attached.Store(false)
		_ = s.tc.Close("too many connections")
		return
	}
	c.ws, c.polling = s.tc, false
	h.conns.Add(c, g.id, c.id.UserID)
	s.c = c
	c.touch()
	c.contacted.Store(true)
	if c.last != nil && m.Seq == c.seq { // the client holds c.last: resume
		if tree, err := h.render(g, c); err == nil {
			patch, _ := diff.Diff(c.last, tree).MarshalJSON()
			c.last = tree
			c.seq++
			s.send(wire.AppendPatch(nil, c.seq, patch))
			return
		}
	}
	msg, err := h.fullTree(g, c)
	if err != nil {
		h.log.Error("render failed", "conn", c.logID, "err", err)
		_ = s.tc.Close("render failed")
		return
	}
	s.send(msg)
}

// sync answers a client that lost track with a full tree.
func (s *socket) sync(ctx context.Context) {
	g := s.c.g
	if err := g.mu.LockContext(ctx); err != nil {
		return
	}
	defer g.mu.Unlock()
	msg, err := s.h.fullTree(g, s.c)
	if err != nil {
		s.h.log.Error("render failed", "conn", s.c.logID, "err", err)
		s.send(wire.AppendError(nil, 0, wire.CodeInternal, "Something went wrong.", nil))
		return
	}
	s.send(msg)
}
