package jwtauth_test

import (
	"net/http"
	"net/http/httptest"
	"strings"
	"testing"
	"time"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"

	"github.com/lvtgo/livetemplate/auth"
	"github.com/lvtgo/livetemplate/auth/jwtauth"
)

// rotation is the configuration of every step of a key rotation for a
// family: its key f.sign is replaced by f.wrongKey.
type rotation struct {
	before, deployed, current, after *jwtauth.Authenticator
}

func rotate(tb testing.TB, f family) rotation {
	tb.Helper()
	step := func(key, signing any, previous ...any) *jwtauth.Authenticator {
		o := f.options()
		o.Key, o.SigningKey, o.PreviousKeys = key, signing, previous
		return newAuthenticator(tb, o)
	}
	return rotation{
		before:   step(f.verify, f.sign),
		deployed: step(f.verify, f.sign, f.newVerify),     // 1: the new key verifies everywhere
		current:  step(f.newVerify, f.wrongKey, f.verify), // 2: it signs; the old one still verifies
		after:    step(f.newVerify, f.wrongKey),           // 3: the old one is dropped
	}
}

// identifyCookie runs a on a request carrying token in its cookie, as a
// browser's page load, handshake or POST does.
func identifyCookie(a *jwtauth.Authenticator, token string) (auth.Identity, error) {
	return a.Identify(httptest.NewRecorder(), withCookie(jwtauth.DefaultCookieName, token))
}

// A key rotation signs nobody out: a token issued under the old key keeps
// working at every step until the old key is dropped, and tokens issued
// under the new key work on instances that have not switched yet.
func TestRotationKeepsTokensInUse(t *testing.T) {
	t.Parallel()

	for _, f := range families() {
		t.Run(f.method, func(t *testing.T) {
			t.Parallel()

			r := rotate(t, f)
			old, err := r.before.Issue(nil, nil, "alice", time.Hour, map[string]any{groupClaim: "red"})
			require.NoError(t, err)
			for step, a := range map[string]*jwtauth.Authenticator{"deployed": r.deployed, "current": r.current} {
				id, err := identifyCookie(a, old)
				require.NoError(t, err, "%s: the old token is still in use", step)
				assert.Equal(t, auth.Identity{UserID: "alice", GroupID: "red", Expires: id.Expires}, id, step)
			}

			// Once current, the new key signs; an instance that only
			// deployed it already accepts the result, one from before the
			// rotation does not (which is why the new key is deployed
			// everywhere first).
			fresh, err := r.current.Issue(nil, nil, "bob", time.Hour, nil)
			require.NoError(t, err)
			header, _ := decode(t, fresh)
			assert.Equal(t, f.method, header["alg"])
			_, err = identifyCookie(r.deployed, fresh)
			require.NoError(t, err)
			_, err = identifyCookie(r.before, fresh)
			assert.EqualError(t, err, "jwtauth: invalid signature")
			deployed, err := r.deployed.Issue(nil, nil, "cid", time.Hour, nil)
			require.NoError(t, err)
			_, err = identifyCookie(r.before, deployed)
			assert.NoError(t, err, "deploying a key changes nothing about what is signed")

			// Dropped: the old key's tokens end, the new key's go on.
			_, err = identifyCookie(r.after, old)
			assert.EqualError(t, err, "jwtauth: invalid signature")
			_, err = identifyCookie(r.after, fresh)
			assert.NoError(t, err)
		})
	}
}

// Rotation widens the set of keys, nothing else: a key outside the set,
// the header's hints, and every refusal of a single key still refuse.
func TestRotationRefuses(t *testing.T) {
	t.Parallel()

	now := time.Now()
	for _, f := range families() {
		r := rotate(t, f)
		tests := []struct {
			name   string
			token  func(tb testing.TB) string
			reason string
		}{
			{
				name:   "a key in no set",
				token:  func(tb testing.TB) string { return sign(tb, f.method, f.thirdKey, validClaims(now), nil) },
				reason: "jwtauth: invalid signature",
			},
			{
				name: "kid naming the previous key",
				token: func(tb testing.TB) string {
					return sign(tb, f.method, f.thirdKey, validClaims(now), map[string]any{"kid": "1"})
				},
				reason: "jwtauth: invalid signature",
			},
			{
				name: "kid as a path",
				token: func(tb testing.TB) string {
					return sign(tb, f.method, f.thirdKey, validClaims(now), map[string]any{"kid": "../../../../dev/null"})
				},
				reason: "jwtauth: invalid signature",
			},
			{
				name: "kid of another type",
				token: func(tb testing.TB) string {
					return sign(tb, f.method, f.thirdKey, validClaims(now), map[string]any{"kid": []int{0, 1}})
				},
				reason: "jwtauth: invalid signature",
			},
			{
				name: "jku and jwk naming the signer's own key",
				token: func(tb testing.TB) string {
					return sign(tb, f.method, f.thirdKey, validClaims(now), map[string]any{
						"jku": "https://evil.example/keys.json",
						"jwk": map[string]any{"kty": "oct", "k": "ZXZpbA"},
					})
				},
				reason: "jwtauth: invalid signature",
			},
			{
				name: "alg none with the previous key's kid",
				token: func(tb testing.TB) string {
					return unsigned(tb, map[string]any{"alg": "none", "kid": "1"}, validClaims(now), "")
				},
				reason: "jwtauth: signing method not accepted",
			},
			{
				name: "algorithm confusion with the previous public key",
				token: func(tb testing.TB) string {
					if f.public == nil {
						return ""
					}
					return sign(tb, "HS256", publicPEM(tb, f.public), validClaims(now), nil)
				},
				reason: "jwtauth: signing method not accepted",
			},
			{
				name: "the previous key under another method of the family",
				token: func(tb testing.TB) string {
					if f.otherMethod == "" {
						return ""
					}
					return sign(tb, f.otherMethod, f.otherKey, validClaims(now), nil)
				},
				reason: "jwtauth: signing method not accepted",
			},
			{
				name: "the previous key's signature on changed claims",
				token: func(tb testing.TB) string {
					parts := strings.Split(sign(tb, f.method, f.sign, validClaims(now), nil), ".")
					c := validClaims(now)
					c[groupClaim] = "blue"
					return parts[0] + "." + segment(tb, c) + "." + parts[2]
				},
				reason: "jwtauth: invalid signature",
			},
			{
				name: "expired under the previous key",
				token: func(tb testing.TB) string {
					c := validClaims(now)
					c["iat"], c["nbf"], c["exp"] = now.Add(-time.Hour).Unix(), now.Add(-time.Hour).Unix(), now.Add(-time.Minute).Unix()
					return sign(tb, f.method, f.sign, c, nil)
				},
				reason: "jwtauth: token expired",
			},
		}
		for _, tc := range tests {
			t.Run(f.method+"/"+tc.name, func(t *testing.T) {
				t.Parallel()

				token := tc.token(t)
				if token == "" {
					t.Skipf("does not apply to %s", f.method)
				}
				for step, a := range map[string]*jwtauth.Authenticator{"deployed": r.deployed, "current": r.current} {
					w := httptest.NewRecorder()
					id, err := a.Identify(w, withCookie(jwtauth.DefaultCookieName, token))
					require.ErrorIs(t, err, auth.ErrUnauthenticated, step)
					assert.EqualError(t, err, tc.reason, step)
					assert.Equal(t, auth.Identity{}, id, step)
					assert.Equal(t, `Bearer error="invalid_token"`, w.Header().Get("WWW-Authenticate"), step)
				}
			})
		}
	}
}

// A token signed with the previous key carrying a "kid" that names the
// current one is still judged by its signature alone.
func TestRotationIgnoresKid(t *testing.T) {
	t.Parallel()

	f := familyOf(t, "ES256")
	r := rotate(t, f)
	for _, kid := range []any{"current", "0", "", 7, nil} {
		token := sign(t, f.method, f.sign, validClaims(time.Now()), map[string]any{"kid": kid})
		id, err := identifyCookie(r.current, token)
		require.NoError(t, err, "kid %v", kid)
		assert.Equal(t, "alice", id.UserID)
	}
}

func TestNewCopiesPreviousKeys(t *testing.T) {
	t.Parallel()

	current, previous := randomBytes(32), randomBytes(32)
	old := newAuthenticator(t, jwtauth.Options{Method: "HS256", Key: previous, SigningKey: previous})
	token, err := old.Issue(nil, nil, "alice", time.Minute, nil)
	require.NoError(t, err)
	a := newAuthenticator(t, jwtauth.Options{Method: "HS256", Key: current, PreviousKeys: []any{previous}})
	clear(previous)
	_, err = a.Identify(nil, bearer(token))
	assert.NoError(t, err, "changing the caller's slice changes nothing")
}

// A rotation on a real server: a browser signed in before it keeps its
// sign-in through every step, until the old key is dropped.
func TestRotationOverHTTP(t *testing.T) {
	t.Parallel()

	f := familyOf(t, "HS256")
	r := rotate(t, f)
	serve := func(a *jwtauth.Authenticator) *httptest.Server {
		srv := httptest.NewServer(http.HandlerFunc(func(w http.ResponseWriter, req *http.Request) {
			id, err := a.Identify(w, req)
			if err != nil {
				http.Error(w, "unauthorized", http.StatusUnauthorized)
				return
			}
			_, _ = w.Write([]byte(id.UserID))
		}))
		t.Cleanup(srv.Close)
		return srv
	}
	token, err := r.before.Issue(nil, nil, "alice", time.Hour, nil)
	require.NoError(t, err)
	for _, tc := range []struct {
		step *jwtauth.Authenticator
		want int
	}{
		{step: r.before, want: http.StatusOK},
		{step: r.deployed, want: http.StatusOK},
		{step: r.current, want: http.StatusOK},
		{step: r.after, want: http.StatusUnauthorized},
	} {
		srv := serve(tc.step)
		req, err := http.NewRequestWithContext(t.Context(), http.MethodGet, srv.URL, nil)
		require.NoError(t, err)
		req.AddCookie(&http.Cookie{Name: jwtauth.DefaultCookieName, Value: token})
		resp, err := srv.Client().Do(req)
		require.NoError(t, err)
		_ = resp.Body.Close()
		assert.Equal(t, tc.want, resp.StatusCode)
	}
}
