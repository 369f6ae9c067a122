// Package forwarded finds who a request comes from when it reached the app
// through reverse proxies or load balancers: the client's address (for the
// per-address limits and the logs) and whether the client used HTTPS (for
// Secure and "__Host-" cookies).
//
// Only the proxies an application names are trusted ([Parse]). A request
// whose peer (its RemoteAddr) is one of them is read through its
// X-Forwarded-For and X-Forwarded-Proto headers; from any other peer those
// headers, and the other forwarding headers, are ignored and removed, so
// that a client that forges them changes nothing, not even what the app's
// own code reads from the request.
//
// # X-Forwarded-For
//
// Each proxy appends the address it received the request from, so the
// rightmost entries are the ones the trusted proxies wrote and the entries
// to their left are what the client sent. [Proxies.ClientAddr] walks the
// list from the right, past the addresses of trusted proxies, and takes the
// first address that is not one of them: the client as the outermost
// trusted proxy saw it. A malformed entry met on the way gives up and
// takes the peer's address; a list of trusted proxies only gives its
// leftmost entry.
package forwarded
