package protocol

import (
	"context"
	"net/http"
	"slices"
	"strconv"
	"sync"
	"time"

	"github.com/lvtgo/livetemplate/internal/fault"
	"github.com/lvtgo/livetemplate/internal/page"
	"github.com/lvtgo/livetemplate/internal/runtime"
	"github.com/lvtgo/livetemplate/internal/wire"
	"github.com/lvtgo/livetemplate/telemetry"
	"github.com/lvtgo/livetemplate/transport"
)

// serveSocket upgrades r and runs its WebSocket: counted in the page table
// (the client's address, and the sockets that have not joined) until it
// ends.
func (s *Server) serveSocket(w http.ResponseWriter, r *http.Request, v *runtime.View) {
	addr := s.o.ClientAddr(r)
	id, ok := s.identify(w, r, s.refusing(plain(w), addr, telemetry.WebSocket))
	if !ok {
		return
	}
	s.ws.Serve(w, r, func(tc *transport.Conn) (transport.Session, error) {
		if fe := s.rt.Pages().Open(addr); fe != nil {
			s.refuse(fe, addr, telemetry.WebSocket)
			code, reason := fault.CloseCode(fe)
			return nil, &transport.CloseError{Code: code, Reason: reason}
		}
		so := &socket{c: visitor{s: s, v: v, id: id, addr: addr, req: liveRequest(r, tc.Context()), via: telemetry.WebSocket}, tc: tc}
		so.timer = time.AfterFunc(s.lim.JoinTimeout, so.joinTimeout)
		return so, nil
	})
}

// socket is the transport.Session of one WebSocket: it joins a page, then
// carries its actions, syncs and navigations. Handle, TooLarge and Closed
// run on the connection's reader, one at a time; Next runs on its writer.
type socket struct {
	c     visitor
	tc    *transport.Conn
	timer *time.Timer // closes the socket if no join comes

	mu     sync.Mutex
	p      *page.Page // after the join
	early  [][]byte   // messages before the join (errors), and pongs
	side   []side     // answers to upload messages, the newest per file
	joined bool       // the table no longer counts the socket as waiting
	expiry *time.Timer
}

// maxEarly bounds the messages a socket sends before its join.
const maxEarly = 8

// side is an answer to an upload message, waiting to be written: key is
// the file's id (a newer answer about the file replaces it: progress is
// conflated) or the upload message's ref.
type side struct {
	key string
	msg []byte
}

// maxSide bounds the upload answers waiting: more files than a page may
// upload at once (upload.Options.MaxPerPage's default), plus starts.
const maxSide = 128

// answer queues an upload answer, replacing the waiting one of the same
// key; an answer beyond maxSide is dropped (the client asks again with a
// resume when an answer does not come).
func (so *socket) answer(key string, msg []byte) {
	so.mu.Lock()
	i := slices.IndexFunc(so.side, func(s side) bool { return s.key == key })
	switch {
	case i >= 0:
		so.side[i].msg = msg
	case len(so.side) < maxSide:
		so.side = append(so.side, side{key, msg})
	}
	so.mu.Unlock()
	so.tc.Wake()
}

// Handle implements transport.Session.
func (so *socket) Handle(ctx context.Context, msg []byte) {
	m, err := wire.Decode(msg)
	if err != nil {
		so.refuse(wire.FindRef(msg), fault.New(fault.Malformed, ""))
		return
	}
	p := so.page()
	if m.T == wire.TypePing {
		// A pong says the connection carries messages both ways: it goes
		// ahead of the page's messages (a reply held for a slow action
		// must not make a live socket look dead).
		if p != nil {
			p.Touch()
		}
		so.mu.Lock()
		if len(so.early) < maxEarly {
			so.early = append(so.early, wire.AppendPong(nil, m.Ref))
		}
		so.mu.Unlock()
		so.tc.Wake()
		return
	}
	if p == nil && m.T != wire.TypeJoin {
		so.refuse(m.Ref, fault.New(fault.Protocol, "Join first."))
		return
	}
	switch m.T {
	case wire.TypeJoin:
		if p != nil {
			so.refuse(m.Ref, fault.New(fault.Protocol, "Already joined."))
			return
		}
		so.join(ctx, m)
	case wire.TypeAction:
		so.action(ctx, p, m)
	case wire.TypeSync:
		p.Touch()
		p.Resync(0)
	case wire.TypeNavigate:
		so.navigate(ctx, p, m)
	case wire.TypeUpload, wire.TypeChunk, wire.TypeResume, wire.TypeCancel:
		p.Touch()
		if msg := so.c.upload(ctx, p, m); msg != nil {
			key := m.ID
			if m.T == wire.TypeUpload {
				key = "ref:" + strconv.FormatInt(m.Ref, 10)
			}
			so.answer(key, msg)
		}
	default: // poll is for HTTP
		so.refuse(m.Ref, fault.New(fault.Protocol, "Unsupported message."))
	}
}

// TooLarge implements transport.Session.
func (so *socket) TooLarge(_ context.Context, prefix []byte) {
	so.refuse(wire.FindRef(prefix), fault.New(fault.TooLarge, ""))
}

// refuse answers message ref with e, reported as a refusal.
func (so *socket) refuse(ref int64, e *fault.Error) {
	so.c.s.refuse(e, so.c.addr, telemetry.WebSocket)
	so.reply(fault.Reply(nil, ref, e))
}

// Next implements transport.Session.
func (so *socket) Next() []byte {
	so.mu.Lock()
	if len(so.early) > 0 {
		msg := so.early[0]
		so.early = so.early[1:]
		so.mu.Unlock()
		return msg
	}
	if len(so.side) > 0 {
		msg := so.side[0].msg
		so.side = so.side[1:]
		so.mu.Unlock()
		return msg
	}
	p := so.p
	so.mu.Unlock()
	if p == nil {
		return nil
	}
	return p.Next(so.tc)
}

// Closed implements transport.Session.
func (so *socket) Closed(error) {
	so.mu.Lock()
	so.timer.Stop()
	if so.expiry != nil {
		so.expiry.Stop()
	}
	p, joined := so.p, so.joined
	so.joined = true
	so.mu.Unlock()
	pages := so.c.s.rt.Pages()
	if !joined {
		pages.Joined(so.c.addr)
	}
	pages.Closed(so.c.addr)
	if p != nil {
		p.Touch()
		so.c.s.rt.Detach(p, so.tc)
	}
}

func (so *socket) page() *page.Page {
	so.mu.Lock()
	defer so.mu.Unlock()
	return so.p
}

func (so *socket) setPage(p *page.Page) {
	so.mu.Lock()
	so.p = p
	so.mu.Unlock()
}

// reply sends msg: before the join from the socket's own short queue, after
// it through the page, which keeps it in order with the page's replies.
func (so *socket) reply(msg []byte) {
	so.mu.Lock()
	p := so.p
	if p == nil {
		if len(so.early) < maxEarly {
			so.early = append(so.early, msg)
		}
		so.mu.Unlock()
		so.tc.Wake()
		return
	}
	so.mu.Unlock()
	p.Push(so.tc, msg)
}

// joinTimeout closes a socket that has not joined in time.
func (so *socket) joinTimeout() {
	so.mu.Lock()
	joined := so.joined
	so.mu.Unlock()
	if !joined {
		so.c.s.report(telemetry.RefusedJoinTimeout, "", so.c.addr, telemetry.WebSocket)
		_ = so.tc.Close(wire.CloseJoinTimeout, "join timeout")
	}
}

// join attaches the socket to the page its token names, or to a new page
// (client.open). A client that held a tree of a state that is gone is told
// to reload.
func (so *socket) join(ctx context.Context, m wire.Message) {
	so.mu.Lock()
	so.joined = true
	so.timer.Stop()
	so.mu.Unlock()
	so.c.s.rt.Pages().Joined(so.c.addr)

	p, reload, err := so.c.open(ctx, m.Token, m.Seq, so.tc)
	switch {
	case reload:
		so.reply(wire.AppendReload(nil, "state_lost"))
		_ = so.tc.Close(transport.CloseNormal, "state lost")
		return
	case err != nil:
		so.fail(err)
		return
	}
	// The socket names its page only once it is settled: what Attach woke
	// the writer for is sent by the Wake below.
	so.setPage(p)
	so.mu.Lock()
	so.expiry = expiry(so.c.id, func() { _ = so.tc.Close(wire.CloseUnauthorized, "session expired") })
	so.mu.Unlock()
	so.tc.Wake()
}

// fail closes the socket after a failed join or navigation, with a code
// the client can act on.
func (so *socket) fail(err error) {
	fe := so.c.s.refused(err, "cannot open page")
	so.c.s.refuse(fe, so.c.addr, telemetry.WebSocket)
	code, reason := fault.CloseCode(fe)
	_ = so.tc.Close(code, reason)
}

// action applies one action and replies to it, exactly once: the reply's
// place is reserved first, so that it carries the action's patch and stays
// in order with the page's other messages.
func (so *socket) action(ctx context.Context, p *page.Page, m wire.Message) {
	start := time.Now()
	p.Touch()
	if !p.Reserve(ctx, so.tc, m.Ref) {
		return
	}
	redirect, fe := so.c.act(ctx, p, m, so.c.req)
	sent := so.c.acted(p.View.(*runtime.View), m.Name, start, fe)
	if fe != nil {
		p.Settle(so.tc, m.Ref, fault.Reply(nil, m.Ref, fe), "", sent)
		return
	}
	p.Settle(so.tc, m.Ref, nil, redirect, sent)
}

// navigate moves the socket to the page a navigation GET made: its first
// tree answers the navigate message. When the page cannot be had the reply
// says so (the client loads the URL in full); when the new page cannot be
// made live, the socket is closed as after a failed join.
func (so *socket) navigate(ctx context.Context, from *page.Page, m wire.Message) {
	p, err := so.c.navigate(ctx, from, m.Token, so.tc, m.Ref)
	if fe := fault.As(err); fe != nil && fe.Kind == fault.UnknownPage {
		from.Push(so.tc, fault.Reply(nil, m.Ref, fe))
		return
	}
	if err != nil {
		so.setPage(nil)
		so.fail(err)
		return
	}
	so.setPage(p)
	so.tc.Wake()
}
