package diff

import "strings"

// Tree is one render of a template: statics and dynamics that concatenate to
// the exact output of Execute. A Tree is immutable; it is safe to read, diff,
// encode and apply patches to from several goroutines at once.
//
// Marshalled with encoding/json, a Tree gives the first-render wire form
// (docs/protocol.md §1), statics included.
type Tree struct {
	root *node
}

// node is a sequence statics[0] dyns[0] statics[1] … statics[n]. fp
// fingerprints the statics.
type node struct {
	statics []string
	dyns    []dyn
	fp      uint64
	inline  bool // client side: statics came inline, fp is not the server's
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
}

func (r *rangeNode) defaultStatics() ([]string, uint64, bool) {
	if len(r.items) == 0 {
		return nil, 0, false
	}
	return r.items[0].statics, r.items[0].fp, true
}

// HTML returns the HTML the tree stands for: for a rendered tree, exactly what
// Execute wrote for the same template and data.
func (t *Tree) HTML() string {
	if t == nil || t.root == nil {
		return ""
	}
	var b strings.Builder
	b.Grow(t.root.size())
	t.root.write(&b)
	return b.String()
}

func (n *node) write(b *strings.Builder) {
	for i, d := range n.dyns {
		b.WriteString(n.statics[i])
		d.write(b)
	}
	b.WriteString(n.statics[len(n.dyns)])
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

func (n *node) size() int {
	s := 0
	for _, st := range n.statics {
		s += len(st)
	}
	for _, d := range n.dyns {
		s += d.size()
	}
	return s
}

func (d dyn) size() int {
	switch {
	case d.node != nil:
		return d.node.size()
	case d.rng != nil:
		s := 0
		for _, it := range d.rng.items {
			s += it.size()
		}
		return s
	default:
		return len(d.text)
	}
}

// equalStatics reports whether two statics arrays are equal. Statics of one
// compiled template share their strings, so this is mostly pointer compares.
func equalStatics(a, b []string) bool {
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

// equalNode reports whether two nodes render identically with identical
// structure.
func equalNode(a, b *node) bool {
	if a == b {
		return true
	}
	if a.fp != b.fp || len(a.dyns) != len(b.dyns) || !equalStatics(a.statics, b.statics) {
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
