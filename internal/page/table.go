package page

import (
	"container/list"
	"errors"
	"net/http"
	"sync"
	"time"

	"github.com/lvtgo/livetemplate/auth"
	"github.com/lvtgo/livetemplate/diff"
	"github.com/lvtgo/livetemplate/internal/fault"
	"github.com/lvtgo/livetemplate/internal/state"
)

// Options bound a Table. A negative limit means no bound.
type Options struct {
	// MaxWaiting bounds the pages kept without a live connection:
	// rendered pages waiting for theirs, and pages whose connection ended,
	// kept so they can resume. Past it the oldest is forgotten.
	MaxWaiting int
	// FreshTimeout is how long a rendered page waits for its connection.
	FreshTimeout time.Duration
	// IdleTimeout is how long a page whose connection ended is kept.
	IdleTimeout time.Duration
	// PollTimeout is how long an HTTP page may go without a request, and
	// without a poll waiting, before it stops counting as live.
	PollTimeout time.Duration
	// MaxPerGroup bounds the live pages of a session group (pages that
	// show none of its state are not counted).
	MaxPerGroup int
	// MaxPerAddress bounds the live connections of a client address:
	// WebSockets, joined or not, and HTTP pages.
	MaxPerAddress int
	// MaxUnjoined bounds the WebSockets waiting for their join message,
	// server-wide.
	MaxUnjoined int
	// FirstRenders bounds the bytes of the first renders kept for pages
	// waiting for their connection (which then need not render again).
	FirstRenders int64
	// MaxWaitingBytes bounds the bytes of the trees that pages whose
	// connection ended keep for their client to resume (the size of their
	// HTML); past it the oldest are forgotten.
	MaxWaitingBytes int64
	// UnjoinedShare is the most sockets waiting for their join one client
	// address may hold, so that another address still joins.
	UnjoinedShare int
}

// Table is every page of an app this server knows, and every index of
// them, under one lock: by token (every page, live or waiting), and, for
// live pages, by session group, by user, by shared state and by view; it
// also counts the live connections of each client address and the sockets
// that have not joined yet. It is safe for concurrent use.
type Table struct {
	o Options

	mu         sync.Mutex
	closed     bool
	byToken    map[string]*Page
	byGroup    map[string]map[*Page]struct{}
	byUser     map[string]map[*Page]struct{}
	byState    map[string]map[*Page]struct{}
	byView     map[View]map[*Page]struct{}
	perAddr    map[string]int
	perGroup   map[string]int // live pages that count against their group's limit
	unjoined   int
	unjoinedBy map[string]int // sockets waiting for their join, by address
	idleBytes  int64          // held by pages on the idle list
	fresh      list.List      // rendered, never connected: oldest first
	idle       list.List      // connection ended: oldest first
	kept       int64          // bytes of first renders kept
}

// NewTable returns an empty table.
func NewTable(o Options) *Table {
	return &Table{
		o:          o,
		byToken:    make(map[string]*Page),
		byGroup:    make(map[string]map[*Page]struct{}),
		byUser:     make(map[string]map[*Page]struct{}),
		byState:    make(map[string]map[*Page]struct{}),
		byView:     make(map[View]map[*Page]struct{}),
		perAddr:    make(map[string]int),
		perGroup:   make(map[string]int),
		unjoinedBy: make(map[string]int),
	}
}

// Errors of Attach besides a fault.TooMany.
var (
	// ErrTaken: another connection serves the page (a duplicated tab).
	ErrTaken = errors.New("page: served by another connection")
	// ErrGone: the page was forgotten meanwhile.
	ErrGone = errors.New("page: forgotten")
)

// Causes of the table's refusals, for logs and telemetry.
var (
	ErrGroupFull    = errors.New("page: the session group's live pages")
	ErrAddressFull  = errors.New("page: the client address's connections")
	ErrUnjoinedFull = errors.New("page: the sockets waiting for their join")
)

// errGroupFull, errAddressFull and errBusy refuse connections; errClosed,
// everything after Close.
var (
	errGroupFull   = &fault.Error{Kind: fault.TooMany, Cause: ErrGroupFull}
	errAddressFull = &fault.Error{Kind: fault.TooMany, Cause: ErrAddressFull}
	errBusy        = &fault.Error{Kind: fault.Unavailable, Message: "Server busy.", Cause: ErrUnjoinedFull}
	errClosed      = fault.New(fault.ShuttingDown, "")
)

// Open counts a new WebSocket of client address addr, which must join
// next; it refuses one when the address or the server has no room.
func (t *Table) Open(addr string) *fault.Error {
	t.mu.Lock()
	defer t.mu.Unlock()
	switch {
	case t.closed:
		return errClosed
	case t.o.MaxUnjoined >= 0 && t.unjoined >= t.o.MaxUnjoined:
		return errBusy
	case t.o.UnjoinedShare > 0 && t.unjoinedBy[addr] >= t.o.UnjoinedShare:
		return errBusy
	case t.o.MaxPerAddress >= 0 && t.perAddr[addr] >= t.o.MaxPerAddress:
		return errAddressFull
	}
	t.unjoined++
	t.unjoinedBy[addr]++
	t.perAddr[addr]++
	return nil
}

// Joined tells the table that a socket of addr counted by Open sent its
// join (or ended before it): it no longer waits for one.
func (t *Table) Joined(addr string) {
	t.mu.Lock()
	t.unjoined--
	if t.unjoinedBy[addr]--; t.unjoinedBy[addr] <= 0 {
		delete(t.unjoinedBy, addr)
	}
	t.mu.Unlock()
}

// Closed un-counts a socket of addr counted by Open.
func (t *Table) Closed(addr string) {
	t.mu.Lock()
	t.done(addr)
	t.mu.Unlock()
}

// done un-counts a connection of addr. t.mu is held.
func (t *Table) done(addr string) {
	if t.perAddr[addr] <= 1 {
		delete(t.perAddr, addr)
		return
	}
	t.perAddr[addr]--
}

// AddFresh remembers p, just rendered for a page load, until its
// connection comes; first is that render, kept for the connection while
// the budget for first renders lasts, and key names what it shows.
func (t *Table) AddFresh(p *Page, first *diff.Tree, key string, cost int64) {
	t.mu.Lock()
	defer t.mu.Unlock()
	if t.closed {
		return
	}
	if t.kept+cost <= t.o.FirstRenders {
		t.kept += cost
		p.first, p.firstKey = first, key
		p.cost.Store(cost)
	}
	t.byToken[p.Token] = p
	t.park(p, &t.fresh)
}

// AddLive remembers p, made for a connection that named no page this
// server knows; Attach makes it live.
func (t *Table) AddLive(p *Page) {
	t.mu.Lock()
	defer t.mu.Unlock()
	t.byToken[p.Token] = p
}

// Adopt remembers p, made for a connection whose token this table does not
// know, under its token; it reports false when a page holds that token
// already.
func (t *Table) Adopt(p *Page) bool {
	t.mu.Lock()
	defer t.mu.Unlock()
	if t.closed || t.byToken[p.Token] != nil {
		return false
	}
	t.byToken[p.Token] = p
	return true
}

// Lookup returns the page token names if id may use it: a page of id's
// session group and user.
func (t *Table) Lookup(token string, id auth.Identity) *Page {
	if token == "" {
		return nil
	}
	t.mu.Lock()
	defer t.mu.Unlock()
	p := t.byToken[token]
	if p == nil || p.ID.GroupID != id.GroupID || p.ID.UserID != id.UserID {
		return nil
	}
	return p
}

// Attachment is how a page goes live: on a WebSocket, or, when Socket is
// nil, on HTTP polls.
type Attachment struct {
	Socket  Socket
	Request *http.Request     // what live actions see (the WebSocket's upgrade)
	Seq     uint64            // the last seq the client applied (0: none)
	States  []*state.State    // the states the page shows, acquired
	Group   bool              // the page counts against its group's limit
	Reuse   func(string) bool // whether a kept first render with this key is still current
	Ref     int64             // the navigate message the first tree answers, or 0
}

// Attach makes p live on a. The page's next message is a full tree, or,
// when the client says it holds what p last sent, a patch from there. It
// fails with ErrGone when p was forgotten, ErrTaken when another
// connection serves it, and a fault.TooMany when its group or its client's
// address has no room.
func (t *Table) Attach(p *Page, a Attachment) error {
	t.mu.Lock()
	defer t.mu.Unlock()
	if t.closed {
		return errClosed
	}
	if p.gone {
		return ErrGone
	}
	t.unpark(p)
	p.mu.Lock()
	defer p.mu.Unlock()
	if p.sock != nil || p.polling {
		return ErrTaken // a duplicated tab holds it
	}
	if a.Socket == nil && t.o.MaxPerAddress >= 0 && t.perAddr[p.Addr] >= t.o.MaxPerAddress {
		t.park(p, &t.idle)
		return errAddressFull
	}
	if a.Group && t.o.MaxPerGroup >= 0 && t.perGroup[p.ID.GroupID] >= t.o.MaxPerGroup {
		t.park(p, &t.idle)
		return errGroupFull
	}
	if a.Socket == nil {
		t.perAddr[p.Addr]++
		p.polling, p.notify = true, make(chan struct{}, 1)
	} else {
		p.sock, p.space = a.Socket, make(chan struct{}, 1)
	}
	p.req, p.states = a.Request, a.States
	p.Touch()
	reused := false
	if p.first != nil {
		if a.Reuse != nil && a.Reuse(p.firstKey) && p.target == nil {
			p.target, p.targetGen, reused = p.first, p.gen, true
		}
		t.kept -= p.cost.Swap(0)
		p.first, p.firstKey = nil, ""
	}
	if !reused {
		p.gen++ // render again: what it shows may have changed meanwhile
	}
	resume := p.stream.Last() != nil && a.Seq == p.seq
	p.full, p.ack = !resume, resume
	p.navRef = a.Ref
	p.counted = a.Group
	if a.Group {
		t.perGroup[p.ID.GroupID]++
	}
	t.index(p)
	p.wakeLocked()
	return nil
}

// Detach ends p's live connection if sock (nil for HTTP polls) still
// serves it, returns the states p showed, and keeps p waiting so that it
// can resume; ok is false when sock does not serve p.
func (t *Table) Detach(p *Page, sock Socket) (states []*state.State, ok bool) {
	states, dropped, ok := t.detach(p, sock)
	for _, o := range dropped { // replies that will never be made
		if o.sent != nil {
			o.sent(0, 0)
		}
	}
	return states, ok
}

func (t *Table) detach(p *Page, sock Socket) (states []*state.State, dropped []outgoing, ok bool) {
	t.mu.Lock()
	defer t.mu.Unlock()
	p.mu.Lock()
	if (sock != nil && p.sock != sock) || (sock == nil && !p.polling) {
		p.mu.Unlock()
		return nil, nil, false
	}
	polling := p.polling
	states = p.states
	dropped = p.out
	p.states, p.sock, p.req, p.polling, p.notify, p.out, p.space, p.held = nil, nil, nil, false, nil, nil, nil, false
	p.mu.Unlock()
	t.unindex(p)
	if polling {
		t.done(p.Addr)
	}
	if p.counted {
		p.counted = false
		if t.perGroup[p.ID.GroupID]--; t.perGroup[p.ID.GroupID] <= 0 {
			delete(t.perGroup, p.ID.GroupID)
		}
	}
	if !p.gone && !t.closed {
		p.keptBytes = int64(p.Holds().Footprint())
		t.idleBytes += p.keptBytes
		t.park(p, &t.idle)
	}
	return states, dropped, true
}

// Forget drops p: its token names nothing any more.
func (t *Table) Forget(p *Page) {
	t.mu.Lock()
	t.drop(p)
	t.mu.Unlock()
}

// Sweep forgets the pages that waited too long at now, and returns the
// HTTP pages whose client stopped polling, for the caller to detach.
func (t *Table) Sweep(now time.Time) (stale []*Page) {
	t.mu.Lock()
	defer t.mu.Unlock()
	for _, w := range []struct {
		l   *list.List
		ttl time.Duration
	}{{&t.fresh, min(t.o.FreshTimeout, t.o.IdleTimeout)}, {&t.idle, t.o.IdleTimeout}} {
		for e := w.l.Front(); e != nil; e = w.l.Front() {
			p := e.Value.(*Page)
			if now.Sub(p.LastSeen()) <= w.ttl {
				break
			}
			t.drop(p)
		}
	}
	for _, set := range t.byView {
		for p := range set {
			p.mu.Lock()
			if p.polling && p.sock == nil && p.polls.Load() == 0 && now.Sub(p.LastSeen()) > t.o.PollTimeout {
				stale = append(stale, p)
			}
			p.mu.Unlock()
		}
	}
	return stale
}

// Close refuses every later Open, Attach and AddFresh, and returns the
// live pages.
func (t *Table) Close() []*Page {
	t.mu.Lock()
	defer t.mu.Unlock()
	t.closed = true
	return t.snapshot(nil)
}

// park appends p to l and enforces the bounds. t.mu is held.
func (t *Table) park(p *Page, l *list.List) {
	p.Touch()
	p.elem, p.lst = l.PushBack(p), l
	for t.o.MaxWaiting >= 0 && t.fresh.Len()+t.idle.Len() > t.o.MaxWaiting {
		t.drop(t.oldest())
	}
	for t.o.MaxWaitingBytes > 0 && t.idleBytes > t.o.MaxWaitingBytes && t.idle.Len() > 0 {
		t.drop(t.idle.Front().Value.(*Page))
	}
}

// unpark takes p out of its waiting list. t.mu is held.
func (t *Table) unpark(p *Page) {
	if p.lst != nil {
		p.lst.Remove(p.elem)
		p.lst, p.elem = nil, nil
	}
	t.idleBytes -= p.keptBytes
	p.keptBytes = 0
}

// oldest returns the page that has waited longest. t.mu is held.
func (t *Table) oldest() *Page {
	f, r := t.fresh.Front(), t.idle.Front()
	switch {
	case f == nil:
		return r.Value.(*Page)
	case r == nil:
		return f.Value.(*Page)
	}
	fp, rp := f.Value.(*Page), r.Value.(*Page)
	if fp.seen.Load() <= rp.seen.Load() {
		return fp
	}
	return rp
}

// drop forgets p. t.mu is held.
func (t *Table) drop(p *Page) {
	if p.gone {
		return
	}
	p.gone = true
	p.endWork()
	t.kept -= p.cost.Swap(0)
	p.first, p.firstKey = nil, ""
	if t.byToken[p.Token] == p {
		delete(t.byToken, p.Token)
	}
	t.unpark(p)
}

// index adds live page p to the live indexes. t.mu and p.mu are held.
func (t *Table) index(p *Page) {
	p.live = true
	add(t.byGroup, p.ID.GroupID, p)
	add(t.byUser, p.ID.UserID, p)
	add(t.byView, p.View, p)
	for _, s := range p.states {
		add(t.byState, s.Name(), p)
	}
}

// unindex removes p from the live indexes. t.mu is held.
func (t *Table) unindex(p *Page) {
	if !p.live {
		return
	}
	p.live = false
	remove(t.byGroup, p.ID.GroupID, p)
	remove(t.byUser, p.ID.UserID, p)
	remove(t.byView, p.View, p)
	for _, k := range p.Keys {
		remove(t.byState, k.String(), p)
	}
}

func add[K comparable](m map[K]map[*Page]struct{}, k K, p *Page) {
	set := m[k]
	if set == nil {
		set = make(map[*Page]struct{})
		m[k] = set
	}
	set[p] = struct{}{}
}

func remove[K comparable](m map[K]map[*Page]struct{}, k K, p *Page) {
	if set := m[k]; set != nil {
		delete(set, p)
		if len(set) == 0 {
			delete(m, k)
		}
	}
}
