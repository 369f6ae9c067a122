package jwtauth

import (
	"crypto/ecdsa"
	"crypto/ed25519"
	"crypto/elliptic"
	"crypto/hmac"
	"crypto/rsa"
	"errors"
	"fmt"
	"net/http"
	"strings"
	"time"

	"github.com/golang-jwt/jwt/v5"
)

const (
	// DefaultCookieName is the default name of the token cookie over plain
	// HTTP; over HTTPS it gets the "__Host-" prefix.
	DefaultCookieName = "lvt-token"
	// DefaultLeeway is the default clock skew allowed on exp, nbf and iat.
	DefaultLeeway = 30 * time.Second
	// MinRSABits is the smallest RSA modulus accepted, as RFC 7518 requires.
	MinRSABits = 2048

	hostPrefix   = "__Host-"
	securePrefix = "__Secure-"
)

// Options configures an [Authenticator]. Method and Key are required; every
// other field documents its default, selected by the zero value.
type Options struct {
	// Method is the one signing method accepted, as it appears in a token's
	// "alg" header: "HS256", "HS384", "HS512", "RS256", "RS384", "RS512",
	// "PS256", "PS384", "PS512", "ES256", "ES384", "ES512" or "EdDSA".
	// Tokens signed with any other method, "none" included, are refused.
	// Required.
	Method string
	// Key verifies signatures and must match Method's family: []byte for
	// HMAC (at least as long as the hash: 32, 48 or 64 bytes), *rsa.PublicKey
	// of at least [MinRSABits] bits for RS* and PS*, *ecdsa.PublicKey on the
	// method's curve (P-256, P-384, P-521) for ES*, ed25519.PublicKey for
	// EdDSA. With [Options.PreviousKeys] it is one of the keys that verify;
	// a token's "kid" or "jku" header never picks one. HMAC keys are copied.
	// Required.
	Key any
	// PreviousKeys are older keys of the same Method that still verify, for
	// key rotation: tokens signed with them keep working until they expire,
	// so rotating signs nobody out and strands no open page. Each follows
	// the rules of Key. A token is checked with Key first, then with each
	// of these in order. To rotate, deploy the new key here on every
	// instance first, then make it Key (and SigningKey) with the old one
	// here, and drop the old one once the tokens it signed have expired.
	// HMAC keys are copied. Default: none, only Key verifies.
	PreviousKeys []any
	// SigningKey signs the tokens [Authenticator.Issue] makes: the same
	// []byte as Key for HMAC, or the *rsa.PrivateKey, *ecdsa.PrivateKey or
	// ed25519.PrivateKey whose public key is Key. Default (nil): the
	// Authenticator only verifies, and Issue fails.
	SigningKey any
	// Issuer, when set, must equal a token's "iss" claim; Issue sets it.
	// Default: "iss" is not checked.
	Issuer string
	// Audience, when set, must be one of a token's "aud" values; Issue sets
	// it. Default: "aud" is not checked.
	Audience string
	// Leeway is the clock skew allowed when checking "exp", "nbf" and "iat".
	// Default (zero): [DefaultLeeway]. A negative value allows none.
	Leeway time.Duration
	// AllowNoExpiry accepts tokens without an "exp" claim; they never
	// expire, and their Identity.Expires is the zero time. Default: false,
	// such tokens are refused. Issue always sets "exp".
	AllowNoExpiry bool
	// CookieName names the cookie that carries the token over plain HTTP;
	// over HTTPS the name gets the "__Host-" prefix. It must be a valid
	// cookie name without a "__Host-" or "__Secure-" prefix of its own.
	// Default: [DefaultCookieName].
	CookieName string
	// GroupClaim names the claim whose string value is the session group.
	// A token without it, or with an empty value, puts the user in a group
	// of its own; a non-string value is refused. Default (""): every user
	// has its own group, named by "sub".
	GroupClaim string
	// TrustForwardedProto treats a request as HTTPS when the first value of
	// its X-Forwarded-Proto header is "https", as
	// [auth.AnonymousOptions.TrustForwardedProto] does. Enable it only
	// behind a proxy that sets or strips that header. Default: false, only a
	// TLS connection to this server counts.
	TrustForwardedProto bool
}

// family groups the signing methods that share a key type.
type family int

const (
	familyHMAC family = iota + 1
	familyRSA
	familyECDSA
	familyEdDSA
)

// methodSpec describes one accepted signing method.
type methodSpec struct {
	method jwt.SigningMethod
	family family
	// hmacBytes is the minimum HMAC key length: the hash's output size.
	hmacBytes int
	// curve is the curve an ECDSA key must be on.
	curve elliptic.Curve
}

// lookupMethod returns the spec of name, the methods this package accepts.
// The table is built here rather than taken from jwt's global registry, so
// nothing registered elsewhere in the program can add a method.
func lookupMethod(name string) (methodSpec, bool) {
	switch name {
	case "HS256":
		return methodSpec{method: jwt.SigningMethodHS256, family: familyHMAC, hmacBytes: 32}, true
	case "HS384":
		return methodSpec{method: jwt.SigningMethodHS384, family: familyHMAC, hmacBytes: 48}, true
	case "HS512":
		return methodSpec{method: jwt.SigningMethodHS512, family: familyHMAC, hmacBytes: 64}, true
	case "RS256":
		return methodSpec{method: jwt.SigningMethodRS256, family: familyRSA}, true
	case "RS384":
		return methodSpec{method: jwt.SigningMethodRS384, family: familyRSA}, true
	case "RS512":
		return methodSpec{method: jwt.SigningMethodRS512, family: familyRSA}, true
	case "PS256":
		return methodSpec{method: jwt.SigningMethodPS256, family: familyRSA}, true
	case "PS384":
		return methodSpec{method: jwt.SigningMethodPS384, family: familyRSA}, true
	case "PS512":
		return methodSpec{method: jwt.SigningMethodPS512, family: familyRSA}, true
	case "ES256":
		return methodSpec{method: jwt.SigningMethodES256, family: familyECDSA, curve: elliptic.P256()}, true
	case "ES384":
		return methodSpec{method: jwt.SigningMethodES384, family: familyECDSA, curve: elliptic.P384()}, true
	case "ES512":
		return methodSpec{method: jwt.SigningMethodES512, family: familyECDSA, curve: elliptic.P521()}, true
	case "EdDSA":
		return methodSpec{method: jwt.SigningMethodEdDSA, family: familyEdDSA}, true
	}
	return methodSpec{}, false
}

// validate reports every problem with o, joined into one error that names
// key types but never key material. It returns the method's spec.
func (o *Options) validate() (methodSpec, error) {
	var errs []error
	spec, known := lookupMethod(o.Method)
	switch {
	case o.Method == "":
		errs = append(errs, errors.New("jwtauth: Method is required"))
	case !known:
		errs = append(errs, fmt.Errorf("jwtauth: Method %q is not supported", o.Method))
	}
	if o.Key == nil {
		errs = append(errs, errors.New("jwtauth: Key is required"))
	} else if known {
		if err := guard("Key", spec, func() error { return checkKey(spec, "Key", o.Key) }); err != nil {
			errs = append(errs, err)
		} else if o.SigningKey != nil {
			if err := guard("SigningKey", spec, func() error { return checkSigningKey(spec, o.Key, o.SigningKey) }); err != nil {
				errs = append(errs, err)
			}
		}
	}
	for i, k := range o.PreviousKeys {
		field := fmt.Sprintf("PreviousKeys[%d]", i)
		switch {
		case k == nil:
			errs = append(errs, fmt.Errorf("jwtauth: %s is nil", field))
		case known:
			if err := guard(field, spec, func() error { return checkKey(spec, field, k) }); err != nil {
				errs = append(errs, err)
			}
		}
	}
	if o.CookieName != "" {
		lower := strings.ToLower(o.CookieName)
		switch {
		case (&http.Cookie{Name: o.CookieName}).Valid() != nil:
			errs = append(errs, fmt.Errorf("jwtauth: CookieName %q is not a valid cookie name", o.CookieName))
		case strings.HasPrefix(lower, strings.ToLower(hostPrefix)), strings.HasPrefix(lower, strings.ToLower(securePrefix)):
			errs = append(errs, fmt.Errorf("jwtauth: CookieName %q must not carry a cookie prefix; %q is added over HTTPS", o.CookieName, hostPrefix))
		}
	}
	return spec, errors.Join(errs...)
}

// guard runs check and turns a panic into an error naming field. The
// standard library's key methods assume well-formed keys and can panic on a
// hand-built one (a nil field); New promises to report, never to panic.
func guard(field string, spec methodSpec, check func() error) (err error) {
	defer func() {
		if recover() != nil {
			err = fmt.Errorf("jwtauth: %s for %s is not a valid key", field, spec.method.Alg())
		}
	}()
	return check()
}

// checkKey reports whether key, the option named field, can verify tokens
// signed with spec's method.
func checkKey(spec methodSpec, field string, key any) error {
	name := spec.method.Alg()
	switch spec.family {
	case familyHMAC:
		k, ok := key.([]byte)
		if !ok {
			return fmt.Errorf("jwtauth: %s for %s must be []byte, not %T", field, name, key)
		}
		if len(k) < spec.hmacBytes {
			return fmt.Errorf("jwtauth: %s for %s is %d bytes, want at least %d", field, name, len(k), spec.hmacBytes)
		}
	case familyRSA:
		k, ok := key.(*rsa.PublicKey)
		if !ok {
			return fmt.Errorf("jwtauth: %s for %s must be *rsa.PublicKey, not %T%s", field, name, key, privateHint(key))
		}
		if k == nil || k.N == nil || k.E < 3 || k.E%2 == 0 {
			return fmt.Errorf("jwtauth: %s for %s is not a valid RSA public key", field, name)
		}
		if bits := k.N.BitLen(); bits < MinRSABits {
			return fmt.Errorf("jwtauth: %s for %s is %d bits, want at least %d", field, name, bits, MinRSABits)
		}
	case familyECDSA:
		k, ok := key.(*ecdsa.PublicKey)
		if !ok {
			return fmt.Errorf("jwtauth: %s for %s must be *ecdsa.PublicKey, not %T%s", field, name, key, privateHint(key))
		}
		if k == nil || k.Curve == nil {
			return fmt.Errorf("jwtauth: %s for %s is not a valid ECDSA public key", field, name)
		}
		if k.Curve != spec.curve {
			return fmt.Errorf("jwtauth: %s for %s must be on curve %s, not %s", field, name, spec.curve.Params().Name, curveName(k.Curve))
		}
		if _, err := k.Bytes(); err != nil {
			return fmt.Errorf("jwtauth: %s for %s is not a valid ECDSA public key", field, name)
		}
	case familyEdDSA:
		k, ok := key.(ed25519.PublicKey)
		if !ok {
			return fmt.Errorf("jwtauth: %s for %s must be ed25519.PublicKey, not %T%s", field, name, key, privateHint(key))
		}
		if len(k) != ed25519.PublicKeySize {
			return fmt.Errorf("jwtauth: %s for %s is %d bytes, want %d", field, name, len(k), ed25519.PublicKeySize)
		}
	}
	return nil
}

// curveName names c for an error message.
func curveName(c elliptic.Curve) string {
	if p := c.Params(); p != nil && p.Name != "" {
		return p.Name
	}
	return "an unnamed curve"
}

// privateHint explains a private key passed where the public key belongs.
func privateHint(key any) string {
	switch key.(type) {
	case *rsa.PrivateKey, *ecdsa.PrivateKey, ed25519.PrivateKey:
		return " (pass the public key as Key and the private key as SigningKey)"
	}
	return ""
}

// checkSigningKey reports whether signing makes signatures that key, already
// checked, verifies.
func checkSigningKey(spec methodSpec, key, signing any) error {
	name := spec.method.Alg()
	mismatch := fmt.Errorf("jwtauth: SigningKey for %s does not match Key", name)
	switch spec.family {
	case familyHMAC:
		k, ok := signing.([]byte)
		if !ok {
			return fmt.Errorf("jwtauth: SigningKey for %s must be []byte, not %T", name, signing)
		}
		if !hmac.Equal(k, key.([]byte)) {
			return mismatch
		}
	case familyRSA:
		k, ok := signing.(*rsa.PrivateKey)
		if !ok {
			return fmt.Errorf("jwtauth: SigningKey for %s must be *rsa.PrivateKey, not %T", name, signing)
		}
		if k == nil || k.N == nil || k.D == nil || len(k.Primes) < 2 || k.Validate() != nil {
			return fmt.Errorf("jwtauth: SigningKey for %s is not a valid RSA private key", name)
		}
		if !k.PublicKey.Equal(key) {
			return mismatch
		}
	case familyECDSA:
		k, ok := signing.(*ecdsa.PrivateKey)
		if !ok {
			return fmt.Errorf("jwtauth: SigningKey for %s must be *ecdsa.PrivateKey, not %T", name, signing)
		}
		if k == nil || k.Curve == nil || k.D == nil {
			return fmt.Errorf("jwtauth: SigningKey for %s is not a valid ECDSA private key", name)
		}
		if _, err := k.Bytes(); err != nil {
			return fmt.Errorf("jwtauth: SigningKey for %s is not a valid ECDSA private key", name)
		}
		if !k.PublicKey.Equal(key) {
			return mismatch
		}
	case familyEdDSA:
		k, ok := signing.(ed25519.PrivateKey)
		if !ok {
			return fmt.Errorf("jwtauth: SigningKey for %s must be ed25519.PrivateKey, not %T", name, signing)
		}
		if len(k) != ed25519.PrivateKeySize {
			return fmt.Errorf("jwtauth: SigningKey for %s is %d bytes, want %d", name, len(k), ed25519.PrivateKeySize)
		}
		// Derive the public key from the seed rather than trusting the
		// copy stored in the second half of k.
		if !ed25519.NewKeyFromSeed(k.Seed()).Public().(ed25519.PublicKey).Equal(key) {
			return mismatch
		}
	}
	return nil
}
