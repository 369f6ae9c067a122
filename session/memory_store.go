package session

import (
	"bytes"
	"context"
	"slices"
	"time"
)

// Get returns a copy of group's state and its version, and restarts the
// group's TTL. It returns an error wrapping [ErrNotFound] if the group is
// absent or expired, [ErrClosed] after Close, or ctx.Err() if ctx is done.
func (m *Memory) Get(ctx context.Context, group string) ([]byte, uint64, error) {
	if err := ctx.Err(); err != nil {
		return nil, 0, failed("get", err)
	}
	m.mu.Lock()
	defer m.mu.Unlock()
	if m.closed {
		return nil, 0, failed("get", ErrClosed)
	}
	now := time.Now()
	e, ok := m.live(group, now)
	if !ok {
		return nil, 0, failed("get", ErrNotFound)
	}
	e.lastAccess = now
	return bytes.Clone(e.state), e.version, nil
}

// Put stores a copy of state for group if the group's current version equals
// version (0 for a group that is absent or expired), restarts the group's
// TTL and returns the new version. It returns an error wrapping
// [ErrConflict] on a version mismatch, [ErrClosed] after Close, or
// ctx.Err() if ctx is done; in each case nothing is stored.
func (m *Memory) Put(ctx context.Context, group string, state []byte, version uint64) (uint64, error) {
	if err := ctx.Err(); err != nil {
		return 0, failed("put", err)
	}
	m.mu.Lock()
	defer m.mu.Unlock()
	if m.closed {
		return 0, failed("put", ErrClosed)
	}
	now := time.Now()
	var current uint64
	if e, ok := m.live(group, now); ok {
		current = e.version
	}
	if current != version {
		return 0, failed("put", ErrConflict)
	}
	m.lastVersion++
	m.groups[group] = &entry{state: bytes.Clone(state), version: m.lastVersion, lastAccess: now}
	return m.lastVersion, nil
}

// Delete implements [Deleter]: it removes group's state, and an absent
// group is not an error. It returns an error wrapping [ErrClosed] after
// Close, or ctx.Err() if ctx is done.
func (m *Memory) Delete(ctx context.Context, group string) error {
	if err := ctx.Err(); err != nil {
		return failed("delete", err)
	}
	m.mu.Lock()
	defer m.mu.Unlock()
	if m.closed {
		return failed("delete", ErrClosed)
	}
	delete(m.groups, group)
	return nil
}

// Groups implements [Lister]: it returns the ids of the unexpired groups in
// ascending order, without restarting their TTLs. It returns an error
// wrapping [ErrClosed] after Close, or ctx.Err() if ctx is done.
func (m *Memory) Groups(ctx context.Context) ([]string, error) {
	if err := ctx.Err(); err != nil {
		return nil, failed("groups", err)
	}
	m.mu.Lock()
	defer m.mu.Unlock()
	if m.closed {
		return nil, failed("groups", ErrClosed)
	}
	now := time.Now()
	groups := make([]string, 0, len(m.groups))
	for group, e := range m.groups {
		if !m.expired(e, now) {
			groups = append(groups, group)
		}
	}
	slices.Sort(groups)
	return groups, nil
}
