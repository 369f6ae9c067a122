package page

// Queries return snapshots: fresh slices that never change afterwards, so
// that callers may deliver to their pages without any lock while others
// come and go.

// All returns every live page.
func (t *Table) All() []*Page {
	t.mu.Lock()
	defer t.mu.Unlock()
	return t.snapshot(nil)
}

// Group returns the live pages of session group g.
func (t *Table) Group(g string) []*Page {
	return t.query(func(t *Table) map[*Page]struct{} { return t.byGroup[g] })
}

// User returns the live pages of user u.
func (t *Table) User(u string) []*Page {
	return t.query(func(t *Table) map[*Page]struct{} { return t.byUser[u] })
}

// State returns the live pages that show the state named name.
func (t *Table) State(name string) []*Page {
	return t.query(func(t *Table) map[*Page]struct{} { return t.byState[name] })
}

// View returns the live pages of view v.
func (t *Table) View(v View) []*Page {
	return t.query(func(t *Table) map[*Page]struct{} { return t.byView[v] })
}

// GroupLen returns how many live pages session group g has.
func (t *Table) GroupLen(g string) int {
	t.mu.Lock()
	defer t.mu.Unlock()
	return len(t.byGroup[g])
}

// Len returns how many pages the table knows: live and waiting.
func (t *Table) Len() int {
	t.mu.Lock()
	defer t.mu.Unlock()
	return len(t.byToken)
}

// Waiting returns how many pages wait without a live connection.
func (t *Table) Waiting() int {
	t.mu.Lock()
	defer t.mu.Unlock()
	return t.fresh.Len() + t.idle.Len()
}

func (t *Table) query(set func(*Table) map[*Page]struct{}) []*Page {
	t.mu.Lock()
	defer t.mu.Unlock()
	s := set(t)
	if len(s) == 0 {
		return nil
	}
	out := make([]*Page, 0, len(s))
	for p := range s {
		out = append(out, p)
	}
	return out
}

// snapshot returns the live pages, of view v when v is not nil. t.mu is
// held.
func (t *Table) snapshot(v View) []*Page {
	var out []*Page
	for view, set := range t.byView {
		if v != nil && view != v {
			continue
		}
		for p := range set {
			out = append(out, p)
		}
	}
	return out
}
