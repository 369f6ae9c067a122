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

// identity reports whether the matching keeps all n old items in place.
func (m *matching) identity(n int) bool {
	if len(m.old) != n {
		return false
	}
	for j, i := range m.old {
		if i != j || !m.same[j] {
			return false
		}
	}
	return true
}

// match pairs new items with old ones (docs/protocol.md §2.3): identical
// items at the start and at the end stay where they are; in between, by
// explicit key (data-key or id attribute), else by identical content, else
// by position.
func match(old, new []*node) matching {
	m := matching{old: make([]int, len(new)), same: make([]bool, len(new))}
	pre := 0
	for pre < len(old) && pre < len(new) && equalNode(old[pre], new[pre]) {
		m.old[pre], m.same[pre] = pre, true
		pre++
	}
	suf := 0
	for suf < len(old)-pre && suf < len(new)-pre && equalNode(old[len(old)-1-suf], new[len(new)-1-suf]) {
		j := len(new) - 1 - suf
		m.old[j], m.same[j] = len(old)-1-suf, true
		suf++
	}
	matchMiddle(old[pre:len(old)-suf], new[pre:len(new)-suf], pre, m.old[pre:len(new)-suf], m.same[pre:len(new)-suf])
	return m
}

// matchMiddle matches new against old by key, content and position, writing
// old indexes (plus base) into mOld and whether they are identical into same.
func matchMiddle(old, new []*node, base int, mOld []int, same []bool) {
	for j := range mOld {
		mOld[j] = -1
	}
	if len(old) == 0 || len(new) == 0 {
		return
	}
	used := make([]bool, len(old))
	if len(old) == 1 && len(new) == 1 { // one item changed in place: by position
		if sameStatics(old[0].st, new[0].st) {
			mOld[0], same[0] = base, equalNode(old[0], new[0])
		}
		return
	}
	keys := make([]uint64, len(old))
	next := make([]int, len(old)) // next old index with the same key, -1 at the end
	head := make(map[uint64]int, len(old))
	for i := len(old) - 1; i >= 0; i-- {
		k := itemKey(old[i])
		keys[i] = k
		next[i] = -1
		if h, ok := head[k]; ok {
			next[i] = h
		}
		head[k] = i
	}
	for j, it := range new {
		k := itemKey(it)
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
		mOld[j], same[j] = base+i, eq
	}
	// Position: an unmatched new item takes the old item after its
	// predecessor's, or the old item at its own index.
	for j, it := range new {
		if mOld[j] >= 0 {
			continue
		}
		cand := j
		if j > 0 && mOld[j-1] >= 0 {
			cand = mOld[j-1] - base + 1
		}
		if cand < len(old) && !used[cand] && sameStatics(old[cand].st, it.st) {
			used[cand] = true
			mOld[j] = base + cand
			same[j] = equalNode(old[cand], it)
		}
	}
}

// itemKey returns an item's explicit key if its markup has one, else a hash
// of its content. The low bit tells the two apart.
func itemKey(n *node) uint64 {
	if key, ok := explicitKey(n); ok {
		return mixHash(tagKey, hashString(key)) | 1
	}
	return contentHash(n) &^ 1
}

func explicitKey(n *node) (string, bool) {
	p := n.st.key.Load()
	if p == nil {
		kp := findKeyPath(n)
		p = &kp
		n.st.key.Store(p)
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
				if n.dyns[i].node == nil && n.dyns[i].rng == nil && endsWithAttr(n.st.strs[i], attr) {
					return keyPath{depth: depth, idx: i}
				}
			}
		}
		if len(n.dyns) != 1 || n.dyns[0].node == nil ||
			strings.TrimSpace(n.st.strs[0]) != "" || strings.TrimSpace(n.st.strs[1]) != "" {
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
	h := mixHash(tagContent, n.st.fp)
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
