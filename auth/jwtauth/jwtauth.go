package jwtauth

import (
	"bytes"
	"crypto/ed25519"
	"errors"
	"net/http"
	"strings"

	"github.com/golang-jwt/jwt/v5"

	"github.com/lvtgo/livetemplate/auth"
)

const (
	// MaxTokenSize is the largest token, in bytes, that Identify parses;
	// longer ones are refused before any decoding.
	MaxTokenSize = 8 << 10
	// maxCandidates bounds how many tokens one request can make Identify
	// verify (several cookies of the same name).
	maxCandidates = 4
)

// Authenticator identifies requests by a JSON Web Token signed with one
// configured method and one of its keys (the current one, or a previous one
// during a key rotation), read from a cookie or an Authorization: Bearer
// header, and issues such tokens, signed with the current key, for login
// handlers.
//
// An Authenticator is safe for concurrent use and is not modified after
// [New] returns.
type Authenticator struct {
	spec                methodSpec
	keys                jwt.VerificationKeySet // Key, then PreviousKeys
	signingKey          any
	issuer              string
	audience            string
	groupClaim          string
	cookieName          string
	trustForwardedProto bool
	parserOptions       []jwt.ParserOption
}

var _ auth.Authenticator = (*Authenticator)(nil)

// New returns an [Authenticator] configured by opts.
//
// It checks everything once and reports every problem at once, in an error
// that names key types but never key material: a missing or unsupported
// Method, a missing Key or one of the wrong type for Method's family (an
// HMAC key shorter than the hash, an RSA key under [MinRSABits] bits, an
// ECDSA key on another curve), a SigningKey that does not match Key, a
// previous key that breaks the rules of Key, or an unusable CookieName. It
// never panics.
func New(opts Options) (*Authenticator, error) {
	spec, err := opts.validate()
	if err != nil {
		return nil, err
	}
	a := &Authenticator{
		spec:                spec,
		signingKey:          opts.SigningKey,
		issuer:              opts.Issuer,
		audience:            opts.Audience,
		groupClaim:          opts.GroupClaim,
		cookieName:          opts.CookieName,
		trustForwardedProto: opts.TrustForwardedProto,
	}
	// Keys held in slices are copied, so the caller's later changes have
	// no effect.
	for _, k := range append([]any{opts.Key}, opts.PreviousKeys...) {
		switch k := k.(type) {
		case []byte:
			a.keys.Keys = append(a.keys.Keys, bytes.Clone(k))
		case ed25519.PublicKey:
			a.keys.Keys = append(a.keys.Keys, ed25519.PublicKey(bytes.Clone(k)))
		default:
			a.keys.Keys = append(a.keys.Keys, k)
		}
	}
	switch k := a.signingKey.(type) {
	case []byte:
		a.signingKey = bytes.Clone(k)
	case ed25519.PrivateKey:
		a.signingKey = ed25519.PrivateKey(bytes.Clone(k))
	}
	if a.cookieName == "" {
		a.cookieName = DefaultCookieName
	}
	leeway := opts.Leeway
	switch {
	case leeway == 0:
		leeway = DefaultLeeway
	case leeway < 0:
		leeway = 0
	}
	a.parserOptions = []jwt.ParserOption{
		jwt.WithValidMethods([]string{spec.method.Alg()}),
		jwt.WithLeeway(leeway),
		jwt.WithIssuedAt(),
		jwt.WithStrictDecoding(),
	}
	if !opts.AllowNoExpiry {
		a.parserOptions = append(a.parserOptions, jwt.WithExpirationRequired())
	}
	if a.issuer != "" {
		a.parserOptions = append(a.parserOptions, jwt.WithIssuer(a.issuer))
	}
	if a.audience != "" {
		a.parserOptions = append(a.parserOptions, jwt.WithAudience(a.audience))
	}
	return a, nil
}

// Identify returns the identity named by the request's token: UserID is the
// "sub" claim, GroupID the [Options.GroupClaim] claim (or "sub"), and
// Expires the "exp" claim, when the facade closes a live connection opened
// with it. A token accepted within the leeway after its "exp" has an
// Expires in the past, so such a connection is closed at once.
//
// The token is read from the cookie first and only when there is none from
// an Authorization: Bearer header: a request carrying both is judged by its
// cookie. Over HTTPS only the "__Host-" prefixed cookie is read, which a
// sibling subdomain or a plain-HTTP response cannot set; over plain HTTP
// only the plain name. Up to four same-named cookies are tried. The request
// is HTTPS when it came over TLS, or, with [Options.TrustForwardedProto],
// when its X-Forwarded-Proto says so, as for [auth.Anonymous].
//
// A missing, malformed, oversized, forged, expired or otherwise unacceptable
// token gets an error wrapping [auth.ErrUnauthenticated], with a fixed
// reason that never contains the token or any part of it, and a
// WWW-Authenticate: Bearer challenge on w when w is not nil. Identify never
// writes the status or body.
func (a *Authenticator) Identify(w http.ResponseWriter, r *http.Request) (auth.Identity, error) {
	tokens := a.tokens(r)
	if len(tokens) == 0 {
		a.challenge(w, false)
		return auth.Identity{}, refuse(reasonNoToken)
	}
	var first error
	for _, token := range tokens {
		id, err := a.verify(token)
		if err == nil {
			return id, nil
		}
		if first == nil {
			first = err
		}
	}
	a.challenge(w, true)
	return auth.Identity{}, first
}

// tokens returns the candidate tokens of r: its token cookies, or else its
// bearer token.
func (a *Authenticator) tokens(r *http.Request) []string {
	var tokens []string
	for _, c := range r.CookiesNamed(a.name(a.secure(r))) {
		if c.Value != "" && len(tokens) < maxCandidates {
			tokens = append(tokens, c.Value)
		}
	}
	if len(tokens) > 0 {
		return tokens
	}
	scheme, token, ok := strings.Cut(r.Header.Get("Authorization"), " ")
	if !ok || !strings.EqualFold(scheme, "Bearer") {
		return nil
	}
	if token = strings.TrimSpace(token); token == "" {
		return nil
	}
	return []string{token}
}

// verify checks one token and returns the identity it names.
func (a *Authenticator) verify(token string) (auth.Identity, error) {
	if len(token) > MaxTokenSize {
		return auth.Identity{}, refuse(reasonTooLarge)
	}
	claims := jwt.MapClaims{}
	parsed, err := jwt.NewParser(a.parserOptions...).ParseWithClaims(token, claims, a.keyFunc)
	if err != nil {
		return auth.Identity{}, refuse(a.reason(parsed, claims, err))
	}
	// RFC 7515 §4.1.11: extensions listed as critical must be understood,
	// and this package understands none.
	if _, ok := parsed.Header["crit"]; ok {
		return auth.Identity{}, refuse(reasonCritical)
	}
	sub, err := claims.GetSubject()
	if err != nil {
		return auth.Identity{}, refuse(reasonClaimType)
	}
	if sub == "" {
		return auth.Identity{}, refuse(reasonNoSubject)
	}
	id := auth.Identity{UserID: sub, GroupID: sub}
	if a.groupClaim != "" {
		switch g := claims[a.groupClaim].(type) {
		case nil: // absent or null: a group of its own
		case string:
			if g != "" {
				id.GroupID = g
			}
		default:
			return auth.Identity{}, refuse(reasonGroup)
		}
	}
	if exp, _ := claims.GetExpirationTime(); exp != nil { // its type was checked by the parser
		id.Expires = exp.Time
	}
	return id, nil
}

// keyFunc returns the configured keys, current first, whatever the token's
// header says ("kid", "jku" and "jwk" are ignored): the parser tries each
// until one verifies. The parser has already refused every other method;
// the check here guards against that ever changing.
func (a *Authenticator) keyFunc(t *jwt.Token) (any, error) {
	if t.Method == nil || t.Method.Alg() != a.spec.method.Alg() {
		return nil, errors.New("signing method not accepted")
	}
	return a.keys, nil
}

// reason explains a parse error with one of the fixed reasons. claims holds
// what was decoded, if anything.
func (a *Authenticator) reason(parsed *jwt.Token, claims jwt.MapClaims, err error) string {
	switch {
	case errors.Is(err, jwt.ErrTokenMalformed):
		return reasonMalformed
	case parsed == nil || parsed.Method == nil || parsed.Method.Alg() != a.spec.method.Alg():
		return reasonMethod
	case errors.Is(err, jwt.ErrTokenSignatureInvalid):
		return reasonSignature
	case errors.Is(err, jwt.ErrInvalidType):
		return reasonClaimType
	case errors.Is(err, jwt.ErrTokenExpired):
		return reasonExpired
	case errors.Is(err, jwt.ErrTokenNotValidYet):
		return reasonNotYetValid
	case errors.Is(err, jwt.ErrTokenUsedBeforeIssued):
		return reasonIssuedLater
	case errors.Is(err, jwt.ErrTokenInvalidIssuer):
		return reasonIssuer
	case errors.Is(err, jwt.ErrTokenInvalidAudience):
		return reasonAudience
	case errors.Is(err, jwt.ErrTokenRequiredClaimMissing):
		if exp, _ := claims.GetExpirationTime(); exp == nil {
			return reasonNoExpiry
		}
		if iss, _ := claims.GetIssuer(); iss == "" && a.issuer != "" {
			return reasonNoIssuer
		}
		return reasonNoAudience
	}
	return reasonInvalidClaims
}

// challenge asks the client for a bearer token (RFC 6750 §3).
func (a *Authenticator) challenge(w http.ResponseWriter, invalid bool) {
	if w == nil {
		return
	}
	if invalid {
		w.Header().Set("WWW-Authenticate", `Bearer error="invalid_token"`)
		return
	}
	w.Header().Set("WWW-Authenticate", "Bearer")
}

// secure reports whether r reached the client over HTTPS.
func (a *Authenticator) secure(r *http.Request) bool {
	if r == nil {
		return false
	}
	if r.TLS != nil {
		return true
	}
	if !a.trustForwardedProto {
		return false
	}
	proto, _, _ := strings.Cut(r.Header.Get("X-Forwarded-Proto"), ",")
	return strings.EqualFold(strings.TrimSpace(proto), "https")
}
