package auth_test

import (
	"bytes"
	"crypto/rand"
	"crypto/tls"
	"encoding/base64"
	"encoding/hex"
	"io"
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

const (
	oneYear = 365 * 24 * 60 * 60
	// hostCookieName is the default cookie name over HTTPS.
	hostCookieName = "__Host-" + auth.CookieName
	// cookieLen is the length of a cookie value: base64url of 32 random
	// bytes and a 32-byte tag.
	cookieLen = 86
)

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
			name:       "tls uses host prefix and secure",
			tls:        true,
			wantName:   hostCookieName,
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
			wantName:   hostCookieName,
			wantSecure: true,
			wantMaxAge: oneYear,
		},
		{
			name:       "trusted forwarded list uses first hop",
			opts:       &auth.AnonymousOptions{TrustForwardedProto: true},
			forwarded:  "https, http",
			wantName:   hostCookieName,
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
			name:       "custom name over tls",
			opts:       &auth.AnonymousOptions{CookieName: "lt"},
			tls:        true,
			wantName:   "__Host-lt",
			wantSecure: true,
			wantMaxAge: oneYear,
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
			_, err := newAnonymous(t, tc.opts).Identify(w, r)
			require.NoError(t, err)

			c := onlyCookie(t, w.Result())
			assert.Equal(t, tc.wantName, c.Name)
			assert.Equal(t, "/", c.Path)
			assert.Empty(t, c.Domain, "no Domain, as __Host- requires")
			assert.True(t, c.HttpOnly, "HttpOnly")
			assert.Equal(t, http.SameSiteLaxMode, c.SameSite)
			assert.Equal(t, tc.wantSecure, c.Secure, "Secure")
			assert.Equal(t, tc.wantMaxAge, c.MaxAge)
			assert.Len(t, c.Value, cookieLen)
		})
	}
}

func TestAnonymousSessionCookie(t *testing.T) {
	t.Parallel()

	w := httptest.NewRecorder()
	a := newAnonymous(t, &auth.AnonymousOptions{MaxAge: -1})
	_, err := a.Identify(w, httptest.NewRequest(http.MethodGet, "/", nil))
	require.NoError(t, err)

	header := w.Header().Get("Set-Cookie")
	require.NotEmpty(t, header)
	assert.NotContains(t, header, "Max-Age")
	assert.NotContains(t, header, "Expires")
}

// TestAnonymousOverRealServers checks the Set-Cookie header as it goes over
// the wire, and that the cookie identifies the browser on its next request.
func TestAnonymousOverRealServers(t *testing.T) {
	t.Parallel()

	tests := []struct {
		name       string
		newServer  func(http.Handler) *httptest.Server
		wantName   string
		wantSecure bool
		wantHeader string
	}{
		{
			name:       "plain",
			newServer:  httptest.NewServer,
			wantName:   auth.CookieName,
			wantHeader: "; Path=/; Max-Age=31536000; HttpOnly; SameSite=Lax",
		},
		{
			name:       "tls",
			newServer:  httptest.NewTLSServer,
			wantName:   hostCookieName,
			wantSecure: true,
			wantHeader: "; Path=/; Max-Age=31536000; HttpOnly; Secure; SameSite=Lax",
		},
	}
	for _, tc := range tests {
		t.Run(tc.name, func(t *testing.T) {
			t.Parallel()

			a := newAnonymous(t, nil)
			srv := tc.newServer(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
				id, err := a.Identify(w, r)
				if err != nil {
					http.Error(w, "unauthorized", http.StatusUnauthorized)
					return
				}
				_, _ = io.WriteString(w, id.GroupID)
			}))
			t.Cleanup(srv.Close)

			resp, first := get(t, srv, nil)
			c := onlyCookie(t, resp)
			assert.Equal(t, tc.wantName, c.Name)
			assert.Equal(t, tc.wantSecure, c.Secure)
			assert.Equal(t, tc.wantName+"="+c.Value+tc.wantHeader, resp.Header.Get("Set-Cookie"))

			resp, again := get(t, srv, c)
			assert.Equal(t, first, again, "the cookie names the same group")
			assert.Empty(t, resp.Cookies(), "a valid cookie is not replaced")
		})
	}
}

// TestAnonymousReadsOnlyTheSchemesName checks that an HTTPS request reads
// only the __Host- cookie, which a sibling subdomain or a plain-HTTP response
// cannot plant, and a plain request only the plain one.
func TestAnonymousReadsOnlyTheSchemesName(t *testing.T) {
	t.Parallel()

	a := newAnonymous(t, nil)
	plainID, plain := mint(t, a, false)
	hostID, host := mint(t, a, true)
	require.NotEqual(t, plainID, hostID)

	tests := []struct {
		name     string
		tls      bool
		cookie   *http.Cookie
		want     auth.Identity
		wantMint bool
	}{
		{name: "tls reads host cookie", tls: true, cookie: host, want: hostID},
		{name: "tls ignores plain cookie", tls: true, cookie: plain, wantMint: true},
		{name: "plain reads plain cookie", cookie: plain, want: plainID},
		{name: "plain ignores host cookie", cookie: host, wantMint: true},
	}
	for _, tc := range tests {
		t.Run(tc.name, func(t *testing.T) {
			t.Parallel()

			w := httptest.NewRecorder()
			got, err := a.Identify(w, request(tc.tls, tc.cookie))
			require.NoError(t, err)
			if !tc.wantMint {
				assert.Equal(t, tc.want, got)
				assert.Empty(t, w.Header().Values("Set-Cookie"))
				return
			}
			fresh := onlyCookie(t, w.Result())
			assert.NotEqual(t, tc.cookie.Value, fresh.Value)
			assert.NotEqual(t, plainID, got)
			assert.NotEqual(t, hostID, got)
		})
	}
}

func TestAnonymousSameCookieSameIdentity(t *testing.T) {
	t.Parallel()

	a := newAnonymous(t, nil)
	first, cookie := mint(t, a, false)

	for tab := range 3 {
		w := httptest.NewRecorder()
		got, err := a.Identify(w, request(false, cookie))
		require.NoError(t, err)
		assert.Equal(t, first, got, "tab %d", tab)
		assert.Empty(t, w.Header().Values("Set-Cookie"), "a valid cookie is not replaced")
	}
}

func TestAnonymousDifferentCookiesDifferentIdentities(t *testing.T) {
	t.Parallel()

	a := newAnonymous(t, nil)
	seen := make(map[auth.Identity]bool)
	for range 20 {
		id, _ := mint(t, a, false)
		require.False(t, seen[id], "identity minted twice")
		seen[id] = true
	}
}

func TestAnonymousIdentityShape(t *testing.T) {
	t.Parallel()

	for _, secure := range []bool{false, true} {
		id, cookie := mint(t, newAnonymous(t, nil), secure)

		raw, err := base64.RawURLEncoding.DecodeString(cookie.Value)
		require.NoError(t, err)
		require.Len(t, raw, 64, "32 random bytes and a 32-byte tag")
		random := raw[:32]

		assert.Equal(t, id.UserID, id.GroupID, "one browser is one user and one group")
		assert.Len(t, id.GroupID, 32)
		_, err = hex.DecodeString(id.GroupID)
		require.NoError(t, err, "id is hex")
		for _, secret := range []string{
			cookie.Value,
			base64.RawURLEncoding.EncodeToString(random),
			hex.EncodeToString(random),
		} {
			assert.NotEqual(t, secret, id.GroupID)
			assert.NotContains(t, id.GroupID, secret)
			assert.NotContains(t, secret, id.GroupID)
		}
		// No 8-character run of the id appears in the cookie, or back.
		for i := 0; i+8 <= len(id.GroupID); i++ {
			assert.NotContains(t, cookie.Value, id.GroupID[i:i+8])
		}
	}
}

// TestAnonymousRefusesForgedCookies is the session fixation check: a value
// the server did not issue is replaced, and two browsers that present the
// same forged value never share a group.
func TestAnonymousRefusesForgedCookies(t *testing.T) {
	t.Parallel()

	a := newAnonymous(t, nil)
	_, valid := mint(t, a, false)
	raw, err := base64.RawURLEncoding.DecodeString(valid.Value)
	require.NoError(t, err)

	flip := func(i int) string {
		b := bytes.Clone(raw)
		b[i] ^= 1
		return base64.RawURLEncoding.EncodeToString(b)
	}
	otherRandom := bytes.Clone(raw)
	_, _ = rand.Read(otherRandom[:32])

	tests := []struct {
		name  string
		value string
	}{
		{name: "well-formed random old format", value: randomToken(t, 32)},
		{name: "random value of the signed length", value: randomToken(t, 64)},
		{name: "all zeros of the signed length", value: strings.Repeat("A", cookieLen)},
		{name: "tag bit flipped", value: flip(63)},
		{name: "random bit flipped", value: flip(0)},
		{name: "tag moved to other random bytes", value: base64.RawURLEncoding.EncodeToString(otherRandom)},
		{name: "truncated tag", value: base64.RawURLEncoding.EncodeToString(raw[:48])},
		{name: "extra byte", value: base64.RawURLEncoding.EncodeToString(append(bytes.Clone(raw), 0))},
		{name: "standard base64 alphabet", value: base64.RawStdEncoding.EncodeToString(bytes.Repeat([]byte{0xfb}, 64))},
		{name: "non-canonical trailing bits", value: valid.Value[:cookieLen-1] + nonCanonical(valid.Value[cookieLen-1])},
		{name: "empty", value: ""},
		{name: "not base64url", value: strings.Repeat("!", cookieLen)},
	}
	for _, tc := range tests {
		t.Run(tc.name, func(t *testing.T) {
			t.Parallel()

			forged := &http.Cookie{Name: auth.CookieName, Value: tc.value}
			victim, victimCookie := reissued(t, a, forged)
			attacker, attackerCookie := reissued(t, a, forged)
			assert.NotEqual(t, victim, attacker, "a forged cookie must not join two browsers")
			assert.NotEqual(t, victimCookie.Value, attackerCookie.Value)
			assert.Equal(t, victim, identify(t, a, false, victimCookie), "the new cookie names the returned identity")
		})
	}
}

func TestAnonymousRefusesOtherKeys(t *testing.T) {
	t.Parallel()

	issuer := newAnonymous(t, &auth.AnonymousOptions{Key: auth.NewAnonymousKey()})
	tests := []struct {
		name     string
		verifier *auth.Anonymous
	}{
		{name: "other explicit key", verifier: newAnonymous(t, &auth.AnonymousOptions{Key: auth.NewAnonymousKey()})},
		{name: "default random key", verifier: newAnonymous(t, nil)},
		{name: "other key with unrelated previous key", verifier: newAnonymous(t, &auth.AnonymousOptions{
			Key:          auth.NewAnonymousKey(),
			PreviousKeys: [][]byte{auth.NewAnonymousKey()},
		})},
	}
	for _, tc := range tests {
		t.Run(tc.name, func(t *testing.T) {
			t.Parallel()

			id, cookie := mint(t, issuer, false)
			got, _ := reissued(t, tc.verifier, cookie)
			assert.NotEqual(t, id, got)
		})
	}
}

func TestAnonymousDefaultKeysDiffer(t *testing.T) {
	t.Parallel()

	// A restart builds a new Anonymous, so old cookies get new identities.
	before := newAnonymous(t, nil)
	after := newAnonymous(t, nil)
	id, cookie := mint(t, before, false)
	got, _ := reissued(t, after, cookie)
	assert.NotEqual(t, id, got)
}

func TestAnonymousSharedKey(t *testing.T) {
	t.Parallel()

	// Instances given the same key, loaded from shared storage, accept each
	// other's cookies, over HTTP and HTTPS alike.
	key := auth.NewAnonymousKey()
	one := newAnonymous(t, &auth.AnonymousOptions{Key: key})
	two := newAnonymous(t, &auth.AnonymousOptions{Key: bytes.Clone(key)})
	for _, secure := range []bool{false, true} {
		id, cookie := mint(t, one, secure)
		assert.Equal(t, id, identify(t, two, secure, cookie))
	}
}

func TestAnonymousKeyRotation(t *testing.T) {
	t.Parallel()

	oldKey, newKey := auth.NewAnonymousKey(), auth.NewAnonymousKey()
	before := newAnonymous(t, &auth.AnonymousOptions{Key: oldKey})
	during := newAnonymous(t, &auth.AnonymousOptions{Key: newKey, PreviousKeys: [][]byte{oldKey}})
	after := newAnonymous(t, &auth.AnonymousOptions{Key: newKey})

	id, oldCookie := mint(t, before, true)

	// During the rotation the old cookie keeps its identity and is signed
	// again with the new key.
	w := httptest.NewRecorder()
	got, err := during.Identify(w, request(true, oldCookie))
	require.NoError(t, err)
	assert.Equal(t, id, got)
	resigned := onlyCookie(t, w.Result())
	assert.Equal(t, hostCookieName, resigned.Name)
	assert.True(t, resigned.Secure)
	assert.NotEqual(t, oldCookie.Value, resigned.Value)

	// Without a writer the old cookie is still accepted.
	got, err = during.Identify(nil, request(true, oldCookie))
	require.NoError(t, err)
	assert.Equal(t, id, got)

	// The re-signed cookie is current: accepted as is, now and after the
	// old key is dropped. The old cookie is not.
	assert.Equal(t, id, identify(t, during, true, resigned))
	assert.Equal(t, id, identify(t, after, true, resigned))
	got, _ = reissued(t, after, oldCookie)
	assert.NotEqual(t, id, got)

	// New cookies are signed with the new key.
	fresh, cookie := mint(t, during, true)
	assert.Equal(t, fresh, identify(t, after, true, cookie))
}

func TestAnonymousCopiesKeys(t *testing.T) {
	t.Parallel()

	key, previous := auth.NewAnonymousKey(), auth.NewAnonymousKey()
	opts := &auth.AnonymousOptions{Key: key, PreviousKeys: [][]byte{previous}}
	a := newAnonymous(t, opts)
	id, cookie := mint(t, a, false)
	oldID, oldCookie := mint(t, newAnonymous(t, &auth.AnonymousOptions{Key: bytes.Clone(previous)}), false)

	clear(key)
	clear(previous)
	opts.PreviousKeys[0] = nil

	assert.Equal(t, id, identify(t, a, false, cookie))
	w := httptest.NewRecorder()
	got, err := a.Identify(w, request(false, oldCookie))
	require.NoError(t, err)
	assert.Equal(t, oldID, got)
}

func TestNewAnonymousKey(t *testing.T) {
	t.Parallel()

	k1, k2 := auth.NewAnonymousKey(), auth.NewAnonymousKey()
	assert.Len(t, k1, auth.AnonymousKeySize)
	assert.Equal(t, 32, auth.AnonymousKeySize)
	assert.NotEqual(t, k1, k2)
}

func TestNewAnonymousInvalidOptions(t *testing.T) {
	t.Parallel()

	short := bytes.Repeat([]byte{'k'}, auth.AnonymousKeySize-1)
	tests := []struct {
		name    string
		opts    *auth.AnonymousOptions
		wantErr []string
	}{
		{
			name:    "short key",
			opts:    &auth.AnonymousOptions{Key: short},
			wantErr: []string{"auth: anonymous: Key is 31 bytes, want at least 32"},
		},
		{
			name:    "short previous key",
			opts:    &auth.AnonymousOptions{Key: auth.NewAnonymousKey(), PreviousKeys: [][]byte{auth.NewAnonymousKey(), short}},
			wantErr: []string{"auth: anonymous: PreviousKeys[1] is 31 bytes, want at least 32"},
		},
		{
			name:    "empty previous key",
			opts:    &auth.AnonymousOptions{Key: auth.NewAnonymousKey(), PreviousKeys: [][]byte{nil}},
			wantErr: []string{"auth: anonymous: PreviousKeys[0] is 0 bytes, want at least 32"},
		},
		{
			name:    "previous keys without key",
			opts:    &auth.AnonymousOptions{PreviousKeys: [][]byte{auth.NewAnonymousKey()}},
			wantErr: []string{"auth: anonymous: PreviousKeys need a Key to sign new cookies"},
		},
		{
			name:    "invalid cookie name",
			opts:    &auth.AnonymousOptions{CookieName: "my cookie"},
			wantErr: []string{`auth: anonymous: CookieName "my cookie" is not a valid cookie name`},
		},
		{
			name:    "host prefix in cookie name",
			opts:    &auth.AnonymousOptions{CookieName: "__host-id"},
			wantErr: []string{`auth: anonymous: CookieName "__host-id" must not carry a cookie prefix; "__Host-" is added over HTTPS`},
		},
		{
			name:    "secure prefix in cookie name",
			opts:    &auth.AnonymousOptions{CookieName: "__Secure-id"},
			wantErr: []string{`auth: anonymous: CookieName "__Secure-id" must not carry a cookie prefix; "__Host-" is added over HTTPS`},
		},
		{
			name: "every problem is reported",
			opts: &auth.AnonymousOptions{CookieName: "a;b", Key: short, PreviousKeys: [][]byte{short}},
			wantErr: []string{
				`auth: anonymous: CookieName "a;b" is not a valid cookie name`,
				"auth: anonymous: Key is 31 bytes, want at least 32",
				"auth: anonymous: PreviousKeys[0] is 31 bytes, want at least 32",
			},
		},
	}
	for _, tc := range tests {
		t.Run(tc.name, func(t *testing.T) {
			t.Parallel()

			var (
				a   *auth.Anonymous
				err error
			)
			require.NotPanics(t, func() { a, err = auth.NewAnonymous(tc.opts) })
			require.Error(t, err)
			assert.Nil(t, a)
			assert.EqualError(t, err, strings.Join(tc.wantErr, "\n"))
			assert.NotContains(t, err.Error(), string(short), "errors never contain key material")
		})
	}
}

func TestNewAnonymousValidOptions(t *testing.T) {
	t.Parallel()

	tests := []struct {
		name string
		opts *auth.AnonymousOptions
	}{
		{name: "nil"},
		{name: "zero", opts: &auth.AnonymousOptions{}},
		{name: "empty key means default", opts: &auth.AnonymousOptions{Key: []byte{}}},
		{name: "long key", opts: &auth.AnonymousOptions{Key: bytes.Repeat([]byte{'k'}, 64)}},
		{name: "key and previous keys", opts: &auth.AnonymousOptions{Key: auth.NewAnonymousKey(), PreviousKeys: [][]byte{auth.NewAnonymousKey()}}},
		{name: "cookie name", opts: &auth.AnonymousOptions{CookieName: "lt_id-2"}},
	}
	for _, tc := range tests {
		t.Run(tc.name, func(t *testing.T) {
			t.Parallel()

			a, err := auth.NewAnonymous(tc.opts)
			require.NoError(t, err)
			id, cookie := mint(t, a, false)
			assert.Equal(t, id, identify(t, a, false, cookie))
		})
	}
}

func TestAnonymousSkipsInvalidDuplicates(t *testing.T) {
	t.Parallel()

	// A stray same-named cookie (say from another Path) must not cost the
	// browser its identity, nor mint a new one on every request.
	a := newAnonymous(t, nil)
	id, cookie := mint(t, a, false)
	r := request(false, &http.Cookie{Name: auth.CookieName, Value: randomToken(t, 64)})
	r.AddCookie(cookie)
	w := httptest.NewRecorder()
	got, err := a.Identify(w, r)
	require.NoError(t, err)
	assert.Equal(t, id, got)
	assert.Empty(t, w.Header().Values("Set-Cookie"))
}

func TestAnonymousIgnoresOtherCookieNames(t *testing.T) {
	t.Parallel()

	key := auth.NewAnonymousKey()
	_, cookie := mint(t, newAnonymous(t, &auth.AnonymousOptions{Key: key}), false)
	other := newAnonymous(t, &auth.AnonymousOptions{Key: key, CookieName: "other"})
	w := httptest.NewRecorder()
	_, err := other.Identify(w, request(false, cookie))
	require.NoError(t, err)
	assert.Equal(t, "other", onlyCookie(t, w.Result()).Name)
}

func TestAnonymousWritesHeadersOnly(t *testing.T) {
	t.Parallel()

	// A WebSocket handshake needs the cookie in the headers and the status
	// still unwritten, so the upgrade can send 101.
	w := &headersOnlyWriter{t: t, header: make(http.Header)}
	_, err := newAnonymous(t, nil).Identify(w, httptest.NewRequest(http.MethodGet, "/", nil))
	require.NoError(t, err)
	assert.Len(t, w.header.Values("Set-Cookie"), 1)
}

func TestAnonymousNilWriter(t *testing.T) {
	t.Parallel()

	a := newAnonymous(t, nil)
	want, cookie := mint(t, a, false)

	tests := []struct {
		name    string
		cookie  *http.Cookie
		want    auth.Identity
		wantErr bool
	}{
		{name: "valid cookie needs no writer", cookie: cookie, want: want},
		{name: "missing cookie", wantErr: true},
		{name: "malformed cookie", cookie: &http.Cookie{Name: auth.CookieName, Value: "secret-looking-value"}, wantErr: true},
		{name: "forged cookie", cookie: &http.Cookie{Name: auth.CookieName, Value: randomToken(t, 64)}, wantErr: true},
	}
	for _, tc := range tests {
		t.Run(tc.name, func(t *testing.T) {
			t.Parallel()

			got, err := a.Identify(nil, request(false, tc.cookie))
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

	oldKey := auth.NewAnonymousKey()
	a := newAnonymous(t, &auth.AnonymousOptions{Key: auth.NewAnonymousKey(), PreviousKeys: [][]byte{oldKey}})
	want, cookie := mint(t, a, false)
	oldWant, oldCookie := mint(t, newAnonymous(t, &auth.AnonymousOptions{Key: oldKey}), false)
	var wg sync.WaitGroup
	for i := range 16 {
		wg.Go(func() {
			c, w := cookie, want
			if i%2 == 1 {
				c, w = oldCookie, oldWant
			}
			got, err := a.Identify(httptest.NewRecorder(), request(false, c))
			assert.NoError(t, err)
			assert.Equal(t, w, got)
			_, err = a.Identify(httptest.NewRecorder(), request(false, nil))
			assert.NoError(t, err)
		})
	}
	wg.Wait()
}

// newAnonymous returns an Anonymous built from opts, which must be valid.
func newAnonymous(tb testing.TB, opts *auth.AnonymousOptions) *auth.Anonymous {
	tb.Helper()
	a, err := auth.NewAnonymous(opts)
	require.NoError(tb, err)
	return a
}

// request returns a GET request, over TLS when secure, carrying cookie
// unless it is nil.
func request(secure bool, cookie *http.Cookie) *http.Request {
	r := httptest.NewRequest(http.MethodGet, "/", nil)
	if secure {
		r.TLS = &tls.ConnectionState{}
	}
	if cookie != nil {
		r.AddCookie(cookie)
	}
	return r
}

// mint identifies a cookie-less request, over TLS when secure, and returns
// the identity and the cookie that was set.
func mint(tb testing.TB, a *auth.Anonymous, secure bool) (auth.Identity, *http.Cookie) {
	tb.Helper()
	w := httptest.NewRecorder()
	id, err := a.Identify(w, request(secure, nil))
	require.NoError(tb, err)
	return id, onlyCookie(tb, w.Result())
}

// identify identifies a request carrying cookie, over TLS when secure, and
// checks that no new cookie was set.
func identify(tb testing.TB, a *auth.Anonymous, secure bool, cookie *http.Cookie) auth.Identity {
	tb.Helper()
	w := httptest.NewRecorder()
	id, err := a.Identify(w, request(secure, cookie))
	require.NoError(tb, err)
	require.Empty(tb, w.Header().Values("Set-Cookie"))
	return id
}

// reissued identifies a plain request carrying cookie, checks that a new
// cookie replaced it, and returns the identity and the new cookie.
func reissued(tb testing.TB, a *auth.Anonymous, cookie *http.Cookie) (auth.Identity, *http.Cookie) {
	tb.Helper()
	w := httptest.NewRecorder()
	id, err := a.Identify(w, request(false, cookie))
	require.NoError(tb, err)
	fresh := onlyCookie(tb, w.Result())
	require.NotEqual(tb, cookie.Value, fresh.Value, "the cookie is re-issued")
	assert.NotEqual(tb, cookie.Value, id.GroupID)
	assert.NotContains(tb, id.GroupID, fresh.Value)
	return id, fresh
}

// get requests srv's root with cookie (if any) and returns the response,
// whose body is already read and closed, and the body.
func get(tb testing.TB, srv *httptest.Server, cookie *http.Cookie) (*http.Response, string) {
	tb.Helper()
	req, err := http.NewRequestWithContext(tb.Context(), http.MethodGet, srv.URL, nil)
	require.NoError(tb, err)
	if cookie != nil {
		req.AddCookie(cookie)
	}
	resp, err := srv.Client().Do(req)
	require.NoError(tb, err)
	body, err := io.ReadAll(resp.Body)
	require.NoError(tb, err)
	require.NoError(tb, resp.Body.Close())
	require.Equal(tb, http.StatusOK, resp.StatusCode)
	return resp, string(body)
}

// randomToken returns n random bytes encoded as a cookie value would be.
func randomToken(tb testing.TB, n int) string {
	tb.Helper()
	b := make([]byte, n)
	_, err := rand.Read(b)
	require.NoError(tb, err)
	return base64.RawURLEncoding.EncodeToString(b)
}

// nonCanonical returns a last character that decodes to the same bytes as
// c but sets trailing bits a canonical encoder leaves zero.
func nonCanonical(c byte) string {
	const alphabet = "ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789-_"
	i := strings.IndexByte(alphabet, c)
	return string(alphabet[i|1])
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
