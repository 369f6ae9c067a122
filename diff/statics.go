package diff

import (
	"slices"
	"sync"
	"sync/atomic"
)

// statics is one statics array (the N+1 strings around a node's N
// dynamics), interned by the Template that rendered it: every node of every
// render of one Template with these strings points at the same statics, so
// comparing statics is mostly comparing pointers.
type statics struct {
	strs []string
	fp   uint64    // fingerprint(strs)
	id   int32     // wire id, stable for reg's lifetime; -1: travels inline
	reg  *registry // the registry id belongs to; nil for statics that have no id
	// key caches findKeyPath for range items with these statics.
	key atomic.Pointer[keyPath]
}

// maxStatics bounds the ids one registry hands out, and so what a client
// and a Stream keep per connection. A template cannot reach it unless it is
// enormous: statics are made of the template's own text, so their number is
// bounded by its size. Statics past the bound travel inline.
const maxStatics = 1 << 16

// registry interns the statics of one compiled Template and gives each a
// small integer id, in order of first use. An id never changes or gets
// reused while the Template lives, so any tree of the Template (an old one a
// reconnecting client holds, or a new one) names the same statics with the
// same id. Safe for concurrent use.
type registry struct {
	byFP sync.Map // fingerprint → *statics
	mu   sync.Mutex
	n    int32 // ids handed out; guarded by mu
}

// intern returns the registered statics equal to strs, registering a copy
// of strs if there is none yet. strs is not retained.
func (g *registry) intern(strs []string, fp uint64) *statics {
	if v, ok := g.byFP.Load(fp); ok {
		if st := v.(*statics); equalStrings(st.strs, strs) {
			return st
		}
		return inlineStatics(strs, fp) // a fingerprint collision: no id
	}
	g.mu.Lock()
	defer g.mu.Unlock()
	if v, ok := g.byFP.Load(fp); ok {
		if st := v.(*statics); equalStrings(st.strs, strs) {
			return st
		}
		return inlineStatics(strs, fp)
	}
	if g.n >= maxStatics {
		return inlineStatics(strs, fp)
	}
	st := &statics{strs: slices.Clone(strs), fp: fp, id: g.n, reg: g}
	g.n++
	g.byFP.Store(fp, st)
	return st
}

// inlineStatics returns statics without an id, which travel inline.
func inlineStatics(strs []string, fp uint64) *statics {
	return &statics{strs: slices.Clone(strs), fp: fp, id: -1}
}

// equalStrings reports whether two string slices are equal. Statics of one
// template share their strings, so this is mostly pointer compares.
func equalStrings(a, b []string) bool {
	if len(a) != len(b) {
		return false
	}
	for i := range a {
		if a[i] != b[i] {
			return false
		}
	}
	return true
}

// sameStatics reports whether two statics arrays are equal.
func sameStatics(a, b *statics) bool {
	return a == b || (a != nil && b != nil && a.fp == b.fp && equalStrings(a.strs, b.strs))
}

// idSet is a set of statics ids, one bit each.
type idSet []uint64

func (s idSet) has(id int32) bool {
	w := int(id >> 6)
	return w < len(s) && s[w]&(1<<(id&63)) != 0
}

func (s *idSet) add(id int32) {
	w := int(id >> 6)
	for len(*s) <= w {
		*s = append(*s, 0)
	}
	(*s)[w] |= 1 << (id & 63)
}

// idsIn returns the ids of reg's statics held anywhere in the subtree of n.
func idsIn(n *node, reg *registry, set *idSet) {
	if n.st.reg == reg && n.st.id >= 0 {
		set.add(n.st.id)
	}
	for _, d := range n.dyns {
		switch {
		case d.node != nil:
			idsIn(d.node, reg, set)
		case d.rng != nil:
			for _, it := range d.rng.items {
				idsIn(it, reg, set)
			}
		}
	}
}
