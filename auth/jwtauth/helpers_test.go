package jwtauth_test

import (
	"crypto/ecdsa"
	"crypto/ed25519"
	"crypto/elliptic"
	"crypto/rand"
	"crypto/rsa"
	"crypto/x509"
	"encoding/base64"
	"encoding/json"
	"encoding/pem"
	"net/http"
	"net/http/httptest"
	"strings"
	"sync"
	"testing"
	"time"

	"github.com/golang-jwt/jwt/v5"
	"github.com/stretchr/testify/require"

	"github.com/lvtgo/livetemplate/auth/jwtauth"
)

const (
	testIssuer   = "https://login.example.test"
	testAudience = "livetemplate"
	groupClaim   = "team"
)

// testKeys holds keys generated once per test binary: RSA generation is slow
// under the race detector.
type testKeys struct {
	hmac, hmac2, hmac3 []byte
	rsa, rsa2, rsa3    *rsa.PrivateKey
	ec, ec2, ec3       *ecdsa.PrivateKey
	ec384              *ecdsa.PrivateKey
	ec521              *ecdsa.PrivateKey
	ed, ed2, ed3       ed25519.PrivateKey
}

var keys = sync.OnceValue(func() *testKeys {
	must := func(err error) {
		if err != nil {
			panic(err)
		}
	}
	k := &testKeys{hmac: randomBytes(32), hmac2: randomBytes(32), hmac3: randomBytes(32)}
	var err error
	k.rsa, err = rsa.GenerateKey(rand.Reader, 2048)
	must(err)
	k.rsa2, err = rsa.GenerateKey(rand.Reader, 2048)
	must(err)
	k.rsa3, err = rsa.GenerateKey(rand.Reader, 2048)
	must(err)
	k.ec, err = ecdsa.GenerateKey(elliptic.P256(), rand.Reader)
	must(err)
	k.ec2, err = ecdsa.GenerateKey(elliptic.P256(), rand.Reader)
	must(err)
	k.ec3, err = ecdsa.GenerateKey(elliptic.P256(), rand.Reader)
	must(err)
	k.ec384, err = ecdsa.GenerateKey(elliptic.P384(), rand.Reader)
	must(err)
	k.ec521, err = ecdsa.GenerateKey(elliptic.P521(), rand.Reader)
	must(err)
	_, k.ed, err = ed25519.GenerateKey(rand.Reader)
	must(err)
	_, k.ed2, err = ed25519.GenerateKey(rand.Reader)
	must(err)
	_, k.ed3, err = ed25519.GenerateKey(rand.Reader)
	must(err)
	return k
})

func randomBytes(n int) []byte {
	b := make([]byte, n)
	_, _ = rand.Read(b)
	return b
}

// family is one signing-method family under test.
type family struct {
	method   string
	verify   any // Options.Key
	sign     any // Options.SigningKey, and the key test tokens are signed with
	wrongKey any // another signing key of the same kind
	// newVerify verifies what wrongKey signs: the next key of a rotation.
	newVerify any
	// thirdKey is a third signing key of the same kind, in no key set.
	thirdKey any
	// otherMethod and otherKey sign a token with another method of the
	// same family; "" when the family has a single method.
	otherMethod string
	otherKey    any
	// foreignMethod and foreignKey sign a token with another family.
	foreignMethod string
	foreignKey    any
	// public is the public key, for algorithm-confusion tokens; nil for HMAC.
	public any
}

func families() []family {
	k := keys()
	return []family{
		{
			method: "HS256", verify: k.hmac, sign: k.hmac, wrongKey: k.hmac2,
			newVerify: k.hmac2, thirdKey: k.hmac3,
			otherMethod: "HS384", otherKey: k.hmac,
			foreignMethod: "RS256", foreignKey: k.rsa,
		},
		{
			method: "RS256", verify: &k.rsa.PublicKey, sign: k.rsa, wrongKey: k.rsa2,
			newVerify: &k.rsa2.PublicKey, thirdKey: k.rsa3,
			otherMethod: "PS256", otherKey: k.rsa,
			foreignMethod: "ES256", foreignKey: k.ec,
			public: &k.rsa.PublicKey,
		},
		{
			method: "PS256", verify: &k.rsa.PublicKey, sign: k.rsa, wrongKey: k.rsa2,
			newVerify: &k.rsa2.PublicKey, thirdKey: k.rsa3,
			otherMethod: "RS256", otherKey: k.rsa,
			foreignMethod: "HS256", foreignKey: k.hmac,
			public: &k.rsa.PublicKey,
		},
		{
			method: "ES256", verify: &k.ec.PublicKey, sign: k.ec, wrongKey: k.ec2,
			newVerify: &k.ec2.PublicKey, thirdKey: k.ec3,
			otherMethod: "ES384", otherKey: k.ec384,
			foreignMethod: "EdDSA", foreignKey: k.ed,
			public: &k.ec.PublicKey,
		},
		{
			method: "EdDSA", verify: k.ed.Public(), sign: k.ed, wrongKey: k.ed2,
			newVerify: k.ed2.Public(), thirdKey: k.ed3,
			foreignMethod: "RS256", foreignKey: k.rsa,
			public: k.ed.Public(),
		},
	}
}

// familyOf returns the family of method.
func familyOf(tb testing.TB, method string) family {
	tb.Helper()
	for _, f := range families() {
		if f.method == method {
			return f
		}
	}
	tb.Fatalf("no family %s", method)
	return family{}
}

// options returns the options the tests use for f.
func (f family) options() jwtauth.Options {
	return jwtauth.Options{
		Method:     f.method,
		Key:        f.verify,
		SigningKey: f.sign,
		Issuer:     testIssuer,
		Audience:   testAudience,
		GroupClaim: groupClaim,
	}
}

// newAuthenticator returns an Authenticator for opts, which must be valid.
func newAuthenticator(tb testing.TB, opts jwtauth.Options) *jwtauth.Authenticator {
	tb.Helper()
	a, err := jwtauth.New(opts)
	require.NoError(tb, err)
	return a
}

// validClaims returns the claims of a token the test options accept, issued
// at now and valid for an hour.
func validClaims(now time.Time) jwt.MapClaims {
	return jwt.MapClaims{
		"sub":      "alice",
		groupClaim: "red",
		"iss":      testIssuer,
		"aud":      testAudience,
		"iat":      now.Unix(),
		"nbf":      now.Unix(),
		"exp":      now.Add(time.Hour).Unix(),
	}
}

// sign returns a token for claims signed with method and key, with extra
// header fields.
func sign(tb testing.TB, method string, key any, claims jwt.MapClaims, header map[string]any) string {
	tb.Helper()
	m := jwt.GetSigningMethod(method)
	require.NotNil(tb, m, method)
	t := jwt.NewWithClaims(m, claims)
	for k, v := range header {
		t.Header[k] = v
	}
	s, err := t.SignedString(key)
	require.NoError(tb, err)
	return s
}

// unsigned builds a token by hand from a header and claims, with signature
// sig (base64url).
func unsigned(tb testing.TB, header map[string]any, claims jwt.MapClaims, sig string) string {
	tb.Helper()
	return segment(tb, header) + "." + segment(tb, claims) + "." + sig
}

// segment encodes v as a token segment.
func segment(tb testing.TB, v any) string {
	tb.Helper()
	b, err := json.Marshal(v)
	require.NoError(tb, err)
	return base64.RawURLEncoding.EncodeToString(b)
}

// publicPEM and publicDER encode a public key the way a server might
// publish it, for algorithm-confusion tokens.
func publicDER(tb testing.TB, pub any) []byte {
	tb.Helper()
	der, err := x509.MarshalPKIXPublicKey(pub)
	require.NoError(tb, err)
	return der
}

func publicPEM(tb testing.TB, pub any) []byte {
	tb.Helper()
	return pem.EncodeToMemory(&pem.Block{Type: "PUBLIC KEY", Bytes: publicDER(tb, pub)})
}

// bearer returns a request carrying token in an Authorization header.
func bearer(token string) *http.Request {
	r := httptest.NewRequest(http.MethodGet, "/", nil)
	r.Header.Set("Authorization", "Bearer "+token)
	return r
}

// withCookie returns a request carrying token in the named cookie.
func withCookie(name, token string) *http.Request {
	r := httptest.NewRequest(http.MethodGet, "/", nil)
	r.AddCookie(&http.Cookie{Name: name, Value: token})
	return r
}

// segments returns the non-empty parts of a token, none of which may appear
// in an error.
func segments(token string) []string {
	var out []string
	for _, s := range strings.Split(token, ".") {
		if len(s) >= 8 {
			out = append(out, s)
		}
	}
	return out
}
