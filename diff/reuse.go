package diff

import (
	"bytes"
	"errors"
	"fmt"
	"hash/maphash"
	"reflect"
)

// rangeSnap holds the snapshots (snapshot.go) of the items of one converted
// range, in item order: item j's is buf[ends[j-1]:ends[j]] (from 0 for the
// first); it is empty for an item that cannot be cached. Never modified once
// made.
type rangeSnap struct {
	typ  reflect.Type // the element type of the ranged slice or array
	buf  []byte
	ends []int32
}

// item returns the snapshot of item j.
func (s *rangeSnap) item(j int) []byte {
	start := int32(0)
	if j > 0 {
		start = s.ends[j-1]
	}
	return s.buf[start:s.ends[j]]
}

// equalItems reports whether item i of a and item j of b have equal,
// non-empty snapshots.
func equalItems(a *rangeSnap, i int, b *rangeSnap, j int) bool {
	x := a.item(i)
	return len(x) > 0 && bytes.Equal(x, b.item(j))
}

// maxLoopNesting bounds how many converted ranges may execute their items
// one inside the other (a recursive template over recursive data); past
// it the render runs again as Execute does, whose own depth limit applies.
const maxLoopNesting = 1000

var errLoopNesting = errors.New("diff: converted ranges nested too deep")

// maxSnapshotBuffer bounds the snapshots of one range; items past it are
// not cached.
const maxSnapshotBuffer = 1 << 30

// runLoop renders the items of the converted range of slot, whose value
// was handed over with the token tok.
func (r *recorder) runLoop(slot int32, tok []byte) error {
	v, err := r.t.takeValue(tok)
	if err != nil {
		return err
	}
	if int(slot) >= len(r.t.loops) || r.t.loops[slot] == nil {
		return fmt.Errorf("diff: converted range: unknown slot %d", slot)
	}
	l := r.t.loops[slot]
	fi := len(r.stack) - 1
	switch top := &r.stack[fi]; {
	case top.kind == frameAction:
		// Inside an action (an opaque template called an instrumented one)
		// the output is text: execute every item, the markers are dropped.
		return r.execItems(l, v)
	case top.kind == frameRange && top.id == slot:
		return r.reuse(fi, l, v)
	}
	return fmt.Errorf("diff: converted range: slot %d is not open", slot)
}

// execItems executes the body of l for each item of v, as the range would.
func (r *recorder) execItems(l *loop, v reflect.Value) error {
	if r.loops >= maxLoopNesting {
		return errLoopNesting
	}
	r.loops++
	err := l.items.Execute(r, v)
	r.loops--
	return err
}

// reuse renders the items of v, the value of the converted range l open in
// frame fi: an item whose snapshot equals the one of an item of the range
// the frame corresponds to in the previous tree is that item; the others
// are executed, in one pass over just them.
func (r *recorder) reuse(fi int, l *loop, v reflect.Value) error {
	typ := v.Type().Elem()
	k := l.kind(typ)
	if k.c == nil {
		return fmt.Errorf("diff: converted range: %v cannot be cached", typ)
	}
	f := &r.stack[fi]
	var base *rangeNode
	if rg := f.pd.rng; rg != nil && rg.id == f.id && rg.snap != nil && rg.snap.typ == typ && len(rg.snap.ends) == len(rg.items) {
		base = rg
	}
	if !v.CanAddr() {
		// An array passed by value: snapshot an addressable copy, so that
		// an item is always encoded the same way (snapshot.go).
		c := reflect.New(v.Type()).Elem()
		c.Set(v)
		v = c
	}
	snap := l.snapshot(k, v, base)
	items := make([]*node, v.Len())
	miss, pairs := matchItems(base, snap, items)
	if len(miss) > 0 {
		mv := v
		if len(miss) < len(items) {
			mv = reflect.MakeSlice(reflect.SliceOf(typ), len(miss), len(miss))
			for k, j := range miss {
				mv.Index(k).Set(v.Index(j))
			}
		}
		f.itemPrev = pairs
		if err := r.execItems(l, mv); err != nil {
			return err
		}
		for len(r.stack) > fi+1 { // the last item is still open
			r.pop()
		}
		f = &r.stack[fi]
		if len(f.items) != len(miss) {
			return fmt.Errorf("diff: converted range: %d items rendered for %d", len(f.items), len(miss))
		}
		made := f.items
		if len(miss) < len(items) {
			// The new items outlive this render's slabs, which hold the
			// page around them: copy them out, so that a later tree that
			// keeps them does not keep the slabs.
			made = compactItems(made)
		}
		for k, j := range miss {
			items[j] = made[k]
		}
	}
	if len(miss) < len(items) {
		r.shared = true
	}
	f.items, f.snap, f.itemPrev = items, snap, nil
	return nil
}

// snapshot returns the snapshots of the items of v.
func (l *loop) snapshot(k *itemKind, v reflect.Value, base *rangeNode) *rangeSnap {
	n := v.Len()
	capacity := 0
	if base != nil {
		capacity = len(base.snap.buf) + len(base.snap.buf)/16 + 64
	}
	buf := make([]byte, 0, capacity)
	ends := make([]int32, n)
	s := snapshotter{codecs: &l.codecs, identity: k.identity}
	for j := range n {
		if len(buf) < maxSnapshotBuffer {
			buf, _ = s.appendItem(buf, k.c, v.Index(j))
		}
		if j == 0 && capacity == 0 && len(buf) > 0 {
			grown := make([]byte, len(buf), len(buf)*n+len(buf)*n/8+64)
			copy(grown, buf)
			buf = grown
		}
		ends[j] = int32(len(buf))
	}
	if cap(buf)-len(buf) > len(buf)/8+64 {
		buf = bytes.Clone(buf)
	}
	return &rangeSnap{typ: v.Type().Elem(), buf: buf, ends: ends}
}

// matchItems sets items[j] to the item of base whose snapshot equals the
// new item j's, where there is one, and returns the others, each with the
// base item at its position among the unmatched ones (or nil): what it
// corresponds to for the ranges nested in it. Identical items at both ends
// are matched in place; in between, by snapshot.
func matchItems(base *rangeNode, snap *rangeSnap, items []*node) (miss []int, pairs []*node) {
	n := len(items)
	if base == nil {
		miss = make([]int, n)
		for j := range miss {
			miss[j] = j
		}
		return miss, nil
	}
	old, on := base.snap, len(base.items)
	pre := 0
	for pre < n && pre < on && equalItems(snap, pre, old, pre) {
		items[pre] = base.items[pre]
		pre++
	}
	suf := 0
	for suf < n-pre && suf < on-pre && equalItems(snap, n-1-suf, old, on-1-suf) {
		items[n-1-suf] = base.items[on-1-suf]
		suf++
	}
	lo, hi, olo, ohi := pre, n-suf, pre, on-suf
	if hi > lo && ohi > olo {
		if (hi-lo)*(ohi-olo) <= 64 {
			for j := lo; j < hi; j++ {
				for i := olo; i < ohi; i++ {
					if equalItems(snap, j, old, i) {
						items[j] = base.items[i]
						break
					}
				}
			}
		} else {
			matchBySnapshot(base, snap, items, lo, hi, olo, ohi)
		}
	}
	for j := lo; j < hi; j++ {
		if items[j] != nil {
			continue
		}
		miss = append(miss, j)
		var p *node
		if i := olo + len(miss) - 1; i < ohi {
			p = base.items[i]
		}
		pairs = append(pairs, p)
	}
	return miss, pairs
}

// matchBySnapshot matches new items lo..hi against old items olo..ohi with
// a hash table of the old snapshots.
func matchBySnapshot(base *rangeNode, snap *rangeSnap, items []*node, lo, hi, olo, ohi int) {
	old := base.snap
	seed := maphash.MakeSeed()
	head := make(map[uint64]int32, ohi-olo)
	next := make([]int32, ohi-olo) // the next old index with the same hash, -1 at the end
	for i := ohi - 1; i >= olo; i-- {
		next[i-olo] = -1
		s := old.item(i)
		if len(s) == 0 {
			continue
		}
		h := maphash.Bytes(seed, s)
		if k, ok := head[h]; ok {
			next[i-olo] = k
		}
		head[h] = int32(i)
	}
	for j := lo; j < hi; j++ {
		s := snap.item(j)
		if len(s) == 0 {
			continue
		}
		k, ok := head[maphash.Bytes(seed, s)]
		for ok && k >= 0 {
			if bytes.Equal(s, old.item(int(k))) {
				items[j] = base.items[k]
				break
			}
			k = next[int(k)-olo]
		}
	}
}

// compactItems copies items, with everything they hold, into exactly sized
// arrays.
func compactItems(items []*node) []*node {
	var nodes, dyns, text int
	for _, it := range items {
		countNode(it, &nodes, &dyns, &text)
	}
	c := compactor{
		nodes: make([]node, 0, nodes),
		dyns:  make([]dyn, 0, dyns),
		text:  make([]byte, 0, text),
	}
	out := make([]*node, len(items))
	for i, it := range items {
		out[i] = c.node(it)
	}
	return out
}

// countNode adds what the subtree of n holds to the counts compactor needs.
func countNode(n *node, nodes, dyns, text *int) {
	*nodes++
	*dyns += len(n.dyns)
	for _, d := range n.dyns {
		switch {
		case d.node != nil:
			countNode(d.node, nodes, dyns, text)
		case d.rng != nil:
			for _, it := range d.rng.items {
				countNode(it, nodes, dyns, text)
			}
		default:
			*text += len(d.text)
		}
	}
}
