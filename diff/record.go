package diff

import (
	"fmt"
	"sync/atomic"
	"unsafe"
)

// Render executes the template with data and returns the tree of the output.
// The output is what Execute would write for the same data; an execution
// error is returned as Execute would return it, wrapped. Render is safe for
// concurrent use.
func (t *Template) Render(data any) (*Tree, error) {
	return t.RenderFrom(nil, data)
}

// RenderFrom is Render with prev, an earlier render of t (typically the
// one the page shows now), as a cache: a range whose body reads only its
// item reuses prev's rendering of every item whose value is equal to the
// one prev rendered, instead of executing the body for it again (see
// docs/templates.md, "What makes a page fast"). The result is exactly
// Render(data)'s, whatever prev is: prev may be nil, a tree of another
// Template (both are ignored), or any earlier tree of t. prev is not
// modified, and the new tree may share nodes with it (trees are
// immutable). RenderFrom is safe for concurrent use.
func (t *Template) RenderFrom(prev *Tree, data any) (*Tree, error) {
	var base *node
	if prev != nil && prev.tmpl == t {
		base = prev.root
	}
	tree, err := t.render(t.fast, base, data)
	if err != nil && t.plain != t.fast {
		// Execute the template as Execute does, for Execute's own error.
		tree, err = t.render(t.plain, nil, data)
	}
	if err != nil {
		return nil, fmt.Errorf("diff: render %q: %w", t.name, err)
	}
	return tree, nil
}

// render executes program p with data into a new tree; base is the root of
// the tree whose items converted ranges may reuse, or nil.
func (t *Template) render(p *program, base *node, data any) (*Tree, error) {
	r := recorder{t: t, p: p, stack: make([]frame, 0, 16), hint: &t.hint, reg: &t.reg}
	if base != nil {
		r.hint = &t.hintFrom
	}
	r.push(frameNode, 0, t.rootSize, dyn{node: base})
	if err := p.entry.Execute(&r, data); err != nil {
		return nil, err
	}
	for len(r.stack) > 1 { // unclosed frames cannot happen, but never lose output
		r.pop()
	}
	root := r.finishNode(&r.stack[0])
	return &Tree{root: r.finish(root), tmpl: t}, nil
}

// sizeHint is how many nodes, dynamics and bytes of text the last render of
// a Template used. A render sizes its first slabs from it, so that a kept tree retains
// about what its content needs: a page that renders the same shape every
// time gets exactly sized slabs.
type sizeHint struct {
	nodes, dyns, text atomic.Int64
}

// slabCounts tracks one kind of slab: elements handed out and allocated.
type slabCounts struct {
	used, alloc int
}

// next returns the size of a new slab that must hold at least n elements:
// for the first, what the hint says a render needs (with an eighth of headroom),
// else as much as was allocated so far, so that slabs grow geometrically.
func (c *slabCounts) next(n int, hint *atomic.Int64) int {
	size := 0
	if c.alloc == 0 {
		h := int(hint.Load())
		size = h + h/8
	} else {
		size = c.alloc
	}
	size = max(size, n, 1)
	c.alloc += size
	return size
}

type frameKind uint8

const (
	frameNode   frameKind = iota // an if/with/template block, a range item, or a range's else
	frameRange                   // a range collecting items
	frameAction                  // an action's output
)

// frame is one open dynamic part while the template executes.
type frame struct {
	kind    frameKind
	id      int32
	statics []string // scratch, reused: the node keeps the interned copy
	dyns    []dyn
	fp      uint64
	// The static text since the last dynamic: seg if it came in one write,
	// else the bytes in buf.
	seg    string
	segSet bool
	segH   uint64
	buf    []byte
	multi  bool
	items  []*node // frameRange
	nested int     // frameAction: opens of the same slot inside the action
	textAt int     // frameAction: where its text starts in the recorder's text
	// pd is this part in the tree the render reuses items of, when that
	// tree has one at the same place: the node of a node frame, the range
	// of a range frame. It only tells converted ranges where to look for
	// items to reuse; they check what they find.
	pd dyn
	// A converted range (frameRange): the snapshots of its items, and the
	// items of pd the items it executes correspond to (for their own pd).
	snap     *rangeSnap
	itemPrev []*node
}

// recorder is the io.Writer the instrumented template executes into. It tells
// markers and statics from data by the address of the written bytes.
type recorder struct {
	t     *Template
	p     *program
	stack []frame
	reg   *registry // interns the statics of every node
	// Slabs the nodes of one render are carved from, so that a render makes
	// a few large allocations instead of two small ones per node. They are
	// sized from hint and grow geometrically.
	hint    *sizeHint
	nodes   []node
	dynSlab []dyn
	// The text of every action, back to back: text dynamics are strings
	// into it, never modified once written.
	text       []byte
	nc, dc, tc slabCounts
	// loopSlot is the slot of the converted range whose token the next
	// write is (0: none); loops counts the converted ranges executing
	// their items, one inside the other.
	loopSlot int32
	loops    int
	shared   bool // the tree reuses nodes of an earlier tree
}

// addText appends p to the text of the action frame f. The text of one
// action stays contiguous: when the slab is full, what f has so far moves
// to the new one.
func (r *recorder) addText(f *frame, p []byte) {
	if cap(r.text)-len(r.text) < len(p) {
		so := r.text[f.textAt:]
		text := make([]byte, 0, r.tc.next(len(so)+len(p), &r.hint.text))
		r.text = append(text, so...)
		f.textAt = 0
		r.tc.used += len(so) // the copy counts again
	}
	r.text = append(r.text, p...)
	r.tc.used += len(p)
}

func (r *recorder) newNode() *node {
	if len(r.nodes) == cap(r.nodes) {
		r.nodes = make([]node, 0, r.nc.next(1, &r.hint.nodes))
	}
	r.nc.used++
	r.nodes = r.nodes[:len(r.nodes)+1]
	return &r.nodes[len(r.nodes)-1]
}

// dyns returns an empty slice with room for n dynamics.
func (r *recorder) dyns(n int) []dyn {
	if cap(r.dynSlab)-len(r.dynSlab) < n {
		r.dynSlab = make([]dyn, 0, r.dc.next(n, &r.hint.dyns))
	}
	r.dc.used += n
	l := len(r.dynSlab)
	r.dynSlab = r.dynSlab[:l+n]
	return r.dynSlab[l : l : l+n]
}

// finish records this render's counts as the hint for the next one and, if
// the slabs turned out much larger than the tree (the hint came from a
// bigger render), copies the tree into exactly sized arrays so that a kept
// tree does not retain the unused part.
func (r *recorder) finish(root *node) *node {
	r.hint.nodes.Store(int64(r.nc.used))
	r.hint.dyns.Store(int64(r.dc.used))
	r.hint.text.Store(int64(r.tc.used))
	if r.shared {
		// Copying would duplicate the nodes shared with the earlier tree;
		// the items this render made were copied out of the slabs already
		// (reuse.go), the rest is the page around them.
		return root
	}
	waste := (r.nc.alloc-r.nc.used)*nodeSize + (r.dc.alloc-r.dc.used)*dynSize + r.tc.alloc - r.tc.used
	used := r.nc.used*nodeSize + r.dc.used*dynSize + r.tc.used
	if waste <= used/4+64 {
		return root
	}
	c := compactor{
		nodes: make([]node, 0, r.nc.used),
		dyns:  make([]dyn, 0, r.dc.used),
		text:  make([]byte, 0, r.tc.used),
	}
	return c.node(root)
}

// Sizes in bytes of the slab elements, for weighing waste.
const (
	nodeSize = int(unsafe.Sizeof(node{}))
	dynSize  = int(unsafe.Sizeof(dyn{}))
)

// compactor copies a tree into exactly sized slabs.
type compactor struct {
	nodes []node
	dyns  []dyn
	text  []byte
}

func (c *compactor) node(n *node) *node {
	c.nodes = append(c.nodes, node{st: n.st})
	m := &c.nodes[len(c.nodes)-1]
	if len(n.dyns) == 0 {
		return m
	}
	l := len(c.dyns)
	c.dyns = append(c.dyns, n.dyns...)
	m.dyns = c.dyns[l:len(c.dyns):len(c.dyns)]
	for i := range m.dyns {
		d := &m.dyns[i]
		switch {
		case d.node != nil:
			d.node = c.node(d.node)
		case d.rng != nil:
			items := make([]*node, len(d.rng.items))
			for j, it := range d.rng.items {
				items[j] = c.node(it)
			}
			rng := *d.rng
			rng.items = items
			d.rng = &rng
		case len(d.text) > 0 && cap(c.text)-len(c.text) >= len(d.text):
			l := len(c.text)
			c.text = append(c.text, d.text...)
			d.text = unsafe.String(&c.text[l], len(d.text))
		}
	}
	return m
}

func (r *recorder) push(kind frameKind, id, size int32, pd dyn) {
	var f *frame
	if len(r.stack) < cap(r.stack) {
		r.stack = r.stack[:len(r.stack)+1]
		f = &r.stack[len(r.stack)-1]
		*f = frame{kind: kind, id: id, fp: fnvOffset, buf: f.buf[:0], statics: f.statics[:0], pd: pd}
	} else {
		r.stack = append(r.stack, frame{kind: kind, id: id, fp: fnvOffset, pd: pd})
		f = &r.stack[len(r.stack)-1]
	}
	if kind == frameNode && size > 0 {
		f.dyns = r.dyns(int(size))
	}
}

// Write implements io.Writer.
func (r *recorder) Write(p []byte) (int, error) {
	if len(p) == 0 {
		return 0, nil
	}
	if r.loopSlot != 0 {
		slot := r.loopSlot
		r.loopSlot = 0
		if err := r.runLoop(slot, p); err != nil {
			return 0, err
		}
		return len(p), nil
	}
	m, ok := r.p.mark(p)
	if ok && m.kind == markLoop {
		r.loopSlot = m.id
		return len(p), nil
	}
	top := &r.stack[len(r.stack)-1]
	if top.kind == frameAction {
		r.actionWrite(top, p, m, ok)
		return len(p), nil
	}
	if !ok || m.kind == markStatic {
		if ok && len(m.text) == len(p) {
			top.addStatic(m.text, m.hash)
		} else {
			top.addStaticBytes(p)
		}
		return len(p), nil
	}
	switch m.kind {
	case markActionOpen:
		r.push(frameAction, m.id, 0, dyn{})
		r.stack[len(r.stack)-1].textAt = len(r.text)
	case markNodeOpen, markRangeOpen:
		kind := frameNode
		if m.kind == markRangeOpen {
			kind = frameRange
		}
		r.push(kind, m.id, m.size, childPrev(top))
	case markItem:
		r.unwindWhile(func(f *frame, _ bool) bool { return f.kind != frameRange || f.id != m.id })
		r.push(frameNode, m.id, m.size, itemPrev(&r.stack[len(r.stack)-1]))
	case markElse:
		r.unwindWhile(func(f *frame, _ bool) bool { return f.kind != frameRange || f.id != m.id })
		r.stack[len(r.stack)-1].kind = frameNode
	case markRangeClose:
		// Close open items, then the range (or the else branch it ran).
		r.unwindWhile(func(f *frame, item bool) bool { return f.id != m.id || item })
		r.pop()
	case markNodeClose:
		r.unwindWhile(func(f *frame, _ bool) bool { return f.id != m.id || f.kind != frameNode })
		r.pop()
	}
	return len(p), nil
}

// actionWrite handles a write while an action's output is being collected.
// Markers of templates the action runs (an opaque derived template can call
// instrumented ones) are dropped; static text is output like any other.
func (r *recorder) actionWrite(top *frame, p []byte, m *mark, ok bool) {
	if !ok {
		r.addText(top, p)
		return
	}
	switch {
	case m.kind == markStatic:
		r.addText(top, p)
	case m.kind == markActionOpen && m.id == top.id:
		top.nested++
	case m.kind == markActionClose && m.id == top.id:
		if top.nested > 0 {
			top.nested--
			return
		}
		r.pop()
	}
}

// unwindWhile closes frames while open(top, topIsRangeItem) holds. Frames
// left open by {{break}} and {{continue}} are closed this way.
func (r *recorder) unwindWhile(open func(f *frame, item bool) bool) {
	for n := len(r.stack) - 1; n > 0; n-- {
		f := &r.stack[n]
		item := f.kind == frameNode && r.stack[n-1].kind == frameRange && r.stack[n-1].id == f.id
		if !open(f, item) {
			return
		}
		r.pop()
	}
}

// pop finishes the top frame and adds it as a dynamic (or item) of its parent.
func (r *recorder) pop() {
	n := len(r.stack) - 1
	f := &r.stack[n]
	parent := &r.stack[n-1]
	var d dyn
	switch f.kind {
	case frameAction:
		if n := len(r.text) - f.textAt; n > 0 {
			d.text = unsafe.String(&r.text[f.textAt], n)
		}
	case frameRange:
		d.rng = &rangeNode{items: f.items, id: f.id, snap: f.snap}
	case frameNode:
		nd := r.finishNode(f)
		if parent.kind == frameRange && parent.id == f.id {
			parent.items = append(parent.items, nd)
			r.stack = r.stack[:n]
			return
		}
		d.node = nd
	}
	r.stack = r.stack[:n]
	parent.addDyn(d)
}

func (r *recorder) finishNode(f *frame) *node {
	f.flush()
	n := r.newNode()
	*n = node{st: r.intern(f), dyns: f.dyns}
	return n
}

// intern returns the registered statics of the node f made.
func (r *recorder) intern(f *frame) *statics {
	last := &r.t.last[f.id]
	if st := last.Load(); st != nil && st.fp == f.fp && equalStrings(st.strs, f.statics) {
		return st
	}
	st := r.reg.intern(f.statics, f.fp)
	last.Store(st)
	return st
}

func (f *frame) addStatic(s string, h uint64) {
	if !f.segSet {
		f.seg, f.segH, f.segSet = s, h, true
		return
	}
	if !f.multi {
		f.buf = append(f.buf[:0], f.seg...)
		f.multi = true
	}
	f.buf = append(f.buf, s...)
}

func (f *frame) addStaticBytes(p []byte) {
	if !f.segSet {
		f.buf = append(f.buf[:0], p...)
		f.segSet, f.multi = true, true
		return
	}
	if !f.multi {
		f.buf = append(f.buf[:0], f.seg...)
		f.multi = true
	}
	f.buf = append(f.buf, p...)
}

// flush ends the current static segment.
func (f *frame) flush() {
	s, h := "", emptyHash
	if f.multi {
		s = string(f.buf)
		h = hashString(s)
	} else if f.segSet {
		s, h = f.seg, f.segH
	}
	f.statics = append(f.statics, s)
	f.fp = mixHash(f.fp, h)
	f.seg, f.segSet, f.multi = "", false, false
}

func (f *frame) addDyn(d dyn) {
	f.flush()
	f.dyns = append(f.dyns, d)
}

// emptyHash is hashString("").
const emptyHash = fnvOffset

// childPrev returns what the next dynamic of f was in the tree the render
// reuses items of.
func childPrev(f *frame) dyn {
	if n := f.pd.node; n != nil && len(f.dyns) < len(n.dyns) {
		return n.dyns[len(f.dyns)]
	}
	return dyn{}
}

// itemPrev returns the item of the tree the render reuses items of that
// the next item of the range frame f corresponds to: the one a converted
// range paired it with, else the one at the same position.
func itemPrev(f *frame) dyn {
	i := len(f.items)
	if f.itemPrev != nil {
		if i < len(f.itemPrev) {
			return dyn{node: f.itemPrev[i]}
		}
		return dyn{}
	}
	if rg := f.pd.rng; rg != nil && rg.id == f.id && i < len(rg.items) {
		return dyn{node: rg.items[i]}
	}
	return dyn{}
}
