package jwtauth_test

import (
	"encoding/base64"
	"encoding/json"
	"fmt"
	"io"
	"math"
	"net/http"
	"net/http/cookiejar"
	"net/http/httptest"
	"net/url"
	"strings"
	"sync"
	"testing"
	"time"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"

	"github.com/lvtgo/livetemplate/auth"
	"github.com/lvtgo/livetemplate/auth/jwtauth"
)

func TestIssueCookie(t *testing.T) {
	t.Parallel()

	tests := []struct {
		name       string
		opts       jwtauth.Options
		url        string
		forwarded  string
		wantName   string
		wantSecure bool
	}{
		{name: "plain http", url: "http://example.test/login", wantName: "lvt-token"},
		{name: "tls", url: "https://example.test/login", wantName: "__Host-lvt-token", wantSecure: true},
		{name: "custom name", opts: jwtauth.Options{CookieName: "tok"}, url: "http://example.test/login", wantName: "tok"},
		{name: "custom name over tls", opts: jwtauth.Options{CookieName: "tok"}, url: "https://example.test/login", wantName: "__Host-tok", wantSecure: true},
		{name: "forwarded https ignored unless trusted", url: "http://example.test/login", forwarded: "https", wantName: "lvt-token"},
		{
			name:       "trusted forwarded https",
			opts:       jwtauth.Options{TrustForwardedProto: true},
			url:        "http://example.test/login",
			forwarded:  "https",
			wantName:   "__Host-lvt-token",
			wantSecure: true,
		},
	}
	for _, f := range families() {
		for _, tc := range tests {
			t.Run(f.method+"/"+tc.name, func(t *testing.T) {
				t.Parallel()

				opts := tc.opts
				opts.Method, opts.Key, opts.SigningKey = f.method, f.verify, f.sign
				a := newAuthenticator(t, opts)
				r := httptest.NewRequest(http.MethodPost, tc.url, nil)
				if tc.forwarded != "" {
					r.Header.Set("X-Forwarded-Proto", tc.forwarded)
				}
				w := httptest.NewRecorder()
				token, err := a.Issue(w, r, "alice", 90*time.Minute, nil)
				require.NoError(t, err)

				cookies := w.Result().Cookies()
				require.Len(t, cookies, 1)
				c := cookies[0]
				assert.Equal(t, tc.wantName, c.Name)
				assert.Equal(t, token, c.Value)
				assert.Equal(t, "/", c.Path)
				assert.Empty(t, c.Domain, "a host-only cookie")
				assert.Equal(t, 90*60, c.MaxAge)
				assert.True(t, c.HttpOnly)
				assert.Equal(t, http.SameSiteLaxMode, c.SameSite)
				assert.Equal(t, tc.wantSecure, c.Secure)

				// The cookie comes back and identifies the user.
				back := httptest.NewRequest(http.MethodGet, tc.url, nil)
				if tc.forwarded != "" {
					back.Header.Set("X-Forwarded-Proto", tc.forwarded)
				}
				back.AddCookie(c)
				id, err := a.Identify(nil, back)
				require.NoError(t, err)
				assert.Equal(t, "alice", id.UserID)
				assert.Equal(t, "alice", id.GroupID)
			})
		}
	}
}

func TestIssueClaims(t *testing.T) {
	t.Parallel()

	for _, f := range families() {
		t.Run(f.method, func(t *testing.T) {
			t.Parallel()

			a := newAuthenticator(t, f.options())
			before := time.Now().Truncate(time.Second)
			token, err := a.Issue(nil, nil, "alice", time.Hour, map[string]any{groupClaim: "red", "role": "admin"})
			require.NoError(t, err)
			after := time.Now()

			id, err := a.Identify(nil, bearer(token))
			require.NoError(t, err)
			assert.Equal(t, "alice", id.UserID)
			assert.Equal(t, "red", id.GroupID)
			assert.WithinRange(t, id.Expires, before.Add(time.Hour), after.Add(time.Hour))

			header, claims := decode(t, token)
			assert.Equal(t, map[string]any{"alg": f.method, "typ": "JWT"}, header)
			assert.Equal(t, "alice", claims["sub"])
			assert.Equal(t, testIssuer, claims["iss"])
			assert.Equal(t, testAudience, claims["aud"])
			assert.Equal(t, "red", claims[groupClaim])
			assert.Equal(t, "admin", claims["role"])
			assert.Equal(t, claims["iat"], claims["nbf"])
			assert.InDelta(t, 3600, claims["exp"].(float64)-claims["iat"].(float64), 1)
			assert.Len(t, claims, 8)
		})
	}
}

func TestIssueGroupOfItsOwn(t *testing.T) {
	t.Parallel()

	a := newAuthenticator(t, familyOf(t, "HS256").options())
	token, err := a.Issue(nil, nil, "bob", time.Minute, nil)
	require.NoError(t, err)
	id, err := a.Identify(nil, bearer(token))
	require.NoError(t, err)
	assert.Equal(t, "bob", id.GroupID)
}

func TestIssueRefuses(t *testing.T) {
	t.Parallel()

	k := keys()
	tests := []struct {
		name    string
		opts    jwtauth.Options
		subject string
		ttl     time.Duration
		claims  map[string]any
		want    []string
	}{
		{
			name:    "verify only",
			opts:    jwtauth.Options{Method: "RS256", Key: &k.rsa.PublicKey},
			subject: "alice",
			ttl:     time.Hour,
			want:    []string{"jwtauth: issue: no SigningKey configured"},
		},
		{
			name: "empty subject",
			ttl:  time.Hour,
			want: []string{"jwtauth: issue: empty subject"},
		},
		{
			name:    "zero ttl",
			subject: "alice",
			want:    []string{"jwtauth: issue: ttl 0s is under one second"},
		},
		{
			name:    "sub-second ttl",
			subject: "alice",
			ttl:     500 * time.Millisecond,
			want:    []string{"jwtauth: issue: ttl 500ms is under one second"},
		},
		{
			name:    "registered claims",
			subject: "alice",
			ttl:     time.Hour,
			claims:  map[string]any{"sub": "root", "exp": 0, "iss": "x", "role": "ok"},
			want: []string{
				`jwtauth: issue: claim "sub" is set by Issue`,
				`jwtauth: issue: claim "exp" is set by Issue`,
				`jwtauth: issue: claim "iss" is set by Issue`,
			},
		},
		{
			name:    "group claim not a string",
			opts:    jwtauth.Options{GroupClaim: groupClaim},
			subject: "alice",
			ttl:     time.Hour,
			claims:  map[string]any{groupClaim: 7},
			want:    []string{`jwtauth: issue: group claim "team" must be a string`},
		},
		{
			name:    "claims not encodable",
			subject: "alice",
			ttl:     time.Hour,
			claims:  map[string]any{"ratio": math.NaN()},
			want:    []string{"jwtauth: issue: cannot sign the token"},
		},
		{
			name:    "too large for a cookie",
			subject: "alice",
			ttl:     time.Hour,
			claims:  map[string]any{"padding": strings.Repeat("x", 3000)},
			want:    []string{"jwtauth: issue: the cookie would be", "browsers keep at most 4096"},
		},
		{
			name: "every problem at once",
			opts: jwtauth.Options{Method: "RS256", Key: &k.rsa.PublicKey},
			want: []string{
				"jwtauth: issue: no SigningKey configured",
				"jwtauth: issue: empty subject",
				"jwtauth: issue: ttl 0s is under one second",
			},
		},
	}
	for _, tc := range tests {
		t.Run(tc.name, func(t *testing.T) {
			t.Parallel()

			opts := tc.opts
			if opts.Method == "" {
				opts.Method, opts.Key, opts.SigningKey = "HS256", k.hmac, k.hmac
			}
			a := newAuthenticator(t, opts)
			w := httptest.NewRecorder()
			token, err := a.Issue(w, httptest.NewRequest(http.MethodPost, "/login", nil), tc.subject, tc.ttl, tc.claims)
			require.Error(t, err)
			assert.NotErrorIs(t, err, auth.ErrUnauthenticated, "a server-side mistake, not a refusal")
			for _, want := range tc.want {
				assert.Contains(t, err.Error(), want)
			}
			assert.Empty(t, token)
			assert.Empty(t, w.Result().Cookies(), "no cookie on failure")
		})
	}
}

func TestIssueNilWriter(t *testing.T) {
	t.Parallel()

	a := newAuthenticator(t, familyOf(t, "HS256").options())
	token, err := a.Issue(nil, nil, "api-client", time.Minute, nil)
	require.NoError(t, err)
	_, err = a.Identify(nil, bearer(token))
	assert.NoError(t, err)
}

func TestClear(t *testing.T) {
	t.Parallel()

	tests := []struct {
		name       string
		url        string
		wantNames  []string
		wantSecure bool
	}{
		{name: "plain http", url: "http://example.test/logout", wantNames: []string{"lvt-token"}},
		{name: "tls clears both names", url: "https://example.test/logout", wantNames: []string{"__Host-lvt-token", "lvt-token"}, wantSecure: true},
	}
	for _, tc := range tests {
		t.Run(tc.name, func(t *testing.T) {
			t.Parallel()

			a := newAuthenticator(t, familyOf(t, "HS256").options())
			w := httptest.NewRecorder()
			a.Clear(w, httptest.NewRequest(http.MethodPost, tc.url, nil))
			var names []string
			for _, c := range w.Result().Cookies() {
				names = append(names, c.Name)
				assert.Empty(t, c.Value)
				assert.Equal(t, -1, c.MaxAge, "Max-Age=0 deletes the cookie")
				assert.Equal(t, "/", c.Path)
				assert.True(t, c.HttpOnly)
				assert.Equal(t, tc.wantSecure, c.Secure)
			}
			assert.Equal(t, tc.wantNames, names)
			for _, h := range w.Header().Values("Set-Cookie") {
				assert.Contains(t, h, "Max-Age=0")
			}
		})
	}

	a := newAuthenticator(t, familyOf(t, "HS256").options())
	a.Clear(nil, nil) // does nothing, does not panic
}

// TestLoginOverTLS runs login, an authenticated page and logout on a real
// TLS server, with a cookie jar standing in for the browser.
func TestLoginOverTLS(t *testing.T) {
	t.Parallel()

	for _, f := range families() {
		t.Run(f.method, func(t *testing.T) {
			t.Parallel()

			a := newAuthenticator(t, f.options())
			mux := http.NewServeMux()
			mux.HandleFunc("POST /login", func(w http.ResponseWriter, r *http.Request) {
				if _, err := a.Issue(w, r, r.FormValue("user"), time.Hour, map[string]any{groupClaim: "red"}); err != nil {
					http.Error(w, "cannot sign in", http.StatusInternalServerError)
				}
			})
			mux.HandleFunc("POST /logout", a.Clear)
			mux.HandleFunc("GET /me", func(w http.ResponseWriter, r *http.Request) {
				id, err := a.Identify(w, r)
				if err != nil {
					http.Error(w, "unauthorized", http.StatusUnauthorized)
					return
				}
				fmt.Fprintf(w, "%s in %s", id.UserID, id.GroupID)
			})
			srv := httptest.NewTLSServer(mux)
			t.Cleanup(srv.Close)
			jar, err := cookiejar.New(nil)
			require.NoError(t, err)
			client := srv.Client()
			client.Jar = jar

			status, _ := get(t, client, srv.URL+"/me")
			assert.Equal(t, http.StatusUnauthorized, status, "before login")

			resp, err := client.PostForm(srv.URL+"/login", map[string][]string{"user": {"alice"}})
			require.NoError(t, err)
			_ = resp.Body.Close()
			require.Equal(t, http.StatusOK, resp.StatusCode)
			cookies := resp.Cookies()
			require.Len(t, cookies, 1)
			assert.Equal(t, "__Host-lvt-token", cookies[0].Name)
			assert.True(t, cookies[0].Secure)
			assert.True(t, cookies[0].HttpOnly)
			assert.Equal(t, http.SameSiteLaxMode, cookies[0].SameSite)
			assert.Equal(t, "/", cookies[0].Path)

			status, body := get(t, client, srv.URL+"/me")
			assert.Equal(t, http.StatusOK, status)
			assert.Equal(t, "alice in red", body)

			resp, err = client.Post(srv.URL+"/logout", "text/plain", nil)
			require.NoError(t, err)
			_ = resp.Body.Close()
			status, _ = get(t, client, srv.URL+"/me")
			assert.Equal(t, http.StatusUnauthorized, status, "after logout")

			// A cookie without the prefix, as a sibling subdomain or a
			// plain-HTTP response could plant it, is not read over HTTPS,
			// even with a token this server signed.
			planted, err := a.Issue(nil, nil, "mallory", time.Hour, map[string]any{groupClaim: "red"})
			require.NoError(t, err)
			u, err := url.Parse(srv.URL)
			require.NoError(t, err)
			jar.SetCookies(u, []*http.Cookie{{Name: jwtauth.DefaultCookieName, Value: planted, Path: "/"}})
			status, _ = get(t, client, srv.URL+"/me")
			assert.Equal(t, http.StatusUnauthorized, status, "a planted plain cookie")
		})
	}
}

func get(tb testing.TB, c *http.Client, url string) (int, string) {
	tb.Helper()
	resp, err := c.Get(url)
	require.NoError(tb, err)
	defer resp.Body.Close()
	b, err := io.ReadAll(resp.Body)
	require.NoError(tb, err)
	return resp.StatusCode, string(b)
}

func TestConcurrentUse(t *testing.T) {
	t.Parallel()

	f := familyOf(t, "ES256")
	a := newAuthenticator(t, f.options())
	forged := sign(t, f.method, f.wrongKey, validClaims(time.Now()), nil)
	var wg sync.WaitGroup
	for i := range 16 {
		wg.Go(func() {
			if i%2 == 0 {
				_, err := a.Identify(nil, bearer(forged))
				assert.ErrorIs(t, err, auth.ErrUnauthenticated)
				return
			}
			token, err := a.Issue(httptest.NewRecorder(), nil, fmt.Sprint("user-", i), time.Minute, nil)
			if !assert.NoError(t, err) {
				return
			}
			id, err := a.Identify(nil, bearer(token))
			assert.NoError(t, err)
			assert.Equal(t, fmt.Sprint("user-", i), id.UserID)
		})
	}
	wg.Wait()
}

// decode returns a token's header and claims without verifying it.
func decode(tb testing.TB, token string) (header, claims map[string]any) {
	tb.Helper()
	parts := strings.Split(token, ".")
	require.Len(tb, parts, 3)
	for i, v := range []*map[string]any{&header, &claims} {
		b, err := base64.RawURLEncoding.DecodeString(parts[i])
		require.NoError(tb, err)
		require.NoError(tb, json.Unmarshal(b, v))
	}
	return header, claims
}
