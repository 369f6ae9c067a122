package jwtauth_test

import (
	"crypto/ecdsa"
	"crypto/ed25519"
	"crypto/rand"
	"crypto/rsa"
	"encoding/hex"
	"testing"
	"time"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"

	"github.com/lvtgo/livetemplate/auth/jwtauth"
)

func TestNewAcceptsEveryMethod(t *testing.T) {
	t.Parallel()

	k := keys()
	tests := []struct {
		method      string
		key, signer any
	}{
		{method: "HS256", key: randomBytes(32)},
		{method: "HS384", key: randomBytes(48)},
		{method: "HS512", key: randomBytes(64)},
		{method: "RS256", key: &k.rsa.PublicKey, signer: k.rsa},
		{method: "RS384", key: &k.rsa.PublicKey, signer: k.rsa},
		{method: "RS512", key: &k.rsa.PublicKey, signer: k.rsa},
		{method: "PS256", key: &k.rsa.PublicKey, signer: k.rsa},
		{method: "PS384", key: &k.rsa.PublicKey, signer: k.rsa},
		{method: "PS512", key: &k.rsa.PublicKey, signer: k.rsa},
		{method: "ES256", key: &k.ec.PublicKey, signer: k.ec},
		{method: "ES384", key: &k.ec384.PublicKey, signer: k.ec384},
		{method: "ES512", key: &k.ec521.PublicKey, signer: k.ec521},
		{method: "EdDSA", key: k.ed.Public(), signer: k.ed},
	}
	for _, tc := range tests {
		t.Run(tc.method, func(t *testing.T) {
			t.Parallel()

			signer := tc.signer
			if signer == nil {
				signer = tc.key
			}
			a := newAuthenticator(t, jwtauth.Options{Method: tc.method, Key: tc.key, SigningKey: signer})
			token, err := a.Issue(nil, nil, "alice", time.Minute, nil)
			require.NoError(t, err)
			id, err := a.Identify(nil, bearer(token))
			require.NoError(t, err)
			assert.Equal(t, "alice", id.UserID)

			verifyOnly := newAuthenticator(t, jwtauth.Options{Method: tc.method, Key: tc.key})
			id, err = verifyOnly.Identify(nil, bearer(token))
			require.NoError(t, err)
			assert.Equal(t, "alice", id.UserID)
		})
	}
}

func TestNewRefuses(t *testing.T) {
	t.Parallel()

	k := keys()
	secret := randomBytes(32)
	small, err := rsa.GenerateKey(rand.Reader, 1024)
	require.NoError(t, err)
	tests := []struct {
		name string
		opts jwtauth.Options
		want []string // every line must appear in the error
	}{
		{
			name: "zero options",
			want: []string{"jwtauth: Method is required", "jwtauth: Key is required"},
		},
		{
			name: "unknown method",
			opts: jwtauth.Options{Method: "HS257", Key: secret},
			want: []string{`jwtauth: Method "HS257" is not supported`},
		},
		{
			name: "none method",
			opts: jwtauth.Options{Method: "none", Key: secret},
			want: []string{`jwtauth: Method "none" is not supported`},
		},
		{
			name: "method names are case-sensitive",
			opts: jwtauth.Options{Method: "hs256", Key: secret},
			want: []string{`jwtauth: Method "hs256" is not supported`},
		},
		{
			name: "missing key",
			opts: jwtauth.Options{Method: "RS256"},
			want: []string{"jwtauth: Key is required"},
		},
		{
			name: "string hmac key",
			opts: jwtauth.Options{Method: "HS256", Key: string(secret)},
			want: []string{"jwtauth: Key for HS256 must be []byte, not string"},
		},
		{
			name: "rsa key for hmac",
			opts: jwtauth.Options{Method: "HS256", Key: &k.rsa.PublicKey},
			want: []string{"jwtauth: Key for HS256 must be []byte, not *rsa.PublicKey"},
		},
		{
			name: "hmac key for rsa",
			opts: jwtauth.Options{Method: "RS256", Key: secret},
			want: []string{"jwtauth: Key for RS256 must be *rsa.PublicKey, not []uint8"},
		},
		{
			name: "ecdsa key for rsa-pss",
			opts: jwtauth.Options{Method: "PS256", Key: &k.ec.PublicKey},
			want: []string{"jwtauth: Key for PS256 must be *rsa.PublicKey, not *ecdsa.PublicKey"},
		},
		{
			name: "ed25519 key for ecdsa",
			opts: jwtauth.Options{Method: "ES256", Key: k.ed.Public()},
			want: []string{"jwtauth: Key for ES256 must be *ecdsa.PublicKey, not ed25519.PublicKey"},
		},
		{
			name: "ecdsa key for eddsa",
			opts: jwtauth.Options{Method: "EdDSA", Key: &k.ec.PublicKey},
			want: []string{"jwtauth: Key for EdDSA must be ed25519.PublicKey, not *ecdsa.PublicKey"},
		},
		{
			name: "private key as key",
			opts: jwtauth.Options{Method: "RS256", Key: k.rsa},
			want: []string{"must be *rsa.PublicKey, not *rsa.PrivateKey (pass the public key as Key and the private key as SigningKey)"},
		},
		{
			name: "short hmac key",
			opts: jwtauth.Options{Method: "HS256", Key: secret[:31]},
			want: []string{"jwtauth: Key for HS256 is 31 bytes, want at least 32"},
		},
		{
			name: "hmac key shorter than the hash",
			opts: jwtauth.Options{Method: "HS512", Key: secret},
			want: []string{"jwtauth: Key for HS512 is 32 bytes, want at least 64"},
		},
		{
			name: "small rsa key",
			opts: jwtauth.Options{Method: "RS256", Key: &small.PublicKey},
			want: []string{"jwtauth: Key for RS256 is 1024 bits, want at least 2048"},
		},
		{
			name: "nil rsa key",
			opts: jwtauth.Options{Method: "RS256", Key: (*rsa.PublicKey)(nil)},
			want: []string{"jwtauth: Key for RS256 is not a valid RSA public key"},
		},
		{
			name: "empty rsa key",
			opts: jwtauth.Options{Method: "RS256", Key: &rsa.PublicKey{}},
			want: []string{"jwtauth: Key for RS256 is not a valid RSA public key"},
		},
		{
			name: "ecdsa key on another curve",
			opts: jwtauth.Options{Method: "ES256", Key: &k.ec384.PublicKey},
			want: []string{"jwtauth: Key for ES256 must be on curve P-256, not P-384"},
		},
		{
			name: "empty ecdsa key",
			opts: jwtauth.Options{Method: "ES256", Key: &ecdsa.PublicKey{}},
			want: []string{"jwtauth: Key for ES256 is not a valid ECDSA public key"},
		},
		{
			name: "short ed25519 key",
			opts: jwtauth.Options{Method: "EdDSA", Key: ed25519.PublicKey{1, 2, 3}},
			want: []string{"jwtauth: Key for EdDSA is 3 bytes, want 32"},
		},
		{
			name: "hmac signing key mismatch",
			opts: jwtauth.Options{Method: "HS256", Key: secret, SigningKey: k.hmac2},
			want: []string{"jwtauth: SigningKey for HS256 does not match Key"},
		},
		{
			name: "rsa signing key mismatch",
			opts: jwtauth.Options{Method: "RS256", Key: &k.rsa.PublicKey, SigningKey: k.rsa2},
			want: []string{"jwtauth: SigningKey for RS256 does not match Key"},
		},
		{
			name: "ecdsa signing key mismatch",
			opts: jwtauth.Options{Method: "ES256", Key: &k.ec.PublicKey, SigningKey: k.ec2},
			want: []string{"jwtauth: SigningKey for ES256 does not match Key"},
		},
		{
			name: "ed25519 signing key mismatch",
			opts: jwtauth.Options{Method: "EdDSA", Key: k.ed.Public(), SigningKey: k.ed2},
			want: []string{"jwtauth: SigningKey for EdDSA does not match Key"},
		},
		{
			name: "signing key of another type",
			opts: jwtauth.Options{Method: "ES256", Key: &k.ec.PublicKey, SigningKey: k.rsa},
			want: []string{"jwtauth: SigningKey for ES256 must be *ecdsa.PrivateKey, not *rsa.PrivateKey"},
		},
		{
			name: "public key as signing key",
			opts: jwtauth.Options{Method: "RS256", Key: &k.rsa.PublicKey, SigningKey: &k.rsa.PublicKey},
			want: []string{"jwtauth: SigningKey for RS256 must be *rsa.PrivateKey, not *rsa.PublicKey"},
		},
		{
			name: "hand-built rsa private key",
			opts: jwtauth.Options{Method: "RS256", Key: &k.rsa.PublicKey, SigningKey: &rsa.PrivateKey{PublicKey: k.rsa.PublicKey}},
			want: []string{"jwtauth: SigningKey for RS256 is not a valid RSA private key"},
		},
		{
			name: "hand-built ecdsa private key",
			opts: jwtauth.Options{Method: "ES256", Key: &k.ec.PublicKey, SigningKey: &ecdsa.PrivateKey{PublicKey: k.ec.PublicKey}},
			want: []string{"jwtauth: SigningKey for ES256 is not a valid ECDSA private key"},
		},
		{
			name: "ecdsa key without a point",
			opts: jwtauth.Options{Method: "ES256", Key: &ecdsa.PublicKey{Curve: k.ec.Curve}},
			want: []string{"jwtauth: Key for ES256 is not a valid key"},
		},
		{
			name: "ed25519 private key of zeros",
			opts: jwtauth.Options{Method: "EdDSA", Key: k.ed.Public(), SigningKey: make(ed25519.PrivateKey, ed25519.PrivateKeySize)},
			want: []string{"jwtauth: SigningKey for EdDSA does not match Key"},
		},
		{
			name: "invalid cookie name",
			opts: jwtauth.Options{Method: "HS256", Key: secret, CookieName: "a b"},
			want: []string{`jwtauth: CookieName "a b" is not a valid cookie name`},
		},
		{
			name: "prefixed cookie name",
			opts: jwtauth.Options{Method: "HS256", Key: secret, CookieName: "__host-tok"},
			want: []string{`jwtauth: CookieName "__host-tok" must not carry a cookie prefix`},
		},
		{
			name: "short previous hmac key",
			opts: jwtauth.Options{Method: "HS256", Key: k.hmac, PreviousKeys: []any{k.hmac2, k.hmac3[:16]}},
			want: []string{"jwtauth: PreviousKeys[1] for HS256 is 16 bytes, want at least 32"},
		},
		{
			name: "nil previous key",
			opts: jwtauth.Options{Method: "HS256", Key: k.hmac, PreviousKeys: []any{nil}},
			want: []string{"jwtauth: PreviousKeys[0] is nil"},
		},
		{
			name: "string previous hmac key",
			opts: jwtauth.Options{Method: "HS256", Key: k.hmac, PreviousKeys: []any{string(k.hmac2)}},
			want: []string{"jwtauth: PreviousKeys[0] for HS256 must be []byte, not string"},
		},
		{
			name: "previous key of another family",
			opts: jwtauth.Options{Method: "RS256", Key: &k.rsa.PublicKey, PreviousKeys: []any{&k.ec.PublicKey}},
			want: []string{"jwtauth: PreviousKeys[0] for RS256 must be *rsa.PublicKey, not *ecdsa.PublicKey"},
		},
		{
			name: "private key as previous key",
			opts: jwtauth.Options{Method: "EdDSA", Key: k.ed.Public(), PreviousKeys: []any{k.ed2}},
			want: []string{"jwtauth: PreviousKeys[0] for EdDSA must be ed25519.PublicKey, not ed25519.PrivateKey"},
		},
		{
			name: "previous key on another curve",
			opts: jwtauth.Options{Method: "ES256", Key: &k.ec.PublicKey, PreviousKeys: []any{&k.ec384.PublicKey}},
			want: []string{"jwtauth: PreviousKeys[0] for ES256 must be on curve P-256, not P-384"},
		},
		{
			name: "previous key of no key type",
			opts: jwtauth.Options{Method: "RS256", Key: &k.rsa.PublicKey, PreviousKeys: []any{&k.rsa2.PublicKey, new(struct{})}},
			want: []string{"jwtauth: PreviousKeys[1] for RS256 must be *rsa.PublicKey, not *struct {}"},
		},
		{
			name: "every problem with keys at once",
			opts: jwtauth.Options{Method: "HS512", Key: k.hmac, PreviousKeys: []any{k.hmac2, nil}},
			want: []string{
				"jwtauth: Key for HS512 is 32 bytes, want at least 64",
				"jwtauth: PreviousKeys[0] for HS512 is 32 bytes, want at least 64",
				"jwtauth: PreviousKeys[1] is nil",
			},
		},
		{
			name: "every problem at once",
			opts: jwtauth.Options{Method: "HS257", CookieName: "a;b"},
			want: []string{
				`jwtauth: Method "HS257" is not supported`,
				"jwtauth: Key is required",
				`jwtauth: CookieName "a;b" is not a valid cookie name`,
			},
		},
	}
	for _, tc := range tests {
		t.Run(tc.name, func(t *testing.T) {
			t.Parallel()

			a, err := jwtauth.New(tc.opts)
			require.Error(t, err)
			assert.Nil(t, a)
			for _, want := range tc.want {
				assert.Contains(t, err.Error(), want)
			}
			msg := err.Error()
			for _, key := range [][]byte{secret, k.hmac, k.hmac2, k.hmac3} {
				assert.NotContains(t, msg, string(key), "the error shows key material")
				assert.NotContains(t, msg, hex.EncodeToString(key), "the error shows key material")
			}
		})
	}
}

func TestNewCopiesHMACKey(t *testing.T) {
	t.Parallel()

	key := randomBytes(32)
	a := newAuthenticator(t, jwtauth.Options{Method: "HS256", Key: key, SigningKey: key})
	token, err := a.Issue(nil, nil, "alice", time.Minute, nil)
	require.NoError(t, err)
	clear(key)
	_, err = a.Identify(nil, bearer(token))
	assert.NoError(t, err, "changing the caller's slice changes nothing")
}
