package livetemplate

import (
	"context"
	"encoding/json"
	"errors"
	"fmt"
	"net/http"
	"sync"
	"sync/atomic"

	"github.com/lvtgo/livetemplate/auth"
	"github.com/lvtgo/livetemplate/diff"
	"github.com/lvtgo/livetemplate/session"
)

// scope is one shared state on this server: the stores of a session group,
// of a user, or of an application key (Scoped), and the live pages that
// show it. It owns its state's life: it loads it from the session store
// (or starts it afresh, storing nothing until an action changes it),
// applies actions one at a time with one rollback path, persists with
// compare-and-set (re-applying on the state another server stored
// meanwhile), and tells every page that shows it to render again.
//
// Its state is immutable once published (cur): an action changes a copy,
// which replaces the state only when the action succeeded and was stored,
// so pages render any scope's state without its lock.
type scope struct {
	h     *Handler
	key   string // the session store's key
	kind  scopeKind
	specs []int // indexes of the store specs this scope holds
	id    auth.Identity
	refs  int // guarded by scopes.mu

	mu     chanMutex // serialises loading and changes
	loaded bool      // guarded by mu
	cur    atomic.Pointer[scopeState]

	connsMu sync.Mutex
	conns   map[*conn]struct{} // live pages showing this scope

	patches patchCache
	last    atomic.Pointer[lastRender]
}

// scopeState is one immutable state of a scope.
type scopeState struct {
	stores  []Store                    // by spec index; nil outside the scope; never changed
	snap    map[string]json.RawMessage // store encodings by name, and reserved entries
	version uint64                     // session store version; 0 while not stored
}

// pushesKey is the reserved snapshot entry that lists the ids of the last
// server pushes applied to a scope, so that each is applied once even when
// several instances try. Store names cannot contain a dot.
const pushesKey = "lvt.pushes"

// maxPushIDs bounds the push ids a scope remembers.
const maxPushIDs = 64

// scopeKey names the scope of spec kind k for a page.
type scopeKey struct {
	kind scopeKind
	key  string // session store key
	spec int    // for scopeKeyed: the spec; else -1
}

// scopeKeysOf returns the scopes a page of id opened by r shows, one per
// shared scope of the page's stores.
func (h *Handler) scopeKeysOf(id auth.Identity, r *http.Request) []scopeKey {
	var keys []scopeKey
	seen := map[scopeKind]bool{}
	for i := range h.specs {
		sp := &h.specs[i]
		switch sp.kind {
		case scopeGroup, scopeUser:
			if seen[sp.kind] {
				continue
			}
			seen[sp.kind] = true
			if sp.kind == scopeGroup {
				keys = append(keys, scopeKey{kind: scopeGroup, key: "g:" + id.GroupID, spec: -1})
			} else {
				keys = append(keys, scopeKey{kind: scopeUser, key: "u:" + id.UserID, spec: -1})
			}
		case scopeKeyed:
			keys = append(keys, scopeKey{kind: scopeKeyed, key: "s:" + sp.name + ":" + sp.key(r, id), spec: i})
		}
	}
	return keys
}

// scopes is the handler's table of scopes in memory.
type scopes struct {
	mu     sync.Mutex
	m      map[string]*scope
	closed bool
}

// acquire returns the scope named k with its state loaded, counting the
// caller as a user until release. id and r are what Mount sees if the
// state has to be started afresh.
func (h *Handler) acquire(ctx context.Context, k scopeKey, id auth.Identity, r *http.Request) (*scope, error) {
	ss := &h.scopes
	ss.mu.Lock()
	if ss.closed {
		ss.mu.Unlock()
		return nil, ErrClosed
	}
	s := ss.m[k.key]
	if s == nil {
		s = &scope{h: h, key: k.key, kind: k.kind, id: ownerOf(k.kind, id), mu: newChanMutex(), conns: make(map[*conn]struct{})}
		for i := range h.specs {
			sp := &h.specs[i]
			if sp.kind == k.kind && (k.kind != scopeKeyed || i == k.spec) {
				s.specs = append(s.specs, i)
			}
		}
		ss.m[k.key] = s
	}
	s.refs++
	ss.mu.Unlock()
	if err := s.mu.LockContext(ctx); err != nil {
		h.release(s)
		return nil, err
	}
	defer s.mu.Unlock()
	if !s.loaded {
		if err := s.load(ctx, id, r); err != nil {
			h.release(s)
			return nil, err
		}
	}
	return s, nil
}

// ownerOf is the identity server actions on a scope of kind k act as: the
// session group for its stores, the user for theirs, nobody for a key's.
func ownerOf(k scopeKind, id auth.Identity) auth.Identity {
	switch k {
	case scopeGroup:
		return auth.Identity{GroupID: id.GroupID}
	case scopeUser:
		return auth.Identity{UserID: id.UserID}
	}
	return auth.Identity{}
}

// release undoes acquire; a scope nobody uses is forgotten (its state stays
// in the session store).
func (h *Handler) release(s *scope) {
	ss := &h.scopes
	ss.mu.Lock()
	defer ss.mu.Unlock()
	s.refs--
	if s.refs <= 0 && ss.m[s.key] == s {
		delete(ss.m, s.key)
	}
}

// inMemory returns the scope named key if it is loaded.
func (h *Handler) inMemory(key string) *scope {
	h.scopes.mu.Lock()
	defer h.scopes.mu.Unlock()
	return h.scopes.m[key]
}

// load reads the scope's state from the session store, or starts it from
// the stores given to Handle (running their Mount with r) without storing
// it. s.mu is held.
func (s *scope) load(ctx context.Context, id auth.Identity, r *http.Request) error {
	state, version, err := s.h.sessions.Get(ctx, s.key)
	switch {
	case err == nil:
		st, derr := s.decode(state, version)
		if derr == nil {
			s.publishState(st)
			return nil
		}
		s.h.log.Warn("stored state does not decode; starting afresh", "err", derr)
	case errors.Is(err, session.ErrNotFound):
		version = 0
	default:
		return s.h.storeFailed(fmt.Errorf("load state: %w", err))
	}
	s.h.storeRecovered()
	st, err := s.fresh(ctx, id, r, version)
	if err != nil {
		return err
	}
	s.publishState(st)
	return nil
}

// publishState makes st the scope's state. s.mu is held.
func (s *scope) publishState(st *scopeState) {
	s.cur.Store(st)
	s.loaded = true
}

// fresh returns the scope's initial state from the stores given to Handle.
func (s *scope) fresh(ctx context.Context, id auth.Identity, r *http.Request, version uint64) (*scopeState, error) {
	specs := s.h.specs
	st := &scopeState{stores: make([]Store, len(specs)), snap: make(map[string]json.RawMessage, len(s.specs)), version: version}
	for _, i := range s.specs {
		sp := &specs[i]
		st.stores[i] = sp.fresh()
		if err := mount(ctx, st.stores[i], id, r); err != nil {
			return nil, err
		}
		js, err := json.Marshal(st.stores[i])
		if err != nil {
			return nil, fmt.Errorf("store %q: encode state: %w", sp.name, err)
		}
		st.snap[sp.name] = js
	}
	return st, nil
}

// decode returns the state stored as state at version.
func (s *scope) decode(state []byte, version uint64) (*scopeState, error) {
	var snap map[string]json.RawMessage
	if err := json.Unmarshal(state, &snap); err != nil {
		return nil, err
	}
	specs := s.h.specs
	st := &scopeState{stores: make([]Store, len(specs)), snap: snap, version: version}
	for _, i := range s.specs {
		sp := &specs[i]
		js, ok := snap[sp.name]
		if !ok {
			js = sp.proto
			snap[sp.name] = js
		}
		store, err := sp.decode(js)
		if err != nil {
			return nil, err
		}
		st.stores[i] = store
	}
	return st, nil
}

// reload replaces the scope's state with what the session store holds (after
// a version conflict, or when another instance says it changed it). s.mu is
// held.
func (s *scope) reload(ctx context.Context) error {
	state, version, err := s.h.sessions.Get(ctx, s.key)
	if errors.Is(err, session.ErrNotFound) {
		// The store lost it (it expired, or a store without persistence
		// restarted): keep the state this instance holds, to be stored
		// afresh by the next change.
		s.h.storeRecovered()
		cur := *s.cur.Load()
		cur.version = 0
		s.publishState(&cur)
		return nil
	}
	if err != nil {
		return s.h.storeFailed(fmt.Errorf("reload state: %w", err))
	}
	s.h.storeRecovered()
	st, err := s.decode(state, version)
	if err != nil {
		return fmt.Errorf("reload state: %w", err)
	}
	s.publishState(st)
	return nil
}

// persist stores next, the state after an action, with compare-and-set on
// the version it was derived from, and sets its new version. s.mu is held.
func (s *scope) persist(ctx context.Context, next *scopeState, from uint64) error {
	state, err := json.Marshal(next.snap)
	if err != nil {
		return fmt.Errorf("encode state: %w", err)
	}
	v, err := s.h.sessions.Put(ctx, s.key, state, from)
	if err != nil {
		if errors.Is(err, session.ErrConflict) {
			return err
		}
		return s.h.storeFailed(fmt.Errorf("store state: %w", err))
	}
	s.h.storeRecovered()
	next.version = v
	return nil
}

// add and remove track the live pages that show the scope.
func (s *scope) add(c *conn) {
	s.connsMu.Lock()
	s.conns[c] = struct{}{}
	s.connsMu.Unlock()
}

func (s *scope) remove(c *conn) {
	s.connsMu.Lock()
	delete(s.conns, c)
	s.connsMu.Unlock()
}

// pages returns a snapshot of the live pages that show the scope.
func (s *scope) pages() []*conn {
	s.connsMu.Lock()
	defer s.connsMu.Unlock()
	out := make([]*conn, 0, len(s.conns))
	for c := range s.conns {
		out = append(out, c)
	}
	return out
}

// changed tells every live page that shows the scope to render again; their
// transports deliver when they can. Nothing here waits on the network.
func (s *scope) changed() {
	for _, c := range s.pages() {
		c.markDirty()
	}
}

// patchCache remembers the last patch computed for a scope's pages, so that
// pages that hold the same tree share one diff (and one encoding) of the
// same change. A hit takes no lock: 10,000 pages of one group look it up
// at once after a change.
type patchCache struct {
	mu   sync.Mutex // serialises misses
	last atomic.Pointer[patchEntry]
}

type patchEntry struct {
	from, to *diff.Tree
	p        *diff.Patch
}

// get returns the patch from one tree to another.
func (pc *patchCache) get(from, to *diff.Tree) *diff.Patch {
	if e := pc.last.Load(); e != nil && e.from == from && e.to == to {
		return e.p
	}
	pc.mu.Lock()
	defer pc.mu.Unlock()
	if e := pc.last.Load(); e != nil && e.from == from && e.to == to {
		return e.p
	}
	p := diff.Diff(from, to)
	pc.last.Store(&patchEntry{from: from, to: to, p: p})
	return p
}

// lastRender is a scope's latest shared render, for pages that show only
// that scope and whose render depends on nothing else.
type lastRender struct {
	st    *scopeState
	epoch uint64
	tree  *diff.Tree
}

// chanMutex is a mutex whose Lock can give up when a context ends.
type chanMutex chan struct{}

func newChanMutex() chanMutex { return make(chanMutex, 1) }

// LockContext locks m, or gives up with ctx's error when ctx ends first.
func (m chanMutex) LockContext(ctx context.Context) error {
	select {
	case m <- struct{}{}:
		return nil
	case <-ctx.Done():
		return ctx.Err()
	}
}

// Unlock unlocks m.
func (m chanMutex) Unlock() { <-m }
