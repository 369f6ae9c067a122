package livetemplate_test

import (
	"context"
	"net/http"
	"net/http/httptest"
	"strings"
	"testing"
	"time"

	"github.com/coder/websocket"
	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"

	"github.com/lvtgo/livetemplate"
	"github.com/lvtgo/livetemplate/auth"
	"github.com/lvtgo/livetemplate/internal/testutil"
)

// refusedFor dials a WebSocket to srv as a client whose requests carry
// header and returns the close code the server ends it with: 4029 when the
// client's address holds its share of connections.
func refusedFor(t *testing.T, srv *httptest.Server, header http.Header) websocket.StatusCode {
	t.Helper()
	ctx, cancel := context.WithTimeout(t.Context(), 5*time.Second)
	defer cancel()
	h := header.Clone()
	h.Set("Origin", srv.URL)
	ws, _, err := websocket.Dial(ctx, "ws"+strings.TrimPrefix(srv.URL, "http")+"/", &websocket.DialOptions{HTTPHeader: h})
	require.NoError(t, err)
	defer ws.CloseNow()
	_, _, err = ws.Read(ctx)
	return websocket.CloseStatus(err)
}

// Behind a trusted proxy every client is known by the address the proxy
// reports: the per-address limits count each apart, and the refusal's log
// line names the client, not the proxy.
func TestTrustedProxiesNameTheClient(t *testing.T) {
	var logs testutil.Logs
	_, h := tallyHandler(t, livetemplate.WithLogger(slogTo(&logs)), livetemplate.WithTrustedProxies("127.0.0.1/32"),
		livetemplate.WithLimits(livetemplate.Limits{MaxConnsPerAddress: 1}))
	srv := serve(t, h) // on 127.0.0.1: the test is the proxy
	newBrowser(t, srv).as("X-Forwarded-For", "198.51.100.1").open("/")
	newBrowser(t, srv).as("X-Forwarded-For", "203.0.113.9, 198.51.100.2").open("/") // another client: room for it
	assert.Equal(t, websocket.StatusCode(4029), refusedFor(t, srv, http.Header{"X-Forwarded-For": {"198.51.100.1"}}),
		"the first client's second connection")
	assert.Contains(t, logs.String(), "refusal=too_many_connections addr=198.51.100.1 ")
}

// A client that reaches the app directly cannot choose its address by
// forging X-Forwarded-For: the peer is no trusted proxy, so its headers are
// ignored, and its connections all count against its own address.
func TestForgedForwardingHeadersChangeNothing(t *testing.T) {
	var logs testutil.Logs
	_, h := tallyHandler(t, livetemplate.WithLogger(slogTo(&logs)), livetemplate.WithTrustedProxies("10.0.0.0/8"),
		livetemplate.WithLimits(livetemplate.Limits{MaxConnsPerAddress: 1}))
	srv := serve(t, h)
	newBrowser(t, srv).as("X-Forwarded-For", "198.51.100.1").open("/")
	assert.Equal(t, websocket.StatusCode(4029), refusedFor(t, srv, http.Header{"X-Forwarded-For": {"198.51.100.2"}}),
		"the same peer, whatever it says")
	assert.Contains(t, logs.String(), "refusal=too_many_connections addr=127.0.0.1 ")
}

// The anonymous cookie is Secure and __Host- prefixed when the client used
// HTTPS to a trusted proxy, and only then: X-Forwarded-Proto from anyone
// else is ignored, and removed before the authenticator reads it.
func TestTrustedProxiesSayWhenTheClientUsedHTTPS(t *testing.T) {
	seen := make(chan string, 1)
	for _, tc := range []struct {
		name    string
		proxies string
		secure  bool
	}{
		{name: "trusted proxy", proxies: "192.0.2.0/24", secure: true}, // httptest.NewRequest's RemoteAddr is 192.0.2.1
		{name: "other peer", proxies: "10.0.0.0/8", secure: false},
	} {
		t.Run(tc.name, func(t *testing.T) {
			_, h := tallyHandler(t, livetemplate.WithTrustedProxies(tc.proxies))
			r := httptest.NewRequest(http.MethodGet, "/", nil)
			r.Header.Set("X-Forwarded-Proto", "https")
			rec := httptest.NewRecorder()
			h.ServeHTTP(rec, r)
			require.Equal(t, http.StatusOK, rec.Code)
			cookies := rec.Result().Cookies()
			require.Len(t, cookies, 1)
			assert.Equal(t, tc.secure, cookies[0].Secure)
			assert.Equal(t, tc.secure, strings.HasPrefix(cookies[0].Name, "__Host-"), cookies[0].Name)
		})
	}

	// What the app's code reads from an untrusted peer's request.
	anon, err := auth.NewAnonymous(nil)
	require.NoError(t, err)
	_, h := tallyHandler(t, livetemplate.WithTrustedProxies("10.0.0.0/8"),
		livetemplate.WithAuthenticator(auth.AuthenticatorFunc(func(w http.ResponseWriter, r *http.Request) (auth.Identity, error) {
			seen <- r.Header.Get("X-Forwarded-For") + r.Header.Get("X-Forwarded-Proto")
			return anon.Identify(w, r)
		})))
	r := httptest.NewRequest(http.MethodGet, "/", nil)
	r.Header.Set("X-Forwarded-For", "198.51.100.1")
	r.Header.Set("X-Forwarded-Proto", "https")
	h.ServeHTTP(httptest.NewRecorder(), r)
	assert.Equal(t, "", <-seen, "the authenticator reads no forged header")
}

func TestTrustedProxiesOptionIsChecked(t *testing.T) {
	_, err := livetemplate.NewApp(livetemplate.WithTrustedProxies("10.0.0.0/8", "10.0.0.0/33", "0.0.0.0/0"))
	require.Error(t, err)
	assert.Contains(t, err.Error(), `WithTrustedProxies: "10.0.0.0/33": not an IP address or CIDR prefix`)
	assert.Contains(t, err.Error(), `"0.0.0.0/0": trusts every address`)

	_, err = livetemplate.NewApp(livetemplate.WithTrustedProxies("10.0.0.0/8"),
		livetemplate.WithClientAddress(func(*http.Request) string { return "x" }))
	assert.ErrorContains(t, err, "give one")

	_, err = livetemplate.New("x", livetemplate.WithText("x"), livetemplate.WithTrustedProxies("10.0.0.0/8"))
	assert.ErrorContains(t, err, "WithTrustedProxies configures how pages are served")
}
