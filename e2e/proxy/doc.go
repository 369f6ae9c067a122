// Package proxy tests livetemplate behind a reverse proxy in headless
// Chromium: two instances of the chat example on one Redis server behind
// Debian's nginx, configured with the very file docs/instances.md shows,
// over WebSockets and over the HTTP fallback without affinity; and what a
// browser sends on a WebSocket handshake, which the origin check relies on.
package proxy
