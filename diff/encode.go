package diff

import (
	"strconv"
	"unicode/utf8"
)

// MarshalJSON returns the first-render wire form of the tree: the root node
// with a "p" statics table holding every statics array it names
// (docs/protocol.md §1). The message is self-contained: a client that holds
// nothing can read it.
func (t *Tree) MarshalJSON() ([]byte, error) {
	if t == nil || t.root == nil {
		return []byte("null"), nil
	}
	msg, _ := t.encode()
	return msg, nil
}

// encode returns the self-contained wire form of t and the registered
// statics it names.
func (t *Tree) encode() ([]byte, []*statics) {
	e := encoder{}
	body := e.node(nil, t.root, nil, asRoot)
	return message(body, e.refs, nil), e.refs
}

// encoder writes nodes as JSON. A statics array with an id travels as the
// id; refs collects those, in order of first use, for the statics table.
type encoder struct {
	refs []*statics
	seen idSet
	reg  *registry // the registry of the ids in refs
}

// nodeForm tells encoder.node where a complete node goes.
type nodeForm uint8

const (
	asRoot    nodeForm = iota // the message's root object
	asDyn                     // a dynamic: a node without dynamics may be its bare id
	asItem                    // an item of a complete range: its dynamics as an array when it has the range's statics
	asNewItem                 // a new item in range operations: the same, unless the array would read as an operation
)

// message assembles a message: {"p":{…}, <root keys>}, the table holding
// the statics of refs except those skip reports the receiver holds.
func message(body []byte, refs []*statics, skip func(*statics) bool) []byte {
	n := 0
	for _, st := range refs {
		if skip == nil || !skip(st) {
			n++
		}
	}
	if n == 0 {
		return body
	}
	out := make([]byte, 0, len(body)+64*n)
	out = append(out, `{"p":{`...)
	first := true
	for _, st := range refs {
		if skip != nil && skip(st) {
			continue
		}
		if !first {
			out = append(out, ',')
		}
		first = false
		out = append(out, '"')
		out = strconv.AppendInt(out, int64(st.id), 10)
		out = append(out, '"', ':')
		out = appendStrings(out, st.strs)
	}
	out = append(out, '}')
	if len(body) > 2 { // body is "{…}"; splice its keys after the table
		out = append(out, ',')
	}
	return append(out, body[1:]...)
}

// statics appends the value of an "s" key: the id of registered statics,
// else the statics inline.
func (e *encoder) statics(b []byte, st *statics) []byte {
	// Only a registry's ids are known to mean the same statics everywhere:
	// statics a client parsed, or of a second Template in one tree, travel
	// inline.
	if !e.byID(st) {
		return appendStrings(b, st.strs)
	}
	e.reg = st.reg
	if !e.seen.has(st.id) {
		e.seen.add(st.id)
		e.refs = append(e.refs, st)
	}
	return strconv.AppendInt(b, int64(st.id), 10)
}

// looksLikeOp reports whether the dynamics of n, written as an array, would
// read as a range operation: [{…}] or [a, n] or [a, {…}] (docs/protocol.md
// §2.2).
func (e *encoder) looksLikeOp(n *node) bool {
	switch len(n.dyns) {
	case 1:
		return e.isObject(n.dyns[0])
	case 2:
		return e.isInt(n.dyns[0]) && (e.isInt(n.dyns[1]) || e.isObject(n.dyns[1]))
	}
	return false
}

// isInt reports whether d is written as an integer: a node without
// dynamics, by id.
func (e *encoder) isInt(d dyn) bool {
	return d.node != nil && len(d.node.dyns) == 0 && e.byID(d.node.st)
}

// isObject reports whether d is written as an object.
func (e *encoder) isObject(d dyn) bool {
	return d.rng != nil || (d.node != nil && !e.isInt(d))
}

// byID reports whether st travels as its id.
func (e *encoder) byID(st *statics) bool {
	return st.id >= 0 && st.reg != nil && (e.reg == nil || st.reg == e.reg)
}

// node appends a complete node; def are the statics an item may omit.
func (e *encoder) node(b []byte, n *node, def *statics, form nodeForm) []byte {
	if len(n.dyns) == 0 && form == asDyn && e.byID(n.st) {
		return e.statics(b, n.st)
	}
	if (form == asItem || form == asNewItem) && sameStatics(def, n.st) && (form == asItem || !e.looksLikeOp(n)) {
		b = append(b, '[')
		for i, d := range n.dyns {
			if i > 0 {
				b = append(b, ',')
			}
			b = e.dyn(b, d)
		}
		return append(b, ']')
	}
	b = append(b, '{')
	if form == asDyn || form == asRoot || !sameStatics(def, n.st) {
		b = append(b, `"s":`...)
		b = e.statics(b, n.st)
		if len(n.dyns) > 0 {
			b = append(b, ',')
		}
	}
	for i, d := range n.dyns {
		if i > 0 {
			b = append(b, ',')
		}
		b = appendKey(b, i)
		b = e.dyn(b, d)
	}
	return append(b, '}')
}

func (e *encoder) dyn(b []byte, d dyn) []byte {
	switch {
	case d.node != nil:
		return e.node(b, d.node, nil, asDyn)
	case d.rng != nil:
		return e.rng(b, d.rng)
	default:
		return appendString(b, d.text)
	}
}

// rng appends a complete range.
func (e *encoder) rng(b []byte, r *rangeNode) []byte {
	b = append(b, '{')
	def := r.defaultStatics()
	if def != nil {
		b = append(b, `"s":`...)
		b = e.statics(b, def)
		b = append(b, ',')
	}
	b = append(b, `"r":[`...)
	for i, it := range r.items {
		if i > 0 {
			b = append(b, ',')
		}
		b = e.node(b, it, def, asItem)
	}
	return append(b, "]}"...)
}

func appendKey(b []byte, i int) []byte {
	b = append(b, '"')
	b = strconv.AppendInt(b, int64(i), 10)
	return append(b, `":`...)
}

func appendStrings(b []byte, ss []string) []byte {
	b = append(b, '[')
	for i, s := range ss {
		if i > 0 {
			b = append(b, ',')
		}
		b = appendString(b, s)
	}
	return append(b, ']')
}

const hexDigits = "0123456789abcdef"

// appendString appends s as a JSON string. Invalid UTF-8 becomes U+FFFD, as
// in encoding/json; U+2028 and U+2029 are escaped so the JSON is also valid
// JavaScript.
func appendString(b []byte, s string) []byte {
	b = append(b, '"')
	start := 0
	for i := 0; i < len(s); {
		c := s[i]
		if c < utf8.RuneSelf {
			if c >= 0x20 && c != '"' && c != '\\' {
				i++
				continue
			}
			b = append(b, s[start:i]...)
			switch c {
			case '"', '\\':
				b = append(b, '\\', c)
			case '\n':
				b = append(b, '\\', 'n')
			case '\r':
				b = append(b, '\\', 'r')
			case '\t':
				b = append(b, '\\', 't')
			default:
				b = append(b, '\\', 'u', '0', '0', hexDigits[c>>4], hexDigits[c&0xf])
			}
			i++
			start = i
			continue
		}
		r, size := utf8.DecodeRuneInString(s[i:])
		if r == utf8.RuneError && size == 1 {
			b = append(b, s[start:i]...)
			b = append(b, `\ufffd`...)
			i += size
			start = i
			continue
		}
		if r == '\u2028' || r == '\u2029' {
			b = append(b, s[start:i]...)
			b = append(b, '\\', 'u', '2', '0', '2', hexDigits[r&0xf])
			i += size
			start = i
			continue
		}
		i += size
	}
	b = append(b, s[start:]...)
	return append(b, '"')
}
