package livetemplate_test

import (
	"context"
	"encoding/json"
	"io"
	"log/slog"
	"net"
	"net/http"
	"net/http/cookiejar"
	"net/http/httptest"
	"regexp"
	"strings"
	"sync"
	"testing"
	"time"

	"github.com/coder/websocket"
	"github.com/stretchr/testify/require"

	"github.com/lvtgo/livetemplate"
	"github.com/lvtgo/livetemplate/auth"
	"github.com/lvtgo/livetemplate/diff"
)

// browser is a test client: a cookie jar (one browser, one session group)
// that opens pages.
type browser struct {
	tb  testing.TB
	srv *httptest.Server
	hc  *http.Client
	hdr http.Header // sent with every request (an identity, say)
}

// on returns the same browser (its cookies and headers) talking to srv: a
// tab of it on another instance.
func (b *browser) on(srv *httptest.Server) *browser {
	c := *b
	c.srv = srv
	return &c
}

// as returns the browser with header key: value on every request.
func (b *browser) as(key, value string) *browser {
	c := *b
	c.hdr = http.Header{key: {value}}
	return &c
}

// header returns the headers of b's requests, with Origin set for srv.
func (b *browser) header() http.Header {
	h := http.Header{"Origin": {b.srv.URL}}
	for k, v := range b.hdr {
		h[k] = v
	}
	return h
}

// from returns a new browser like b (a new cookie jar) whose connections
// come from the loopback address ip (say 127.0.0.2): another client
// address for the server's per-address limits.
func (b *browser) from(ip string) *browser {
	c := newBrowser(b.tb, b.srv)
	d := &net.Dialer{LocalAddr: &net.TCPAddr{IP: net.ParseIP(ip)}, Timeout: 5 * time.Second}
	tr := &http.Transport{DialContext: d.DialContext}
	b.tb.Cleanup(tr.CloseIdleConnections)
	c.hc.Transport = tr
	return c
}

func newBrowser(tb testing.TB, srv *httptest.Server) *browser {
	tb.Helper()
	jar, err := cookiejar.New(nil)
	require.NoError(tb, err)
	return &browser{tb: tb, srv: srv, hc: &http.Client{Jar: jar, Timeout: 10 * time.Second}}
}

var tokenRE = regexp.MustCompile(`data-lvt-token="([^"]+)"`)

// get loads a page and returns its HTML and token.
func (b *browser) get(path string) (string, string) {
	b.tb.Helper()
	req, err := http.NewRequest(http.MethodGet, b.srv.URL+path, nil)
	require.NoError(b.tb, err)
	for k, v := range b.hdr {
		req.Header[k] = v
	}
	resp, err := b.hc.Do(req)
	require.NoError(b.tb, err)
	defer resp.Body.Close()
	body, err := io.ReadAll(resp.Body)
	require.NoError(b.tb, err)
	require.Equal(b.tb, http.StatusOK, resp.StatusCode, string(body))
	m := tokenRE.FindStringSubmatch(string(body))
	require.NotNil(b.tb, m, "no token in page")
	return string(body), m[1]
}

// page is one open page with a live WebSocket connection.
type page struct {
	tb    testing.TB
	ws    *websocket.Conn
	token string
	mu    sync.Mutex
	tree  *diff.Tree
	seq   uint64
	ref   int64
	// newToken is the token a tree message handed out: the server made a
	// new page for this connection.
	newToken string
}

type serverMsg struct {
	T      string                          `json:"t"`
	Seq    uint64                          `json:"seq"`
	Ref    int64                           `json:"ref"`
	Tree   json.RawMessage                 `json:"tree"`
	Patch  json.RawMessage                 `json:"patch"`
	Error  *struct{ Code, Message string } `json:"error"`
	Fields map[string]string               `json:"fields"`
	Token  string                          `json:"token"`
}

// open loads path and joins its live connection.
func (b *browser) open(path string) *page {
	b.tb.Helper()
	_, token := b.get(path)
	return b.dial(path, token)
}

func (b *browser) dial(path, token string) *page {
	b.tb.Helper()
	ctx, cancel := context.WithTimeout(context.Background(), 5*time.Second)
	defer cancel()
	u := "ws" + strings.TrimPrefix(b.srv.URL, "http") + path
	ws, _, err := websocket.Dial(ctx, u, &websocket.DialOptions{HTTPClient: b.hc, HTTPHeader: b.header()})
	require.NoError(b.tb, err)
	ws.SetReadLimit(16 << 20) // a big page's tree
	p := &page{tb: b.tb, ws: ws, token: token}
	b.tb.Cleanup(func() { _ = ws.CloseNow() })
	p.send(map[string]any{"t": "join", "token": token, "seq": 0})
	m := p.read()
	require.Equal(b.tb, "tree", m.T)
	return p
}

func (p *page) send(v any) {
	p.tb.Helper()
	js, err := json.Marshal(v)
	require.NoError(p.tb, err)
	p.sendRaw(js)
}

func (p *page) sendRaw(js []byte) {
	p.tb.Helper()
	ctx, cancel := context.WithTimeout(context.Background(), 5*time.Second)
	defer cancel()
	require.NoError(p.tb, p.ws.Write(ctx, websocket.MessageText, js))
}

// read reads one message and applies any tree or patch it carries.
func (p *page) read() serverMsg {
	p.tb.Helper()
	m := p.readMsg()
	p.mu.Lock()
	defer p.mu.Unlock()
	switch {
	case m.T == "tree":
		t, err := diff.ParseTree(m.Tree)
		require.NoError(p.tb, err)
		p.tree, p.seq = t, m.Seq
		if m.Token != "" {
			p.newToken = m.Token
		}
	case m.Patch != nil:
		require.Equal(p.tb, p.seq+1, m.Seq, "sequence gap")
		t, err := p.tree.Apply(m.Patch)
		require.NoError(p.tb, err)
		p.tree, p.seq = t, m.Seq
	}
	return m
}

// act sends an action and returns its reply.
func (p *page) act(name string, data map[string]any) serverMsg {
	p.tb.Helper()
	p.ref++
	p.send(map[string]any{"t": "action", "ref": p.ref, "name": name, "data": data})
	for {
		m := p.read()
		if m.T == "reply" && m.Ref == p.ref {
			return m
		}
	}
}

func (p *page) html() string {
	p.mu.Lock()
	defer p.mu.Unlock()
	return p.tree.HTML()
}

// expectNothing checks that no message arrives for a short while.
func (p *page) expectNothing(d time.Duration) {
	p.tb.Helper()
	ctx, cancel := context.WithTimeout(context.Background(), d)
	defer cancel()
	_, data, err := p.ws.Read(ctx)
	require.Error(p.tb, err, "unexpected message %s", data)
}

// dialRaw opens a WebSocket to path without joining.
func (b *browser) dialRaw(path string) *page {
	b.tb.Helper()
	ctx, cancel := context.WithTimeout(context.Background(), 5*time.Second)
	defer cancel()
	u := "ws" + strings.TrimPrefix(b.srv.URL, "http") + path
	ws, _, err := websocket.Dial(ctx, u, &websocket.DialOptions{HTTPClient: b.hc, HTTPHeader: b.header()})
	require.NoError(b.tb, err)
	b.tb.Cleanup(func() { _ = ws.CloseNow() })
	return &page{tb: b.tb, ws: ws}
}

// readMsg reads one message without applying it.
func (p *page) readMsg() serverMsg {
	p.tb.Helper()
	ctx, cancel := context.WithTimeout(context.Background(), 5*time.Second)
	defer cancel()
	_, data, err := p.ws.Read(ctx)
	require.NoError(p.tb, err)
	var m serverMsg
	require.NoError(p.tb, json.Unmarshal(data, &m), string(data))
	return m
}

func jsonUnmarshal(data []byte, v any) error { return json.Unmarshal(data, v) }

// applyFirst applies a reply's patch to an empty client, as a page that
// holds no tree yet does, and returns the HTML.
func applyFirst(patch []byte) (string, error) {
	var empty *diff.Tree
	t, err := empty.Apply(patch)
	if err != nil {
		return "", err
	}
	return t.HTML(), nil
}

// parseTreeHTML reconstructs the HTML of a tree message's tree.
func parseTreeHTML(tree json.RawMessage) (string, error) {
	t, err := diff.ParseTree(tree)
	if err != nil {
		return "", err
	}
	return t.HTML(), nil
}

// sharedAuth is an anonymous authenticator whose cookies every handler of
// a test accepts (a key shared across a "restart").
func sharedAuth(tb testing.TB) *auth.Anonymous {
	tb.Helper()
	a, err := auth.NewAnonymous(&auth.AnonymousOptions{Key: []byte(strings.Repeat("k", 32))})
	require.NoError(tb, err)
	return a
}

// byHeader names users by their X-User header: user u is in group "g-"+u.
var byHeader = auth.AuthenticatorFunc(func(_ http.ResponseWriter, r *http.Request) (auth.Identity, error) {
	u := r.Header.Get("X-User")
	if u == "" {
		return auth.Identity{}, auth.ErrUnauthenticated
	}
	return auth.Identity{UserID: u, GroupID: "g-" + u}, nil
})

// cleaner is what on needs of a test (or of an example's stand-in).
type cleaner interface {
	Helper()
	Cleanup(func())
	Fatalf(format string, args ...any)
}

// on returns a new App with opts, shut down when the test ends.
func on(tb cleaner, opts ...livetemplate.Option) *livetemplate.App {
	tb.Helper()
	app, err := livetemplate.NewApp(opts...)
	if err != nil {
		tb.Fatalf("new app: %v", err)
	}
	tb.Cleanup(func() { _ = app.Close() })
	return app
}

// readRaw reads one message and returns its bytes, unapplied.
func (p *page) readRaw() []byte {
	p.tb.Helper()
	ctx, cancel := context.WithTimeout(context.Background(), 5*time.Second)
	defer cancel()
	_, data, err := p.ws.Read(ctx)
	require.NoError(p.tb, err)
	return data
}

// slogTo returns a logger that writes text lines to w.
func slogTo(w io.Writer) *slog.Logger { return slog.New(slog.NewTextHandler(w, nil)) }
