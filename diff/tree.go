package diff

import (
	"strings"
	"unsafe"
)

// Tree is one render of a template: statics and dynamics that concatenate to
// the exact output of Execute. A Tree is immutable; it is safe to read, diff,
// encode and apply patches to from several goroutines at once.
//
// Marshalled with encoding/json, a Tree gives the first-render wire form
// (docs/protocol.md §1), statics included.
type Tree struct {
	root *node
	// table is, on the client side, every statics array received by id since
	// the last full tree (docs/protocol.md §1.3); nil for rendered trees. It
	// is never modified: Apply copies it when a patch adds to it.
	table map[int32]*statics
	tmpl  *Template // the Template that rendered it; nil on the client side
}

// node is a sequence st.strs[0] dyns[0] st.strs[1] … st.strs[n].
type node struct {
	st   *statics
	dyns []dyn
}

// dyn is one dynamic: text when node and rng are nil, else a nested node or a
// range.
type dyn struct {
	text string
	node *node
	rng  *rangeNode
}

// rangeNode is a range that executed its body zero or more times. Its default
// statics are those of its first item.
type rangeNode struct {
	items []*node
	id    int32      // the slot of the range in its Template; 0 on the client side
	snap  *rangeSnap // a converted range's item snapshots (loop.go), else nil
}

// defaultStatics returns the statics of the first item, nil for no items.
func (r *rangeNode) defaultStatics() *statics {
	if len(r.items) == 0 {
		return nil
	}
	return r.items[0].st
}

// HTML returns the HTML the tree stands for: for a rendered tree, exactly what
// Execute wrote for the same template and data.
func (t *Tree) HTML() string {
	if t == nil || t.root == nil {
		return ""
	}
	var b strings.Builder
	b.Grow(t.root.htmlLen())
	t.root.write(&b)
	return b.String()
}

func (n *node) write(b *strings.Builder) {
	for i, d := range n.dyns {
		b.WriteString(n.st.strs[i])
		d.write(b)
	}
	b.WriteString(n.st.strs[len(n.dyns)])
}

func (d dyn) write(b *strings.Builder) {
	switch {
	case d.node != nil:
		d.node.write(b)
	case d.rng != nil:
		for _, it := range d.rng.items {
			it.write(b)
		}
	default:
		b.WriteString(d.text)
	}
}

// htmlLen returns the length of the HTML n stands for.
func (n *node) htmlLen() int {
	s := 0
	for _, st := range n.st.strs {
		s += len(st)
	}
	for _, d := range n.dyns {
		switch {
		case d.node != nil:
			s += d.node.htmlLen()
		case d.rng != nil:
			for _, it := range d.rng.items {
				s += it.htmlLen()
			}
		default:
			s += len(d.text)
		}
	}
	return s
}

// Memory of a node (its struct and the pointer that holds it) and of a
// dynamic (its slot in its node), for Footprint.
const (
	nodeBytes = int(unsafe.Sizeof(node{})) + int(unsafe.Sizeof(&node{}))
	dynBytes  = int(unsafe.Sizeof(dyn{}))
)

func (n *node) footprint() int {
	s := nodeBytes
	for _, d := range n.dyns {
		s += dynBytes + d.footprint()
	}
	return s
}

func (d dyn) footprint() int {
	switch {
	case d.node != nil:
		return d.node.footprint()
	case d.rng != nil:
		s := int(unsafe.Sizeof(rangeNode{}))
		for _, it := range d.rng.items {
			s += it.footprint()
		}
		return s
	default:
		return len(d.text)
	}
}

// equalNode reports whether two nodes render identically with identical
// structure.
func equalNode(a, b *node) bool {
	if a == b {
		return true
	}
	if len(a.dyns) != len(b.dyns) || !sameStatics(a.st, b.st) {
		return false
	}
	for i := range a.dyns {
		if !equalDyn(a.dyns[i], b.dyns[i]) {
			return false
		}
	}
	return true
}

func equalDyn(a, b dyn) bool {
	switch {
	case a.node != nil:
		return b.node != nil && equalNode(a.node, b.node)
	case a.rng != nil:
		if b.rng == nil || len(a.rng.items) != len(b.rng.items) {
			return false
		}
		for i := range a.rng.items {
			if !equalNode(a.rng.items[i], b.rng.items[i]) {
				return false
			}
		}
		return true
	default:
		return b.node == nil && b.rng == nil && a.text == b.text
	}
}

// Footprint estimates the bytes of memory the tree holds on to, without
// the statics it shares with its template: its texts, and the nodes and
// dynamics that hold them. A budget of trees kept in memory is kept in
// these bytes.
func (t *Tree) Footprint() int {
	if t == nil || t.root == nil {
		return 0
	}
	return t.root.footprint()
}
