package auth

import (
	"crypto/rand"
	"crypto/sha256"
	"encoding/base64"
	"encoding/hex"
	"net/http"
	"strings"
	"time"
)

// CookieName is the default name of the cookie that [Anonymous] sets.
const CookieName = "livetemplate-id"

const (
	// defaultMaxAge is how long a browser keeps an anonymous cookie.
	defaultMaxAge = 365 * 24 * time.Hour
	// tokenBytes is the number of random bytes in a cookie value (256 bits).
	tokenBytes = 32
	// idDomain separates anonymous ids from other uses of SHA-256.
	idDomain = "livetemplate/auth/anonymous\x00"
)

// tokenEncoding encodes cookie values; Strict rejects non-canonical input.
var tokenEncoding = base64.RawURLEncoding.Strict()

// AnonymousOptions tunes an [Anonymous] authenticator. The zero value, and a
// nil pointer, select the defaults.
type AnonymousOptions struct {
	// CookieName names the cookie. Default: [CookieName].
	CookieName string
	// MaxAge is how long the browser keeps the cookie. Default: one year.
	// A negative value makes a session cookie that the browser drops when
	// it closes.
	MaxAge time.Duration
	// TrustForwardedProto marks the cookie Secure when the first value of
	// the X-Forwarded-Proto header is "https". Enable it only behind a proxy
	// that sets or strips that header, since clients can forge it.
	// Default: false, so only a TLS connection to this server counts.
	TrustForwardedProto bool
}

// Anonymous identifies browsers by a random cookie, without any login.
//
// Every browser gets its own session group, shared by all of its tabs. The
// cookie holds 256 random bits and is HttpOnly, SameSite=Lax, Path=/ and
// Secure on TLS connections. UserID and GroupID are equal and derived from a
// SHA-256 hash of the cookie, so they can be logged without exposing it.
//
// An Anonymous is safe for concurrent use and is not modified after
// [NewAnonymous] returns.
type Anonymous struct {
	cookieName          string
	maxAge              int // seconds; 0 means a session cookie (no Max-Age)
	trustForwardedProto bool
}

var _ Authenticator = (*Anonymous)(nil)

// NewAnonymous returns an [Anonymous] authenticator tuned by opts; nil opts
// select the defaults documented on [AnonymousOptions].
func NewAnonymous(opts *AnonymousOptions) *Anonymous {
	var o AnonymousOptions
	if opts != nil {
		o = *opts
	}
	a := &Anonymous{
		cookieName:          o.CookieName,
		trustForwardedProto: o.TrustForwardedProto,
	}
	if a.cookieName == "" {
		a.cookieName = CookieName
	}
	switch {
	case o.MaxAge == 0:
		a.maxAge = int(defaultMaxAge / time.Second)
	case o.MaxAge < 0:
		a.maxAge = 0 // http.Cookie omits Max-Age; a negative value would delete the cookie
	default:
		a.maxAge = max(1, int(o.MaxAge/time.Second))
	}
	return a
}

// Identify returns the identity stored in the request's cookie. When the
// cookie is missing or malformed, Identify mints a new one and sets it on w,
// which also works on a WebSocket handshake before the upgrade.
//
// Identify fails, with an error wrapping [ErrUnauthenticated], only when it
// has to mint a cookie and w is nil. Errors never contain cookie values.
func (a *Anonymous) Identify(w http.ResponseWriter, r *http.Request) (Identity, error) {
	if c, err := r.Cookie(a.cookieName); err == nil && validToken(c.Value) {
		return identityOf(c.Value), nil
	}
	if w == nil {
		return Identity{}, unauthenticated("anonymous: no valid cookie and no response writer")
	}
	token := newToken()
	http.SetCookie(w, a.cookie(r, token))
	return identityOf(token), nil
}

// cookie builds the Set-Cookie value that carries token.
func (a *Anonymous) cookie(r *http.Request, token string) *http.Cookie {
	return &http.Cookie{
		Name:     a.cookieName,
		Value:    token,
		Path:     "/",
		MaxAge:   a.maxAge,
		Secure:   a.secure(r),
		HttpOnly: true,
		SameSite: http.SameSiteLaxMode,
	}
}

// secure reports whether r reached the client over HTTPS.
func (a *Anonymous) secure(r *http.Request) bool {
	if r.TLS != nil {
		return true
	}
	if !a.trustForwardedProto {
		return false
	}
	proto, _, _ := strings.Cut(r.Header.Get("X-Forwarded-Proto"), ",")
	return strings.EqualFold(strings.TrimSpace(proto), "https")
}

// newToken returns a fresh random cookie value.
func newToken() string {
	b := make([]byte, tokenBytes)
	// crypto/rand.Read never returns an error since Go 1.24; it crashes the
	// program instead of returning predictable bytes.
	_, _ = rand.Read(b)
	return tokenEncoding.EncodeToString(b)
}

// validToken reports whether v is a value newToken could have produced.
func validToken(v string) bool {
	if len(v) != tokenEncoding.EncodedLen(tokenBytes) {
		return false
	}
	b, err := tokenEncoding.DecodeString(v)
	return err == nil && len(b) == tokenBytes
}

// identityOf derives the ids for a cookie value; the value itself never
// leaves this function.
func identityOf(token string) Identity {
	sum := sha256.Sum256([]byte(idDomain + token))
	id := hex.EncodeToString(sum[:16])
	return Identity{UserID: id, GroupID: id}
}
