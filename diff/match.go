package diff

import "strings"

// matching says, for each new item, which old item it comes from (-1: none)
// and whether it is identical to it.
type matching struct {
	old  []int
	same []bool
}

// keyPath locates an item's explicit key: follow the single nested node
// depth times, then take the text dynamic at index idx. idx < 0: no key.
type keyPath struct {
	depth int
	idx   int
}

const (
	tagKey     uint64 = 0x6b6579 // explicit keys
	tagContent uint64 = 0x636f6e // content hashes
)

// match pairs new items with old ones: by explicit key (data-key or id
// attribute), else by identical content, else by position
// (docs/protocol.md §2.3).
func (d *differ) match(old, new []*node) matching {
	m := matching{old: make([]int, len(new)), same: make([]bool, len(new))}
	keys := make([]uint64, len(old))
	next := make([]int, len(old)) // next old index with the same key, -1 at the end
	head := make(map[uint64]int, len(old))
	for i := len(old) - 1; i >= 0; i-- {
		k := d.itemKey(old[i])
		keys[i] = k
		next[i] = -1
		if h, ok := head[k]; ok {
			next[i] = h
		}
		head[k] = i
	}
	used := make([]bool, len(old))
	for j, it := range new {
		m.old[j] = -1
		k := d.itemKey(it)
		i, ok := head[k]
		if !ok || i < 0 {
			continue
		}
		head[k] = next[i]
		used[i] = true
		eq := equalNode(old[i], it)
		if !eq && k&1 == 0 { // content hash collision: not a match
			continue
		}
		m.old[j], m.same[j] = i, eq
	}
	// Position: an unmatched new item takes the old item after its
	// predecessor's, or the old item at its own index.
	for j, it := range new {
		if m.old[j] >= 0 {
			continue
		}
		cand := j
		if j > 0 && m.old[j-1] >= 0 {
			cand = m.old[j-1] + 1
		}
		if cand < len(old) && !used[cand] && equalStatics(old[cand].statics, it.statics) {
			used[cand] = true
			m.old[j] = cand
			m.same[j] = equalNode(old[cand], it)
		}
	}
	return m
}

// itemKey returns an item's explicit key if its markup has one, else a hash
// of its content. The low bit tells the two apart.
func (d *differ) itemKey(n *node) uint64 {
	if key, ok := d.explicitKey(n); ok {
		return mixHash(tagKey, hashString(key)) | 1
	}
	return contentHash(n) &^ 1
}

func (d *differ) explicitKey(n *node) (string, bool) {
	if d.keys == nil {
		d.keys = make(map[uint64]keyPath)
	}
	p, ok := d.keys[n.fp]
	if !ok {
		p = findKeyPath(n)
		d.keys[n.fp] = p
	}
	if p.idx < 0 {
		return "", false
	}
	for range p.depth {
		if len(n.dyns) != 1 || n.dyns[0].node == nil {
			return "", false
		}
		n = n.dyns[0].node
	}
	if p.idx >= len(n.dyns) {
		return "", false
	}
	dy := n.dyns[p.idx]
	if dy.node != nil || dy.rng != nil || dy.text == "" {
		return "", false
	}
	return dy.text, true
}

// findKeyPath looks for the dynamic that fills a data-key (or, failing that,
// an id) attribute, descending through items that are just one nested node
// (such as {{template "row" .}}).
func findKeyPath(n *node) keyPath {
	for depth := 0; depth < 4; depth++ {
		for _, attr := range [...]string{"data-key", "id"} {
			for i := range n.dyns {
				if n.dyns[i].node == nil && n.dyns[i].rng == nil && endsWithAttr(n.statics[i], attr) {
					return keyPath{depth: depth, idx: i}
				}
			}
		}
		if len(n.dyns) != 1 || n.dyns[0].node == nil ||
			strings.TrimSpace(n.statics[0]) != "" || strings.TrimSpace(n.statics[1]) != "" {
			break
		}
		n = n.dyns[0].node
	}
	return keyPath{idx: -1}
}

// endsWithAttr reports whether s ends just where the value of attribute attr
// starts: ` attr="`, ` attr='` or ` attr=`.
func endsWithAttr(s, attr string) bool {
	s = strings.TrimRight(s, `"'`)
	if !strings.HasSuffix(s, "=") {
		return false
	}
	s = strings.TrimSuffix(s, "=")
	if !strings.HasSuffix(s, attr) {
		return false
	}
	s = s[:len(s)-len(attr)]
	if s == "" {
		return false
	}
	switch s[len(s)-1] {
	case ' ', '\t', '\n', '\r', '\f':
		return true
	}
	return false
}

// contentHash hashes an item's statics and everything it renders.
func contentHash(n *node) uint64 {
	h := mixHash(tagContent, n.fp)
	for _, d := range n.dyns {
		switch {
		case d.node != nil:
			h = mixHash(mixHash(h, 1), contentHash(d.node))
		case d.rng != nil:
			h = mixHash(h, 2)
			for _, it := range d.rng.items {
				h = mixHash(h, contentHash(it))
			}
		default:
			h = mixHash(mixHash(h, 3), hashString(d.text))
		}
	}
	return h
}
