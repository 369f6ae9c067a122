// Package fault is the one table of what can go wrong with a client's
// message or page: for each [Kind], the code an error reply carries
// (docs/protocol.md §3.3), the HTTP status a refused request is answered
// with, the WebSocket close code a refused connection gets, and a message
// that is safe to show a user.
//
// # Map
//
//   - kinds.go: Kind and the table.
//   - error.go: Error, a failure of one Kind with its user-safe message,
//     its form-field messages and its cause (logged, never sent); As finds
//     or makes one for any error.
//   - write.go: Reply (the JSON error reply), WriteHTTP (status,
//     Retry-After and reply) and CloseCode.
//
// Everything that answers a client with an error goes through this table, so
// the same failure gets the same code, status and words on WebSocket and over
// HTTP.
package fault
