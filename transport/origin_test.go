package transport_test

import (
	"net/http"
	"net/http/httptest"
	"strconv"
	"strings"
	"testing"

	"github.com/coder/websocket"
	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"

	"github.com/lvtgo/livetemplate/transport"
)

// originCase is one request to judge. In origin, {host} stands for the
// request's Host.
type originCase struct {
	name      string
	patterns  []string
	origin    string
	fetchSite string // Sec-Fetch-Site
	ok        bool
}

var originCases = []originCase{
	{name: "no origin header", ok: true},
	{name: "same host", origin: "http://{host}", ok: true},
	{name: "same host other scheme", origin: "https://{host}", ok: true},
	{name: "browser says same origin", origin: "https://evil.example", fetchSite: "same-origin", ok: true},
	{name: "user navigation", fetchSite: "none", ok: true},
	{name: "foreign origin", origin: "https://evil.example"},
	{name: "foreign origin cross site", origin: "https://evil.example", fetchSite: "cross-site"},
	{name: "same site is not same origin", origin: "https://sub.evil.example", fetchSite: "same-site"},
	{name: "cross site without origin", fetchSite: "cross-site", patterns: []string{"app.example"}},
	{name: "browser says cross site for same host", origin: "http://{host}", fetchSite: "cross-site"},
	{name: "null origin", origin: "null", patterns: []string{"app.example"}},
	{name: "listed host", patterns: []string{"app.example"}, origin: "https://app.example", ok: true},
	{name: "listed host cross site", patterns: []string{"app.example"}, origin: "https://app.example", fetchSite: "cross-site", ok: true},
	{name: "listed host any scheme", patterns: []string{"app.example"}, origin: "http://app.example", ok: true},
	{name: "listed host other port", patterns: []string{"app.example"}, origin: "https://app.example:8443"},
	{name: "listed port", patterns: []string{"app.example:8443"}, origin: "https://app.example:8443", fetchSite: "cross-site", ok: true},
	{name: "listed port without port", patterns: []string{"app.example:8443"}, origin: "https://app.example"},
	{name: "wildcard", patterns: []string{"*.app.example"}, origin: "https://eu.app.example", fetchSite: "cross-site", ok: true},
	{name: "wildcard needs a subdomain", patterns: []string{"*.app.example"}, origin: "https://app.example"},
	{name: "wildcard one level", patterns: []string{"*.app.example"}, origin: "https://evil.com.app.example", ok: true},
	{name: "wildcard suffix trick", patterns: []string{"*.app.example"}, origin: "https://eu.app.example.evil.example"},
	{name: "scheme matches", patterns: []string{"https://app.example"}, origin: "https://app.example", fetchSite: "cross-site", ok: true},
	{name: "scheme differs", patterns: []string{"https://app.example"}, origin: "http://app.example"},
	{name: "scheme and wildcard", patterns: []string{"https://*.app.example"}, origin: "https://eu.app.example", ok: true},
	{name: "case insensitive", patterns: []string{"HTTPS://App.Example"}, origin: "https://APP.example", ok: true},
	{name: "second pattern", patterns: []string{"one.example", "two.example"}, origin: "https://two.example", ok: true},
}

// request returns tc's request for host, with method.
func (tc originCase) request(method, host string) *http.Request {
	r := httptest.NewRequest(method, "http://"+host+"/page", strings.NewReader(action))
	r.Header.Set("Content-Type", "application/json")
	for k, v := range tc.headers(host) {
		r.Header[k] = v
	}
	return r
}

func (tc originCase) headers(host string) http.Header {
	h := http.Header{}
	if tc.origin != "" {
		h.Set("Origin", strings.ReplaceAll(tc.origin, "{host}", host))
	}
	if tc.fetchSite != "" {
		h.Set("Sec-Fetch-Site", tc.fetchSite)
	}
	return h
}

func (tc originCase) origins(tb testing.TB) *transport.Origins {
	tb.Helper()
	if tc.patterns == nil {
		return nil // same origin only
	}
	o, err := transport.ParseOrigins(tc.patterns)
	require.NoError(tb, err)
	return o
}

// The same cases give the same decisions for Origins.Allowed, an HTTP POST
// and a WebSocket upgrade.
func TestOriginsOneMeaning(t *testing.T) {
	t.Parallel()
	for _, tc := range originCases {
		t.Run(tc.name, func(t *testing.T) {
			t.Parallel()
			origins := tc.origins(t)
			const host = "example.com"

			assert.Equal(t, tc.ok, origins.Allowed(tc.request(http.MethodPost, host)), "Allowed")
			assert.Equal(t, tc.ok, origins.Allowed(tc.request(http.MethodGet, host)), "Allowed for a GET")

			h, err := transport.NewHTTP(&transport.HTTPOptions{Origins: origins})
			require.NoError(t, err)
			_, err = h.ReadMessage(tc.request(http.MethodPost, host))
			if tc.ok {
				assert.NoError(t, err, "HTTP")
			} else {
				var e *transport.Error
				require.ErrorAs(t, err, &e, "HTTP")
				assert.Equal(t, http.StatusForbidden, e.Status, "HTTP")
			}

			s := newServer(t, &transport.WebSocketOptions{Origins: origins})
			wsHost := strings.TrimPrefix(s.srv.URL, "http://")
			c, resp, err := s.dial(t, tc.headers(wsHost))
			if !tc.ok {
				require.Error(t, err, "WebSocket")
				require.NotNil(t, resp)
				assert.Equal(t, http.StatusForbidden, resp.StatusCode, "WebSocket")
				assert.Zero(t, s.opened.Load(), "open must not be called")
				return
			}
			require.NoError(t, err, "WebSocket")
			s.session(t)
			write(t, c, "hi")
			assert.Equal(t, "hi", read(t, c))
			require.NoError(t, c.Close(websocket.StatusNormalClosure, ""))
		})
	}
}

func TestInsecureSkipOriginCheck(t *testing.T) {
	t.Parallel()
	s := newServer(t, &transport.WebSocketOptions{InsecureSkipOriginCheck: true})
	c, _, err := s.dial(t, http.Header{"Origin": {"https://evil.example"}, "Sec-Fetch-Site": {"cross-site"}})
	require.NoError(t, err)
	s.session(t)
	write(t, c, "hi")
	assert.Equal(t, "hi", read(t, c))
}

func TestParseOrigins(t *testing.T) {
	t.Parallel()
	good := []string{"example.com", "*.example.com", "example.com:8443", "https://example.com", "https://*.example.com", "chrome-extension://abc"}
	o, err := transport.ParseOrigins(good)
	require.NoError(t, err)
	assert.NotNil(t, o)

	bad := []string{"", "[", "example.com/path", "*", "https://*", "user@example.com", "ht tp://x", "://example.com", "1http://example.com", "example.com?q"}
	_, err = transport.ParseOrigins(append([]string{"ok.example"}, bad...))
	require.Error(t, err)
	for _, p := range bad {
		assert.Contains(t, err.Error(), strconv.Quote(p), "every bad pattern is reported")
	}
	assert.NotContains(t, err.Error(), "ok.example")
}

// A same-origin request is one whose Origin's host[:port] is the Host,
// entirely: an Origin that merely starts with the Host is another site (a
// host under an attacker's domain, or another port of the same host). The
// WebSocket here is dialled with the Host of each case, as a browser that
// reached the server under that name sends it.
func TestSameOriginIsTheWholeHost(t *testing.T) {
	t.Parallel()
	tests := []struct {
		name   string
		host   string
		origin string
		ok     bool
	}{
		{name: "the same host", host: "example.com", origin: "https://example.com", ok: true},
		{name: "the same host and port", host: "example.com:8080", origin: "http://example.com:8080", ok: true},
		{name: "the host as a prefix of another domain", host: "example.com", origin: "https://example.com.evil.example"},
		{name: "the host as a prefix of a longer name", host: "example.com", origin: "https://example.community"},
		{name: "another port", host: "example.com", origin: "http://example.com:8080"},
		{name: "a port that starts with the Host's", host: "example.com:8080", origin: "http://example.com:80801"},
		{name: "the Host's name without its port", host: "example.com:8080", origin: "http://example.com"},
		{name: "a subdomain", host: "example.com", origin: "https://evil.example.com"},
	}
	for _, tc := range tests {
		t.Run(tc.name, func(t *testing.T) {
			t.Parallel()
			newRequest := func(method string) *http.Request {
				r := httptest.NewRequest(method, "http://"+tc.host+"/page", strings.NewReader(action))
				r.Header.Set("Content-Type", "application/json")
				r.Header.Set("Origin", tc.origin)
				return r
			}
			var none *transport.Origins // same origin only
			assert.Equal(t, tc.ok, none.Allowed(newRequest(http.MethodGet)), "Allowed, for an upgrade's GET")
			assert.Equal(t, tc.ok, none.Allowed(newRequest(http.MethodPost)), "Allowed, for a POST")

			h, err := transport.NewHTTP(&transport.HTTPOptions{})
			require.NoError(t, err)
			_, err = h.ReadMessage(newRequest(http.MethodPost))
			if tc.ok {
				assert.NoError(t, err, "POST")
			} else {
				var e *transport.Error
				if assert.ErrorAs(t, err, &e, "POST") {
					assert.Equal(t, http.StatusForbidden, e.Status, "POST")
				}
			}

			s := newServer(t, nil)
			c, resp, err := websocket.Dial(t.Context(), s.srv.URL, &websocket.DialOptions{
				HTTPClient: s.srv.Client(),
				Host:       tc.host,
				HTTPHeader: http.Header{"Origin": {tc.origin}},
			})
			if err == nil {
				t.Cleanup(func() { _ = c.CloseNow() })
			}
			if !tc.ok {
				require.Error(t, err, "WebSocket")
				require.NotNil(t, resp, "WebSocket")
				assert.Equal(t, http.StatusForbidden, resp.StatusCode, "WebSocket")
				assert.Zero(t, s.opened.Load(), "WebSocket: open must not be called")
				return
			}
			require.NoError(t, err, "WebSocket")
			s.session(t)
			write(t, c, "hi")
			assert.Equal(t, "hi", read(t, c))
			require.NoError(t, c.Close(websocket.StatusNormalClosure, ""))
		})
	}
}
