// Package jwtauth identifies live-page users by JSON Web Tokens, as an
// [auth.Authenticator] built on github.com/golang-jwt/jwt/v5.
//
// It is an adapter of the auth port, in a package of its own so that
// programs that do not use JWTs never link the JWT library. The facade does
// not import it: pass an [Authenticator] to the facade with
// livetemplate.WithAuthenticator.
//
// # Map
//
//   - [Options] configures the one accepted signing method, its key (and
//     previous keys, for rotation), the checked claims, the cookie and the
//     group claim; [New] validates all of it once.
//   - [Authenticator.Identify] reads a token from the cookie or from an
//     Authorization: Bearer header and returns an auth.Identity: UserID from
//     "sub", GroupID from [Options.GroupClaim] (or "sub"), Expires from
//     "exp". Browsers cannot set headers on a WebSocket handshake, so pages
//     rely on the cookie; API clients may use the header.
//   - [Authenticator.Issue] signs a token and sets the cookie, for a login
//     handler; [Authenticator.Clear] expires the cookie, for logout.
//
// # Expiry
//
// Identity.Expires carries the token's "exp". A page loaded with an expired
// token gets 401, a WebSocket handshake is refused before the upgrade, and
// a live connection whose token expires while it is open is closed by the
// facade with close code 4001 "session expired"; the browser client then
// dispatches lvt:error with code "unauthorized" and sets the lvt-failed
// class on the page's root. Tokens cannot be revoked before they expire, so
// keep their lifetime short and let the login handler issue new ones.
//
// # Security choices
//
//   - The method and keys are fixed by configuration. The parser accepts
//     only [Options.Method], and the key function returns only
//     [Options.Key] and [Options.PreviousKeys], whatever the token's header
//     says ("kid", "jku" and "jwk" are ignored). This refuses "alg":
//     "none", algorithm confusion (an HS256 token whose HMAC key is an RSA
//     public key, sent to an RS256 authenticator), other methods of the same
//     family and other keys. The methods come from a table in this package,
//     not from the JWT library's global registry. HMAC tags are compared in
//     constant time.
//   - Keys are checked in [New]: HMAC keys at least as long as the hash
//     (RFC 7518 §3.2), RSA keys of at least 2048 bits, ECDSA keys on the
//     method's curve, a signing key that matches the verifying key; previous
//     keys by the same rules, for the same method.
//   - "exp" is required (unless [Options.AllowNoExpiry]); "exp", "nbf" and
//     "iat" are checked with a small leeway (30 seconds by default); "iss"
//     and "aud" are checked when configured; "sub" must be a non-empty
//     string. Tokens over [MaxTokenSize] bytes are refused before decoding,
//     non-canonical base64 is refused, and so are tokens with a "crit"
//     header.
//   - Refusals wrap [auth.ErrUnauthenticated] with a fixed reason, such as
//     "jwtauth: token expired": no error contains a token, a claim or a
//     header value, and nothing in this package logs.
//   - The cookie is HttpOnly, so page scripts cannot read the token, and
//     SameSite=Lax, so other sites cannot send it with their POSTs. Over
//     HTTPS it is Secure and named with the "__Host-" prefix, and Identify
//     reads only that name there: a sibling subdomain or a plain-HTTP
//     response cannot set such a cookie, so none can sign a visitor in as
//     the planter's own account (login CSRF by cookie planting). Issue and
//     Identify decide "HTTPS" the same way (TLS, or X-Forwarded-Proto with
//     [Options.TrustForwardedProto]), so pass Issue the login request;
//     behind a TLS proxy set TrustForwardedProto, or both see plain HTTP.
//
// # Key rotation
//
// [Options.PreviousKeys] verify alongside [Options.Key]; Issue signs with
// [Options.SigningKey], the current key. A token signed with a previous key
// keeps working until it expires, so open pages are not stranded. Deploy a
// new key as a previous key on every instance first, then make it the
// current one, then drop the old key once its tokens have expired
// (docs/security.md).
package jwtauth
