package jwtauth

import (
	"errors"
	"fmt"
	"net/http"
	"slices"
	"time"

	"github.com/golang-jwt/jwt/v5"
)

// maxCookieSize is the size of name and value together that browsers keep
// in one cookie (RFC 6265 §6.1); they drop larger cookies silently.
const maxCookieSize = 4096

// registeredClaims are the claims Issue sets itself.
var registeredClaims = []string{"sub", "iat", "nbf", "exp", "iss", "aud"}

// Issue signs a token for subject that is valid from now for ttl, sets it as
// the token cookie on w, and returns it for API clients that send it in an
// Authorization: Bearer header instead. It is meant for a login handler,
// after the user has proven who they are.
//
// The token carries "sub", "iat", "nbf" and "exp" (now + ttl), "iss" and
// "aud" when [Options.Issuer] and [Options.Audience] are set, and claims,
// which must not set any of those and, for [Options.GroupClaim], must hold a
// string. The cookie is HttpOnly, SameSite=Lax, Path=/ and lasts ttl; over
// HTTPS it is also Secure and named with the "__Host-" prefix. A nil w only
// skips the cookie; r is only used to tell whether the request came over
// HTTPS, and a nil r counts as plain HTTP.
//
// Issue fails without a [Options.SigningKey], for an empty subject, a ttl
// under one second, claims that break the rules above or cannot be encoded
// as JSON, and a token too large for a browser to keep as a cookie. It sets
// no cookie then.
func (a *Authenticator) Issue(w http.ResponseWriter, r *http.Request, subject string, ttl time.Duration, claims map[string]any) (string, error) {
	if err := a.checkIssue(subject, ttl, claims); err != nil {
		return "", err
	}
	now := time.Now()
	all := make(jwt.MapClaims, len(claims)+len(registeredClaims))
	for k, v := range claims {
		all[k] = v
	}
	all["sub"] = subject
	all["iat"] = jwt.NewNumericDate(now)
	all["nbf"] = jwt.NewNumericDate(now)
	all["exp"] = jwt.NewNumericDate(now.Add(ttl))
	if a.issuer != "" {
		all["iss"] = a.issuer
	}
	if a.audience != "" {
		all["aud"] = a.audience
	}
	token, err := jwt.NewWithClaims(a.spec.method, all).SignedString(a.signingKey)
	if err != nil {
		return "", fmt.Errorf("jwtauth: issue: cannot sign the token: %w", err)
	}
	secure := a.secure(r)
	name := a.name(secure)
	if n := len(name) + len(token); n > maxCookieSize {
		return "", fmt.Errorf("jwtauth: issue: the cookie would be %d bytes, browsers keep at most %d", n, maxCookieSize)
	}
	if w != nil {
		http.SetCookie(w, a.cookie(name, token, int(ttl/time.Second), secure))
	}
	return token, nil
}

// checkIssue reports every reason Issue cannot sign a token, joined.
func (a *Authenticator) checkIssue(subject string, ttl time.Duration, claims map[string]any) error {
	var errs []error
	if a.signingKey == nil {
		errs = append(errs, errors.New("jwtauth: issue: no SigningKey configured"))
	}
	if subject == "" {
		errs = append(errs, errors.New("jwtauth: issue: empty subject"))
	}
	if ttl < time.Second {
		errs = append(errs, fmt.Errorf("jwtauth: issue: ttl %v is under one second", ttl))
	}
	for _, k := range registeredClaims {
		if _, ok := claims[k]; ok {
			errs = append(errs, fmt.Errorf("jwtauth: issue: claim %q is set by Issue", k))
		}
	}
	if a.groupClaim != "" && !slices.Contains(registeredClaims, a.groupClaim) {
		switch claims[a.groupClaim].(type) {
		case nil, string:
		default:
			errs = append(errs, fmt.Errorf("jwtauth: issue: group claim %q must be a string", a.groupClaim))
		}
	}
	return errors.Join(errs...)
}

// Clear expires the token cookie on w, for a logout handler. Over HTTPS it
// expires both the "__Host-" prefixed cookie and the plain one (left by an
// earlier sign-in over plain HTTP, which Identify no longer reads there). It
// does not revoke the token: a copy kept elsewhere stays valid until it
// expires, so keep ttl short. A nil w does nothing.
func (a *Authenticator) Clear(w http.ResponseWriter, r *http.Request) {
	if w == nil {
		return
	}
	secure := a.secure(r)
	if secure {
		http.SetCookie(w, a.cookie(a.name(true), "", -1, true))
	}
	http.SetCookie(w, a.cookie(a.name(false), "", -1, secure))
}

// name returns the cookie's name on a request that is, or is not, secure.
func (a *Authenticator) name(secure bool) string {
	if secure {
		return hostPrefix + a.cookieName
	}
	return a.cookieName
}

// cookie builds a token cookie; a negative maxAge deletes it.
func (a *Authenticator) cookie(name, value string, maxAge int, secure bool) *http.Cookie {
	return &http.Cookie{
		Name:     name,
		Value:    value,
		Path:     "/",
		MaxAge:   maxAge,
		Secure:   secure,
		HttpOnly: true,
		SameSite: http.SameSiteLaxMode,
	}
}
