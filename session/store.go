package session

import (
	"context"
	"errors"
)

// Sentinel errors returned, possibly wrapped, by [Store] implementations.
var (
	// ErrNotFound reports that a group has no state, or that it expired.
	ErrNotFound = errors.New("session: not found")
	// ErrConflict reports that a [Store.Put] lost a race: the group's
	// current version differs from the one the caller read.
	ErrConflict = errors.New("session: version conflict")
	// ErrClosed reports a call on a store that has been closed.
	ErrClosed = errors.New("session: closed")
)

// Store keeps each session group's state as opaque bytes (typically JSON)
// together with a version for optimistic concurrency.
//
// Versions are positive, grow with every successful Put and are never reused
// for a group, not even after the group was deleted or expired, so a stale
// version can never match again. Implementations copy state on the way in and
// out, so callers may reuse their slices, and must be safe for concurrent
// use. Every method returns an error wrapping ctx.Err() when ctx is done
// before it completes. Errors never contain group ids.
type Store interface {
	// Get returns the state of group and its version (> 0), and refreshes
	// the group's last access for expiry. It returns an error wrapping
	// ErrNotFound when the group is absent or expired.
	Get(ctx context.Context, group string) (state []byte, version uint64, err error)

	// Put stores state for group if the group's current version equals
	// version, where 0 means the group must not exist yet, and returns the
	// new version. Otherwise it stores nothing and returns an error wrapping
	// ErrConflict; callers reload with Get and retry.
	Put(ctx context.Context, group string, state []byte, version uint64) (newVersion uint64, err error)

	// Delete removes group's state. Deleting an absent group is not an
	// error.
	Delete(ctx context.Context, group string) error

	// Groups returns the ids of the live (present and unexpired) groups in
	// ascending order.
	Groups(ctx context.Context) ([]string, error)
}
