package diff

import "strconv"

// Patch is the difference between two trees, as the JSON a client applies
// (docs/protocol.md §2). Marshalled with encoding/json it is exactly {} when
// nothing changed. A Patch is immutable.
type Patch struct {
	data []byte
}

// MarshalJSON returns the wire form of the patch.
func (p *Patch) MarshalJSON() ([]byte, error) {
	if p == nil {
		return []byte("{}"), nil
	}
	return p.data, nil
}

// Empty reports whether the patch changes nothing.
func (p *Patch) Empty() bool { return p == nil || len(p.data) <= 2 }

// Len returns the size of the patch's wire form in bytes.
func (p *Patch) Len() int {
	if p == nil {
		return 2
	}
	return len(p.data)
}

// Diff returns the patch that turns prev, the tree a client holds, into next.
// Statics travel only for parts whose structure changed, and then only when
// the client does not already hold them somewhere in prev. A nil prev yields a
// patch that carries all of next. Diff is safe for concurrent use; it does not
// modify either tree.
func Diff(prev, next *Tree) *Patch {
	if next == nil || next.root == nil {
		return &Patch{data: []byte("{}")}
	}
	d := differ{}
	if prev != nil && prev.root != nil {
		d.e.known = d.knownIn(prev.root)
		body, changed := d.node(nil, prev.root, next.root)
		if !changed {
			return &Patch{data: []byte("{}")}
		}
		d.e.body = body
	} else {
		d.e.body = d.e.node(nil, next.root, nil)
	}
	return &Patch{data: d.e.message()}
}

type differ struct {
	e    encoder
	keys map[uint64]keyPath
}

// knownIn returns a lookup of the statics held in a tree, built on first use.
func (d *differ) knownIn(root *node) func(uint64) ([]string, bool) {
	var set map[uint64][]string
	return func(fp uint64) ([]string, bool) {
		if set == nil {
			set = make(map[uint64][]string)
			collectStatics(root, set)
		}
		s, ok := set[fp]
		return s, ok
	}
}

func collectStatics(n *node, set map[uint64][]string) {
	set[n.fp] = n.statics
	for _, d := range n.dyns {
		switch {
		case d.node != nil:
			collectStatics(d.node, set)
		case d.rng != nil:
			for _, it := range d.rng.items {
				collectStatics(it, set)
			}
		}
	}
}

// node appends the patch turning o into n and reports whether there was any.
// With no change it returns b unchanged.
func (d *differ) node(b []byte, o, n *node) ([]byte, bool) {
	if o == n {
		return b, false
	}
	if !equalStatics(o.statics, n.statics) || len(o.dyns) != len(n.dyns) {
		return d.e.node(b, n, nil), true
	}
	start := len(b)
	b = append(b, '{')
	any := false
	for i := range n.dyns {
		mark := len(b)
		if any {
			b = append(b, ',')
		}
		b = appendKey(b, i)
		var changed bool
		b, changed = d.dyn(b, o.dyns[i], n.dyns[i])
		if !changed {
			b = b[:mark]
			continue
		}
		any = true
	}
	if !any {
		return b[:start], false
	}
	return append(b, '}'), true
}

func (d *differ) dyn(b []byte, o, n dyn) ([]byte, bool) {
	switch {
	case n.node != nil:
		if o.node == nil {
			return d.e.node(b, n.node, nil), true
		}
		return d.node(b, o.node, n.node)
	case n.rng != nil:
		if o.rng == nil {
			return d.e.rng(b, n.rng), true
		}
		return d.rng(b, o.rng, n.rng)
	default:
		if o.node == nil && o.rng == nil && o.text == n.text {
			return b, false
		}
		return appendString(b, n.text), true
	}
}

// rng appends a range patch: operations that build the new items from the
// old ones (docs/protocol.md §2.2).
func (d *differ) rng(b []byte, o, n *rangeNode) ([]byte, bool) {
	oDef, _, oOK := o.defaultStatics()
	nDef, _, nOK := n.defaultStatics()
	if !oOK && !nOK {
		return b, false
	}
	if oOK != nOK || !equalStatics(oDef, nDef) {
		return d.e.rng(b, n), true
	}
	m := d.match(o.items, n.items)
	start := len(b)
	b = append(b, `{"o":[`...)
	runStart, runLen, ops := -1, 0, 0
	flush := func() {
		if runLen == 0 {
			return
		}
		if ops > 0 {
			b = append(b, ',')
		}
		b = append(b, '[')
		b = strconv.AppendInt(b, int64(runStart), 10)
		b = append(b, ',')
		b = strconv.AppendInt(b, int64(runLen), 10)
		b = append(b, ']')
		ops++
		runStart, runLen = -1, 0
	}
	identity := len(o.items) == len(n.items)
	for j, it := range n.items {
		i := m.old[j]
		if i >= 0 && m.same[j] {
			if i != j {
				identity = false
			}
			if runLen > 0 && i == runStart+runLen {
				runLen++
				continue
			}
			flush()
			runStart, runLen = i, 1
			continue
		}
		identity = false
		flush()
		if ops > 0 {
			b = append(b, ',')
		}
		if i >= 0 {
			b = append(b, '[')
			b = strconv.AppendInt(b, int64(i), 10)
			b = append(b, ',')
			var changed bool
			b, changed = d.node(b, o.items[i], it)
			if !changed { // cannot happen: same is false only for different items
				b = append(b, "{}"...)
			}
			b = append(b, ']')
		} else {
			b = d.e.node(b, it, nDef)
		}
		ops++
	}
	flush()
	if identity {
		return b[:start], false
	}
	return append(b, "]}"...), true
}
