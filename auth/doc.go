// Package auth decides who is acting on a live page and which session group
// they share state with.
//
// The package is the identity port of livetemplate: the facade asks an
// [Authenticator] for an [Identity] on every page load, WebSocket handshake
// and HTTP action, and keys all group state by [Identity.GroupID]. The
// package depends on the standard library only, so adapters that need other
// libraries (for example a JWT adapter) import it without pulling anything in.
//
// # Map
//
//   - [Identity], [Authenticator], [AuthenticatorFunc] and [ErrUnauthenticated]
//     form the port.
//   - [Anonymous] is the default adapter: a random, HttpOnly browser cookie
//     gives every browser its own group, shared by all of its tabs.
//   - [Basic] authenticates users with HTTP basic auth and compares
//     credentials in constant time.
//
// # Secrets
//
// Identities carry ids derived from credentials, never the credentials
// themselves: [Anonymous] hashes its cookie before using it as an id, and no
// adapter in this package logs or returns cookie values or passwords in
// errors.
package auth
