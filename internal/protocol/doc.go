// Package protocol is the one implementation of the live-page protocol
// (docs/protocol.md §3) that both transports drive: a page load (and the
// navigation GET that names a page for live navigation), the WebSocket
// session (join, action, sync, navigate), and the same messages over HTTP
// POST with long polls.
//
// # Map
//
//   - server.go: Server, one per app: routes a page's requests (GET and
//     HEAD, the WebSocket upgrade, POST, the client script), identifies the
//     client, and answers every refusal through internal/fault.
//   - load.go: the page load: render, inject the client script, or answer a
//     navigation GET with the new page's token.
//   - session.go: what both transports share: opening a page for a join,
//     a first POST or a navigation (resume it, or make one), applying an
//     action and turning its error into a reply.
//   - socket.go: the WebSocket's transport.Session: the join timeout, the
//     messages before the join, replies in order with the page's patches.
//   - post.go: one HTTP message, and the long poll.
//   - ops.go: what operators see: every refusal counted (telemetry) and
//     logged at most once a minute per kind and client address (an
//     upgrade refused for its origin: per Host and Origin, with a hint
//     about the proxy's Host header); the
//     telemetry of page loads and actions; readiness (Health), and the
//     drain that precedes a shutdown.
//
// The engine (pages, states, actions) is internal/runtime; framing, limits
// and origin checks are package transport's.
package protocol
