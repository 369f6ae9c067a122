// Package state keeps the shared states of an app in memory: the stores of
// a session group, of a user, or of an application key, each a State in the
// app's one Table, whatever page shows it.
//
// # Map
//
//   - key.go: Key, the name of a state (its scope and id) and its key in
//     the session store.
//   - snapshot.go: Snapshot, one immutable version of a state: the JSON of
//     each store, decoded once on demand and shared by every page that
//     renders it.
//   - table.go: Table, the states in memory by key, counted by their users:
//     Acquire loads a state (or starts it afresh, storing nothing), Release
//     forgets it when nobody uses it.
//   - change.go: State.Change, the one way a state changes: under the
//     state's lock, a function makes the next snapshot from the current one,
//     which is stored with compare-and-set, retried on the snapshot another
//     instance stored meanwhile, and only then published.
//   - reload.go: reloading after a conflict, and catching up with changes
//     other instances announce.
//
// # Locks
//
// Each State has one lock, held while it loads, while a change is made and
// stored, and while it reloads: changes of one state happen one at a time,
// on every instance (compare-and-set), while different states change in
// parallel. Snapshots are immutable, so pages render any state without its
// lock. The Table's lock guards only its map and never waits on a state or
// on I/O.
package state
