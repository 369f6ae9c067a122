package livetemplate

import (
	"context"
	"errors"
	"net/http"
	"sync"
	"time"

	"github.com/lvtgo/livetemplate/auth"
	"github.com/lvtgo/livetemplate/internal/wire"
	"github.com/lvtgo/livetemplate/transport"
)

// serveSocket runs one WebSocket connection.
func (h *Handler) serveSocket(w http.ResponseWriter, r *http.Request) {
	id, ok := h.identify(w, r)
	if !ok {
		return
	}
	addr := h.clientIP(r)
	h.ws.Serve(w, r, func(tc *transport.Conn) (transport.Session, error) {
		if !h.unjoined.add(unjoinedKey) {
			return nil, &transport.CloseError{Code: transport.CloseTryAgainLater, Reason: "server busy"}
		}
		if !h.addrConn.add(addr) {
			h.unjoined.done(unjoinedKey)
			return nil, &transport.CloseError{Code: wire.CloseTooMany, Reason: "too many connections"}
		}
		s := &socket{h: h, tc: tc, id: id, addr: addr, req: liveRequest(r, tc.Context())}
		s.timer = time.AfterFunc(h.lim.JoinTimeout, s.joinTimeout)
		return s, nil
	})
}

// liveRequest is what ActionContext.Request returns for the actions of a
// WebSocket: the upgrade request, with the connection's context and only
// the headers that describe the client (keptHeaders). It lives as long as
// the connection, so it keeps no more than that: the whole header of an
// upgrade costs an idle connection about a kilobyte.
func liveRequest(r *http.Request, ctx context.Context) *http.Request {
	r2 := r.WithContext(ctx)
	h := make(http.Header, len(keptHeaders))
	for _, k := range keptHeaders {
		if v, ok := r.Header[k]; ok {
			h[k] = v
		}
	}
	r2.Header = h
	return r2
}

// keptHeaders are the request headers ActionContext.Request keeps for the
// actions of a WebSocket.
var keptHeaders = []string{
	"Accept-Language", "Authorization", "Cookie", "Forwarded", "Origin", "Referer",
	"User-Agent", "X-Forwarded-For", "X-Forwarded-Host", "X-Forwarded-Proto", "X-Real-Ip",
}

// socket is the transport Session of one WebSocket: it joins a page, then
// carries its actions. Handle, TooLarge and Closed run on the connection's
// reader, one at a time; Next runs on its writer.
type socket struct {
	h      *Handler
	tc     *transport.Conn
	id     auth.Identity
	addr   string
	req    *http.Request
	timer  *time.Timer // closes the socket if no join comes
	expiry *time.Timer // closes the socket when its credentials expire

	mu     sync.Mutex
	c      *conn    // after join
	early  [][]byte // messages before the join (errors, reload)
	joined bool     // the join timer no longer counts this socket
}

// maxEarly bounds the messages a socket sends before its join.
const maxEarly = 8

// Handle implements transport.Session.
func (s *socket) Handle(ctx context.Context, msg []byte) {
	m, err := wire.Decode(msg)
	if err != nil {
		s.reply(wire.AppendError(nil, wire.FindRef(msg), wire.CodeBadRequest, "Malformed message.", nil))
		return
	}
	c := s.page()
	if c == nil && m.T != wire.TypeJoin {
		s.reply(wire.AppendError(nil, m.Ref, wire.CodeBadRequest, "Join first.", nil))
		return
	}
	switch m.T {
	case wire.TypeJoin:
		if c != nil {
			s.reply(wire.AppendError(nil, m.Ref, wire.CodeBadRequest, "Already joined.", nil))
			return
		}
		s.join(ctx, m)
	case wire.TypeAction:
		s.action(ctx, c, m)
	case wire.TypeSync:
		c.touch()
		c.mu.Lock()
		c.full = true
		c.wakeLocked()
		c.mu.Unlock()
	default: // poll is for HTTP
		s.reply(wire.AppendError(nil, m.Ref, wire.CodeBadRequest, "Unsupported message.", nil))
	}
}

// TooLarge implements transport.Session.
func (s *socket) TooLarge(_ context.Context, prefix []byte) {
	s.reply(wire.AppendError(nil, wire.FindRef(prefix), wire.CodeTooLarge, "Message too large.", nil))
}

// Next implements transport.Session.
func (s *socket) Next() []byte {
	s.mu.Lock()
	if len(s.early) > 0 {
		msg := s.early[0]
		s.early = s.early[1:]
		s.mu.Unlock()
		return msg
	}
	c := s.c
	s.mu.Unlock()
	if c == nil {
		return nil
	}
	return c.next(s.tc)
}

// Closed implements transport.Session.
func (s *socket) Closed(error) {
	s.mu.Lock()
	if s.timer != nil {
		s.timer.Stop()
	}
	if s.expiry != nil {
		s.expiry.Stop()
	}
	c, joined := s.c, s.joined
	s.joined = true
	s.mu.Unlock()
	if !joined {
		s.h.unjoined.done(unjoinedKey)
	}
	s.h.addrConn.done(s.addr)
	if c != nil {
		c.touch()
		s.h.detach(c, s.tc)
	}
}

func (s *socket) page() *conn {
	s.mu.Lock()
	defer s.mu.Unlock()
	return s.c
}

// reply sends msg: before the join from the socket's own short queue, after
// it through the page, which keeps it in order with the page's replies.
func (s *socket) reply(msg []byte) {
	s.mu.Lock()
	c := s.c
	if c == nil {
		if len(s.early) < maxEarly {
			s.early = append(s.early, msg)
		}
		s.mu.Unlock()
		s.tc.Wake()
		return
	}
	s.mu.Unlock()
	c.push(s.tc, msg)
}

// joinTimeout closes a socket that has not joined in time.
func (s *socket) joinTimeout() {
	s.mu.Lock()
	joined := s.joined
	s.mu.Unlock()
	if !joined {
		_ = s.tc.Close(wire.CloseJoinTimeout, "join timeout")
	}
}

// join attaches the socket to the page its token names, or to a new page
// when the token names none (a page never loaded here, or forgotten, say
// after a server restart): that page's first tree carries its new token.
// A client that held a tree of a group whose state is gone is told to
// reload.
func (s *socket) join(ctx context.Context, m wire.Message) {
	h := s.h
	s.mu.Lock()
	s.joined = true
	s.timer.Stop()
	s.timer = nil
	s.mu.Unlock()
	h.unjoined.done(unjoinedKey)

	a := attachment{ws: s.tc, req: s.req, seq: m.Seq}
	c := h.pages.lookup(m.Token, s.id)
	var err error
	// The socket names its page only once it is settled: what attach
	// wakes the writer for is sent by the Wake at the end.
	if c != nil {
		_, err = h.attach(ctx, c, a) // a page this server knows: its state is here
		if errors.Is(err, errTaken) || errors.Is(err, errGone) {
			c, err = nil, nil
		}
	}
	if c == nil && err == nil {
		c, err = h.newConn(ctx, s.id, s.addr, s.req)
		if err == nil {
			c.newToken = true
			h.pages.addLive(c)
			var stored bool
			stored, err = h.attach(ctx, c, a)
			if err != nil {
				h.pages.forget(c)
			} else if m.Seq > 0 && !stored {
				// The client shows a state this server no longer has.
				h.detach(c, s.tc)
				h.pages.forget(c)
				s.reply(wire.AppendReload(nil, "state_lost"))
				_ = s.tc.Close(transport.CloseNormal, "state lost")
				return
			}
		}
	}
	if err != nil {
		s.refuse(err)
		return
	}
	s.setPage(c)
	if exp := s.id.Expires; !exp.IsZero() {
		s.expiry = time.AfterFunc(time.Until(exp), func() {
			_ = s.tc.Close(wire.CloseUnauthorized, "session expired")
		})
	}
	s.tc.Wake()
}

func (s *socket) setPage(c *conn) {
	s.mu.Lock()
	s.c = c
	s.mu.Unlock()
}

// refuse closes the socket after a failed join, with a code the client can
// act on.
func (s *socket) refuse(err error) {
	var ue *UserError
	switch {
	case errors.Is(err, errTooMany):
		_ = s.tc.Close(wire.CloseTooMany, "too many connections")
	case errors.As(err, &ue):
		_ = s.tc.Close(transport.ClosePolicy, ue.Message)
	case errors.Is(err, ErrClosed), errors.Is(err, context.Canceled):
		_ = s.tc.Close(transport.CloseGoingAway, "server shutting down")
	default:
		s.h.log.Error("cannot open page", "err", err)
		_ = s.tc.Close(transport.CloseInternal, "cannot open page")
	}
}

// action applies one action and replies to it, exactly once: the reply's
// place is reserved first, so that it carries the action's patch and stays
// in order with the page's other messages.
func (s *socket) action(ctx context.Context, c *conn, m wire.Message) {
	h := s.h
	c.touch()
	if !c.reserve(ctx, s.tc, m.Ref) {
		return
	}
	if ok, _ := h.allow(c); !ok {
		c.settle(s.tc, m.Ref, wire.AppendError(nil, m.Ref, wire.CodeRateLimited, "Too many actions; slow down.", nil))
		return
	}
	if err := h.act(ctx, c, action{name: m.Name, data: m.Data, req: s.req}); err != nil {
		c.settle(s.tc, m.Ref, h.errorReply(c, m.Ref, m.Name, err))
		return
	}
	c.settle(s.tc, m.Ref, nil)
}

// allow takes one action from the budgets of c's group and c's client
// address; when either is spent it returns how long until one is back.
func (h *Handler) allow(c *conn) (bool, time.Duration) {
	now := time.Now()
	if ok, retry := h.groupAct.reserve(c.id.GroupID, now); !ok {
		return false, retry
	}
	return h.addrAct.reserve(c.addr, now)
}
