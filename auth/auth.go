package auth

import (
	"errors"
	"net/http"
	"time"
)

// ErrUnauthenticated reports that a request carries no acceptable
// credentials. Authenticators return it, possibly wrapped, so callers test
// for it with [errors.Is] and answer with 401 Unauthorized.
var ErrUnauthenticated = errors.New("auth: unauthenticated")

// Identity names who is acting and which session group's state they share.
//
// Both fields are opaque ids that are safe to log: adapters derive them from
// credentials but never copy secrets into them.
type Identity struct {
	// UserID names the acting user. Connections of one user can be addressed
	// together, for example to close them all on logout.
	UserID string
	// GroupID names the session group whose state the request reads and
	// changes. Several users may share one group.
	GroupID string
	// Expires is when the credentials stop being valid (a token's expiry),
	// or the zero time if they do not expire. A live connection opened with
	// them is closed then, and its page asked to sign in again.
	Expires time.Time
}

// Authenticator identifies the sender of a request.
//
// Identify may set headers on w, such as a cookie or a WWW-Authenticate
// challenge, but must not write the status or body: the caller decides how
// to answer. It returns an error wrapping [ErrUnauthenticated] when the
// request carries no acceptable credentials, and must not include
// credentials in that error. Implementations must be safe for concurrent
// use.
type Authenticator interface {
	Identify(w http.ResponseWriter, r *http.Request) (Identity, error)
}

// AuthenticatorFunc adapts an ordinary function to the [Authenticator]
// interface. It is as safe for concurrent use as the function it wraps.
type AuthenticatorFunc func(w http.ResponseWriter, r *http.Request) (Identity, error)

var _ Authenticator = AuthenticatorFunc(nil)

// Identify calls f(w, r) and returns its results unchanged.
func (f AuthenticatorFunc) Identify(w http.ResponseWriter, r *http.Request) (Identity, error) {
	return f(w, r)
}
