package diff

import (
	"bytes"
	"encoding/json"
	"errors"
	"fmt"
	"io"
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
	return &Tree{root: root}, nil
}

// Apply applies a patch (the JSON of a Patch) and returns the new tree; t is
// not modified. Statics a patch names by fingerprint are resolved in the
// patch's own table, then among the statics t holds.
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
		return &Tree{root: root}, nil
	}
	r.held = t.root
	root, err := r.patchNode(t.root, obj, "")
	if err != nil {
		return nil, err
	}
	return &Tree{root: root}, nil
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

func parseTable(v any) (map[string][]string, error) {
	if v == nil {
		return nil, nil
	}
	m, ok := v.(map[string]any)
	if !ok {
		return nil, protoErr("/p", "statics table is not an object")
	}
	table := make(map[string][]string, len(m))
	for fp, sv := range m {
		st, err := parseStrings(sv, "/p/"+fp)
		if err != nil {
			return nil, err
		}
		table[fp] = st
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

// resolver turns wire objects into nodes, resolving fingerprints in the
// message's table, then in the tree held before the message.
type resolver struct {
	table map[string][]string
	held  *node
	known map[uint64][]string
}

// statics resolves an "s" value; ok is false when the object has none.
func (r *resolver) statics(obj map[string]any, path string) (st []string, fp uint64, inline, ok bool, err error) {
	v, has := obj["s"]
	if !has {
		return nil, 0, false, false, nil
	}
	switch s := v.(type) {
	case string:
		fp, perr := strconv.ParseUint(s, 16, 64)
		if perr != nil || len(s) != 16 {
			return nil, 0, false, false, protoErr(path, "bad fingerprint %q", s)
		}
		if st, found := r.table[s]; found {
			return st, fp, false, true, nil
		}
		if r.held != nil {
			if r.known == nil {
				r.known = make(map[uint64][]string)
				collectClientStatics(r.held, r.known)
			}
			if st, found := r.known[fp]; found {
				return st, fp, false, true, nil
			}
		}
		return nil, 0, false, false, protoErr(path, "unknown fingerprint %q", s)
	default:
		st, err := parseStrings(v, path+"/s")
		if err != nil {
			return nil, 0, false, false, err
		}
		return st, 0, true, true, nil
	}
}

func collectClientStatics(n *node, set map[uint64][]string) {
	if !n.inline {
		set[n.fp] = n.statics
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

// node reads a complete node; def are the statics of an item without "s".
func (r *resolver) node(obj map[string]any, def *node, path string) (*node, error) {
	st, fp, inline, ok, err := r.statics(obj, path)
	if err != nil {
		return nil, err
	}
	if !ok {
		if def == nil {
			return nil, protoErr(path, "node without statics")
		}
		st, fp, inline = def.statics, def.fp, def.inline
	}
	n := &node{statics: st, fp: fp, inline: inline, dyns: make([]dyn, len(st)-1)}
	for i := range n.dyns {
		key := strconv.Itoa(i)
		v, has := obj[key]
		if !has {
			return nil, protoErr(path, "missing dynamic %s", key)
		}
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
	case map[string]any:
		if _, isRange := x["r"]; isRange {
			rg, err := r.rng(x, path)
			return dyn{rng: rg}, err
		}
		n, err := r.node(x, nil, path)
		return dyn{node: n}, err
	default:
		return dyn{}, protoErr(path, "dynamic is neither a string nor an object")
	}
}

// rng reads a complete range.
func (r *resolver) rng(obj map[string]any, path string) (*rangeNode, error) {
	arr, ok := obj["r"].([]any)
	if !ok {
		return nil, protoErr(path, "range items are not an array")
	}
	var def *node
	if st, fp, inline, has, err := r.statics(obj, path); err != nil {
		return nil, err
	} else if has {
		def = &node{statics: st, fp: fp, inline: inline}
	}
	rg := &rangeNode{items: make([]*node, len(arr))}
	for i, iv := range arr {
		io, ok := iv.(map[string]any)
		if !ok {
			return nil, protoErr(path, "range item %d is not an object", i)
		}
		it, err := r.node(io, def, path+"/r/"+strconv.Itoa(i))
		if err != nil {
			return nil, err
		}
		rg.items[i] = it
	}
	return rg, nil
}

// patchNode applies a node patch to old.
func (r *resolver) patchNode(old *node, obj map[string]any, path string) (*node, error) {
	if _, full := obj["s"]; full {
		return r.node(obj, nil, path)
	}
	n := &node{statics: old.statics, fp: old.fp, inline: old.inline, dyns: append([]dyn(nil), old.dyns...)}
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
	x, ok := v.(map[string]any)
	if !ok {
		return r.dyn(v, path)
	}
	_, hasS := x["s"]
	_, hasR := x["r"]
	ops, hasO := x["o"]
	switch {
	case hasR || hasS:
		return r.dyn(v, path)
	case hasO:
		if old.rng == nil {
			return dyn{}, protoErr(path, "range patch for a dynamic that is not a range")
		}
		rg, err := r.ops(old.rng, ops, path)
		return dyn{rng: rg}, err
	default:
		if old.node == nil {
			return dyn{}, protoErr(path, "node patch for a dynamic that is not a node")
		}
		n, err := r.patchNode(old.node, x, path)
		return dyn{node: n}, err
	}
}

// ops builds a range's new items from its old ones (docs/protocol.md §2.2).
func (r *resolver) ops(old *rangeNode, v any, path string) (*rangeNode, error) {
	arr, ok := v.([]any)
	if !ok {
		return nil, protoErr(path, "range operations are not an array")
	}
	var def *node
	if len(old.items) > 0 {
		def = old.items[0]
	}
	items := make([]*node, 0, len(old.items))
	for k, op := range arr {
		opPath := path + "/o/" + strconv.Itoa(k)
		switch o := op.(type) {
		case map[string]any:
			it, err := r.node(o, def, opPath)
			if err != nil {
				return nil, err
			}
			items = append(items, it)
		case []any:
			if len(o) != 2 {
				return nil, protoErr(opPath, "operation is not a pair")
			}
			a, err := index(o[0], len(old.items), opPath)
			if err != nil {
				return nil, err
			}
			switch second := o[1].(type) {
			case json.Number:
				n, err := strconv.Atoi(second.String())
				if err != nil || n < 0 || n > len(old.items)-a {
					return nil, protoErr(opPath, "copy run out of range")
				}
				items = append(items, old.items[a:a+n]...)
			case map[string]any:
				it, err := r.patchNode(old.items[a], second, opPath)
				if err != nil {
					return nil, err
				}
				items = append(items, it)
			default:
				return nil, protoErr(opPath, "bad operation")
			}
		default:
			return nil, protoErr(opPath, "bad operation")
		}
	}
	return &rangeNode{items: items}, nil
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
