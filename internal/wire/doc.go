// Package wire holds the JSON messages exchanged between the browser client
// and the server (docs/protocol.md §3), shared by the facade and its tests.
//
// Client messages are decoded with [Decode]; server messages are written with
// the Append functions, which splice already-encoded trees and patches in
// without re-encoding them.
package wire
