package page

import (
	"container/list"
	"context"
	"net/http"
	"sync"
	"sync/atomic"
	"time"

	"github.com/lvtgo/livetemplate/auth"
	"github.com/lvtgo/livetemplate/diff"
	"github.com/lvtgo/livetemplate/internal/state"
	"github.com/lvtgo/livetemplate/internal/wire"
)

// View is what a page shows: its template and stores. The runtime
// implements it.
type View interface {
	// Render renders page p as it is now: the current snapshots of the
	// states it shows and its Private. It runs user code (templates may
	// call methods), so it is called without any page lock.
	Render(p *Page) (*diff.Tree, error)
	// Patch returns the patch from one tree of the view to another,
	// shared by the pages that hold the same trees.
	Patch(from, to *diff.Tree) *diff.Patch
}

// Socket is the WebSocket that serves a live page.
type Socket interface {
	// Wake tells the socket's writer that the page has something to
	// send; it never blocks.
	Wake()
	// Close starts closing the socket with code and reason.
	Close(code int, reason string) error
}

// Page is one page of the app in a browser tab: made when the page is
// loaded (or when a connection names no page this server knows), live while
// a WebSocket or HTTP polls serve it, and kept for a while after that so a
// reconnecting client resumes it.
type Page struct {
	// Token names the page; it is a secret: never logged.
	Token string
	// LogID names the page in logs.
	LogID string
	// ID is who views the page.
	ID auth.Identity
	// Addr is the client's address, for per-address limits.
	Addr string
	// View is what the page shows.
	View View
	// Keys are the shared states the page shows, fixed when it is made.
	Keys []state.Key

	seen  atomic.Int64 // unix nanoseconds of the last sign of life
	polls atomic.Int32 // HTTP polls waiting: the client is there
	cost  atomic.Int64 // bytes of a kept first render (Table's budget)
	priv  atomic.Pointer[Private]
	memo  atomic.Pointer[Memo]
	turn  chan struct{} // one action at a time
	watch sync.Mutex    // orders the page's Connected and Disconnected (WatchLock)

	mu        sync.Mutex
	states    []*state.State // by Keys' order, while the page is live or loading
	req       *http.Request  // the request live actions see
	stream    diff.Stream    // what the client holds: tree and statics
	seq       uint64         // seq of the last message that changed what it holds
	gen       uint64         // counts changes of what the page shows
	target    *diff.Tree     // the newest render
	targetGen uint64         // the gen target was rendered at
	failedGen uint64         // the gen whose render failed (not retried)
	full      bool           // the next message must be a full tree
	ack       bool           // the next message is due even if nothing changed (a resume)
	newToken  bool           // that tree carries the token (the page is new to its client)
	navRef    int64          // that tree answers navigate message navRef
	out       []outgoing     // replies waiting for the socket's writer
	held      bool           // output waits for the reply at the head of out
	space     chan struct{}  // signalled when out shrinks
	sock      Socket
	polling   bool
	notify    chan struct{} // signalled when there is something to send (HTTP polls)
	endLife   context.CancelFunc
	leaving   []Flash  // flash messages that go with the client to its next page
	events    [][]byte // server events for the next message (wire.EncodeEvent)
	eventSize int      // their bytes

	// The page's background work (StartWork): a context that ends when
	// the page is forgotten, and how many pieces run.
	workCtx  context.Context
	workEnd  context.CancelFunc
	workers  int
	workDone bool

	// Guarded by the Table's mu:
	elem      *list.Element // place in a list of pages waiting without a connection
	lst       *list.List    // which list, nil while live
	gone      bool          // forgotten: its token names nothing any more
	live      bool          // in the live indexes
	counted   bool          // counted against its group's limit
	keptBytes int64         // bytes of the tree kept while on the idle list
	// first is the render made when the page was loaded, kept (within the
	// Table's budget) for its connection; firstKey names what it shows.
	first    *diff.Tree
	firstKey string
}

// New returns a page with token token for identity id at address addr,
// showing view with the states keys name and the private data priv.
func New(token string, id auth.Identity, addr string, view View, keys []state.Key, priv *Private) *Page {
	p := &Page{Token: token, LogID: token[:min(6, len(token))], ID: id, Addr: addr, View: view, Keys: keys, turn: make(chan struct{}, 1)}
	if priv == nil {
		priv = &Private{}
	}
	p.priv.Store(priv)
	p.Touch()
	return p
}

// Memo is a render a view keeps on a page, for renders only that page
// makes (its private data differs from every other page's): what it shows
// (Key, the view's to compare) and the tree.
type Memo struct {
	Key  any
	Tree *diff.Tree
}

// Memo returns the render the view kept on the page, or nil.
func (p *Page) Memo() *Memo { return p.memo.Load() }

// SetMemo keeps m on the page for its view.
func (p *Page) SetMemo(m *Memo) { p.memo.Store(m) }

// StartSeqAt makes the page's messages count from base: an adopted page
// (runtime.Adopt) starts at a random base, so that the seq its client
// holds, from the instance that made the page, never matches one this
// instance sent by chance (a patch would then be made for a tree the client
// does not hold).
func (p *Page) StartSeqAt(base uint64) {
	p.mu.Lock()
	p.seq = base
	p.mu.Unlock()
}

// MarkNew makes the page's first tree carry its token: the page was made
// for a connection that named no page this server knows.
func (p *Page) MarkNew() {
	p.mu.Lock()
	p.newToken = true
	p.mu.Unlock()
}

// Touch records a sign of life from the page's client.
func (p *Page) Touch() { p.seen.Store(time.Now().UnixNano()) }

// PollStarted and PollEnded bracket an HTTP poll that waits: while one
// does, the page's client is there.
func (p *Page) PollStarted() { p.polls.Add(1) }

// PollEnded: see PollStarted.
func (p *Page) PollEnded() {
	p.Touch()
	p.polls.Add(-1)
}

// LastSeen returns when the page's client was last heard from.
func (p *Page) LastSeen() time.Time { return time.Unix(0, p.seen.Load()) }

// Private returns the page's own data.
func (p *Page) Private() *Private { return p.priv.Load() }

// States returns the states the page shows, by Keys' order, or nil when
// it is not live.
func (p *Page) States() []*state.State {
	p.mu.Lock()
	defer p.mu.Unlock()
	return p.states
}

// SetStates gives the page the states it shows while it is being loaded,
// before it is live; nil takes them away.
func (p *Page) SetStates(s []*state.State) {
	p.mu.Lock()
	p.states = s
	p.mu.Unlock()
}

// Request returns the request the page's live actions see: the
// WebSocket's upgrade request, or nil over HTTP (each POST is its own).
func (p *Page) Request() *http.Request {
	p.mu.Lock()
	defer p.mu.Unlock()
	return p.req
}

// Seq returns the seq of the last message that changed what the page's
// client holds.
func (p *Page) Seq() uint64 {
	p.mu.Lock()
	defer p.mu.Unlock()
	return p.seq
}

// Live reports whether a connection serves the page now.
func (p *Page) Live() bool {
	p.mu.Lock()
	defer p.mu.Unlock()
	return p.sock != nil || p.polling
}

// Polling reports whether HTTP polls serve the page now.
func (p *Page) Polling() bool {
	p.mu.Lock()
	defer p.mu.Unlock()
	return p.polling
}

// Socket returns the WebSocket that serves the page, if any.
func (p *Page) Socket() Socket {
	p.mu.Lock()
	defer p.mu.Unlock()
	return p.sock
}

// Lock takes the page's turn to act: its actions run one at a time. It
// gives up with ctx's error.
func (p *Page) Lock(ctx context.Context) error {
	select {
	case p.turn <- struct{}{}:
		return nil
	case <-ctx.Done():
		return ctx.Err()
	}
}

// Unlock gives the turn back.
func (p *Page) Unlock() { <-p.turn }

// SetPrivate publishes the page's new private data, made from the
// current one by the holder of the turn, and wakes the page's connection.
func (p *Page) SetPrivate(priv *Private) {
	p.mu.Lock()
	p.priv.Store(priv)
	p.gen++
	p.wakeLocked()
	p.mu.Unlock()
}

// Changed tells the page that a state it shows changed, and wakes its
// connection: the page renders when its next message is due.
func (p *Page) Changed() {
	p.mu.Lock()
	p.gen++
	p.wakeLocked()
	p.mu.Unlock()
}

// SetLeaving keeps flash messages for the page the client goes to next (a
// redirect), and Leaving hands them over once.
func (p *Page) SetLeaving(f []Flash) {
	p.mu.Lock()
	p.leaving = f
	p.mu.Unlock()
}

// Leaving returns the flash messages set aside by SetLeaving, once.
func (p *Page) Leaving() []Flash {
	p.mu.Lock()
	defer p.mu.Unlock()
	f := p.leaving
	p.leaving = nil
	return f
}

// SetLife records the function that ends the context of the page's
// connection (what Watcher stores got), and EndLife calls it once.
func (p *Page) SetLife(end context.CancelFunc) {
	p.mu.Lock()
	p.endLife = end
	p.mu.Unlock()
}

// WatchLock orders what the page's Watcher stores hear: its Connected, its
// Disconnected, and an instance announcing its pages again. It is held
// across store I/O and user code, so never while holding any other lock.
func (p *Page) WatchLock() { p.watch.Lock() }

// WatchUnlock ends what WatchLock began.
func (p *Page) WatchUnlock() { p.watch.Unlock() }

// EndLife ends the context SetLife recorded, if any.
func (p *Page) EndLife() {
	p.mu.Lock()
	end := p.endLife
	p.endLife = nil
	p.mu.Unlock()
	if end != nil {
		end()
	}
}

// Bounds of a page's server events waiting for its next message: past
// them, Emit drops the newest.
const (
	MaxEvents     = 64
	MaxEventBytes = 256 << 10
)

// Emit queues server events (each from wire.EncodeEvent) for the page's
// client: they go with the next message, after its tree or patch, so that
// an event never arrives before the change made with it. It returns how
// many it dropped because MaxEvents or MaxEventBytes were reached.
func (p *Page) Emit(events [][]byte) (dropped int) {
	if len(events) == 0 {
		return 0
	}
	p.mu.Lock()
	defer p.mu.Unlock()
	for _, e := range events {
		if len(p.events) >= MaxEvents || p.eventSize+len(e) > MaxEventBytes {
			dropped++
			continue
		}
		p.events = append(p.events, e)
		p.eventSize += len(e)
	}
	p.wakeLocked()
	return dropped
}

// takeEventsLocked returns msg with the waiting events, which it forgets.
// p.mu is held.
func (p *Page) takeEventsLocked(msg []byte) []byte {
	if len(p.events) == 0 {
		return msg
	}
	msg = wire.WithEvents(msg, p.events)
	p.events, p.eventSize = nil, 0
	return msg
}

// StartWork begins one piece of the page's background work: it returns a
// context that ends when the page is forgotten or parent ends, and done,
// which the work calls once when it ends. It refuses (ok false) once the
// page is forgotten, or while max pieces run already.
func (p *Page) StartWork(parent context.Context, max int) (ctx context.Context, done func(), ok bool) {
	p.mu.Lock()
	defer p.mu.Unlock()
	if p.workDone || p.workers >= max {
		return nil, nil, false
	}
	if p.workCtx == nil {
		p.workCtx, p.workEnd = context.WithCancel(parent)
	}
	p.workers++
	var once sync.Once
	return p.workCtx, func() {
		once.Do(func() {
			p.mu.Lock()
			p.workers--
			p.mu.Unlock()
		})
	}, true
}

// endWork cancels the page's background work, for good.
func (p *Page) endWork() {
	p.mu.Lock()
	p.workDone = true
	end := p.workEnd
	p.mu.Unlock()
	if end != nil {
		end()
	}
}

// wakeLocked tells the page's connection that there is something to send.
// p.mu is held.
func (p *Page) wakeLocked() {
	switch {
	case p.sock != nil:
		p.sock.Wake()
	case p.notify != nil:
		select {
		case p.notify <- struct{}{}:
		default:
		}
	}
}
