package livetemplate

import (
	"context"
	"encoding/json"
	"errors"
	"fmt"
	"net/http"
	"sync"
	"time"

	"github.com/lvtgo/livetemplate/auth"
	"github.com/lvtgo/livetemplate/diff"
	"github.com/lvtgo/livetemplate/session"
)

// group is the live state of one session group on this server, and owns its
// life: it loads the state from the session store (or starts it afresh,
// without storing anything), applies actions with one rollback path,
// persists with compare-and-set (reloading and re-applying on a conflict),
// renders, and hands every live page of the group its new render.
//
// mu serialises the group's actions and renders and guards the fields below
// it. A group stays in memory while something uses it (a live page, a page
// load in progress) and is forgotten after; its state stays in the session
// store.
type group struct {
	h    *Handler
	id   string
	refs int // guarded by groups.mu

	mu      chanMutex
	loaded  bool
	shared  []Store                    // by spec index; nil for PerConnection specs
	snap    map[string]json.RawMessage // the state as last stored or loaded, by store name
	version uint64                     // session store version; 0 while not stored
	tree    *diff.Tree                 // shared render of version (pages without private stores)
	treeVer uint64

	patches patchCache
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

// groups is the handler's table of groups in memory.
type groups struct {
	mu     sync.Mutex
	m      map[string]*group
	closed bool
}

// acquire returns the group of id with its state loaded, and counts the
// caller as a user until release. r is the request that Mount sees if the
// group's state has to be started afresh.
func (h *Handler) acquire(ctx context.Context, id auth.Identity, r *http.Request) (*group, error) {
	gs := &h.groups
	gs.mu.Lock()
	if gs.closed {
		gs.mu.Unlock()
		return nil, errClosed
	}
	g := gs.m[id.GroupID]
	if g == nil {
		g = &group{h: h, id: id.GroupID, mu: newChanMutex()}
		gs.m[id.GroupID] = g
	}
	g.refs++
	gs.mu.Unlock()
	if err := g.mu.LockContext(ctx); err != nil {
		h.release(g)
		return nil, err
	}
	defer g.mu.Unlock()
	if !g.loaded {
		if err := g.load(ctx, id, r); err != nil {
			h.release(g)
			return nil, err
		}
	}
	return g, nil
}

// release undoes acquire; a group nobody uses is forgotten.
func (h *Handler) release(g *group) {
	gs := &h.groups
	gs.mu.Lock()
	defer gs.mu.Unlock()
	g.refs--
	if g.refs <= 0 && gs.m[g.id] == g {
		delete(gs.m, g.id)
	}
}

// load reads the group's state from the session store, or starts it from
// the stores given to Handle (running shared stores' Mount with r) without
// storing it: a group is stored when an action first changes it. g.mu is
// held.
func (g *group) load(ctx context.Context, id auth.Identity, r *http.Request) error {
	state, version, err := g.h.sessions.Get(ctx, g.id)
	switch {
	case err == nil:
		if err := g.decode(state, version); err == nil {
			return nil
		} else {
			g.h.log.Warn("stored group state does not decode; starting afresh", "err", err)
		}
	case errors.Is(err, session.ErrNotFound):
		version = 0
	default:
		return fmt.Errorf("load group state: %w", err)
	}
	return g.fresh(ctx, id, r, version)
}

// fresh starts the group's state from the stores given to Handle. g.mu is
// held.
func (g *group) fresh(ctx context.Context, id auth.Identity, r *http.Request, version uint64) error {
	specs := g.h.specs
	shared := make([]Store, len(specs))
	snap := make(map[string]json.RawMessage, len(specs))
	for i := range specs {
		sp := &specs[i]
		if sp.private {
			continue
		}
		shared[i] = sp.fresh()
		if err := mount(ctx, shared[i], id, r); err != nil {
			return err
		}
		js, err := json.Marshal(shared[i])
		if err != nil {
			return fmt.Errorf("store %q: encode state: %w", sp.name, err)
		}
		snap[sp.name] = js
	}
	g.shared, g.snap, g.version, g.loaded, g.tree = shared, snap, version, true, nil
	return nil
}

// decode replaces the group's state with a stored one. g.mu is held.
func (g *group) decode(state []byte, version uint64) error {
	var snap map[string]json.RawMessage
	if err := json.Unmarshal(state, &snap); err != nil {
		return err
	}
	specs := g.h.specs
	shared := make([]Store, len(specs))
	for i := range specs {
		sp := &specs[i]
		if sp.private {
			continue
		}
		js, ok := snap[sp.name]
		if !ok {
			js = sp.proto
			snap[sp.name] = js
		}
		s, err := sp.decode(js)
		if err != nil {
			return err
		}
		shared[i] = s
	}
	g.shared, g.snap, g.version, g.loaded, g.tree = shared, snap, version, true, nil
	return nil
}

// reload replaces the group's state with what the session store holds,
// after a version conflict (another server changed it). g.mu is held.
func (g *group) reload(ctx context.Context) error {
	state, version, err := g.h.sessions.Get(ctx, g.id)
	if err != nil {
		return fmt.Errorf("reload group state: %w", err)
	}
	if err := g.decode(state, version); err != nil {
		return fmt.Errorf("reload group state: %w", err)
	}
	return nil
}

// persist stores the group's state with store name's new encoding js, with
// compare-and-set on the version. g.mu is held.
func (g *group) persist(ctx context.Context, name string, js json.RawMessage) error {
	snap := make(map[string]json.RawMessage, len(g.snap))
	for k, v := range g.snap {
		snap[k] = v
	}
	snap[name] = js
	state, err := json.Marshal(snap)
	if err != nil {
		return fmt.Errorf("encode group state: %w", err)
	}
	v, err := g.h.sessions.Put(ctx, g.id, state, g.version)
	if err != nil {
		return err
	}
	g.snap, g.version = snap, v
	return nil
}

// data is what the template executes with for page c. g.mu and c.mu are
// held (c may be nil for a page without private stores).
func (g *group) data(c *conn) any {
	specs := g.h.specs
	if len(specs) == 1 {
		if specs[0].private {
			return c.private[0]
		}
		return g.shared[0]
	}
	m := make(map[string]any, len(specs))
	for i := range specs {
		if specs[i].private {
			m[specs[i].name] = c.private[i]
		} else {
			m[specs[i].name] = g.shared[i]
		}
	}
	return m
}

// render renders page c's view of the group's current state: the group's
// shared render when the page has no private stores. g.mu and c.mu are
// held.
func (g *group) render(c *conn) (*diff.Tree, error) {
	private := g.h.private
	if !private && g.tree != nil && g.treeVer == g.version {
		return g.tree, nil
	}
	t, err := g.renderNow(c)
	if err == nil && !private {
		g.tree, g.treeVer = t, g.version
	}
	return t, err
}

// renderNow renders page c's view of the current state, bypassing the
// shared render. g.mu and c.mu are held.
func (g *group) renderNow(c *conn) (*diff.Tree, error) {
	start := time.Now()
	t, err := g.h.t.compiled.Render(g.data(c))
	if err != nil {
		return nil, err
	}
	if d := time.Since(start); d > 100*time.Millisecond {
		g.h.log.Warn("slow render", "duration", d)
	}
	return t, nil
}

// publish hands every live page of the group on this server its new render
// after the state changed, and wakes their transports; nothing here waits
// on the network. Pages that fail to render keep what they had; the error
// is logged once per publish. g.mu is held.
func (g *group) publish() {
	var failed error
	for _, c := range g.h.conns.Group(g.id) {
		c.mu.Lock()
		if c.g == g {
			if t, err := g.render(c); err != nil {
				failed = err
			} else {
				c.setTarget(t, g.version)
			}
		}
		c.mu.Unlock()
	}
	if failed != nil {
		g.h.log.Error("render failed", "err", failed)
	}
}

// patchCache remembers the last patch a group computed, so that the pages
// of a group that hold the same tree share one diff (and one encoding) of
// the same change.
type patchCache struct {
	mu       sync.Mutex
	from, to *diff.Tree
	p        *diff.Patch
}

// get returns the patch from one tree to another.
func (pc *patchCache) get(from, to *diff.Tree) *diff.Patch {
	pc.mu.Lock()
	defer pc.mu.Unlock()
	if pc.p != nil && pc.to == to && pc.from == from {
		return pc.p
	}
	p := diff.Diff(from, to)
	pc.from, pc.to, pc.p = from, to, p
	return p
}
