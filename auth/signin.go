package auth

import (
	"errors"
	"fmt"
	"log/slog"
	"net/http"
	"net/url"
	"strings"
	"time"
)

// SignInOptions tunes a [SignIn]. The zero value, and a nil pointer, select
// the defaults.
type SignInOptions struct {
	// Logger logs the authenticator's failures that are not refusals (an
	// error that does not wrap [ErrUnauthenticated]), answered 500.
	// Default: slog.Default().
	Logger *slog.Logger
}

// SignIn guards handlers so that only signed-in visitors reach them, and
// sends the others to a sign-in page that can bring them back.
//
// For each request, Require and Restrict ask the [Authenticator]; a request
// it refuses (an error wrapping [ErrUnauthenticated], or an identity whose
// Expires has passed) is answered by kind:
//
//   - a page load (GET or HEAD without an Upgrade header, a live
//     navigation's GET included) gets 303 See Other to the login URL, with
//     the page's path and query in the [NextParam] query parameter;
//   - a WebSocket upgrade or any other method (a live page's POST) gets 401
//     Unauthorized, with the authenticator's challenge: the browser client
//     stops and shows that the page is signed out, instead of following a
//     redirect it cannot use.
//
// The guarded handler authenticates the request again (the facade does so
// on every request), so a SignIn decides only how a refusal is answered,
// never who is let in; put it in front of every page that needs a sign-in
// and of none that gives one. The login handler sends the user back with
// [SafeNext], which accepts only paths of this site.
//
// A SignIn is safe for concurrent use and is not modified after
// [NewSignIn] returns.
type SignIn struct {
	auth  Authenticator
	login url.URL
	log   *slog.Logger
}

// NewSignIn returns a SignIn that identifies requests with a and sends
// signed-out visitors to loginURL, a path of this site ("/login", which may
// have a query of its own). It fails when a is nil or loginURL is not a
// path that [LocalPath] accepts.
func NewSignIn(a Authenticator, loginURL string, opts *SignInOptions) (*SignIn, error) {
	var errs []error
	if a == nil {
		errs = append(errs, errors.New("auth: sign-in: no Authenticator"))
	}
	p, ok := LocalPath(loginURL)
	if !ok {
		errs = append(errs, fmt.Errorf("auth: sign-in: login URL %q is not a path of this site", loginURL))
	}
	if err := errors.Join(errs...); err != nil {
		return nil, err
	}
	u, err := url.Parse(p)
	if err != nil { // LocalPath returns only what url.Parse accepts
		return nil, fmt.Errorf("auth: sign-in: login URL %q: %w", loginURL, err)
	}
	s := &SignIn{auth: a, login: *u, log: slog.Default()}
	if opts != nil && opts.Logger != nil {
		s.log = opts.Logger
	}
	return s, nil
}

// Require returns a handler that passes signed-in requests to next and
// answers the others as the type's doc says. Its signature makes it
// middleware: func(http.Handler) http.Handler.
func (s *SignIn) Require(next http.Handler) http.Handler {
	return s.Restrict(nil, next)
}

// Restrict is Require for the identities allow accepts (nil accepts every
// one): a signed-in visitor it refuses gets 403 Forbidden, on page loads,
// WebSocket upgrades and POSTs alike. allow must be safe for concurrent
// use.
func (s *SignIn) Restrict(allow func(Identity) bool, next http.Handler) http.Handler {
	return http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		id, err := s.auth.Identify(w, r)
		if err == nil && !id.Expires.IsZero() && !time.Now().Before(id.Expires) {
			err = unauthenticated("sign-in: expired") // as the facade judges it
		}
		switch {
		case errors.Is(err, ErrUnauthenticated):
			s.refuse(w, r)
		case err != nil:
			s.log.Error("auth: sign-in: cannot identify the request", "err", err)
			http.Error(w, "internal error", http.StatusInternalServerError)
		case allow != nil && !allow(id):
			http.Error(w, "forbidden", http.StatusForbidden)
		default:
			next.ServeHTTP(w, r)
		}
	})
}

// LoginURL returns where a page load of r is sent to sign in: the login URL
// with r's path and query as the [NextParam] parameter.
func (s *SignIn) LoginURL(r *http.Request) string {
	u := s.login
	q := u.Query()
	q.Set(NextParam, r.URL.RequestURI())
	u.RawQuery = q.Encode()
	return u.String()
}

// refuse answers a request the authenticator refused.
func (s *SignIn) refuse(w http.ResponseWriter, r *http.Request) {
	w.Header().Set("Cache-Control", "no-store")
	if pageLoad(r) {
		w.Header().Del("WWW-Authenticate") // a challenge means nothing on a redirect
		http.Redirect(w, r, s.LoginURL(r), http.StatusSeeOther)
		return
	}
	http.Error(w, "unauthorized: sign in first", http.StatusUnauthorized)
}

// pageLoad reports whether r loads a page that a browser shows, which a
// redirect can answer: a GET or HEAD that asks for no protocol upgrade.
func pageLoad(r *http.Request) bool {
	return (r.Method == http.MethodGet || r.Method == http.MethodHead) && strings.TrimSpace(r.Header.Get("Upgrade")) == ""
}
