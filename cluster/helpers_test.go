package cluster_test

import (
	"bytes"
	"encoding/json"
	"io"
	"log/slog"
	"net/http"
	"net/http/cookiejar"
	"net/http/httptest"
	"regexp"
	"testing"

	"github.com/stretchr/testify/require"

	"github.com/lvtgo/livetemplate"
	"github.com/lvtgo/livetemplate/cluster"
)

// counter is the page of the tests.
type counter struct{ N int }

func (c *counter) Change(*livetemplate.ActionContext) error { c.N++; return nil }

var page = livetemplate.Must(livetemplate.New("n",
	livetemplate.WithText(`<body><p id="n">{{.N}}</p><button id="inc" lvt-click="inc">+</button></body>`)))

// instance is one server instance: an app wired by a Cluster, served on
// 127.0.0.1.
type instance struct {
	c   *cluster.Cluster
	app *livetemplate.App
	srv *httptest.Server
}

// start starts an instance on the Redis server at url; stop stops it, as
// does the end of the test.
func start(t *testing.T, url string, o *cluster.Options) *instance {
	t.Helper()
	c, err := cluster.Open(t.Context(), url, o)
	require.NoError(t, err)
	app, err := livetemplate.NewApp(append(c.Options(), livetemplate.WithLogger(slog.New(slog.DiscardHandler)))...)
	require.NoError(t, err)
	in := &instance{c: c, app: app, srv: httptest.NewServer(app.Handle(page, &counter{}))}
	t.Cleanup(in.stop)
	return in
}

// stop stops the instance: the server, the app, then the cluster.
func (in *instance) stop() {
	in.srv.Close()
	_ = in.app.Close()
	_ = in.c.Close()
}

// visitor is a browser without a script: its cookies, and the pages it
// loaded.
type visitor struct {
	t  *testing.T
	hc *http.Client
}

func newVisitor(t *testing.T) *visitor {
	jar, err := cookiejar.New(nil)
	require.NoError(t, err)
	return &visitor{t: t, hc: &http.Client{Jar: jar}}
}

var tokenRE = regexp.MustCompile(`data-lvt-token="([^"]+)"`)

// load loads the page from in and returns its token and whether the
// response set a cookie (a new identity).
func (v *visitor) load(in *instance) (token string, newCookie bool) {
	v.t.Helper()
	res, err := v.hc.Get(in.srv.URL + "/")
	require.NoError(v.t, err)
	defer res.Body.Close()
	body, err := io.ReadAll(res.Body)
	require.NoError(v.t, err)
	require.Equal(v.t, http.StatusOK, res.StatusCode, string(body))
	m := tokenRE.FindSubmatch(body)
	require.NotNil(v.t, m, "no token in %s", body)
	return string(m[1]), len(res.Cookies()) > 0
}

// act posts an action of the page token names to in, as the HTTP fallback
// does, and returns the error code of its reply ("" for none) and whether
// the response set a cookie.
func (v *visitor) act(in *instance, token string) (code string, newCookie bool) {
	v.t.Helper()
	msg, err := json.Marshal(map[string]any{"t": "action", "ref": 1, "token": token, "name": "inc"})
	require.NoError(v.t, err)
	req, err := http.NewRequestWithContext(v.t.Context(), http.MethodPost, in.srv.URL+"/", bytes.NewReader(msg))
	require.NoError(v.t, err)
	req.Header.Set("Content-Type", "application/json")
	req.Header.Set("Origin", in.srv.URL)
	res, err := v.hc.Do(req)
	require.NoError(v.t, err)
	defer res.Body.Close()
	var reply struct {
		T     string `json:"t"`
		Error struct{ Code string }
	}
	body, err := io.ReadAll(res.Body)
	require.NoError(v.t, err)
	require.NoError(v.t, json.Unmarshal(body, &reply), string(body))
	if reply.T != "reply" && reply.Error.Code == "" {
		return "not a reply: " + string(body), len(res.Cookies()) > 0
	}
	return reply.Error.Code, len(res.Cookies()) > 0
}
