package auth_test

import (
	"crypto/tls"
	"encoding/base64"
	"encoding/hex"
	"net/http"
	"net/http/httptest"
	"strings"
	"sync"
	"testing"
	"time"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"

	"github.com/lvtgo/livetemplate/auth"
)

const oneYear = 365 * 24 * 60 * 60

func TestAnonymousCookieAttributes(t *testing.T) {
	t.Parallel()

	tests := []struct {
		name       string
		opts       *auth.AnonymousOptions
		tls        bool
		forwarded  string
		wantName   string
		wantSecure bool
		wantMaxAge int
	}{
		{
			name:       "defaults over plain http",
			wantName:   auth.CookieName,
			wantMaxAge: oneYear,
		},
		{
			name:       "zero options equal defaults",
			opts:       &auth.AnonymousOptions{},
			wantName:   auth.CookieName,
			wantMaxAge: oneYear,
		},
		{
			name:       "tls marks cookie secure",
			tls:        true,
			wantName:   auth.CookieName,
			wantSecure: true,
			wantMaxAge: oneYear,
		},
		{
			name:       "forwarded proto ignored unless trusted",
			forwarded:  "https",
			wantName:   auth.CookieName,
			wantMaxAge: oneYear,
		},
		{
			name:       "trusted forwarded https",
			opts:       &auth.AnonymousOptions{TrustForwardedProto: true},
			forwarded:  "HTTPS",
			wantName:   auth.CookieName,
			wantSecure: true,
			wantMaxAge: oneYear,
		},
		{
			name:       "trusted forwarded list uses first hop",
			opts:       &auth.AnonymousOptions{TrustForwardedProto: true},
			forwarded:  "https, http",
			wantName:   auth.CookieName,
			wantSecure: true,
			wantMaxAge: oneYear,
		},
		{
			name:       "trusted forwarded http",
			opts:       &auth.AnonymousOptions{TrustForwardedProto: true},
			forwarded:  "http",
			wantName:   auth.CookieName,
			wantMaxAge: oneYear,
		},
		{
			name:       "custom name and max age",
			opts:       &auth.AnonymousOptions{CookieName: "lt", MaxAge: time.Hour},
			wantName:   "lt",
			wantMaxAge: 3600,
		},
		{
			name:       "sub-second max age rounds up",
			opts:       &auth.AnonymousOptions{MaxAge: time.Millisecond},
			wantName:   auth.CookieName,
			wantMaxAge: 1,
		},
	}
	for _, tc := range tests {
		t.Run(tc.name, func(t *testing.T) {
			t.Parallel()

			r := httptest.NewRequest(http.MethodGet, "/", nil)
			if tc.tls {
				r.TLS = &tls.ConnectionState{}
			}
			if tc.forwarded != "" {
				r.Header.Set("X-Forwarded-Proto", tc.forwarded)
			}
			w := httptest.NewRecorder()
			_, err := auth.NewAnonymous(tc.opts).Identify(w, r)
			require.NoError(t, err)

			c := onlyCookie(t, w.Result())
			assert.Equal(t, tc.wantName, c.Name)
			assert.Equal(t, "/", c.Path)
			assert.True(t, c.HttpOnly, "HttpOnly")
			assert.Equal(t, http.SameSiteLaxMode, c.SameSite)
			assert.Equal(t, tc.wantSecure, c.Secure, "Secure")
			assert.Equal(t, tc.wantMaxAge, c.MaxAge)
		})
	}
}

func TestAnonymousSessionCookie(t *testing.T) {
	t.Parallel()

	w := httptest.NewRecorder()
	a := auth.NewAnonymous(&auth.AnonymousOptions{MaxAge: -1})
	_, err := a.Identify(w, httptest.NewRequest(http.MethodGet, "/", nil))
	require.NoError(t, err)

	header := w.Header().Get("Set-Cookie")
	require.NotEmpty(t, header)
	assert.NotContains(t, header, "Max-Age")
	assert.NotContains(t, header, "Expires")
}

func TestAnonymousSecureOverRealServers(t *testing.T) {
	t.Parallel()

	tests := []struct {
		name       string
		newServer  func(http.Handler) *httptest.Server
		wantSecure bool
	}{
		{name: "plain", newServer: httptest.NewServer},
		{name: "tls", newServer: httptest.NewTLSServer, wantSecure: true},
	}
	for _, tc := range tests {
		t.Run(tc.name, func(t *testing.T) {
			t.Parallel()

			a := auth.NewAnonymous(nil)
			srv := tc.newServer(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
				if _, err := a.Identify(w, r); err != nil {
					http.Error(w, "unauthorized", http.StatusUnauthorized)
				}
			}))
			t.Cleanup(srv.Close)

			req, err := http.NewRequestWithContext(t.Context(), http.MethodGet, srv.URL, nil)
			require.NoError(t, err)
			resp, err := srv.Client().Do(req)
			require.NoError(t, err)
			require.NoError(t, resp.Body.Close())
			require.Equal(t, http.StatusOK, resp.StatusCode)

			c := onlyCookie(t, resp)
			assert.Equal(t, tc.wantSecure, c.Secure)
		})
	}
}

func TestAnonymousSameCookieSameIdentity(t *testing.T) {
	t.Parallel()

	a := auth.NewAnonymous(nil)
	first, cookie := mint(t, a)

	for tab := range 3 {
		r := httptest.NewRequest(http.MethodGet, "/", nil)
		r.AddCookie(cookie)
		w := httptest.NewRecorder()
		got, err := a.Identify(w, r)
		require.NoError(t, err)
		assert.Equal(t, first, got, "tab %d", tab)
		assert.Empty(t, w.Header().Values("Set-Cookie"), "a valid cookie is not replaced")
	}
}

func TestAnonymousDifferentCookiesDifferentIdentities(t *testing.T) {
	t.Parallel()

	a := auth.NewAnonymous(nil)
	seen := make(map[auth.Identity]bool)
	for range 20 {
		id, _ := mint(t, a)
		require.False(t, seen[id], "identity minted twice")
		seen[id] = true
	}
}

func TestAnonymousIdentityShape(t *testing.T) {
	t.Parallel()

	id, cookie := mint(t, auth.NewAnonymous(nil))

	raw, err := base64.RawURLEncoding.DecodeString(cookie.Value)
	require.NoError(t, err)
	assert.Len(t, raw, 32, "cookie carries 256 random bits")

	assert.Equal(t, id.UserID, id.GroupID, "one browser is one user and one group")
	assert.Len(t, id.GroupID, 32)
	_, err = hex.DecodeString(id.GroupID)
	require.NoError(t, err, "id is hex")
	assert.NotContains(t, id.GroupID, cookie.Value)
	assert.NotContains(t, cookie.Value, id.GroupID)
}

func TestAnonymousReplacesMalformedCookie(t *testing.T) {
	t.Parallel()

	valid := strings.Repeat("A", 43)
	tests := []struct {
		name  string
		value string
	}{
		{name: "empty", value: ""},
		{name: "short", value: "abc"},
		{name: "one char too long", value: valid + "A"},
		{name: "one char too short", value: valid[1:]},
		{name: "not base64url", value: strings.Repeat("!", 43)},
		{name: "standard base64 alphabet", value: "+" + valid[1:]},
		{name: "non-canonical trailing bits", value: valid[:42] + "B"},
		{name: "hex of 32 bytes", value: strings.Repeat("ab", 32)},
	}
	for _, tc := range tests {
		t.Run(tc.name, func(t *testing.T) {
			t.Parallel()

			a := auth.NewAnonymous(nil)
			r := httptest.NewRequest(http.MethodGet, "/", nil)
			r.AddCookie(&http.Cookie{Name: auth.CookieName, Value: tc.value})
			w := httptest.NewRecorder()
			got, err := a.Identify(w, r)
			require.NoError(t, err)

			fresh := onlyCookie(t, w.Result())
			assert.NotEqual(t, tc.value, fresh.Value)
			assert.Equal(t, got, identify(t, a, fresh), "the new cookie names the returned identity")
		})
	}
}

func TestAnonymousAcceptsWellFormedCookie(t *testing.T) {
	t.Parallel()

	a := auth.NewAnonymous(nil)
	cookie := &http.Cookie{Name: auth.CookieName, Value: strings.Repeat("A", 43)}
	r := httptest.NewRequest(http.MethodGet, "/", nil)
	r.AddCookie(cookie)
	w := httptest.NewRecorder()
	_, err := a.Identify(w, r)
	require.NoError(t, err)
	assert.Empty(t, w.Header().Values("Set-Cookie"))
}

func TestAnonymousIgnoresOtherCookieNames(t *testing.T) {
	t.Parallel()

	_, cookie := mint(t, auth.NewAnonymous(nil))
	other := auth.NewAnonymous(&auth.AnonymousOptions{CookieName: "other"})
	r := httptest.NewRequest(http.MethodGet, "/", nil)
	r.AddCookie(cookie)
	w := httptest.NewRecorder()
	_, err := other.Identify(w, r)
	require.NoError(t, err)
	assert.Equal(t, "other", onlyCookie(t, w.Result()).Name)
}

func TestAnonymousWritesHeadersOnly(t *testing.T) {
	t.Parallel()

	// A WebSocket handshake needs the cookie in the headers and the status
	// still unwritten, so the upgrade can send 101.
	w := &headersOnlyWriter{t: t, header: make(http.Header)}
	_, err := auth.NewAnonymous(nil).Identify(w, httptest.NewRequest(http.MethodGet, "/", nil))
	require.NoError(t, err)
	assert.Len(t, w.header.Values("Set-Cookie"), 1)
}

func TestAnonymousNilWriter(t *testing.T) {
	t.Parallel()

	a := auth.NewAnonymous(nil)
	want, cookie := mint(t, a)

	tests := []struct {
		name    string
		cookie  *http.Cookie
		want    auth.Identity
		wantErr bool
	}{
		{name: "valid cookie needs no writer", cookie: cookie, want: want},
		{name: "missing cookie", wantErr: true},
		{name: "malformed cookie", cookie: &http.Cookie{Name: auth.CookieName, Value: "secret-looking-value"}, wantErr: true},
	}
	for _, tc := range tests {
		t.Run(tc.name, func(t *testing.T) {
			t.Parallel()

			r := httptest.NewRequest(http.MethodGet, "/", nil)
			if tc.cookie != nil {
				r.AddCookie(tc.cookie)
			}
			got, err := a.Identify(nil, r)
			if !tc.wantErr {
				require.NoError(t, err)
				assert.Equal(t, tc.want, got)
				return
			}
			require.ErrorIs(t, err, auth.ErrUnauthenticated)
			assert.Equal(t, auth.Identity{}, got)
			assert.True(t, strings.HasPrefix(err.Error(), "auth: anonymous: "), err.Error())
			if tc.cookie != nil {
				assert.NotContains(t, err.Error(), tc.cookie.Value)
			}
		})
	}
}

func TestAnonymousConcurrentUse(t *testing.T) {
	t.Parallel()

	a := auth.NewAnonymous(nil)
	want, cookie := mint(t, a)
	var wg sync.WaitGroup
	for range 16 {
		wg.Go(func() {
			r := httptest.NewRequest(http.MethodGet, "/", nil)
			r.AddCookie(cookie)
			got, err := a.Identify(httptest.NewRecorder(), r)
			assert.NoError(t, err)
			assert.Equal(t, want, got)
		})
	}
	wg.Wait()
}

// mint identifies a cookie-less request and returns the identity and the
// cookie that was set.
func mint(tb testing.TB, a *auth.Anonymous) (auth.Identity, *http.Cookie) {
	tb.Helper()
	w := httptest.NewRecorder()
	id, err := a.Identify(w, httptest.NewRequest(http.MethodGet, "/", nil))
	require.NoError(tb, err)
	return id, onlyCookie(tb, w.Result())
}

// identify identifies a request carrying cookie and checks that no new
// cookie was set.
func identify(tb testing.TB, a *auth.Anonymous, cookie *http.Cookie) auth.Identity {
	tb.Helper()
	r := httptest.NewRequest(http.MethodGet, "/", nil)
	r.AddCookie(cookie)
	w := httptest.NewRecorder()
	id, err := a.Identify(w, r)
	require.NoError(tb, err)
	require.Empty(tb, w.Header().Values("Set-Cookie"))
	return id
}

// onlyCookie returns the single cookie set by resp.
func onlyCookie(tb testing.TB, resp *http.Response) *http.Cookie {
	tb.Helper()
	cookies := resp.Cookies()
	require.Len(tb, cookies, 1)
	return cookies[0]
}

// headersOnlyWriter fails the test if anything but headers is written.
type headersOnlyWriter struct {
	t      *testing.T
	header http.Header
}

func (w *headersOnlyWriter) Header() http.Header { return w.header }

func (w *headersOnlyWriter) Write([]byte) (int, error) {
	w.t.Error("Identify wrote a body")
	return 0, nil
}

func (w *headersOnlyWriter) WriteHeader(int) { w.t.Error("Identify wrote a status") }
