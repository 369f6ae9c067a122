package diff

import (
	"bytes"
	"encoding/json"
	"errors"
	"fmt"
	"io"
	"maps"
	"strconv"
)

// ErrProtocol is wrapped by every error ParseTree and Apply return for JSON
// that does not follow the wire format. A client that gets it asks the server
// for a full tree.
var ErrProtocol = errors.New("diff: protocol error")

// ParseTree reads the first-render wire form of a tree (what json.Marshal of
// a rendered Tree produces): what a client holds after the first render.
func ParseTree(data []byte) (*Tree, error) {
	obj, err := decodeObject(data)
	if err != nil {
		return nil, err
	}
	r := resolver{}
	if r.table, err = parseTable(obj["p"]); err != nil {
		return nil, err
	}
	root, err := r.node(obj, nil, "")
	if err != nil {
		return nil, err
	}
	return &Tree{root: root, table: r.table}, nil
}

// Apply applies a patch (the JSON of a Patch, or a message of a [Stream])
// and returns the new tree; t is not modified. Statics a patch names by id
// are resolved in the patch's own table, then among the statics every
// message since t's full tree carried, then among the statics t holds
// (docs/protocol.md §1.3).
func (t *Tree) Apply(patch []byte) (*Tree, error) {
	obj, err := decodeObject(patch)
	if err != nil {
		return nil, err
	}
	r := resolver{}
	if r.table, err = parseTable(obj["p"]); err != nil {
		return nil, err
	}
	if t == nil || t.root == nil {
		root, err := r.node(obj, nil, "")
		if err != nil {
			return nil, err
		}
		return &Tree{root: root, table: r.table}, nil
	}
	r.held, r.carried = t.root, t.table
	root, err := r.patchNode(t.root, obj, "")
	if err != nil {
		return nil, err
	}
	table := t.table
	if len(r.table) > 0 { // the received statics join the connection's table
		table = make(map[int32]*statics, len(t.table)+len(r.table))
		maps.Copy(table, t.table)
		maps.Copy(table, r.table)
	}
	return &Tree{root: root, table: table}, nil
}

func protoErr(path, format string, args ...any) error {
	if path == "" {
		path = "/"
	}
	return fmt.Errorf("%w at %s: %s", ErrProtocol, path, fmt.Sprintf(format, args...))
}

func decodeObject(data []byte) (map[string]any, error) {
	dec := json.NewDecoder(bytes.NewReader(data))
	dec.UseNumber()
	var v any
	if err := dec.Decode(&v); err != nil {
		return nil, fmt.Errorf("%w: %w", ErrProtocol, err)
	}
	if _, err := dec.Token(); err != io.EOF {
		return nil, protoErr("", "trailing data after the message")
	}
	obj, ok := v.(map[string]any)
	if !ok {
		return nil, protoErr("", "message is not an object")
	}
	return obj, nil
}

// parseID reads a statics id: a decimal integer from 0 to maxStatics-1,
// without sign, leading zeros or fraction.
func parseID(s string) (int32, bool) {
	i, err := strconv.Atoi(s)
	if err != nil || i < 0 || i >= maxStatics || strconv.Itoa(i) != s {
		return 0, false
	}
	return int32(i), true
}

func parseTable(v any) (map[int32]*statics, error) {
	if v == nil {
		return nil, nil
	}
	m, ok := v.(map[string]any)
	if !ok {
		return nil, protoErr("/p", "statics table is not an object")
	}
	table := make(map[int32]*statics, len(m))
	for key, sv := range m {
		id, ok := parseID(key)
		if !ok {
			return nil, protoErr("/p", "bad statics id %q", key)
		}
		strs, err := parseStrings(sv, "/p/"+key)
		if err != nil {
			return nil, err
		}
		table[id] = &statics{strs: strs, fp: fingerprint(strs), id: id}
	}
	return table, nil
}

func parseStrings(v any, path string) ([]string, error) {
	arr, ok := v.([]any)
	if !ok || len(arr) == 0 {
		return nil, protoErr(path, "statics are not a non-empty array")
	}
	out := make([]string, len(arr))
	for i, x := range arr {
		s, ok := x.(string)
		if !ok {
			return nil, protoErr(path, "static %d is not a string", i)
		}
		out[i] = s
	}
	return out, nil
}

// resolver turns wire objects into nodes, resolving statics ids in the
// message's table, then in the connection's table, then in the tree held
// before the message.
type resolver struct {
	table   map[int32]*statics
	carried map[int32]*statics
	held    *node
	known   map[int32]*statics
}

// resolve returns the statics an "s" value names.
func (r *resolver) resolve(v any, path string) (*statics, error) {
	switch s := v.(type) {
	case json.Number:
		id, ok := parseID(s.String())
		if !ok {
			return nil, protoErr(path, "bad statics id %s", s)
		}
		if st, found := r.table[id]; found {
			return st, nil
		}
		if st, found := r.carried[id]; found {
			return st, nil
		}
		if r.held != nil {
			if r.known == nil {
				r.known = make(map[int32]*statics)
				collectClientStatics(r.held, r.known)
			}
			if st, found := r.known[id]; found {
				return st, nil
			}
		}
		return nil, protoErr(path, "unknown statics id %s", s)
	default:
		strs, err := parseStrings(v, path+"/s")
		if err != nil {
			return nil, err
		}
		return &statics{strs: strs, fp: fingerprint(strs), id: -1}, nil
	}
}

func collectClientStatics(n *node, set map[int32]*statics) {
	if n.st.id >= 0 {
		set[n.st.id] = n.st
	}
	for _, d := range n.dyns {
		switch {
		case d.node != nil:
			collectClientStatics(d.node, set)
		case d.rng != nil:
			for _, it := range d.rng.items {
				collectClientStatics(it, set)
			}
		}
	}
}

// node reads a complete node object; def are the statics of an item without
// "s".
func (r *resolver) node(obj map[string]any, def *statics, path string) (*node, error) {
	st := def
	if v, has := obj["s"]; has {
		var err error
		if st, err = r.resolve(v, path); err != nil {
			return nil, err
		}
	} else if def == nil {
		return nil, protoErr(path, "node without statics")
	}
	n := &node{st: st, dyns: make([]dyn, len(st.strs)-1)}
	for i := range n.dyns {
		key := strconv.Itoa(i)
		v, has := obj[key]
		if !has {
			return nil, protoErr(path, "missing dynamic %s", key)
		}
		var err error
		if n.dyns[i], err = r.dyn(v, path+"/"+key); err != nil {
			return nil, err
		}
	}
	return n, nil
}

// dyn reads a complete dynamic.
func (r *resolver) dyn(v any, path string) (dyn, error) {
	switch x := v.(type) {
	case string:
		return dyn{text: x}, nil
	case json.Number: // a node without dynamics, by its statics id
		st, err := r.resolve(x, path)
		if err != nil {
			return dyn{}, err
		}
		if len(st.strs) != 1 {
			return dyn{}, protoErr(path, "statics %s have dynamics", x)
		}
		return dyn{node: &node{st: st}}, nil
	case map[string]any:
		if _, isRange := x["r"]; isRange {
			rg, err := r.rng(x, path)
			return dyn{rng: rg}, err
		}
		n, err := r.node(x, nil, path)
		return dyn{node: n}, err
	default:
		return dyn{}, protoErr(path, "dynamic is not a string, a number or an object")
	}
}

// rng reads a complete range.
func (r *resolver) rng(obj map[string]any, path string) (*rangeNode, error) {
	arr, ok := obj["r"].([]any)
	if !ok {
		return nil, protoErr(path, "range items are not an array")
	}
	var def *statics
	if v, has := obj["s"]; has {
		var err error
		if def, err = r.resolve(v, path); err != nil {
			return nil, err
		}
	}
	rg := &rangeNode{items: make([]*node, len(arr))}
	for i, iv := range arr {
		itPath := path + "/r/" + strconv.Itoa(i)
		var err error
		switch x := iv.(type) {
		case map[string]any:
			rg.items[i], err = r.node(x, def, itPath)
		case []any:
			rg.items[i], err = r.item(x, def, itPath)
		default:
			err = protoErr(path, "range item %d is neither an object nor an array", i)
		}
		if err != nil {
			return nil, err
		}
	}
	return rg, nil
}

// item reads a range item written as the array of its dynamics, with the
// range's default statics def.
func (r *resolver) item(arr []any, def *statics, path string) (*node, error) {
	if def == nil {
		return nil, protoErr(path, "item without statics")
	}
	if len(arr) != len(def.strs)-1 {
		return nil, protoErr(path, "item has %d dynamics, its statics %d", len(arr), len(def.strs)-1)
	}
	n := &node{st: def, dyns: make([]dyn, len(arr))}
	for i, v := range arr {
		var err error
		if n.dyns[i], err = r.dyn(v, path+"/"+strconv.Itoa(i)); err != nil {
			return nil, err
		}
	}
	return n, nil
}

// patchNode applies a node patch to old.
func (r *resolver) patchNode(old *node, obj map[string]any, path string) (*node, error) {
	if _, full := obj["s"]; full {
		return r.node(obj, nil, path)
	}
	n := &node{st: old.st, dyns: append([]dyn(nil), old.dyns...)}
	for key, v := range obj {
		if key == "p" && path == "" {
			continue
		}
		i, err := strconv.Atoi(key)
		if err != nil || i < 0 || i >= len(n.dyns) || strconv.Itoa(i) != key {
			return nil, protoErr(path, "bad dynamic index %q", key)
		}
		if n.dyns[i], err = r.patchDyn(old.dyns[i], v, path+"/"+key); err != nil {
			return nil, err
		}
	}
	return n, nil
}

func (r *resolver) patchDyn(old dyn, v any, path string) (dyn, error) {
	switch x := v.(type) {
	case []any:
		switch {
		case old.rng != nil:
			rg, err := r.ops(old.rng, x, path)
			return dyn{rng: rg}, err
		case old.node == nil:
			return textPatch(old.text, x, path)
		}
		return dyn{}, protoErr(path, "array for a dynamic that is neither a range nor text")
	case map[string]any:
		_, hasS := x["s"]
		_, hasR := x["r"]
		if hasS || hasR {
			return r.dyn(v, path)
		}
		if old.node == nil {
			return dyn{}, protoErr(path, "node patch for a dynamic that is not a node")
		}
		n, err := r.patchNode(old.node, x, path)
		return dyn{node: n}, err
	default:
		return r.dyn(v, path)
	}
}

// textPatch applies [n, "suffix"] to the text old: the first n UTF-16 code
// units of old, then suffix (docs/protocol.md §2.1).
func textPatch(old string, arr []any, path string) (dyn, error) {
	if len(arr) != 2 {
		return dyn{}, protoErr(path, "text patch is not [n, text]")
	}
	num, ok := arr[0].(json.Number)
	suffix, isText := arr[1].(string)
	if !ok || !isText {
		return dyn{}, protoErr(path, "text patch is not [n, text]")
	}
	n, err := strconv.Atoi(num.String())
	if err != nil || n <= 0 || strconv.Itoa(n) != num.String() {
		return dyn{}, protoErr(path, "bad text patch count %s", num)
	}
	k, ok := keptPrefix(old, n)
	if !ok {
		return dyn{}, protoErr(path, "text patch keeps %d units of a shorter text or splits a character", n)
	}
	return dyn{text: old[:k] + suffix}, nil
}

// ops builds a range's new items from its old ones (docs/protocol.md §2.2):
// integers copy (n > 0) or drop (n < 0) old items at a cursor, [{…}] patches
// the old item at the cursor, [a, n] and [a, {…}] copy or patch old items
// anywhere, {…} is a new item, and the old items from the cursor on follow
// the last operation.
func (r *resolver) ops(old *rangeNode, arr []any, path string) (*rangeNode, error) {
	var def *statics
	if len(old.items) > 0 {
		def = old.items[0].st
	}
	items := make([]*node, 0, len(old.items)+1)
	c := 0
	for k, op := range arr {
		opPath := path + "/" + strconv.Itoa(k)
		switch o := op.(type) {
		case map[string]any:
			it, err := r.node(o, def, opPath)
			if err != nil {
				return nil, err
			}
			items = append(items, it)
		case json.Number:
			n, err := strconv.Atoi(o.String())
			if err != nil || n == 0 || n < -(len(old.items)-c) || n > len(old.items)-c {
				return nil, protoErr(opPath, "copy or drop out of range")
			}
			if n > 0 {
				items = append(items, old.items[c:c+n]...)
				c += n
			} else {
				c -= n
			}
		case []any:
			switch {
			case isPatchAtCursor(o):
				if c >= len(old.items) {
					return nil, protoErr(opPath, "patch past the last item")
				}
				it, err := r.patchNode(old.items[c], o[0].(map[string]any), opPath)
				if err != nil {
					return nil, err
				}
				items = append(items, it)
				c++
			case isAbsolute(o):
				a, err := index(o[0], len(old.items), opPath)
				if err != nil {
					return nil, err
				}
				switch second := o[1].(type) {
				case json.Number:
					n, err := strconv.Atoi(second.String())
					if err != nil || n <= 0 || n > len(old.items)-a {
						return nil, protoErr(opPath, "copy run out of range")
					}
					items = append(items, old.items[a:a+n]...)
				default:
					it, err := r.patchNode(old.items[a], second.(map[string]any), opPath)
					if err != nil {
						return nil, err
					}
					items = append(items, it)
				}
			default: // a new item, as the array of its dynamics
				it, err := r.item(o, def, opPath)
				if err != nil {
					return nil, err
				}
				items = append(items, it)
			}
		default:
			return nil, protoErr(opPath, "bad operation")
		}
	}
	items = append(items, old.items[c:]...)
	return &rangeNode{items: items}, nil
}

// isPatchAtCursor reports whether an array operation is [{…}].
func isPatchAtCursor(o []any) bool {
	if len(o) != 1 {
		return false
	}
	_, ok := o[0].(map[string]any)
	return ok
}

// isAbsolute reports whether an array operation is [a, n] or [a, {…}]: two
// values, the first a number, the second a number or an object. Any other
// array that is not [{…}] is a new item.
func isAbsolute(o []any) bool {
	if len(o) != 2 {
		return false
	}
	if _, ok := o[0].(json.Number); !ok {
		return false
	}
	switch o[1].(type) {
	case json.Number, map[string]any:
		return true
	}
	return false
}

func index(v any, n int, path string) (int, error) {
	num, ok := v.(json.Number)
	if !ok {
		return 0, protoErr(path, "index is not a number")
	}
	i, err := strconv.Atoi(num.String())
	if err != nil || i < 0 || i >= n {
		return 0, protoErr(path, "index %s out of range", num)
	}
	return i, nil
}
