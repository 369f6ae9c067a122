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
// # Parts
//
// Code that only some pages need is split into parts ([Parts]), which the
// bundle loads the first time its page needs one, from its own URL with the
// query parameter part=<name> added; [Handler] serves them there, under the
// same hash (which covers the parts as well).
//
// # Sources
//
// The TypeScript sources are in src/ next to this file; dist/livetemplate.js
// and dist/parts/ (from src/parts/) are built from them with `npm run build`, and `npm test` fails when the
// committed bundle is out of date. docs/client.md documents the attributes
// and events the client understands.
package client
