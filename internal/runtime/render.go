package runtime

import (
	"strconv"
	"sync"
	"sync/atomic"
	"time"

	"github.com/lvtgo/livetemplate/auth"
	"github.com/lvtgo/livetemplate/diff"
	"github.com/lvtgo/livetemplate/internal/page"
	"github.com/lvtgo/livetemplate/internal/state"
)

// slowRender is how long a render may take before it is logged.
const slowRender = 100 * time.Millisecond

// basis is what one render of a page is made from: the snapshots of the
// states it shows, by the page's keys, and its private data.
type basis struct {
	snaps []*state.Snapshot
	priv  *page.Private
}

// basisOf returns what page p shows now.
func basisOf(p *page.Page, states []*state.State) basis {
	b := basis{snaps: make([]*state.Snapshot, len(states)), priv: p.Private()}
	for i, s := range states {
		b.snaps[i] = s.Current()
	}
	return b
}

// renderKey names what a render shows, so that pages that show the same
// thing share one render. Pages of one state and nothing else that depends
// on the page are told apart by the snapshot alone (fast: no string is
// built for the thousands of pages of one group that render after a
// change); the others by a string of every part.
type renderKey struct {
	snap  uint64
	epoch uint64
	rest  string
}

// key returns the key of what page p (of identity id and token) renders from
// b; mine reports whether only p shows it (its private data is its own).
func (v *View) key(id auth.Identity, token string, b basis) (k renderKey, mine bool) {
	k.epoch = v.rt.epoch.Load()
	mine = v.private || len(b.priv.Flash) > 0
	if len(b.snaps) == 1 && !mine && !v.shape.Viewer {
		k.snap = b.snaps[0].ID()
		return k, false
	}
	s := make([]byte, 0, 64)
	for _, sn := range b.snaps {
		s = strconv.AppendUint(s, sn.ID(), 36)
		s = append(s, ',')
	}
	if v.shape.Viewer {
		s = append(s, '|')
		s = append(s, id.UserID...)
		s = append(s, '|')
		s = append(s, id.GroupID...)
	}
	if mine {
		s = append(s, '#')
		s = strconv.AppendUint(s, b.priv.Gen, 36)
		s = append(s, token...)
	}
	k.rest = string(s)
	return k, mine
}

// Render implements page.View: it renders page p from what it shows now,
// sharing the render with the pages that show the same.
func (v *View) Render(p *page.Page) (*diff.Tree, error) {
	states := p.States()
	return v.renderFrom(p, basisOf(p, states))
}

// renderFrom renders page p from b.
func (v *View) renderFrom(p *page.Page, b basis) (*diff.Tree, error) {
	k, mine := v.key(p.ID, p.Token, b)
	if mine {
		if m := p.Memo(); m != nil && m.Key == any(k) {
			return m.Tree, nil
		}
		t, err := v.execute(p, b)
		if err == nil {
			p.SetMemo(&page.Memo{Key: k, Tree: t})
		}
		return t, err
	}
	return v.cached(k, b).get(func() (*diff.Tree, error) { return v.execute(p, b) })
}

// cached returns the entry that shares the render of k, made from b: on
// the snapshot itself when the page shows one state and nothing else that
// depends on it (no lock, and as many entries as states; they go with the
// snapshot), else in the view's bounded cache.
func (v *View) cached(k renderKey, b basis) *renderEntry {
	if k.snap == 0 {
		return v.renders.entry(k)
	}
	slot := b.snaps[0].Derived(v, func() any { return new(atomic.Pointer[renderEntry]) }).(*atomic.Pointer[renderEntry])
	for {
		e := slot.Load()
		if e != nil && e.key == k {
			return e
		}
		if n := (&renderEntry{key: k}); slot.CompareAndSwap(e, n) {
			return n
		}
	}
}

// keep records t, rendered for page p from b (while an action was applied),
// as the render of what it shows, so that p and the pages that show the
// same need not render it again.
func (v *View) keep(p *page.Page, b basis, t *diff.Tree) {
	k, mine := v.key(p.ID, p.Token, b)
	if mine {
		p.SetMemo(&page.Memo{Key: k, Tree: t})
		return
	}
	v.cached(k, b).get(func() (*diff.Tree, error) { return t, nil })
}

// execute runs the template for page p with b's data.
func (v *View) execute(p *page.Page, b basis) (*diff.Tree, error) {
	data, err := v.data(p.ID, b)
	if err != nil {
		return nil, err
	}
	start := time.Now()
	// From the tree the page's client holds: the items of its lists that did
	// not change are not executed again (diff's RenderFrom).
	t, err := v.tmpl.RenderFrom(p.Holds(), data)
	if err != nil {
		err = v.explain(err)
		if v.rt.renderFailed.first(v.id + "\x00" + err.Error()) {
			v.rt.log.Error("render failed", "view", v.id, "page", p.LogID, "err", err)
		}
		return nil, err
	}
	if d := time.Since(start); d > slowRender {
		v.rt.log.Warn("slow render", "view", v.id, "page", p.LogID, "duration", d)
	}
	return t, nil
}

// data is what the template executes with: the store itself for a page of
// one store, else a map of the stores by name, the viewer and the flash
// messages.
func (v *View) data(id auth.Identity, b basis) (any, error) {
	store := func(i int) (any, error) {
		if k := v.keyOf[i]; k >= 0 {
			return b.snaps[k].Store(v.slots[i].Decl)
		}
		return b.priv.Stores[i], nil
	}
	if !v.shape.Map {
		return store(0)
	}
	m := make(map[string]any, len(v.slots)+2)
	for i, s := range v.slots {
		st, err := store(i)
		if err != nil {
			return nil, err
		}
		m[s.Decl.Name] = st
	}
	m[ViewerKey] = v.rt.o.Hooks.Viewer(id)
	m[FlashKey] = b.priv.FlashData
	if b.priv.FlashData == nil {
		m[FlashKey] = v.rt.noFlash
	}
	return m, nil
}

// Patch implements page.View: the patch from one tree to another, shared
// by the pages that hold the same trees.
func (v *View) Patch(from, to *diff.Tree) *diff.Patch { return v.patches.get(from, to) }

// renderCache shares renders among pages that show the same thing and
// more than one state (or their viewer): the last one looked up without a
// lock, the recent ones in a bounded map.
type renderCache struct {
	last atomic.Pointer[renderEntry]
	mu   sync.Mutex
	m    map[renderKey]*renderEntry
}

type renderEntry struct {
	key  renderKey
	once sync.Once
	tree *diff.Tree
	err  error
}

// maxRenders bounds the renders a view keeps for sharing.
const maxRenders = 64

// get returns the entry's render, rendering it once with render.
func (e *renderEntry) get(render func() (*diff.Tree, error)) (*diff.Tree, error) {
	e.once.Do(func() { e.tree, e.err = render() })
	return e.tree, e.err
}

// entry returns the entry of k.
func (rc *renderCache) entry(k renderKey) *renderEntry {
	e := rc.last.Load()
	if e == nil || e.key != k {
		rc.mu.Lock()
		e = rc.m[k]
		if e == nil {
			if rc.m == nil || len(rc.m) >= maxRenders {
				rc.m = make(map[renderKey]*renderEntry, maxRenders)
			}
			e = &renderEntry{key: k}
			rc.m[k] = e
		}
		rc.mu.Unlock()
		rc.last.Store(e)
	}
	return e
}

// patchCache shares patches among pages that hold the same tree: each new
// tree's patch from the tree most pages held, computed once.
type patchCache struct {
	last atomic.Pointer[patchEntry]
	mu   sync.Mutex
	m    map[*diff.Tree]*patchEntry
}

type patchEntry struct {
	from, to *diff.Tree
	once     sync.Once
	p        *diff.Patch
}

// maxPatches bounds the patches a view keeps.
const maxPatches = 256

func (pc *patchCache) get(from, to *diff.Tree) *diff.Patch {
	e := pc.last.Load()
	if e == nil || e.to != to || e.from != from {
		pc.mu.Lock()
		e = pc.m[to]
		if e == nil {
			if pc.m == nil || len(pc.m) >= maxPatches {
				pc.m = make(map[*diff.Tree]*patchEntry, maxPatches)
			}
			e = &patchEntry{from: from, to: to}
			pc.m[to] = e
		}
		pc.mu.Unlock()
		if e.from != from {
			return diff.Diff(from, to) // a page that held another tree
		}
		pc.last.Store(e)
	}
	e.once.Do(func() { e.p = diff.Diff(from, to) })
	return e.p
}
