// Package session stores the state of session groups.
//
// A session group is the set of connections that share one piece of state,
// for example every tab of one browser (see the auth package). The facade
// loads a group's state from a [Store], applies an action and writes the
// result back with optimistic concurrency: [Store.Put] succeeds only if
// nobody else wrote since the version that was read, and otherwise returns
// [ErrConflict] so the caller reloads and retries. This keeps several
// server instances sharing one backend (such as Redis) from losing updates.
//
// The package depends on the standard library only.
//
// # Map
//
//   - [Store] is the port, exactly what the facade calls: Get and a
//     versioned Put. [ErrNotFound], [ErrConflict] and [ErrClosed] are its
//     sentinel errors, matched with [errors.Is].
//   - [Deleter] and [Lister] are optional capabilities, found with a type
//     assertion: removing a group at once, and listing every group. A store
//     over a shared backend may leave them out, so it never scans all keys.
//   - [Memory] is the default, in-process adapter and implements all three.
//     It expires groups that were not accessed for a while and doubles as a
//     fake in tests.
//   - Package sessiontest holds the conformance suite every Store must pass;
//     it checks the optional capabilities only on stores that have them.
//
// # Errors
//
// Error messages name the failed operation but never the group: group ids
// identify users and stay out of error text and logs.
package session
