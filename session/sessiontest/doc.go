// Package sessiontest checks that a session.Store keeps the store contract.
//
// [Run] is a conformance suite in the spirit of testing/slogtest: every Store
// adapter calls it from its own tests, so the memory adapter and any shared
// backend (such as Redis) promise callers exactly the same behaviour.
//
// # Checks
//
//   - The core contract, for every store: missing groups, versioned
//     compare-and-set, no lost updates under concurrent writers, copied
//     bytes, context cancellation and error messages free of group ids.
//   - session.Deleter, when the store implements it: deletion, and versions
//     that never match again after a delete.
//   - session.Lister, when the store implements it: sorted listings that
//     follow writes and deletes.
//
// Checks of a capability the store lacks are skipped, not failed.
package sessiontest
