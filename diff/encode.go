package diff

import (
	"strconv"
	"unicode/utf8"
)

// MarshalJSON returns the first-render wire form of the tree: the root node
// with a "p" statics table holding every statics array once
// (docs/protocol.md §1).
func (t *Tree) MarshalJSON() ([]byte, error) {
	if t == nil || t.root == nil {
		return []byte("null"), nil
	}
	e := encoder{}
	e.body = e.node(e.body, t.root, nil)
	return e.message(), nil
}

// encoder writes nodes as JSON. Statics go to a table written in front of the
// root's keys; known holds the statics a client already has (patches only).
type encoder struct {
	body  []byte
	table []byte
	sent  map[uint64][]string // fingerprints put in the table or known
	known func(fp uint64) ([]string, bool)
}

// message assembles the root object: {"p":{…}, <root keys>}.
func (e *encoder) message() []byte {
	if len(e.table) == 0 {
		return e.body
	}
	out := make([]byte, 0, len(e.table)+len(e.body)+8)
	out = append(out, `{"p":{`...)
	out = append(out, e.table...)
	out = append(out, '}')
	if len(e.body) > 2 { // body is "{…}"; splice its keys after the table
		out = append(out, ',')
	}
	out = append(out, e.body[1:]...)
	return out
}

// statics appends the value of an "s" key: a fingerprint the client can
// resolve, or an inline array when two different statics share one.
func (e *encoder) statics(b []byte, st []string, fp uint64) []byte {
	if e.sent == nil {
		e.sent = make(map[uint64][]string)
	}
	prev, ok := e.sent[fp]
	if !ok && e.known != nil {
		prev, ok = e.known(fp)
		if ok {
			e.sent[fp] = prev
		}
	}
	switch {
	case ok && !equalStatics(prev, st):
		return appendStrings(b, st) // fingerprint collision: send inline
	case !ok:
		e.sent[fp] = st
		if len(e.table) > 0 {
			e.table = append(e.table, ',')
		}
		e.table = appendFP(e.table, fp)
		e.table = append(e.table, ':')
		e.table = appendStrings(e.table, st)
	}
	return appendFP(b, fp)
}

// node appends a complete node; def are the statics an item may omit.
func (e *encoder) node(b []byte, n *node, def []string) []byte {
	b = append(b, '{')
	if def == nil || !equalStatics(def, n.statics) {
		b = append(b, `"s":`...)
		b = e.statics(b, n.statics, n.fp)
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
		return e.node(b, d.node, nil)
	case d.rng != nil:
		return e.rng(b, d.rng)
	default:
		return appendString(b, d.text)
	}
}

// rng appends a complete range.
func (e *encoder) rng(b []byte, r *rangeNode) []byte {
	b = append(b, '{')
	def, fp, ok := r.defaultStatics()
	if ok {
		b = append(b, `"s":`...)
		b = e.statics(b, def, fp)
		b = append(b, ',')
	}
	b = append(b, `"r":[`...)
	for i, it := range r.items {
		if i > 0 {
			b = append(b, ',')
		}
		b = e.node(b, it, def)
	}
	return append(b, "]}"...)
}

func appendKey(b []byte, i int) []byte {
	b = append(b, '"')
	b = strconv.AppendInt(b, int64(i), 10)
	return append(b, `":`...)
}

func appendFP(b []byte, fp uint64) []byte {
	b = append(b, '"')
	b = appendFPHex(b, fp)
	return append(b, '"')
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
