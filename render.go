package livetemplate

import (
	"strconv"
	"sync"
	"time"

	"github.com/lvtgo/livetemplate/diff"
)

// viewerKey is the name under which templates of pages with several stores
// find who views the page ({{.viewer.UserID}}).
const viewerKey = "viewer"

// Viewer is who views a page: templates of pages with several stores see it
// as .viewer ({{if eq .poll.Winner .viewer.UserID}}), so that what depends
// on the viewer needs no PerConnection store. UserID and GroupID are the
// Authenticator's; GroupID may be derived from a secret: do not show it.
type Viewer struct {
	UserID  string
	GroupID string
}

// data is what the template executes with for page c: the store itself for
// a page with one store, else a map from store names to stores plus the
// viewer. over, when not nil, replaces the state of one of c's scopes (an
// action's state before it is kept). c.mu is held.
func (c *conn) data(over *scope, st *scopeState) any {
	specs := c.h.specs
	store := func(i int) Store {
		if specs[i].private {
			return c.private[i]
		}
		s := c.scopes[c.h.specScope[i]]
		if s == over {
			return st.stores[i]
		}
		return s.cur.Load().stores[i]
	}
	if len(specs) == 1 {
		return store(0)
	}
	m := make(map[string]any, len(specs)+1)
	for i := range specs {
		m[specs[i].name] = store(i)
	}
	m[viewerKey] = Viewer{UserID: c.id.UserID, GroupID: c.id.GroupID}
	return m
}

// view names what page c would render now: the states of its scopes (by
// key and version, so a render made at a page load is still recognised when
// its connection comes, even if the scope was reloaded meanwhile), the
// handler's refresh epoch, the viewer (on pages whose template sees it) and,
// on pages with private stores, the page itself. Pages with the same view
// render the same tree. c.mu is held.
func (c *conn) view() string {
	b := make([]byte, 0, 64)
	b = strconv.AppendUint(b, c.h.epoch.Load(), 36)
	for _, s := range c.scopes {
		// A scope's states are told apart by their version: versions are
		// never reused for a key (a fresh, unstored state is version 0).
		b = append(b, '\x00')
		b = append(b, s.key...)
		b = append(b, '@')
		b = strconv.AppendUint(b, s.cur.Load().version, 36)
	}
	if c.h.t.viewer && len(c.h.specs) > 1 {
		b = append(b, '|')
		b = append(b, c.id.UserID...)
		b = append(b, '|')
		b = append(b, c.id.GroupID...)
	}
	if c.h.private {
		b = append(b, '#')
		b = strconv.AppendUint(b, c.privGen, 36)
		b = append(b, c.token...)
	}
	return string(b)
}

// render renders page c's current view, sharing the render with other
// pages of the same view. c.mu is held.
func (c *conn) render() (*diff.Tree, string, error) {
	v := c.view()
	if c.h.private {
		t, err := c.renderNow(nil, nil)
		return t, v, err
	}
	t, err := c.h.renders.get(v, func() (*diff.Tree, error) { return c.renderNow(nil, nil) })
	return t, v, err
}

// shared reports whether page c shows one scope and nothing else its render
// depends on (no private stores, no viewer), so that its render is the
// scope's. c.mu is held.
func (c *conn) shared() bool {
	return !c.h.private && len(c.scopes) == 1 && !(c.h.t.viewer && len(c.h.specs) > 1)
}

// quick returns the scope's latest render if it is page c's current view,
// without building the view's name or taking a lock. c.mu is held.
func (c *conn) quick() *diff.Tree {
	if !c.shared() {
		return nil
	}
	s := c.scopes[0]
	if q := s.last.Load(); q != nil && q.st == s.cur.Load() && q.epoch == c.h.epoch.Load() {
		return q.tree
	}
	return nil
}

// remember records t, just rendered for page c's current view, as its
// scope's latest render when c shows only that scope. c.mu is held.
func (c *conn) remember(t *diff.Tree) {
	if c.shared() {
		s := c.scopes[0]
		s.last.Store(&lastRender{st: s.cur.Load(), epoch: c.h.epoch.Load(), tree: t})
	}
}

// renderNow executes the template for page c, with over's state replaced by
// st when over is set. c.mu is held.
func (c *conn) renderNow(over *scope, st *scopeState) (*diff.Tree, error) {
	start := time.Now()
	t, err := c.h.t.compiled.Render(c.data(over, st))
	if err != nil {
		return nil, c.h.explain(err)
	}
	if d := time.Since(start); d > 100*time.Millisecond {
		c.h.log.Warn("slow render", "conn", c.logID, "duration", d)
	}
	return t, nil
}

// renderCache shares renders among pages of the same view (a change seen by
// many tabs is rendered once). It holds the renders of recent views only.
type renderCache struct {
	mu sync.Mutex
	m  map[string]*renderEntry
}

type renderEntry struct {
	once sync.Once
	tree *diff.Tree
	err  error
}

// maxCachedRenders bounds the renders a handler keeps for sharing.
const maxCachedRenders = 64

// get returns the render of view v, rendering it once with render.
func (rc *renderCache) get(v string, render func() (*diff.Tree, error)) (*diff.Tree, error) {
	rc.mu.Lock()
	e := rc.m[v]
	if e == nil {
		if rc.m == nil || len(rc.m) >= maxCachedRenders {
			rc.m = make(map[string]*renderEntry, maxCachedRenders)
		}
		e = &renderEntry{}
		rc.m[v] = e
	}
	rc.mu.Unlock()
	e.once.Do(func() { e.tree, e.err = render() })
	return e.tree, e.err
}

// put records the render of view v (made while an action was applied).
func (rc *renderCache) put(v string, t *diff.Tree) {
	rc.get(v, func() (*diff.Tree, error) { return t, nil })
}
