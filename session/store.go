package session

import (
	"context"
	"errors"
)

// Sentinel errors returned, possibly wrapped, by [Store] implementations and
// the optional [Deleter] and [Lister] capabilities.
var (
	// ErrNotFound reports that a group has no state, or that it expired.
	ErrNotFound = errors.New("session: not found")
	// ErrConflict reports that a [Store.Put] lost a race: the group's
	// current version differs from the one the caller read.
	ErrConflict = errors.New("session: version conflict")
	// ErrClosed reports a call on a store that has been closed.
	ErrClosed = errors.New("session: closed")
	// ErrInUse reports that a [Claimer] is claimed already.
	ErrInUse = errors.New("session: in use")
)

// Store keeps each session group's state as opaque bytes (typically JSON)
// together with a version for optimistic concurrency. It is the port the
// facade uses, and all it uses: a load with Get and a compare-and-set with
// Put. Deleting and listing groups are optional capabilities, [Deleter] and
// [Lister], so that a store over a shared backend never has to support a
// scan of every key.
//
// # Contract
//
//   - Versions are positive, grow with every successful Put and are never
//     reused for a group, not even after the group expired or was deleted,
//     so a stale version can never match again.
//   - Implementations copy state on the way in and out, so callers may reuse
//     their slices.
//   - Implementations are safe for concurrent use, including by several
//     processes sharing one backend: of several Puts made with the same
//     version, at most one succeeds.
//   - Every method returns an error wrapping ctx.Err() when ctx is done
//     before it completes, and an error wrapping [ErrClosed] once the store
//     has been closed (if it can be).
//   - Errors are wrapped once per operation ("session: get: not found") and
//     never contain group ids or state.
//
// Package sessiontest checks all of this for any implementation.
type Store interface {
	// Get returns the state of group and its version (> 0), and refreshes
	// the group's last access for expiry. It returns an error wrapping
	// ErrNotFound when the group is absent or expired; state is then nil
	// and version 0.
	Get(ctx context.Context, group string) (state []byte, version uint64, err error)

	// Put stores state for group if the group's current version equals
	// version, where 0 means the group must not exist yet, and returns the
	// new version. Otherwise it stores nothing and returns an error wrapping
	// ErrConflict; callers reload with Get and retry.
	Put(ctx context.Context, group string, state []byte, version uint64) (newVersion uint64, err error)
}

// Deleter is the optional capability of a [Store] to remove a group's state
// at once rather than waiting for it to expire. Callers discover it with a
// type assertion:
//
//	if d, ok := store.(session.Deleter); ok { err = d.Delete(ctx, group) }
//
// Delete follows the [Store] contract: it is safe for concurrent use, honours
// ctx, and its errors never contain group ids.
type Deleter interface {
	// Delete removes group's state. Deleting an absent group is not an
	// error. A version read before the delete never matches a later Put.
	Delete(ctx context.Context, group string) error
}

// Lister is the optional capability of a [Store] to list every live group,
// meant for small stores, administration and tests. Stores over a shared
// backend usually leave it out, because listing means scanning every key.
//
// Groups follows the [Store] contract: it is safe for concurrent use, honours
// ctx, and its errors never contain group ids.
type Lister interface {
	// Groups returns the ids of the live (present and unexpired) groups in
	// ascending order, without refreshing their last access.
	Groups(ctx context.Context) ([]string, error)
}

// Claimer is the optional capability of a store that lives in the
// process's memory and serves one app at a time: two apps that share it
// without a bus would not hear of each other's changes, so the second is
// refused instead (livetemplate.NewApp claims a Claimer when it has no
// bus). [Memory] implements it.
type Claimer interface {
	// Claim reserves the store until release is called (release may be
	// called more than once). It fails with an error wrapping ErrInUse
	// while another claim holds it.
	Claim() (release func(), err error)
}
