package livetemplate

import (
	"context"
	"errors"
	"fmt"
	"log/slog"
	"net/http"
	"strings"
	"sync"
	"sync/atomic"
	"time"

	"github.com/lvtgo/livetemplate/auth"
	"github.com/lvtgo/livetemplate/client"
	"github.com/lvtgo/livetemplate/registry"
	"github.com/lvtgo/livetemplate/session"
	"github.com/lvtgo/livetemplate/transport"
)

// Handler serves a live page: GET renders it, a WebSocket upgrade of the
// same URL opens its live connection, POST carries messages over plain HTTP.
// Make one with Template.Handle. It is safe for concurrent use.
//
// The handler routes: groups (session groups in memory) own their state and
// its life, pages (conn) own what their client holds, and the transports
// carry bytes.
type Handler struct {
	t        *Template
	specs    []storeSpec
	private  bool // some store is PerConnection: each page renders alone
	lim      Limits
	log      *slog.Logger
	auth     auth.Authenticator
	clientIP func(*http.Request) string
	frameCSP string // Content-Security-Policy of pages
	frameXFO string // X-Frame-Options of pages, or ""

	sessions session.Store
	closer   func() error // closes a session store the handler made itself
	ws       *transport.WebSocket
	post     *transport.HTTP

	conns   *registry.Registry[*conn] // live pages, by group and user
	scopes  scopes
	renders renderCache
	epoch   atomic.Uint64 // bumped by Refresh: renders of earlier epochs are stale

	specScope []int       // for each shared spec, the index of its scope in a page's keys
	hasGroup  bool        // some store is shared by the session group
	hasShared bool        // some store is not PerConnection
	watchers  bool        // some store is a Watcher
	outage    atomic.Bool // the session store is failing (logged once)
	relay     *relay      // nil without WithBus
	pages     *pages
	groupAct  *rates  // actions per group
	addrAct   *rates  // actions per client address
	addrConn  *counts // live connections per client address
	unjoined  *counts // sockets waiting for their join, under one key
	cache     treeBudget

	ctx    context.Context // lifetime: cancelled by Shutdown
	cancel context.CancelFunc
	wg     sync.WaitGroup
	once   sync.Once
	err    error
}

// LiveHandler is what a *Handler does, for code that wants to accept any
// live page handler (a fake in a test, say). Handle returns the concrete
// *Handler, so that methods added later break nobody.
type LiveHandler interface {
	http.Handler
	// Shutdown closes every live connection with "going away", ends
	// waiting HTTP polls, stops background work and waits for it, or
	// returns ctx's error when ctx ends first.
	Shutdown(ctx context.Context) error
	// Close is Shutdown with a short timeout. It is idempotent.
	Close() error
}

var _ LiveHandler = (*Handler)(nil)

// pollTimeout is how long an HTTP poll waits for a change.
const pollTimeout = 25 * time.Second

// pollGrace is how long an HTTP page may go without a request before it
// stops counting as live (its client polls again at once after each answer).
const pollGrace = 15 * time.Second

// unjoinedKey is the counts key of sockets waiting for their join.
const unjoinedKey = ""

func newHandler(t *Template, specs []storeSpec) (*Handler, error) {
	cfg := t.cfg
	h := &Handler{
		t:        t,
		specs:    specs,
		lim:      cfg.limits,
		log:      cfg.logger.With("component", "livetemplate", "page", t.name),
		auth:     cfg.auth,
		clientIP: cfg.clientIP,
		conns:    registry.New[*conn](),
		scopes:   scopes{m: make(map[string]*scope)},
		pages:    newPages(cfg.limits.MaxPendingPages, cfg.idle),
		groupAct: newRates(cfg.limits.ActionsPerSecond, cfg.limits.ActionBurst),
		addrAct:  newRates(cfg.limits.AddressActionsPerSecond, cfg.limits.AddressActionBurst),
		addrConn: newCounts(cfg.limits.MaxConnsPerAddress),
		unjoined: newCounts(cfg.limits.MaxUnjoined),
		cache:    treeBudget{max: treeCacheBytes},
	}
	for i := range specs {
		h.private = h.private || specs[i].private
		h.hasGroup = h.hasGroup || specs[i].kind == scopeGroup
		h.hasShared = h.hasShared || !specs[i].private
		h.watchers = h.watchers || specs[i].watcher
	}
	h.specScope = specScopes(specs)
	h.frameCSP, h.frameXFO = frameHeaders(cfg.frames)
	h.sessions = cfg.sessions
	if h.sessions == nil {
		m := session.NewMemory(nil)
		h.sessions, h.closer = m, m.Close
	}
	h.ws = transport.NewWebSocket(&transport.WebSocketOptions{
		Origins:      cfg.originPolicy,
		ReadLimit:    h.lim.MaxMessageBytes,
		HardLimit:    max(16*h.lim.MaxMessageBytes, 1<<20),
		PingInterval: cfg.ping,
		WriteTimeout: h.lim.StallTimeout,
		Logger:       h.log,
	})
	post, err := transport.NewHTTP(&transport.HTTPOptions{MaxBody: h.lim.MaxMessageBytes, Origins: cfg.originPolicy})
	if err != nil {
		return nil, err
	}
	h.post = post
	h.ctx, h.cancel = context.WithCancel(context.Background())
	h.wg.Go(h.janitor)
	if cfg.bus != nil {
		h.relay = &relay{bus: cfg.bus, out: make(chan []byte, busQueue)}
		h.startCatchUps()
		h.wg.Go(h.publishLoop)
		h.wg.Go(h.subscribeLoop)
	}
	return h, nil
}

// frameHeaders builds the page headers that say who may frame it.
func frameHeaders(sources []string) (csp, xfo string) {
	if len(sources) == 0 {
		sources = []string{"'self'"}
	}
	csp = "frame-ancestors " + strings.Join(sources, " ")
	if len(sources) == 1 {
		switch strings.ToLower(sources[0]) {
		case "'self'":
			xfo = "SAMEORIGIN"
		case "'none'":
			xfo = "DENY"
		}
	}
	return csp, xfo
}

// ServeHTTP implements http.Handler.
func (h *Handler) ServeHTTP(w http.ResponseWriter, r *http.Request) {
	if r.Method == http.MethodGet && r.URL.Query().Has(clientQuery) {
		h.serveClient(w, r)
		return
	}
	switch {
	case transport.IsUpgrade(r):
		h.serveSocket(w, r)
	case r.Method == http.MethodGet || r.Method == http.MethodHead:
		h.servePage(w, r)
	case r.Method == http.MethodPost:
		h.servePost(w, r)
	default:
		w.Header().Set("Allow", "GET, HEAD, POST")
		http.Error(w, "method not allowed", http.StatusMethodNotAllowed)
	}
}

// identify runs the Authenticator and answers the request itself when it
// fails; ok is false then.
func (h *Handler) identify(w http.ResponseWriter, r *http.Request) (auth.Identity, bool) {
	id, err := h.auth.Identify(w, r)
	switch {
	case err == nil && id.GroupID != "":
		return id, true
	case err == nil:
		h.log.Error("authenticator returned an identity without a group")
		http.Error(w, "internal error", http.StatusInternalServerError)
	case errors.Is(err, auth.ErrUnauthenticated):
		http.Error(w, "unauthorized", http.StatusUnauthorized)
	default:
		h.log.Error("authentication failed", "err", err)
		http.Error(w, "internal error", http.StatusInternalServerError)
	}
	return auth.Identity{}, false
}

// clientQuery is the query parameter under which the page's URL also serves
// the client script: the script tag's src is "?lvt-client=<hash>", relative
// to the page, so it works wherever the handler is mounted.
const clientQuery = "lvt-client"

func (h *Handler) serveClient(w http.ResponseWriter, r *http.Request) {
	if r.URL.Query().Get(clientQuery) != client.Hash() {
		http.NotFound(w, r)
		return
	}
	r2 := r.Clone(r.Context())
	r2.URL.Path = client.Path()
	r2.URL.RawQuery = ""
	client.Handler().ServeHTTP(w, r2)
}

// ErrClosed is returned by a Handler's methods (Broadcast, Refresh) once
// it has begun to shut down.
var ErrClosed = errors.New("livetemplate: handler closed")

// Shutdown closes every live connection with "going away" (WebSocket close
// 1001), ends waiting HTTP polls, stops background work and waits for it,
// or returns ctx's error when ctx ends first. http.Server.Shutdown neither
// closes WebSockets nor interrupts long polls, and waits for the polls: run
// Shutdown alongside it, from http.Server.RegisterOnShutdown in a new
// goroutine (that hook must not block). Shutdown is idempotent.
func (h *Handler) Shutdown(ctx context.Context) error {
	h.once.Do(func() {
		h.scopes.mu.Lock()
		h.scopes.closed = true
		h.scopes.mu.Unlock()
		h.cancel()
		err := h.ws.Shutdown(ctx)
		h.wg.Wait()
		if h.closer != nil {
			err = errors.Join(err, h.closer())
		}
		if err != nil {
			h.err = fmt.Errorf("livetemplate: shutdown: %w", err)
		}
	})
	return h.err
}

// Close is Shutdown with a 5-second timeout. It is idempotent.
func (h *Handler) Close() error {
	ctx, cancel := context.WithTimeout(context.Background(), 5*time.Second)
	defer cancel()
	return h.Shutdown(ctx)
}

// janitor forgets pages that waited too long, HTTP pages that stopped
// polling, and rate limiters that refilled.
func (h *Handler) janitor() {
	tick := time.NewTicker(max(min(h.t.cfg.idle/4, 5*time.Second), 50*time.Millisecond))
	defer tick.Stop()
	for {
		select {
		case <-h.ctx.Done():
			return
		case now := <-tick.C:
			h.pages.sweep(now)
			h.groupAct.sweep(now)
			h.addrAct.sweep(now)
			h.sweepPolls(now)
		}
	}
}

// sweepPolls detaches HTTP pages whose client stopped polling, so that they
// stop counting against the group's and the address's connections.
func (h *Handler) sweepPolls(now time.Time) {
	for _, c := range h.conns.All() {
		c.mu.Lock()
		stale := c.polling && c.ws == nil && now.Sub(c.lastSeen()) > pollTimeout+pollGrace
		c.mu.Unlock()
		if stale {
			h.detach(c, nil)
		}
	}
}

// specScopes maps each shared spec to the index of its scope among a
// page's scope keys (scopeKeysOf's order); -1 for PerConnection specs.
func specScopes(specs []storeSpec) []int {
	out := make([]int, len(specs))
	next, group, user := 0, -1, -1
	for i := range specs {
		switch specs[i].kind {
		case scopeConn:
			out[i] = -1
		case scopeGroup:
			if group < 0 {
				group, next = next, next+1
			}
			out[i] = group
		case scopeUser:
			if user < 0 {
				user, next = next, next+1
			}
			out[i] = user
		case scopeKeyed:
			out[i], next = next, next+1
		}
	}
	return out
}

// storeError is a failure of the session store (not a conflict): it was
// logged once, when the outage began, and is answered without a log line
// of its own.
type storeError struct{ err error }

func (e storeError) Error() string { return e.err.Error() }
func (e storeError) Unwrap() error { return e.err }

// storeFailed logs the first failure of the session store in an outage
// (never one per action) and returns err as a storeError.
func (h *Handler) storeFailed(err error) error {
	if h.outage.CompareAndSwap(false, true) {
		h.log.Error("session store failing; actions are refused until it recovers", "err", err)
	}
	return storeError{err}
}

// storeRecovered logs the end of an outage.
func (h *Handler) storeRecovered() {
	if h.outage.CompareAndSwap(true, false) {
		h.log.Info("session store recovered")
	}
}
