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
//   - [Anonymous] is the default adapter: a random, HMAC-signed, HttpOnly
//     browser cookie gives every browser its own group, shared by all of its
//     tabs. [NewAnonymous] validates its [AnonymousOptions] and returns an
//     error instead of panicking; [NewAnonymousKey] makes a signing key to
//     share between instances.
//   - [Basic] authenticates users with HTTP basic auth and compares
//     credentials in constant time.
//   - [SignIn] guards handlers for authenticators that refuse (a JWT, your
//     own sessions): a signed-out page load is sent to the login URL with
//     the page in the [NextParam] query parameter, a WebSocket upgrade or a
//     POST gets 401. [SafeNext] is the login handler's way back: it accepts
//     only paths of this site, as [LocalPath] parses them.
//
// # Redirects
//
// A "next" parameter is attacker-controlled: a sign-in that redirects to it
// as it is becomes an open redirect. [LocalPath] parses a reference with
// net/url and accepts only a path of this site, refusing anything a browser
// could read as another host ("//evil.example", "/\evil.example", or
// "/%09/evil.example", whose tab browsers drop).
//
// # Session fixation
//
// [Anonymous] accepts only cookies it issued: each carries an HMAC-SHA256
// tag under a server key, checked in constant time, and any other value is
// replaced by a fresh cookie with a fresh identity. Over HTTPS the cookie is
// named with the "__Host-" prefix, which browsers protect from being set by
// sibling subdomains or plain-HTTP responses. Without a configured key each
// Anonymous signs with a random key of its own, so cookies do not survive a
// restart and are not shared between instances; configure
// [AnonymousOptions.Key] (and [AnonymousOptions.PreviousKeys] to rotate it)
// when that matters.
//
// # Secrets
//
// Identities carry ids derived from credentials, never the credentials
// themselves: [Anonymous] hashes the random part of its cookie before using
// it as an id, and no adapter in this package logs or returns cookie values,
// keys or passwords in errors.
package auth
