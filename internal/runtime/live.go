package runtime

import (
	"context"
	"crypto/rand"
	"encoding/base64"
	mrand "math/rand/v2"
	"net/http"
	"strconv"
	"time"

	"github.com/lvtgo/livetemplate/auth"
	"github.com/lvtgo/livetemplate/internal/fault"
	"github.com/lvtgo/livetemplate/internal/page"
	"github.com/lvtgo/livetemplate/internal/schema"
	"github.com/lvtgo/livetemplate/internal/state"
	"github.com/lvtgo/livetemplate/telemetry"
)

// A page's life: Load makes and renders it for a page load, and it waits in
// the page table for its connection; Open makes one for a connection that
// names no page this server knows; Attach makes it live, on a WebSocket or
// on HTTP polls, with the states it shows in memory; Detach ends that, and
// the page waits again for a while so that it can resume.

// errClosing refuses pages once the runtime stops.
var errClosing = fault.New(fault.ShuttingDown, "")

// NewToken returns a random 128-bit token.
func NewToken() string {
	var b [16]byte
	_, _ = rand.Read(b[:]) // never fails (crypto/rand)
	return base64.RawURLEncoding.EncodeToString(b[:])
}

// Loading is a page load: of view View by ID from address Addr with the
// request Request; From is the token of the page the client leaves when it
// navigates live (its flash messages set aside for the next page come
// along), Flash the id of flash messages parked for this load (the cookie
// a redirect set).
type Loading struct {
	View    *View
	ID      auth.Identity
	Addr    string
	Request *http.Request
	From    string
	Flash   string
}

// Loaded is what a page load answers: the page and its HTML, or the URL a
// Mount redirected to instead, with the id of the flash messages parked
// for it (to set as a cookie; empty when none).
type Loaded struct {
	Page     *page.Page
	HTML     string
	Redirect string
	Parked   string
}

// Load makes a page for a page load, renders it, and keeps it waiting for
// its connection (at most FreshTimeout, and within the table's bounds);
// nothing is stored for its states.
func (rt *Runtime) Load(ctx context.Context, l Loading) (Loaded, error) {
	if rt.Closing() {
		return Loaded{}, errClosing
	}
	if err := rt.allowPage(l.Addr); err != nil {
		return Loaded{}, err
	}
	var flash []page.Flash
	var fp *page.Page
	if l.From != "" {
		if fp = rt.pages.Lookup(l.From, l.ID); fp != nil {
			flash = fp.Leaving()
			if fp.Polling() {
				// An HTTP page the client leaves stops counting as live now,
				// not when it would have stopped polling (a WebSocket moves
				// with its navigate message).
				rt.Detach(fp, nil)
			}
		}
	}
	if l.Flash != "" {
		flash = mergeFlash(flash, rt.parked.take(l.Flash, l.ID.GroupID, time.Now()))
	}
	p, redirect, err := rt.newPage(ctx, l.View, l.ID, l.Addr, l.Request, flash)
	if err != nil {
		return Loaded{}, err
	}
	if redirect != "" {
		// The Mount's flash goes where the redirect does: with the page
		// the client navigates from, or parked for its next page load.
		out := Loaded{Redirect: redirect}
		if f := p.Private().Flash; len(f) > 0 {
			if fp != nil {
				fp.SetLeaving(f)
			} else {
				out.Parked = rt.parked.park(l.ID.GroupID, f, time.Now())
			}
		}
		return out, nil
	}
	v := l.View
	states, err := rt.acquire(ctx, v, p.Keys, l.ID, l.Request)
	if err != nil {
		return Loaded{}, err
	}
	defer rt.release(states)
	b := basisOf(p, states)
	p.SetStates(states)
	t, err := v.renderFrom(p, b)
	p.SetStates(nil)
	if err != nil {
		return Loaded{}, err
	}
	html := t.HTML()
	rt.pages.AddFresh(p, t, v.tagKey(p, b), int64(len(html)))
	return Loaded{Page: p, HTML: html}, nil
}

// Open makes a page of view v for a connection (r: the WebSocket's upgrade
// or the first POST) that names no page this server knows: a page never
// loaded here, or forgotten (say after a restart). Its first tree carries
// its token. A redirect its Mount asks for is not followed.
func (rt *Runtime) Open(ctx context.Context, v *View, id auth.Identity, addr string, r *http.Request) (*page.Page, error) {
	if rt.Closing() {
		return nil, errClosing
	}
	if err := rt.allowPage(addr); err != nil {
		return nil, err
	}
	p, _, err := rt.newPage(ctx, v, id, addr, r, nil)
	if err != nil {
		return nil, err
	}
	p.MarkNew()
	rt.pages.AddLive(p)
	return p, nil
}

// Adopt makes a page of view v for a connection whose token names no page
// this server knows but was made by an instance of the app (it shares the
// key) for v and id: the client reached another instance than the one
// that served its page (no balancer affinity), or this one restarted. The
// page keeps the client's token, starts from the shared states (its
// PerConnection stores mount afresh with r), and gives the client a full
// tree. It returns nil when the token was not made for v and id.
func (rt *Runtime) Adopt(ctx context.Context, v *View, token string, id auth.Identity, addr string, r *http.Request) (*page.Page, error) {
	if rt.Closing() {
		return nil, errClosing
	}
	if token == "" || !rt.o.Tokens.Check(token, v.id, id, time.Now()) {
		return nil, nil
	}
	if err := rt.allowPage(addr); err != nil {
		return nil, err
	}
	p, _, err := rt.newPage(ctx, v, id, addr, r, nil)
	if err != nil {
		return nil, err
	}
	p = page.New(token, id, addr, v, p.Keys, p.Private())
	// A random base far from any other stream's seqs (below 2^53, which a
	// JavaScript number holds exactly).
	p.StartSeqAt(1<<32 + mrand.Uint64N(1<<48))
	if !rt.pages.Adopt(p) {
		return nil, nil // another request adopted it meanwhile: the caller looks again
	}
	return p, nil
}

// newPage makes a page of view v for id, with its page-scoped stores
// mounted with r; flash are the flash messages it starts with.
func (rt *Runtime) newPage(ctx context.Context, v *View, id auth.Identity, addr string, r *http.Request, flash []page.Flash) (*page.Page, string, error) {
	priv := &page.Private{}
	c := &Call{ctx: ctx, action: "mount", id: id, req: r, view: v, hosts: rt.o.RedirectHosts, paged: true}
	if v.private {
		priv.Stores = make([]any, len(v.slots))
		for i, s := range v.slots {
			if s.Decl.Shared() {
				continue
			}
			store := s.Decl.Fresh()
			if s.Decl.Mounter {
				if err := rt.o.Hooks.Mount(store, c); err != nil {
					return nil, "", err
				}
			}
			priv.Stores[i] = store
		}
	}
	if flash = mergeFlash(flash, c.flash); len(flash) > 0 {
		priv.Flash, priv.FlashData = flash, rt.o.Hooks.Flash(flash)
	}
	return page.New(rt.o.Tokens.Make(v.id, id, time.Now()), id, addr, v, v.Keys(r, id), priv), c.redirect, nil
}

// mountShared is the state table's Mount: a shared store that starts
// afresh runs its Mount with the request of the page that opens it (none
// for a server push).
func (rt *Runtime) mountShared(ctx context.Context, d *schema.Decl, store any, id auth.Identity, r *http.Request) error {
	if !d.Mounter {
		return nil
	}
	return rt.o.Hooks.Mount(store, &Call{ctx: ctx, action: "mount", id: id, req: r})
}

// acquire loads the states keys name, with the stores v shows in each.
func (rt *Runtime) acquire(ctx context.Context, v *View, keys []state.Key, id auth.Identity, r *http.Request) ([]*state.State, error) {
	states := make([]*state.State, 0, len(keys))
	for k, key := range keys {
		s, err := rt.states.Acquire(ctx, key, v.decls(k), id, r)
		if err != nil {
			rt.release(states)
			return nil, err
		}
		states = append(states, s)
	}
	return states, nil
}

func (rt *Runtime) release(states []*state.State) {
	for _, s := range states {
		rt.states.Release(s)
	}
}

// Attach makes page p live on sock (nil: HTTP polls): it loads the states p
// shows and enters p in the page table's indexes; p's next message is a
// full tree (answering navigate message ref, if not 0), or, when the
// client's seq says it holds what p last sent, a patch from there. req is
// what the page's Mount and Watcher stores see (the WebSocket's upgrade or
// the first POST). stored reports whether p's group state (or, without one,
// each of its states) was found in the session store. It fails with
// page.ErrGone, page.ErrTaken, or a *fault.Error (too many connections, the
// store failing, shutting down).
func (rt *Runtime) Attach(ctx context.Context, p *page.Page, sock page.Socket, req *http.Request, seq uint64, ref int64) (stored bool, err error) {
	v := p.View.(*View)
	start := time.Now()
	states, err := rt.acquire(ctx, v, p.Keys, p.ID, req)
	if err != nil {
		return false, err
	}
	stored = true
	for k, s := range states {
		if s.Current().Version() == 0 && (p.Keys[k].Scope == schema.Group || !v.group) {
			stored = false
		}
	}
	err = rt.pages.Attach(p, page.Attachment{
		Socket: sock, Request: req, Seq: seq, States: states, Group: v.group, Ref: ref,
		Reuse: func(key string) bool { return key == v.tagKey(p, basisOf(p, states)) },
	})
	if err != nil {
		rt.release(states)
		return false, err
	}
	rt.sink.Record(telemetry.Event{Kind: telemetry.Join, View: v.id, Transport: transportOf(sock), Duration: time.Since(start)})
	rt.connected(p)
	return stored, nil
}

// transportOf names the transport of a page served by sock (nil: HTTP).
func transportOf(sock page.Socket) string {
	if sock == nil {
		return telemetry.HTTP
	}
	return telemetry.WebSocket
}

// Detach ends page p's live connection if sock (nil for HTTP polls) still
// serves it: p leaves the indexes, its Watcher stores hear of it, its states
// are released, and it waits in the table so that it can resume.
func (rt *Runtime) Detach(p *page.Page, sock page.Socket) {
	states, ok := rt.pages.Detach(p, sock)
	if !ok {
		return
	}
	rt.sink.Record(telemetry.Event{Kind: telemetry.Leave, View: p.View.(*View).id, Transport: transportOf(sock)})
	rt.disconnected(p, states)
	rt.release(states)
}

// Forget drops page p from the table: its token names nothing any more.
func (rt *Runtime) Forget(p *page.Page) { rt.pages.Forget(p) }

// Lookup returns the page token names, if id may use it.
func (rt *Runtime) Lookup(token string, id auth.Identity) *page.Page {
	return rt.pages.Lookup(token, id)
}

// tagKey names what page p renders from b by content (versions, not
// snapshot identities), so that a render made at a page load is recognised
// when the page's connection comes, even if its states were forgotten and
// loaded again meanwhile.
func (v *View) tagKey(p *page.Page, b basis) string {
	s := strconv.FormatUint(v.rt.epoch.Load(), 36)
	for i, sn := range b.snaps {
		s += "\x00" + p.Keys[i].String() + "@" + sn.Tag()
	}
	if v.shape.Viewer {
		s += "|" + p.ID.UserID + "|" + p.ID.GroupID
	}
	return s + "#" + strconv.FormatUint(b.priv.Gen, 36)
}
