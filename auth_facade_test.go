package livetemplate_test

import (
	"net/http"
	"net/http/httptest"
	"testing"
	"time"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"

	"github.com/lvtgo/livetemplate"
	"github.com/lvtgo/livetemplate/auth"
)

type list struct {
	Items []string
	Tags  map[string]int
}

func (l *list) Change(ctx *livetemplate.ActionContext) error {
	l.Items = append(l.Items, ctx.GetString("item"))
	if l.Tags == nil {
		l.Tags = map[string]int{}
	}
	l.Tags[ctx.GetString("item")]++
	return nil
}

func TestGroupsNeverShareSlicesOrMaps(t *testing.T) {
	tmpl, err := livetemplate.New("p", livetemplate.WithText(`<body>{{range .Items}}[{{.}}]{{end}}{{len .Tags}}</body>`))
	require.NoError(t, err)
	proto := &list{Items: make([]string, 0, 10), Tags: map[string]int{"seed": 1}}
	srv := serve(t, on(t, livetemplate.WithLogger(quietLogger())).Handle(tmpl, proto))
	a, b := newBrowser(t, srv).open("/"), newBrowser(t, srv).open("/")
	a.act("add", map[string]any{"item": "from-a"})
	b.act("add", map[string]any{"item": "from-b"})
	assert.Contains(t, a.html(), "[from-a]2")
	assert.NotContains(t, a.html(), "from-b")
	assert.Contains(t, b.html(), "[from-b]2")
	assert.Empty(t, proto.Items, "the prototype is never changed")
	assert.Equal(t, map[string]int{"seed": 1}, proto.Tags)
}

func TestBasicAuthGroupsUsers(t *testing.T) {
	tmpl, err := livetemplate.New("p", livetemplate.WithText(counterPage))
	require.NoError(t, err)
	srv := serve(t, on(t, livetemplate.WithLogger(quietLogger()), livetemplate.WithAuthenticator(auth.NewBasic("test", map[string]string{"ana": "pw1", "bo": "pw2"}, nil))).Handle(tmpl, &counter{}))

	resp, err := http.Get(srv.URL)
	require.NoError(t, err)
	resp.Body.Close()
	assert.Equal(t, http.StatusUnauthorized, resp.StatusCode)
	assert.Contains(t, resp.Header.Get("WWW-Authenticate"), "Basic")

	ana := authedBrowser(t, srv, "ana", "pw1")
	bo := authedBrowser(t, srv, "bo", "pw2")
	ana.open("/").act("increment", nil)
	assert.Contains(t, ana.open("/").html(), "Count: 1", "ana's second tab")
	assert.Contains(t, bo.open("/").html(), "Count: 0", "bo has a group of his own")

	wrong := authedBrowser(t, srv, "ana", "nope")
	req, _ := http.NewRequest(http.MethodGet, srv.URL, nil)
	resp, err = wrong.hc.Do(req)
	require.NoError(t, err)
	resp.Body.Close()
	assert.Equal(t, http.StatusUnauthorized, resp.StatusCode)
}

// authedBrowser is a browser that sends basic credentials on every request,
// WebSocket handshakes included.
func authedBrowser(t *testing.T, srv *httptest.Server, user, pass string) *browser {
	b := newBrowser(t, srv)
	b.hc.Transport = basicTransport{user: user, pass: pass, next: http.DefaultTransport}
	return b
}

type basicTransport struct {
	user, pass string
	next       http.RoundTripper
}

func (bt basicTransport) RoundTrip(r *http.Request) (*http.Response, error) {
	r = r.Clone(r.Context())
	r.SetBasicAuth(bt.user, bt.pass)
	return bt.next.RoundTrip(r)
}

// HTTP actions stop when the identity's credentials expire, as a socket
// does, even while an authenticator still accepts them (a JWT's leeway).
func TestHTTPActionsStopWhenTheCredentialsExpire(t *testing.T) {
	expires := time.Now().Add(300 * time.Millisecond)
	leeway := auth.AuthenticatorFunc(func(_ http.ResponseWriter, _ *http.Request) (auth.Identity, error) {
		return auth.Identity{UserID: "ann", GroupID: "ann", Expires: expires}, nil
	})
	tmpl := livetemplate.Must(livetemplate.New("p", livetemplate.WithText(counterPage)))
	srv := serve(t, on(t, livetemplate.WithLogger(quietLogger()), livetemplate.WithAuthenticator(leeway)).Handle(tmpl, &counter{}))
	b := newBrowser(t, srv)
	_, token := b.get("/")
	resp, m := b.post(map[string]any{"t": "action", "ref": 1, "name": "increment", "token": token}, nil)
	require.Equal(t, http.StatusOK, resp.StatusCode)
	require.Nil(t, m.Error)
	time.Sleep(time.Until(expires))
	resp, m = b.post(map[string]any{"t": "action", "ref": 2, "name": "increment", "token": token}, nil)
	assert.Equal(t, http.StatusUnauthorized, resp.StatusCode)
	require.NotNil(t, m.Error)
	assert.Equal(t, "unauthorized", m.Error.Code)
}
