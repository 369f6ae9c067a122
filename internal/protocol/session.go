package protocol

import (
	"context"
	"errors"
	"net/http"
	"time"

	"github.com/lvtgo/livetemplate/auth"
	"github.com/lvtgo/livetemplate/internal/fault"
	"github.com/lvtgo/livetemplate/internal/page"
	"github.com/lvtgo/livetemplate/internal/runtime"
	"github.com/lvtgo/livetemplate/internal/wire"
)

// visitor is one client as both transports see it: who it is, from where,
// the view of the URL it reached, and the request its page's Mount and
// Watcher stores see (the WebSocket's upgrade, or the POST).
type visitor struct {
	s    *Server
	v    *runtime.View
	id   auth.Identity
	addr string
	req  *http.Request
	via  string // the transport, as telemetry names it
}

// open returns the page a join or an HTTP message names, made live on sock
// (nil: HTTP polls): the page token names, resumed; or, when this server
// does not know the token but another instance of the app made it for this
// view and client, that page, opened here from the shared states (adopt);
// or a new page of the client's view whose first tree carries its token
// (a page never loaded, or forgotten). reload reports that the client holds
// a tree (seq > 0) of a state this server no longer has: it must load the
// page again.
func (c *visitor) open(ctx context.Context, token string, seq uint64, sock page.Socket) (p *page.Page, reload bool, err error) {
	rt := c.s.rt
	if p = rt.Lookup(token, c.id); p != nil {
		if sock != nil && p.Polling() {
			// The tab that polled the page joins over a WebSocket again
			// (the client retries one after falling back): the socket
			// takes the page over, with its own stores, as a POST takes
			// over a page from its socket. It starts with a full tree, as
			// the client's move expects.
			rt.Detach(p, nil)
			seq = 0
		}
		_, err = rt.Attach(ctx, p, sock, c.req, seq, 0)
		if errors.Is(err, page.ErrTaken) || errors.Is(err, page.ErrGone) {
			p, err = nil, nil
		}
		if p != nil || err != nil {
			return p, false, err
		}
	}
	if p, err = c.adopt(ctx, token); err != nil {
		return nil, false, err
	}
	if p == nil {
		if p, err = rt.Open(ctx, c.v, c.id, c.addr, c.req); err != nil {
			return nil, false, err
		}
	}
	stored, err := rt.Attach(ctx, p, sock, c.req, seq, 0)
	switch {
	case err != nil:
		rt.Forget(p)
		return nil, false, err
	case seq > 0 && !stored:
		// The client shows a state this server no longer has.
		rt.Detach(p, sock)
		rt.Forget(p)
		return nil, true, nil
	}
	return p, false, nil
}

// adopt returns the page of token made here by runtime.Adopt, when
// another instance of the app made the token for this view and client;
// nil when it did not (or the page is known here after all).
func (c *visitor) adopt(ctx context.Context, token string) (*page.Page, error) {
	p, err := c.s.rt.Adopt(ctx, c.v, token, c.id, c.addr, c.req)
	if p == nil && err == nil && c.s.rt.Lookup(token, c.id) != nil {
		return nil, nil // another request adopted it meanwhile: a new page here
	}
	return p, err
}

// navigate moves the client from page from (nil: none) to the page token
// names, a page of the same app loaded for a navigation GET, live on sock
// (nil: HTTP polls); its first tree answers navigate message ref. A page
// this app does not know (another app's, or loaded by another instance)
// fails with fault.UnknownPage: the client then loads the URL in full.
func (c *visitor) navigate(ctx context.Context, from *page.Page, token string, sock page.Socket, ref int64) (*page.Page, error) {
	rt := c.s.rt
	p := rt.Lookup(token, c.id)
	switch {
	case p == nil || p == from:
		return nil, fault.New(fault.UnknownPage, "")
	case sock == nil && p.Polling():
		// Over HTTP a poll of the client may have reached the new page
		// first: it is live on polls already, which is where it goes (the
		// answer is its tree).
		return p, nil
	case p.Live():
		return nil, fault.New(fault.UnknownPage, "") // another connection serves it
	}
	if from != nil {
		rt.Detach(from, sock)
	}
	_, err := rt.Attach(ctx, p, sock, c.req, 0, ref)
	if err == nil {
		return p, nil
	}
	if from != nil {
		// Stay where the client was: it loads the URL in full next.
		if _, rerr := rt.Attach(ctx, from, sock, c.req, from.Seq(), 0); rerr != nil {
			return nil, rerr
		}
	}
	if errors.Is(err, page.ErrTaken) || errors.Is(err, page.ErrGone) {
		return nil, fault.New(fault.UnknownPage, "")
	}
	return nil, err
}

// act applies an action of page p, rate-limited per group and address, and
// returns the redirect it asks for, or the error that answers it.
func (c *visitor) act(ctx context.Context, p *page.Page, m wire.Message, req *http.Request) (string, *fault.Error) {
	if fe := c.s.rt.Allow(p); fe != nil {
		c.s.refuse(fe, c.addr, c.via)
		return "", fe
	}
	files, settle, fe := c.claim(p, m)
	if fe != nil {
		return "", fe
	}
	redirect, err := c.s.rt.Act(ctx, p, m.Name, m.Data, req, files)
	settle(err == nil)
	if err != nil {
		fe := fault.As(err)
		if fe.Logged() {
			c.s.log.Error("action failed", "page", p.LogID, "action", wire.Echo(m.Name), "err", err)
		}
		return "", fe
	}
	return redirect, nil
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

// expiry closes sock when the identity's credentials expire; the returned
// timer is stopped when the socket ends (nil: they do not expire).
func expiry(id auth.Identity, closeFn func()) *time.Timer {
	if id.Expires.IsZero() {
		return nil
	}
	return time.AfterFunc(time.Until(id.Expires), closeFn)
}
