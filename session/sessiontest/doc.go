// Package sessiontest checks that a session.Store keeps the store contract.
//
// [Run] is a conformance suite in the spirit of testing/slogtest: every Store
// adapter calls it from its own tests, so the memory adapter and any shared
// backend (such as Redis) promise callers exactly the same behaviour: missing
// groups, versioned compare-and-set, no lost updates under concurrent
// writers, deletion, sorted listings, copied bytes, context cancellation and
// error messages free of group ids.
package sessiontest
