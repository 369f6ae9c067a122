package jwtauth_test

import (
	"net/http"
	"net/http/httptest"
	"strings"
	"testing"
	"time"

	"github.com/golang-jwt/jwt/v5"
	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"

	"github.com/lvtgo/livetemplate/auth"
	"github.com/lvtgo/livetemplate/auth/jwtauth"
)

func TestIdentifyAccepts(t *testing.T) {
	t.Parallel()

	now := time.Now()
	tests := []struct {
		name      string
		claims    func(c jwt.MapClaims)
		wantGroup string
		wantExp   time.Time
	}{
		{
			name:      "valid",
			claims:    func(jwt.MapClaims) {},
			wantGroup: "red",
			wantExp:   time.Unix(now.Add(time.Hour).Unix(), 0),
		},
		{
			name:      "audience list containing ours",
			claims:    func(c jwt.MapClaims) { c["aud"] = []string{"other", testAudience} },
			wantGroup: "red",
			wantExp:   time.Unix(now.Add(time.Hour).Unix(), 0),
		},
		{
			name:      "expired within leeway",
			claims:    func(c jwt.MapClaims) { c["exp"] = now.Add(-10 * time.Second).Unix() },
			wantGroup: "red",
			wantExp:   time.Unix(now.Add(-10*time.Second).Unix(), 0),
		},
		{
			name:      "not before within leeway",
			claims:    func(c jwt.MapClaims) { c["nbf"] = now.Add(10 * time.Second).Unix() },
			wantGroup: "red",
			wantExp:   time.Unix(now.Add(time.Hour).Unix(), 0),
		},
		{
			name:      "issued within leeway",
			claims:    func(c jwt.MapClaims) { c["iat"] = now.Add(10 * time.Second).Unix() },
			wantGroup: "red",
			wantExp:   time.Unix(now.Add(time.Hour).Unix(), 0),
		},
		{
			name:      "no group claim is a group of its own",
			claims:    func(c jwt.MapClaims) { delete(c, groupClaim) },
			wantGroup: "alice",
			wantExp:   time.Unix(now.Add(time.Hour).Unix(), 0),
		},
		{
			name:      "empty group claim is a group of its own",
			claims:    func(c jwt.MapClaims) { c[groupClaim] = "" },
			wantGroup: "alice",
			wantExp:   time.Unix(now.Add(time.Hour).Unix(), 0),
		},
		{
			name:      "null group claim is a group of its own",
			claims:    func(c jwt.MapClaims) { c[groupClaim] = nil },
			wantGroup: "alice",
			wantExp:   time.Unix(now.Add(time.Hour).Unix(), 0),
		},
	}
	for _, f := range families() {
		a := newAuthenticator(t, f.options())
		for _, tc := range tests {
			t.Run(f.method+"/"+tc.name, func(t *testing.T) {
				t.Parallel()

				claims := validClaims(now)
				tc.claims(claims)
				// A "kid" naming another key is ignored: only the configured key verifies.
				token := sign(t, f.method, f.sign, claims, map[string]any{"kid": "some-other-key"})
				w := httptest.NewRecorder()
				got, err := a.Identify(w, withCookie(jwtauth.DefaultCookieName, token))
				require.NoError(t, err)
				assert.Equal(t, "alice", got.UserID)
				assert.Equal(t, tc.wantGroup, got.GroupID)
				assert.True(t, tc.wantExp.Equal(got.Expires), "Expires %v, want %v", got.Expires, tc.wantExp)
				assert.Empty(t, w.Header().Get("WWW-Authenticate"))
			})
		}
	}
}

func TestIdentifyWithoutGroupClaim(t *testing.T) {
	t.Parallel()

	k := keys()
	a := newAuthenticator(t, jwtauth.Options{Method: "HS256", Key: k.hmac})
	token := sign(t, "HS256", k.hmac, jwt.MapClaims{
		"sub": "bob", groupClaim: "red", "exp": time.Now().Add(time.Minute).Unix(),
	}, nil)
	got, err := a.Identify(nil, bearer(token))
	require.NoError(t, err)
	assert.Equal(t, "bob", got.UserID)
	assert.Equal(t, "bob", got.GroupID, "default: one group per user")
}

// refusal is a token an authenticator for the family must refuse.
type refusal struct {
	name string
	// token builds the token; it returns "" when the case does not apply to
	// the family.
	token  func(tb testing.TB, f family, now time.Time) string
	reason string
}

// withClaims signs the family's valid claims after edit.
func withClaims(edit func(c jwt.MapClaims, now time.Time)) func(testing.TB, family, time.Time) string {
	return func(tb testing.TB, f family, now time.Time) string {
		c := validClaims(now)
		edit(c, now)
		return sign(tb, f.method, f.sign, c, nil)
	}
}

func refusals() []refusal {
	return []refusal{
		{
			name: "alg none",
			token: func(tb testing.TB, _ family, now time.Time) string {
				return unsigned(tb, map[string]any{"alg": "none", "typ": "JWT"}, validClaims(now), "")
			},
			reason: "jwtauth: signing method not accepted",
		},
		{
			name: "alg NONE",
			token: func(tb testing.TB, _ family, now time.Time) string {
				return unsigned(tb, map[string]any{"alg": "NONE", "typ": "JWT"}, validClaims(now), "")
			},
			reason: "jwtauth: signing method not accepted",
		},
		{
			name: "alg none signed by the library",
			token: func(tb testing.TB, _ family, now time.Time) string {
				return sign(tb, "none", jwt.UnsafeAllowNoneSignatureType, validClaims(now), nil)
			},
			reason: "jwtauth: signing method not accepted",
		},
		{
			name: "alg missing",
			token: func(tb testing.TB, f family, now time.Time) string {
				parts := strings.Split(sign(tb, f.method, f.sign, validClaims(now), nil), ".")
				return segment(tb, map[string]any{"typ": "JWT"}) + "." + parts[1] + "." + parts[2]
			},
			reason: "jwtauth: signing method not accepted",
		},
		{
			name: "alg unknown",
			token: func(tb testing.TB, f family, now time.Time) string {
				parts := strings.Split(sign(tb, f.method, f.sign, validClaims(now), nil), ".")
				return segment(tb, map[string]any{"alg": "HS257 <script>"}) + "." + parts[1] + "." + parts[2]
			},
			reason: "jwtauth: signing method not accepted",
		},
		{
			name: "algorithm confusion with the PEM public key",
			token: func(tb testing.TB, f family, now time.Time) string {
				if f.public == nil {
					return ""
				}
				return sign(tb, "HS256", publicPEM(tb, f.public), validClaims(now), nil)
			},
			reason: "jwtauth: signing method not accepted",
		},
		{
			name: "algorithm confusion with the DER public key",
			token: func(tb testing.TB, f family, now time.Time) string {
				if f.public == nil {
					return ""
				}
				return sign(tb, "HS256", publicDER(tb, f.public), validClaims(now), nil)
			},
			reason: "jwtauth: signing method not accepted",
		},
		{
			name: "other method of the family",
			token: func(tb testing.TB, f family, now time.Time) string {
				if f.otherMethod == "" {
					return ""
				}
				return sign(tb, f.otherMethod, f.otherKey, validClaims(now), nil)
			},
			reason: "jwtauth: signing method not accepted",
		},
		{
			name: "other family",
			token: func(tb testing.TB, f family, now time.Time) string {
				return sign(tb, f.foreignMethod, f.foreignKey, validClaims(now), nil)
			},
			reason: "jwtauth: signing method not accepted",
		},
		{
			name: "wrong key",
			token: func(tb testing.TB, f family, now time.Time) string {
				return sign(tb, f.method, f.wrongKey, validClaims(now), nil)
			},
			reason: "jwtauth: invalid signature",
		},
		{
			name: "tampered claims",
			token: func(tb testing.TB, f family, now time.Time) string {
				parts := strings.Split(sign(tb, f.method, f.sign, validClaims(now), nil), ".")
				c := validClaims(now)
				c["sub"] = "mallory"
				return parts[0] + "." + segment(tb, c) + "." + parts[2]
			},
			reason: "jwtauth: invalid signature",
		},
		{
			name: "signature removed",
			token: func(tb testing.TB, f family, now time.Time) string {
				parts := strings.Split(sign(tb, f.method, f.sign, validClaims(now), nil), ".")
				return parts[0] + "." + parts[1] + "."
			},
			reason: "jwtauth: invalid signature",
		},
		{
			name: "two parts",
			token: func(tb testing.TB, f family, now time.Time) string {
				parts := strings.Split(sign(tb, f.method, f.sign, validClaims(now), nil), ".")
				return parts[0] + "." + parts[1]
			},
			reason: "jwtauth: malformed token",
		},
		{
			name: "four parts",
			token: func(tb testing.TB, f family, now time.Time) string {
				return sign(tb, f.method, f.sign, validClaims(now), nil) + ".e30"
			},
			reason: "jwtauth: malformed token",
		},
		{
			name:   "not a token",
			token:  func(testing.TB, family, time.Time) string { return "hunter2-session-secret" },
			reason: "jwtauth: malformed token",
		},
		{
			name: "bad base64 header",
			token: func(tb testing.TB, f family, now time.Time) string {
				parts := strings.Split(sign(tb, f.method, f.sign, validClaims(now), nil), ".")
				return "!!" + parts[0] + "." + parts[1] + "." + parts[2]
			},
			reason: "jwtauth: malformed token",
		},
		{
			name: "bad base64 claims",
			token: func(tb testing.TB, f family, now time.Time) string {
				parts := strings.Split(sign(tb, f.method, f.sign, validClaims(now), nil), ".")
				return parts[0] + ".*" + parts[1] + "." + parts[2]
			},
			reason: "jwtauth: malformed token",
		},
		{
			name: "padded base64",
			token: func(tb testing.TB, f family, now time.Time) string {
				return sign(tb, f.method, f.sign, validClaims(now), nil) + "=="
			},
			reason: "jwtauth: malformed token",
		},
		{
			name: "non-canonical base64 signature",
			token: func(tb testing.TB, f family, now time.Time) string {
				token := sign(tb, f.method, f.sign, validClaims(now), nil)
				const alphabet = "ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789-_"
				last := strings.IndexByte(alphabet, token[len(token)-1])
				// Flip the lowest bit of the last character: only padding
				// bits change, which a lax decoder ignores.
				return token[:len(token)-1] + string(alphabet[last^1])
			},
			reason: "jwtauth: malformed token",
		},
		{
			name: "bad JSON header",
			token: func(tb testing.TB, f family, now time.Time) string {
				parts := strings.Split(sign(tb, f.method, f.sign, validClaims(now), nil), ".")
				return "eyJhbGciOi." + parts[1] + "." + parts[2]
			},
			reason: "jwtauth: malformed token",
		},
		{
			name: "bad JSON claims",
			token: func(tb testing.TB, f family, now time.Time) string {
				parts := strings.Split(sign(tb, f.method, f.sign, validClaims(now), nil), ".")
				return parts[0] + ".eyJzdWIiOiJ." + parts[2]
			},
			reason: "jwtauth: malformed token",
		},
		{
			name: "expired beyond leeway",
			token: withClaims(func(c jwt.MapClaims, now time.Time) {
				c["iat"], c["nbf"], c["exp"] = now.Add(-time.Hour).Unix(), now.Add(-time.Hour).Unix(), now.Add(-time.Minute).Unix()
			}),
			reason: "jwtauth: token expired",
		},
		{
			name:   "not valid yet",
			token:  withClaims(func(c jwt.MapClaims, now time.Time) { c["nbf"] = now.Add(2 * time.Minute).Unix() }),
			reason: "jwtauth: token not valid yet",
		},
		{
			name:   "issued in the future",
			token:  withClaims(func(c jwt.MapClaims, now time.Time) { c["iat"] = now.Add(2 * time.Minute).Unix() }),
			reason: "jwtauth: token issued in the future",
		},
		{
			name:   "wrong issuer",
			token:  withClaims(func(c jwt.MapClaims, _ time.Time) { c["iss"] = "https://evil.example.test" }),
			reason: "jwtauth: wrong issuer",
		},
		{
			name:   "missing issuer",
			token:  withClaims(func(c jwt.MapClaims, _ time.Time) { delete(c, "iss") }),
			reason: "jwtauth: token has no iss claim",
		},
		{
			name:   "wrong audience",
			token:  withClaims(func(c jwt.MapClaims, _ time.Time) { c["aud"] = "another-app" }),
			reason: "jwtauth: wrong audience",
		},
		{
			name:   "audience list without ours",
			token:  withClaims(func(c jwt.MapClaims, _ time.Time) { c["aud"] = []string{"a", "b"} }),
			reason: "jwtauth: wrong audience",
		},
		{
			name:   "missing audience",
			token:  withClaims(func(c jwt.MapClaims, _ time.Time) { delete(c, "aud") }),
			reason: "jwtauth: token has no aud claim",
		},
		{
			name:   "missing sub",
			token:  withClaims(func(c jwt.MapClaims, _ time.Time) { delete(c, "sub") }),
			reason: "jwtauth: token has no sub claim",
		},
		{
			name:   "empty sub",
			token:  withClaims(func(c jwt.MapClaims, _ time.Time) { c["sub"] = "" }),
			reason: "jwtauth: token has no sub claim",
		},
		{
			name:   "numeric sub",
			token:  withClaims(func(c jwt.MapClaims, _ time.Time) { c["sub"] = 42 }),
			reason: "jwtauth: claim of the wrong type",
		},
		{
			name:   "missing exp",
			token:  withClaims(func(c jwt.MapClaims, _ time.Time) { delete(c, "exp") }),
			reason: "jwtauth: token has no exp claim",
		},
		{
			name:   "zero exp",
			token:  withClaims(func(c jwt.MapClaims, _ time.Time) { c["exp"] = 0 }),
			reason: "jwtauth: token has no exp claim",
		},
		{
			name:   "string exp",
			token:  withClaims(func(c jwt.MapClaims, _ time.Time) { c["exp"] = "tomorrow" }),
			reason: "jwtauth: claim of the wrong type",
		},
		{
			name:   "group claim not a string",
			token:  withClaims(func(c jwt.MapClaims, _ time.Time) { c[groupClaim] = []string{"red", "blue"} }),
			reason: "jwtauth: group claim is not a string",
		},
		{
			name: "critical header",
			token: func(tb testing.TB, f family, now time.Time) string {
				return sign(tb, f.method, f.sign, validClaims(now), map[string]any{"crit": []string{"b64"}, "b64": false})
			},
			reason: "jwtauth: unsupported critical header",
		},
		{
			name: "oversized",
			token: withClaims(func(c jwt.MapClaims, _ time.Time) {
				c["padding"] = strings.Repeat("x", jwtauth.MaxTokenSize)
			}),
			reason: "jwtauth: token too large",
		},
	}
}

func TestIdentifyRefuses(t *testing.T) {
	t.Parallel()

	now := time.Now()
	for _, f := range families() {
		a := newAuthenticator(t, f.options())
		for _, tc := range refusals() {
			t.Run(f.method+"/"+tc.name, func(t *testing.T) {
				t.Parallel()

				token := tc.token(t, f, now)
				if token == "" {
					t.Skipf("does not apply to %s", f.method)
				}
				for source, r := range map[string]*http.Request{
					"cookie": withCookie(jwtauth.DefaultCookieName, token),
					"bearer": bearer(token),
				} {
					w := httptest.NewRecorder()
					got, err := a.Identify(w, r)
					require.ErrorIs(t, err, auth.ErrUnauthenticated, source)
					assert.EqualError(t, err, tc.reason, source)
					assert.Equal(t, auth.Identity{}, got, source)
					assert.Equal(t, `Bearer error="invalid_token"`, w.Header().Get("WWW-Authenticate"), source)
					assert.Empty(t, w.Result().Cookies(), "Identify sets no cookie")
					for _, s := range segments(token) {
						assert.NotContains(t, err.Error(), s, "%s: the error shows part of the token", source)
					}
				}
			})
		}
	}
}

func TestIdentifyLeeway(t *testing.T) {
	t.Parallel()

	k := keys()
	now := time.Now()
	tests := []struct {
		name    string
		leeway  time.Duration
		exp     time.Duration // relative to now
		wantErr string
	}{
		{name: "default accepts 10s", exp: -10 * time.Second},
		{name: "default refuses 1m", exp: -time.Minute, wantErr: "jwtauth: token expired"},
		{name: "negative means none", leeway: -1, exp: -2 * time.Second, wantErr: "jwtauth: token expired"},
		{name: "negative still accepts unexpired", leeway: -1, exp: 5 * time.Second},
		{name: "custom accepts within", leeway: time.Minute, exp: -45 * time.Second},
		{name: "custom refuses beyond", leeway: time.Minute, exp: -90 * time.Second, wantErr: "jwtauth: token expired"},
	}
	for _, tc := range tests {
		t.Run(tc.name, func(t *testing.T) {
			t.Parallel()

			a := newAuthenticator(t, jwtauth.Options{Method: "HS256", Key: k.hmac, Leeway: tc.leeway})
			token := sign(t, "HS256", k.hmac, jwt.MapClaims{"sub": "alice", "exp": now.Add(tc.exp).Unix()}, nil)
			got, err := a.Identify(nil, bearer(token))
			if tc.wantErr != "" {
				require.ErrorIs(t, err, auth.ErrUnauthenticated)
				assert.EqualError(t, err, tc.wantErr)
				return
			}
			require.NoError(t, err)
			assert.Equal(t, now.Add(tc.exp).Unix(), got.Expires.Unix())
		})
	}
}

func TestIdentifyAllowNoExpiry(t *testing.T) {
	t.Parallel()

	k := keys()
	a := newAuthenticator(t, jwtauth.Options{Method: "HS256", Key: k.hmac, AllowNoExpiry: true})

	got, err := a.Identify(nil, bearer(sign(t, "HS256", k.hmac, jwt.MapClaims{"sub": "svc"}, nil)))
	require.NoError(t, err)
	assert.Equal(t, auth.Identity{UserID: "svc", GroupID: "svc"}, got, "no expiry: zero Expires")

	expired := sign(t, "HS256", k.hmac, jwt.MapClaims{"sub": "svc", "exp": time.Now().Add(-time.Hour).Unix()}, nil)
	_, err = a.Identify(nil, bearer(expired))
	assert.EqualError(t, err, "jwtauth: token expired", "an exp that is present is still checked")
}

func TestIdentifyTokenSources(t *testing.T) {
	t.Parallel()

	k := keys()
	now := time.Now()
	token := func(sub string) string {
		return sign(t, "HS256", k.hmac, jwt.MapClaims{"sub": sub, "exp": now.Add(time.Hour).Unix()}, nil)
	}
	alice, bob := token("alice"), token("bob")
	forged := sign(t, "HS256", k.hmac2, jwt.MapClaims{"sub": "mallory", "exp": now.Add(time.Hour).Unix()}, nil)
	const name, host = jwtauth.DefaultCookieName, "__Host-" + jwtauth.DefaultCookieName

	tests := []struct {
		name      string
		opts      jwtauth.Options
		tls       bool
		forwarded string
		cookies   []*http.Cookie
		header    string
		wantUser  string
		wantErr   string
	}{
		{name: "cookie", cookies: []*http.Cookie{{Name: name, Value: alice}}, wantUser: "alice"},
		{name: "bearer header alone", header: "Bearer " + alice, wantUser: "alice"},
		{name: "bearer scheme is case-insensitive", header: "bearer " + alice, wantUser: "alice"},
		{name: "extra spaces after the scheme", header: "Bearer   " + alice, wantUser: "alice"},
		{name: "cookie wins over header", cookies: []*http.Cookie{{Name: name, Value: alice}}, header: "Bearer " + bob, wantUser: "alice"},
		{name: "bad cookie is not rescued by header", cookies: []*http.Cookie{{Name: name, Value: forged}}, header: "Bearer " + bob, wantErr: "jwtauth: invalid signature"},
		{name: "empty cookie falls back to header", cookies: []*http.Cookie{{Name: name, Value: ""}}, header: "Bearer " + bob, wantUser: "bob"},
		{name: "nothing", wantErr: "jwtauth: no token"},
		{name: "basic scheme", header: "Basic YWxpY2U6d29uZGVybGFuZA==", wantErr: "jwtauth: no token"},
		{name: "bearer without token", header: "Bearer ", wantErr: "jwtauth: no token"},
		{name: "bare token without scheme", header: alice, wantErr: "jwtauth: no token"},
		{name: "other cookie name", cookies: []*http.Cookie{{Name: "session", Value: alice}}, wantErr: "jwtauth: no token"},
		{
			name:     "custom cookie name",
			opts:     jwtauth.Options{CookieName: "tok"},
			cookies:  []*http.Cookie{{Name: "tok", Value: alice}, {Name: name, Value: bob}},
			wantUser: "alice",
		},
		{name: "host cookie over tls", tls: true, cookies: []*http.Cookie{{Name: host, Value: alice}}, wantUser: "alice"},
		{name: "plain cookie ignored over tls", tls: true, cookies: []*http.Cookie{{Name: name, Value: bob}}, wantErr: "jwtauth: no token"},
		{
			name:     "only the host cookie is read over tls",
			tls:      true,
			cookies:  []*http.Cookie{{Name: name, Value: bob}, {Name: host, Value: alice}},
			wantUser: "alice",
		},
		{
			name:    "a bad host cookie is not rescued by a plain one over tls",
			tls:     true,
			cookies: []*http.Cookie{{Name: host, Value: forged}, {Name: name, Value: alice}},
			wantErr: "jwtauth: invalid signature",
		},
		{
			name:     "plain cookie over tls falls back to the header, not the cookie",
			tls:      true,
			cookies:  []*http.Cookie{{Name: name, Value: alice}},
			header:   "Bearer " + bob,
			wantUser: "bob",
		},
		{
			name:      "plain cookie ignored over trusted forwarded https",
			opts:      jwtauth.Options{TrustForwardedProto: true},
			forwarded: "https",
			cookies:   []*http.Cookie{{Name: name, Value: alice}},
			wantErr:   "jwtauth: no token",
		},
		{
			name:      "plain cookie read over trusted forwarded http",
			opts:      jwtauth.Options{TrustForwardedProto: true},
			forwarded: "http",
			cookies:   []*http.Cookie{{Name: name, Value: alice}, {Name: host, Value: bob}},
			wantUser:  "alice",
		},
		{
			name:      "plain cookie read when forwarded https is not trusted",
			forwarded: "https",
			cookies:   []*http.Cookie{{Name: name, Value: alice}},
			wantUser:  "alice",
		},
		{name: "host cookie ignored over plain http", cookies: []*http.Cookie{{Name: host, Value: alice}}, wantErr: "jwtauth: no token"},
		{
			name:      "forwarded https ignored unless trusted",
			forwarded: "https",
			cookies:   []*http.Cookie{{Name: host, Value: alice}},
			wantErr:   "jwtauth: no token",
		},
		{
			name:      "trusted forwarded https",
			opts:      jwtauth.Options{TrustForwardedProto: true},
			forwarded: "https",
			cookies:   []*http.Cookie{{Name: host, Value: alice}},
			wantUser:  "alice",
		},
		{
			name:     "second cookie of the same name",
			cookies:  []*http.Cookie{{Name: name, Value: forged}, {Name: name, Value: alice}},
			wantUser: "alice",
		},
		{
			name: "at most four cookies tried",
			cookies: []*http.Cookie{
				{Name: name, Value: forged}, {Name: name, Value: forged}, {Name: name, Value: forged},
				{Name: name, Value: forged}, {Name: name, Value: alice},
			},
			wantErr: "jwtauth: invalid signature",
		},
	}
	for _, tc := range tests {
		t.Run(tc.name, func(t *testing.T) {
			t.Parallel()

			opts := tc.opts
			opts.Method, opts.Key = "HS256", k.hmac
			a := newAuthenticator(t, opts)
			r := httptest.NewRequest(http.MethodGet, "/", nil)
			if tc.tls {
				r = httptest.NewRequest(http.MethodGet, "https://example.test/", nil)
			}
			for _, c := range tc.cookies {
				r.AddCookie(c)
			}
			if tc.header != "" {
				r.Header.Set("Authorization", tc.header)
			}
			if tc.forwarded != "" {
				r.Header.Set("X-Forwarded-Proto", tc.forwarded)
			}
			w := httptest.NewRecorder()
			got, err := a.Identify(w, r)
			if tc.wantErr != "" {
				require.ErrorIs(t, err, auth.ErrUnauthenticated)
				assert.EqualError(t, err, tc.wantErr)
				want := `Bearer error="invalid_token"`
				if tc.wantErr == "jwtauth: no token" {
					want = "Bearer"
				}
				assert.Equal(t, want, w.Header().Get("WWW-Authenticate"))
				return
			}
			require.NoError(t, err)
			assert.Equal(t, tc.wantUser, got.UserID)
		})
	}
}

func TestIdentifyNilWriter(t *testing.T) {
	t.Parallel()

	a := newAuthenticator(t, jwtauth.Options{Method: "HS256", Key: keys().hmac})
	_, err := a.Identify(nil, httptest.NewRequest(http.MethodGet, "/", nil))
	require.ErrorIs(t, err, auth.ErrUnauthenticated)
	_, err = a.Identify(nil, bearer("not.a.token"))
	require.ErrorIs(t, err, auth.ErrUnauthenticated)
}
