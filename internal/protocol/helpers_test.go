package protocol_test

import (
	"context"
	"encoding/json"
	"errors"
	"html/template"
	"io"
	"log/slog"
	"net/http"
	"net/http/httptest"
	"reflect"
	"regexp"
	"strings"
	"sync"
	"testing"
	"time"

	"github.com/coder/websocket"
	"github.com/stretchr/testify/require"

	"github.com/lvtgo/livetemplate/auth"
	"github.com/lvtgo/livetemplate/diff"
	"github.com/lvtgo/livetemplate/internal/fault"
	"github.com/lvtgo/livetemplate/internal/forwarded"
	"github.com/lvtgo/livetemplate/internal/page"
	"github.com/lvtgo/livetemplate/internal/protocol"
	"github.com/lvtgo/livetemplate/internal/runtime"
	"github.com/lvtgo/livetemplate/internal/schema"
	"github.com/lvtgo/livetemplate/session"
)

// counter is a store shared by a session group.
type counter struct{ N int }

// gate is a page's own store whose Mount may redirect.
type gate struct{ Open bool }

func hooks() runtime.Hooks {
	return runtime.Hooks{
		Change: func(s any, c *runtime.Call) error {
			switch s := s.(type) {
			case *counter:
				switch c.Action() {
				case "inc":
					s.N++
					return nil
				case "fail":
					return fault.New(fault.Failed, "Not now.")
				case "go":
					s.N++
					return c.Redirect("/other")
				}
			case *gate:
				if c.Action() == "open" {
					s.Open = true
					return nil
				}
			}
			return &fault.Error{Kind: fault.UnknownAction}
		},
		Mount: func(s any, c *runtime.Call) error {
			if g, ok := s.(*gate); ok && c.Request() != nil {
				if c.Request().URL.Query().Has("away") {
					c.Flash("info", "Please sign in.")
					return c.Redirect("/")
				}
				if c.Request().URL.Query().Has("refuse") {
					return fault.New(fault.Failed, "Members only.")
				}
				g.Open = c.Request().URL.Query().Has("open")
			}
			return nil
		},
		Connected:    func(any, *runtime.Call) error { return nil },
		Disconnected: func(any, *runtime.Call) error { return nil },
		Flash:        func(f []page.Flash) any { return f },
		Viewer:       func(id auth.Identity) any { return id.UserID },
	}
}

var (
	counterDecl = &schema.Decl{Name: "counter", Scope: schema.Group, Type: reflect.TypeOf(&counter{}), Proto: []byte(`{"N":0}`)}
	gateDecl    = &schema.Decl{Name: "gate", Scope: schema.Page, Type: reflect.TypeOf(&gate{}), Proto: []byte(`{"Open":false}`), Mounter: true}
)

const (
	homePage  = `<html><body><p>{{.counter.N}}</p>{{range .flash}}<em>{{.Message}}</em>{{end}}</body></html>`
	otherPage = `<html><body><h1>other {{.counter.N}} {{.gate.Open}}</h1></body></html>`
)

// identify names the client by its X-User header (its group: X-Group, or
// "g-" and the user): none is unauthenticated, "broken" fails, "nogroup"
// has no group, "brief" expires in 100 ms.
func identify(_ http.ResponseWriter, r *http.Request) (auth.Identity, error) {
	u := r.Header.Get("X-User")
	switch u {
	case "":
		return auth.Identity{}, auth.ErrUnauthenticated
	case "broken":
		return auth.Identity{}, errors.New("identity provider down")
	case "nogroup":
		return auth.Identity{UserID: u}, nil
	case "brief":
		return auth.Identity{UserID: u, GroupID: "g-brief", Expires: time.Now().Add(100 * time.Millisecond)}, nil
	}
	g := r.Header.Get("X-Group")
	if g == "" {
		g = "g-" + u
	}
	return auth.Identity{UserID: u, GroupID: g}, nil
}

// clientAddr is the client's address: its X-Addr header, or 127.0.0.1.
func clientAddr(r *http.Request) string {
	if a := r.Header.Get("X-Addr"); a != "" {
		return a
	}
	return "127.0.0.1"
}

// server is an app of two pages ("/" and "/other") served over a real
// HTTP server.
type server struct {
	rt    *runtime.Runtime
	srv   *protocol.Server
	url   string
	home  *runtime.View
	other *runtime.View
	logs  *logs
}

type serverOptions struct {
	limits         func(*runtime.Limits)
	frameAncestors []string
	proxies        []string // trusted proxies, in place of clientAddr
}

func newServer(tb testing.TB, o serverOptions) *server {
	tb.Helper()
	s := build(tb, o)
	hs := httptest.NewServer(http.HandlerFunc(s.serve))
	s.url = hs.URL
	tb.Cleanup(func() {
		ctx, cancel := context.WithTimeout(context.Background(), 10*time.Second)
		defer cancel()
		_ = s.srv.Shutdown(ctx) // the WebSockets first: hijacked, the server does not wait for them
		s.rt.Close()            // ends long polls
		hs.Close()
	})
	return s
}

// build makes the app without a network server (for httptest recorders).
func build(tb testing.TB, o serverOptions) *server {
	tb.Helper()
	mem := session.NewMemory(nil)
	tb.Cleanup(func() { _ = mem.Close() })
	lim := runtime.Limits{}.WithDefaults()
	if o.limits != nil {
		o.limits(&lim)
	}
	l := &logs{}
	rt := runtime.New(runtime.Options{Sessions: mem, Logger: slog.New(l), Limits: lim, IdleTimeout: time.Minute, Hooks: hooks()})
	tb.Cleanup(rt.Close)
	po := protocol.Options{Auth: auth.AuthenticatorFunc(identify), ClientAddr: clientAddr, FrameAncestors: o.frameAncestors}
	if o.proxies != nil {
		p, err := forwarded.Parse(o.proxies)
		require.NoError(tb, err)
		po.Proxies, po.ClientAddr = p, nil
	}
	srv, err := protocol.New(rt, po)
	require.NoError(tb, err)
	s := &server{rt: rt, srv: srv, logs: l}
	s.home = s.mount(tb, "home", homePage, counterDecl)
	s.other = s.mount(tb, "other", otherPage, counterDecl, gateDecl)
	return s
}

func (s *server) mount(tb testing.TB, name, text string, decls ...*schema.Decl) *runtime.View {
	tb.Helper()
	ct, err := diff.Compile(template.Must(template.New(name).Parse(text)))
	require.NoError(tb, err)
	slots := make([]runtime.Slot, len(decls))
	for i, d := range decls {
		slots[i] = runtime.Slot{Decl: d}
	}
	v, err := s.rt.Mount(name, ct, slots, runtime.Shape{Map: true}, nil)
	require.NoError(tb, err)
	return v
}

func (s *server) serve(w http.ResponseWriter, r *http.Request) {
	switch r.URL.Path {
	case "/":
		s.srv.Serve(w, r, s.home)
	case "/other":
		s.srv.Serve(w, r, s.other)
	default:
		http.NotFound(w, r)
	}
}

// response is an HTTP response with its body read.
type response struct {
	status int
	header http.Header
	body   string
}

// do sends a request to the server as user (X-User; none when empty).
func (s *server) do(tb testing.TB, method, path, user string, header http.Header, body string) response {
	tb.Helper()
	req, err := http.NewRequestWithContext(tb.Context(), method, s.url+path, strings.NewReader(body))
	require.NoError(tb, err)
	for k, v := range header {
		req.Header[k] = v
	}
	if user != "" {
		req.Header.Set("X-User", user)
	}
	if method == http.MethodPost && req.Header.Get("Content-Type") == "" {
		req.Header.Set("Content-Type", "application/json")
	}
	res, err := http.DefaultClient.Do(req)
	require.NoError(tb, err)
	defer res.Body.Close()
	b, err := io.ReadAll(res.Body)
	require.NoError(tb, err)
	return response{status: res.StatusCode, header: res.Header, body: string(b)}
}

var tokenAttr = regexp.MustCompile(`data-lvt-token="([^"]+)"`)

// load GETs path as user and returns the page's token.
func (s *server) load(tb testing.TB, path, user string) string {
	tb.Helper()
	res := s.do(tb, http.MethodGet, path, user, nil, "")
	require.Equal(tb, http.StatusOK, res.status, res.body)
	m := tokenAttr.FindStringSubmatch(res.body)
	require.NotNil(tb, m, "the page carries its token: %s", res.body)
	return m[1]
}

// msg is a server message as a client decodes it.
type msg struct {
	T        string          `json:"t"`
	Seq      uint64          `json:"seq"`
	Ref      int64           `json:"ref"`
	Token    string          `json:"token"`
	Tree     json.RawMessage `json:"tree"`
	Patch    json.RawMessage `json:"patch"`
	Redirect string          `json:"redirect"`
	Reason   string          `json:"reason"`
	Error    *struct {
		Code    string `json:"code"`
		Message string `json:"message"`
	} `json:"error"`
}

// tab is what a browser tab holds: the tree it was sent, patched.
type tab struct {
	tb   testing.TB
	tree *diff.Tree
	seq  uint64
}

func (c *tab) apply(b []byte) msg {
	c.tb.Helper()
	var m msg
	require.NoError(c.tb, json.Unmarshal(b, &m), "%s", b)
	var err error
	switch {
	case m.T == "tree":
		c.tree, err = diff.ParseTree(m.Tree)
	case m.Patch != nil && c.tree != nil:
		c.tree, err = c.tree.Apply(m.Patch)
	}
	require.NoError(c.tb, err)
	if m.Seq != 0 {
		c.seq = m.Seq
	}
	return m
}

func (c *tab) html() string {
	if c.tree == nil {
		return ""
	}
	return c.tree.HTML()
}

// ws is a WebSocket client of a page.
type ws struct {
	tab
	conn *websocket.Conn
}

// dial opens a WebSocket to path as user, with extra headers.
func (s *server) dial(tb testing.TB, path, user string, header http.Header) *ws {
	tb.Helper()
	h := http.Header{}
	for k, v := range header {
		h[k] = v
	}
	if user != "" {
		h.Set("X-User", user)
	}
	conn, res, err := websocket.Dial(tb.Context(), "ws"+strings.TrimPrefix(s.url, "http")+path, &websocket.DialOptions{HTTPHeader: h})
	if res != nil && res.Body != nil {
		res.Body.Close()
	}
	require.NoError(tb, err)
	tb.Cleanup(func() { _ = conn.CloseNow() })
	return &ws{tab: tab{tb: tb}, conn: conn}
}

// send sends one message (JSON).
func (w *ws) send(js string) {
	w.tb.Helper()
	ctx, cancel := context.WithTimeout(context.Background(), 10*time.Second)
	defer cancel()
	require.NoError(w.tb, w.conn.Write(ctx, websocket.MessageText, []byte(js)))
}

// read reads and applies the next message.
func (w *ws) read() msg {
	w.tb.Helper()
	b, err := w.next()
	require.NoError(w.tb, err)
	return w.apply(b)
}

func (w *ws) next() ([]byte, error) {
	ctx, cancel := context.WithTimeout(context.Background(), 10*time.Second)
	defer cancel()
	_, b, err := w.conn.Read(ctx)
	return b, err
}

// closed reads until the server closes the connection and returns the
// close status.
func (w *ws) closed() websocket.StatusCode {
	w.tb.Helper()
	for {
		_, err := w.next()
		if err != nil {
			return websocket.CloseStatus(err)
		}
	}
}

// post sends one message over HTTP as user.
func (s *server) post(tb testing.TB, path, user, body string) response {
	tb.Helper()
	return s.do(tb, http.MethodPost, path, user, nil, body)
}

// logs is a slog.Handler that keeps every record's level and message.
type logs struct {
	mu   sync.Mutex
	recs []string
}

func (l *logs) Enabled(context.Context, slog.Level) bool { return true }
func (l *logs) Handle(_ context.Context, r slog.Record) error {
	l.mu.Lock()
	defer l.mu.Unlock()
	l.recs = append(l.recs, r.Level.String()+" "+r.Message)
	return nil
}
func (l *logs) WithAttrs([]slog.Attr) slog.Handler { return l }
func (l *logs) WithGroup(string) slog.Handler      { return l }

func (l *logs) lines() []string {
	l.mu.Lock()
	defer l.mu.Unlock()
	return append([]string(nil), l.recs...)
}
