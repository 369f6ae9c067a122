package diff

import (
	"strconv"
	"sync"
)

// Patch is the difference between two trees, as the JSON a client applies
// (docs/protocol.md §2). Marshalled with encoding/json it is exactly {} when
// nothing changed. A Patch is immutable and safe for concurrent use; one
// Patch may be sent to any number of connections through [Stream.Advance].
type Patch struct {
	prev, next *Tree
	body       []byte     // the root node patch, without a statics table
	refs       []*statics // registered statics body names by id

	once sync.Once
	data []byte // body with the statics prev does not hold; made on first use
}

// emptyBody is the patch of no change.
var emptyBody = []byte("{}")

// MarshalJSON returns the wire form of the patch: self-contained for a
// client that holds prev, so it carries the statics of new parts that prev
// does not hold. The returned bytes must not be modified.
func (p *Patch) MarshalJSON() ([]byte, error) {
	if p == nil {
		return []byte("{}"), nil
	}
	return p.wire(), nil
}

func (p *Patch) wire() []byte {
	p.once.Do(func() {
		if len(p.refs) == 0 {
			p.data = p.body
			return
		}
		var held idSet
		if p.prev != nil && p.prev.root != nil {
			idsIn(p.prev.root, p.refs[0].reg, &held)
		}
		p.data = message(p.body, p.refs, func(st *statics) bool { return held.has(st.id) })
	})
	return p.data
}

// Empty reports whether the patch changes nothing.
func (p *Patch) Empty() bool { return p == nil || len(p.body) <= 2 }

// Len returns the size of the patch's wire form (MarshalJSON) in bytes.
func (p *Patch) Len() int {
	if p == nil {
		return 2
	}
	return len(p.wire())
}

// Diff returns the patch that turns prev, the tree a client holds, into next.
// Statics travel only for parts whose structure changed, and then only when
// the client does not already hold them somewhere in prev (a [Stream] also
// skips those it sent earlier). A nil prev yields a patch that carries all
// of next. Diff is safe for concurrent use; it does not modify either tree.
func Diff(prev, next *Tree) *Patch {
	p := &Patch{prev: prev, next: next, body: emptyBody}
	if next == nil || next.root == nil {
		return p
	}
	d := differ{}
	if prev != nil && prev.root != nil {
		body, changed := d.node(nil, prev.root, next.root, asRoot)
		if !changed {
			return p
		}
		p.body = body
	} else {
		p.body = d.e.node(nil, next.root, nil, asRoot)
	}
	p.refs = d.e.refs
	return p
}

type differ struct {
	e encoder
}

// node appends the patch turning o into n and reports whether there was any.
// With no change it returns b unchanged. form is where a complete node would
// go.
func (d *differ) node(b []byte, o, n *node, form nodeForm) ([]byte, bool) {
	if o == n {
		return b, false
	}
	if len(o.dyns) != len(n.dyns) || !sameStatics(o.st, n.st) {
		return d.e.node(b, n, nil, form), true
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
			return d.e.node(b, n.node, nil, asDyn), true
		}
		return d.node(b, o.node, n.node, asDyn)
	case n.rng != nil:
		if o.rng == nil {
			return d.e.rng(b, n.rng), true
		}
		return d.rng(b, o.rng, n.rng)
	default:
		if o.node != nil || o.rng != nil {
			return appendString(b, n.text), true
		}
		if o.text == n.text {
			return b, false
		}
		return appendText(b, o.text, n.text), true
	}
}

// rng appends a range patch: the operations that build the new items from
// the old ones with a cursor over the old items (docs/protocol.md §2.2).
func (d *differ) rng(b []byte, o, n *rangeNode) ([]byte, bool) {
	oDef, nDef := o.defaultStatics(), n.defaultStatics()
	if oDef == nil && nDef == nil {
		return b, false
	}
	if oDef == nil || nDef == nil || !sameStatics(oDef, nDef) {
		return d.e.rng(b, n), true
	}
	m := match(o.items, n.items)
	if m.identity(len(o.items)) {
		return b, false
	}
	w := opWriter{b: append(b, '['), absA: -1}
	c := 0 // the cursor: the next old item
	for j, it := range n.items {
		i := m.old[j]
		switch {
		case i >= 0 && m.same[j] && i >= c: // copy at the cursor, after skipping
			w.flushAbs()
			w.skip(i - c)
			w.run++
			c = i + 1
		case i >= 0 && m.same[j]: // an old item behind the cursor
			w.flushRun()
			if w.absN > 0 && i == w.absA+w.absN {
				w.absN++
				continue
			}
			w.flushAbs()
			w.absA, w.absN = i, 1
		case i >= c: // an old item at or after the cursor, patched
			w.skip(i - c)
			w.flush()
			w.op()
			w.b = append(w.b, '[')
			w.b, _ = d.node(w.b, o.items[i], it, asItem)
			w.b = append(w.b, ']')
			c = i + 1
		case i >= 0: // an old item behind the cursor, patched
			w.flush()
			w.op()
			w.b = append(w.b, '[')
			w.b = strconv.AppendInt(w.b, int64(i), 10)
			w.b = append(w.b, ',')
			w.b, _ = d.node(w.b, o.items[i], it, asItem)
			w.b = append(w.b, ']')
		default: // a new item
			w.flush()
			w.op()
			w.b = d.e.node(w.b, it, nDef, asNewItem)
		}
	}
	w.flushAbs()
	if c < len(o.items) {
		w.flushRun()
		w.skip(len(o.items) - c) // the rest is copied unless dropped
	}
	// A copy run that ends at the last old item is left implicit.
	return append(w.b, ']'), true
}

// opWriter writes range operations, merging consecutive copies.
type opWriter struct {
	b          []byte
	ops        int
	run        int // copies at the cursor not written yet
	absA, absN int // a copy run behind the cursor not written yet
}

func (w *opWriter) op() {
	if w.ops > 0 {
		w.b = append(w.b, ',')
	}
	w.ops++
}

func (w *opWriter) flushRun() {
	if w.run > 0 {
		w.op()
		w.b = strconv.AppendInt(w.b, int64(w.run), 10)
		w.run = 0
	}
}

func (w *opWriter) flushAbs() {
	if w.absN > 0 {
		w.op()
		w.b = append(w.b, '[')
		w.b = strconv.AppendInt(w.b, int64(w.absA), 10)
		w.b = append(w.b, ',')
		w.b = strconv.AppendInt(w.b, int64(w.absN), 10)
		w.b = append(w.b, ']')
		w.absN = 0
	}
}

func (w *opWriter) flush() {
	w.flushRun()
	w.flushAbs()
}

// skip drops n old items at the cursor.
func (w *opWriter) skip(n int) {
	if n == 0 {
		return
	}
	w.flush()
	w.op()
	w.b = strconv.AppendInt(w.b, int64(-n), 10)
}
