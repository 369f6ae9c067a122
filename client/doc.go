// Package client embeds the livetemplate browser client: the script that
// applies tree patches to the DOM, binds lvt-* attributes to actions and keeps
// the live connection (WebSocket, or HTTP POST with long polls).
//
// # Serving
//
// The bundle is content-addressed. [Path] names it by [Hash], and [Handler]
// serves it there with a one-year immutable cache, an ETag, and gzip for
// clients that accept it:
//
//	mux.Handle(client.Path(), client.Handler())
//	// in the page: <script src="{{.ClientPath}}" data-lvt-token="…" defer></script>
//
// # Sources
//
// The TypeScript sources are in src/ next to this file; dist/livetemplate.js
// is built from them with `npm run build`, and `npm test` fails when the
// committed bundle is out of date. docs/client.md documents the attributes
// and events the client understands.
package client
