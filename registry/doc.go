// Package registry indexes live connections by session group and by user.
//
// The facade adds each connection when it opens and removes it when it
// closes, then asks the registry whom to reach: every connection of a group
// after its state changed, every connection of a user on logout, or all of
// them on shutdown.
//
// # Map
//
//   - [Registry] is the index, generic over the connection type so it needs
//     no knowledge of transports. Group and user ids are plain strings; the
//     package depends on the standard library only.
//
// # Snapshots
//
// Queries return fresh slices in the order connections were first added.
// A snapshot never changes afterwards, so callers may send to its
// connections without holding any lock while others come and go.
package registry
