package livetemplate

import (
	"context"
	"encoding/json"
	"errors"
	"fmt"
	"net/http"
	"time"

	"github.com/lvtgo/livetemplate/auth"
	"github.com/lvtgo/livetemplate/diff"
	"github.com/lvtgo/livetemplate/session"
)

// group is the live state of one session group on this server. mu
// serialises its actions, renders and fan-out, and guards the state of its
// connections.
type group struct {
	id   string
	refs int // guarded by handler.mu: connections and callers using the group

	mu      chanMutex
	shared  []Store                    // by spec index; nil for PerConnection specs
	snap    map[string]json.RawMessage // the persisted state, by store name
	version uint64
}

// chanMutex is a mutex whose Lock can give up when a context ends.
type chanMutex chan struct{}

func newChanMutex() chanMutex { return make(chanMutex, 1) }

// Lock locks m, waiting as long as it takes.
func (m chanMutex) Lock() { m <- struct{}{} }

// Unlock unlocks m.
func (m chanMutex) Unlock() { <-m }

// LockContext locks m, or gives up with ctx's error when ctx ends first.
func (m chanMutex) LockContext(ctx context.Context) error {
	select {
	case m <- struct{}{}:
		return nil
	case <-ctx.Done():
		return ctx.Err()
	}
}

// acquire returns the group of id, loading or creating its state, and counts
// the caller as a user of it until release.
func (h *handler) acquire(ctx context.Context, id auth.Identity, r *http.Request) (*group, error) {
	h.mu.Lock()
	if h.closed {
		h.mu.Unlock()
		return nil, errClosed
	}
	g, ok := h.groups[id.GroupID]
	if !ok {
		g = &group{id: id.GroupID, mu: newChanMutex()}
		h.groups[id.GroupID] = g
	}
	g.refs++
	h.mu.Unlock()
	if err := g.mu.LockContext(ctx); err != nil {
		h.release(g)
		return nil, err
	}
	defer g.mu.Unlock()
	if g.snap == nil {
		if err := h.load(ctx, g, id, r); err != nil {
			h.release(g)
			return nil, err
		}
	}
	return g, nil
}

// release undoes acquire; a group nobody uses is forgotten (its state stays
// in the session store).
func (h *handler) release(g *group) {
	h.mu.Lock()
	defer h.mu.Unlock()
	g.refs--
	if g.refs <= 0 && h.groups[g.id] == g {
		delete(h.groups, g.id)
	}
}

// load reads the group's state from the session store, or creates it from
// the stores given to Handle (running shared stores' Mount). g.mu is held.
func (h *handler) load(ctx context.Context, g *group, id auth.Identity, r *http.Request) error {
	for attempt := 0; attempt < 3; attempt++ {
		state, version, err := h.sessions.Get(ctx, g.id)
		switch {
		case err == nil:
			if err := h.decodeGroup(g, state, version); err != nil {
				h.log.Warn("stored group state does not decode; starting afresh", "err", err)
				return h.create(ctx, g, id, r, version)
			}
			return nil
		case errors.Is(err, session.ErrNotFound):
			err := h.create(ctx, g, id, r, 0)
			if errors.Is(err, session.ErrConflict) { // created elsewhere meanwhile
				continue
			}
			return err
		default:
			return fmt.Errorf("load group state: %w", err)
		}
	}
	return fmt.Errorf("load group state: %w", session.ErrConflict)
}

func (h *handler) create(ctx context.Context, g *group, id auth.Identity, r *http.Request, version uint64) error {
	shared := make([]Store, len(h.specs))
	snap := make(map[string]json.RawMessage)
	for i := range h.specs {
		sp := &h.specs[i]
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
	state, err := json.Marshal(snap)
	if err != nil {
		return fmt.Errorf("encode group state: %w", err)
	}
	v, err := h.sessions.Put(ctx, g.id, state, version)
	if err != nil {
		return fmt.Errorf("store group state: %w", err)
	}
	g.shared, g.snap, g.version = shared, snap, v
	return nil
}

func (h *handler) decodeGroup(g *group, state []byte, version uint64) error {
	var snap map[string]json.RawMessage
	if err := json.Unmarshal(state, &snap); err != nil {
		return err
	}
	shared := make([]Store, len(h.specs))
	for i := range h.specs {
		sp := &h.specs[i]
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
	g.shared, g.snap, g.version = shared, snap, version
	return nil
}

// mount runs a store's Mount hook, if it has one.
func mount(ctx context.Context, s Store, id auth.Identity, r *http.Request) (err error) {
	m, ok := s.(Mounter)
	if !ok {
		return nil
	}
	defer func() {
		if p := recover(); p != nil {
			err = fmt.Errorf("mount panicked: %v", p)
		}
	}()
	return m.Mount(&ActionContext{ctx: ctx, action: "mount", id: id, data: nil, req: r})
}

// data is what the template executes with for connection c. g.mu is held.
func (h *handler) data(g *group, c *conn) any {
	if len(h.specs) == 1 {
		if h.specs[0].private {
			return c.private[0]
		}
		return g.shared[0]
	}
	m := make(map[string]any, len(h.specs))
	for i := range h.specs {
		if h.specs[i].private {
			m[h.specs[i].name] = c.private[i]
		} else {
			m[h.specs[i].name] = g.shared[i]
		}
	}
	return m
}

// render renders the page for c. g.mu is held.
func (h *handler) render(g *group, c *conn) (*diff.Tree, error) {
	start := time.Now()
	t, err := h.t.compiled.Render(h.data(g, c))
	if err != nil {
		return nil, err
	}
	if d := time.Since(start); d > 100*time.Millisecond {
		h.log.Warn("slow render", "conn", c.logID, "duration", d)
	}
	return t, nil
}

// persist stores the group's shared state after an action changed store i,
// with compare-and-set on the version. g.mu is held.
func (h *handler) persist(ctx context.Context, g *group, name string, js json.RawMessage) error {
	snap := make(map[string]json.RawMessage, len(g.snap))
	for k, v := range g.snap {
		snap[k] = v
	}
	snap[name] = js
	state, err := json.Marshal(snap)
	if err != nil {
		return fmt.Errorf("encode group state: %w", err)
	}
	v, err := h.sessions.Put(ctx, g.id, state, g.version)
	if err != nil {
		return err
	}
	g.snap, g.version = snap, v
	return nil
}

// reload replaces the group's shared state with what the session store holds
// (after a version conflict: another server changed it). g.mu is held.
func (h *handler) reload(ctx context.Context, g *group) error {
	state, version, err := h.sessions.Get(ctx, g.id)
	if err != nil {
		return fmt.Errorf("reload group state: %w", err)
	}
	return h.decodeGroup(g, state, version)
}

// restore puts store i back to its last persisted state after a failed
// action. g.mu is held.
func (h *handler) restore(g *group, c *conn, i int, before []byte) {
	sp := &h.specs[i]
	s, err := sp.decode(before)
	if err != nil { // it was encoded from this very type
		h.log.Error("cannot restore store state", "store", sp.name, "err", err)
		s = sp.fresh()
	}
	if sp.private {
		c.private[i] = s
	} else {
		g.shared[i] = s
	}
}
