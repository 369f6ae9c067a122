package protocol

import (
	"context"
	"errors"
	"net/http"
	"time"

	"github.com/lvtgo/livetemplate/internal/fault"
	"github.com/lvtgo/livetemplate/internal/page"
	"github.com/lvtgo/livetemplate/internal/runtime"
	"github.com/lvtgo/livetemplate/internal/wire"
	"github.com/lvtgo/livetemplate/telemetry"
	"github.com/lvtgo/livetemplate/transport"
)

// servePost carries one message over plain HTTP: the same messages and
// replies as the WebSocket, for clients that cannot open one. A page served
// this way is live while its client polls.
func (s *Server) servePost(w http.ResponseWriter, r *http.Request, v *runtime.View) {
	start, addr := time.Now(), s.o.ClientAddr(r)
	refuse := func(ref int64, fe *fault.Error) {
		s.refuse(fe, addr, telemetry.HTTP)
		fault.WriteHTTP(w, ref, fe)
	}
	body, err := s.post.ReadMessage(r)
	if err != nil {
		refuse(wire.FindRef(body), fault.As(err))
		return
	}
	id, ok := s.identify(w, r, func(fe *fault.Error) { refuse(wire.FindRef(body), fe) })
	if !ok {
		return
	}
	m, err := wire.Decode(body)
	if err != nil {
		refuse(wire.FindRef(body), fault.New(fault.Malformed, ""))
		return
	}
	ctx := r.Context()
	c := visitor{s: s, v: v, id: id, addr: addr, req: r, via: telemetry.HTTP}
	if m.T == wire.TypeNavigate {
		p, err := c.navigate(ctx, nil, m.Token, nil, m.Ref)
		if err != nil {
			s.postError(w, m.Ref, err, addr)
			return
		}
		s.writeTree(w, p, m.Ref)
		return
	}
	p := s.rt.Lookup(m.Token, id)
	if m.T == wire.TypePing {
		// The client checks the server is there; the page's next poll
		// tells it whether the server knows the page.
		if p != nil {
			p.Touch()
		}
		transport.WriteMessage(w, http.StatusOK, wire.AppendPong(nil, m.Ref))
		return
	}
	if m.T == wire.TypeAction && p == nil {
		// Another instance made the page (no balancer affinity), or this
		// one restarted: with its token checked, the page opens here and
		// the action applies; else the action is not applied and the
		// client's next poll gets a new page.
		if p, err = c.adopt(ctx, m.Token); p == nil {
			fe := fault.New(fault.NotLive, "")
			c.acted(v, m.Name, start, fe)(fault.WriteAction(w, m.Ref, fe), 0)
			return
		}
	}
	if p == nil || !p.Polling() {
		if p != nil {
			if old := p.Socket(); old != nil {
				// The page left its WebSocket for HTTP (the socket may look
				// alive here for a while yet): serve it by polls from now.
				s.rt.Detach(p, old)
				_ = old.Close(transport.CloseNormal, "the page moved to HTTP")
			}
		}
		var reload bool
		p, reload, err = c.open(ctx, m.Token, m.Seq, nil)
		switch {
		case reload:
			transport.WriteMessage(w, http.StatusOK, wire.AppendReload(nil, "state_lost"))
			return
		case err != nil:
			s.postError(w, m.Ref, err, addr)
			return
		}
	}
	p.Touch()
	switch m.T {
	case wire.TypeAction:
		redirect, fe := c.act(ctx, p, m, r)
		sent := c.acted(p.View.(*runtime.View), m.Name, start, fe)
		if fe != nil {
			sent(fault.WriteAction(w, m.Ref, fe), 0)
			return
		}
		transport.WriteMessage(w, http.StatusOK, p.Reply(m.Ref, redirect, sent))
	case wire.TypePoll:
		s.poll(ctx, w, p, m.Seq)
	case wire.TypeUpload, wire.TypeChunk, wire.TypeResume, wire.TypeCancel:
		msg := c.upload(ctx, p, m)
		if msg == nil {
			w.WriteHeader(http.StatusNoContent)
			return
		}
		transport.WriteMessage(w, http.StatusOK, msg)
	default: // join and sync: the full tree
		s.writeTree(w, p, 0)
	}
}

// poll answers a poll: at once with a full tree when the client does not
// hold what the page last sent, else with the next patch, or 204 when
// nothing changed within runtime.PollTimeout.
func (s *Server) poll(ctx context.Context, w http.ResponseWriter, p *page.Page, seq uint64) {
	p.PollStarted()
	defer p.PollEnded()
	t := time.NewTimer(runtime.PollTimeout)
	defer t.Stop()
	for first := true; ; first = false {
		msg, full, notify := p.Poll(seq, first)
		switch {
		case full:
			s.writeTree(w, p, 0)
			return
		case msg != nil:
			transport.WriteMessage(w, http.StatusOK, msg)
			return
		}
		select {
		case <-notify:
		case <-t.C:
			p.Touch()
			w.WriteHeader(http.StatusNoContent)
			return
		case <-ctx.Done():
			return
		case <-s.rt.Draining():
			fe := fault.New(fault.ShuttingDown, "")
			s.refuse(fe, p.Addr, telemetry.HTTP)
			fault.WriteHTTP(w, 0, fe)
			return
		}
		p.Touch()
	}
}

// writeTree answers with a full tree (answering navigate message ref).
func (s *Server) writeTree(w http.ResponseWriter, p *page.Page, ref int64) {
	msg, err := p.Tree(ref)
	if err != nil {
		fault.WriteHTTP(w, 0, fault.Wrap(fault.Internal, err))
		return
	}
	transport.WriteMessage(w, http.StatusOK, msg)
}

// postError answers an HTTP message whose page could not be opened.
func (s *Server) postError(w http.ResponseWriter, ref int64, err error, addr string) {
	fe := s.refused(err, "cannot open page")
	if errors.Is(err, page.ErrTaken) {
		fe = fault.New(fault.NotLive, "")
	}
	s.refuse(fe, addr, telemetry.HTTP)
	fault.WriteHTTP(w, ref, fe)
}
