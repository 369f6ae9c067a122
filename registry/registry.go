package registry

import (
	"cmp"
	"slices"
	"sync"
)

// Registry indexes connections of type C by group and by user. Each
// connection belongs to exactly one group and one user at a time; empty
// strings are ids like any other.
//
// The zero value is not usable; create registries with [New]. A Registry is
// safe for concurrent use, and its methods never fail.
type Registry[C comparable] struct {
	mu      sync.RWMutex
	conns   map[C]entry
	groups  map[string]map[C]struct{}
	users   map[string]map[C]struct{}
	lastSeq uint64
}

// entry records where a connection is indexed.
type entry struct {
	group string
	user  string
	seq   uint64 // order of first Add, for stable snapshots
}

// New returns an empty [Registry].
func New[C comparable]() *Registry[C] {
	return &Registry[C]{
		conns:  make(map[C]entry),
		groups: make(map[string]map[C]struct{}),
		users:  make(map[string]map[C]struct{}),
	}
}

// Add registers c as a connection of group and user. Adding a registered
// connection again moves it to the new group and user and keeps its place
// in snapshot order.
func (r *Registry[C]) Add(c C, group, user string) {
	r.mu.Lock()
	defer r.mu.Unlock()
	e, ok := r.conns[c]
	if ok {
		unindex(r.groups, e.group, c)
		unindex(r.users, e.user, c)
	} else {
		r.lastSeq++
		e.seq = r.lastSeq
	}
	e.group, e.user = group, user
	r.conns[c] = e
	index(r.groups, group, c)
	index(r.users, user, c)
}

// Remove unregisters c and reports whether it was registered.
func (r *Registry[C]) Remove(c C) bool {
	r.mu.Lock()
	defer r.mu.Unlock()
	e, ok := r.conns[c]
	if !ok {
		return false
	}
	delete(r.conns, c)
	unindex(r.groups, e.group, c)
	unindex(r.users, e.user, c)
	return true
}

// Group returns a snapshot of group's connections, or nil if it has none.
func (r *Registry[C]) Group(group string) []C {
	r.mu.RLock()
	defer r.mu.RUnlock()
	return r.snapshot(r.groups[group])
}

// User returns a snapshot of user's connections, or nil if it has none.
func (r *Registry[C]) User(user string) []C {
	r.mu.RLock()
	defer r.mu.RUnlock()
	return r.snapshot(r.users[user])
}

// All returns a snapshot of every connection, or nil if there are none.
func (r *Registry[C]) All() []C {
	r.mu.RLock()
	defer r.mu.RUnlock()
	if len(r.conns) == 0 {
		return nil
	}
	conns := make([]C, 0, len(r.conns))
	for c := range r.conns {
		conns = append(conns, c)
	}
	r.sortBySeq(conns)
	return conns
}

// Len returns the number of registered connections.
func (r *Registry[C]) Len() int {
	r.mu.RLock()
	defer r.mu.RUnlock()
	return len(r.conns)
}

// GroupLen returns the number of connections in group.
func (r *Registry[C]) GroupLen(group string) int {
	r.mu.RLock()
	defer r.mu.RUnlock()
	return len(r.groups[group])
}

// UserLen returns the number of connections of user.
func (r *Registry[C]) UserLen(user string) int {
	r.mu.RLock()
	defer r.mu.RUnlock()
	return len(r.users[user])
}

// Groups returns the groups that have at least one connection, in ascending
// order, or nil if there are none.
func (r *Registry[C]) Groups() []string {
	r.mu.RLock()
	defer r.mu.RUnlock()
	if len(r.groups) == 0 {
		return nil
	}
	groups := make([]string, 0, len(r.groups))
	for g := range r.groups {
		groups = append(groups, g)
	}
	slices.Sort(groups)
	return groups
}

// snapshot copies set into a new slice in snapshot order. The caller holds
// r.mu.
func (r *Registry[C]) snapshot(set map[C]struct{}) []C {
	if len(set) == 0 {
		return nil
	}
	conns := make([]C, 0, len(set))
	for c := range set {
		conns = append(conns, c)
	}
	r.sortBySeq(conns)
	return conns
}

// sortBySeq sorts conns in the order they were first added. The caller
// holds r.mu.
func (r *Registry[C]) sortBySeq(conns []C) {
	slices.SortFunc(conns, func(a, b C) int {
		return cmp.Compare(r.conns[a].seq, r.conns[b].seq)
	})
}

// index adds c to the set stored under key, creating the set if needed.
func index[C comparable](sets map[string]map[C]struct{}, key string, c C) {
	set, ok := sets[key]
	if !ok {
		set = make(map[C]struct{})
		sets[key] = set
	}
	set[c] = struct{}{}
}

// unindex removes c from the set stored under key, dropping the set once it
// is empty so that empty groups and users vanish.
func unindex[C comparable](sets map[string]map[C]struct{}, key string, c C) {
	set := sets[key]
	delete(set, c)
	if len(set) == 0 {
		delete(sets, key)
	}
}
