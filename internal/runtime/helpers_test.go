package runtime_test

import (
	"context"
	"encoding/json"
	"errors"
	"fmt"
	"html/template"
	"log/slog"
	"net/http"
	"net/http/httptest"
	"reflect"
	"strconv"
	"strings"
	"sync"
	"sync/atomic"
	"testing"
	"time"

	"github.com/stretchr/testify/require"

	"github.com/lvtgo/livetemplate/auth"
	"github.com/lvtgo/livetemplate/broadcast"
	"github.com/lvtgo/livetemplate/diff"
	"github.com/lvtgo/livetemplate/internal/fault"
	"github.com/lvtgo/livetemplate/internal/form"
	"github.com/lvtgo/livetemplate/internal/page"
	"github.com/lvtgo/livetemplate/internal/relay"
	"github.com/lvtgo/livetemplate/internal/runtime"
	"github.com/lvtgo/livetemplate/internal/schema"
	"github.com/lvtgo/livetemplate/session"
)

// The stores of the tests, and their user code: what the facade's Store,
// Mounter and Watcher methods would be.

// counter is shared by a session group.
type counter struct{ N int }

func (c *counter) change(call *runtime.Call) error {
	switch call.Action() {
	case "inc":
		by := 1
		if _, ok := call.Data()["by"]; ok {
			n, err := form.Int(call.Data(), "by")
			if err != nil {
				return &fault.Error{Kind: fault.Invalid, Fields: map[string]string{"by": err.Error()}}
			}
			by = n
		}
		c.N += by
	case "fail":
		c.N += 100
		return fault.New(fault.Failed, "Not now.")
	case "boom":
		c.N += 100
		return errors.New("database on fire")
	case "flash":
		c.N++
		call.Flash("info", "Saved.")
	case "go":
		c.N++
		var target string
		_ = json.Unmarshal(call.Data()["to"], &target)
		if err := call.Redirect(target); err != nil {
			return fault.New(fault.Failed, err.Error())
		}
		call.Flash("info", "Moved.")
	case "note":
		// An action of a shared store that also changes the page's own.
		c.N++
		if n, ok := call.Store("note").(*note); ok {
			n.Text = "noted"
		}
	default:
		return &fault.Error{Kind: fault.UnknownAction}
	}
	return nil
}

func (c *counter) mount(call *runtime.Call) error {
	if r := call.Request(); r != nil {
		if n, err := strconv.Atoi(r.URL.Query().Get("start")); err == nil {
			c.N = n
		}
	}
	return nil
}

// note is a page's own store.
type note struct{ Text string }

func (n *note) change(call *runtime.Call) error {
	switch call.Action() {
	case "set":
		s, _ := form.Text(call.Data()["text"])
		n.Text = s
	case "fail":
		n.Text = "lost"
		return fault.New(fault.Failed, "No.")
	default:
		return &fault.Error{Kind: fault.UnknownAction}
	}
	return nil
}

func (n *note) mount(call *runtime.Call) error {
	if r := call.Request(); r != nil && r.URL.Query().Has("away") {
		call.Flash("info", "Please sign in.")
		return call.Redirect("/away")
	}
	n.Text = "hello"
	return nil
}

// presence counts a group's connected pages.
type presence struct{ Online int }

func (p *presence) change(*runtime.Call) error { return &fault.Error{Kind: fault.UnknownAction} }

// hooks are the facade's Hooks for the test stores.
func hooks() runtime.Hooks {
	type changer interface{ change(*runtime.Call) error }
	type mounter interface{ mount(*runtime.Call) error }
	return runtime.Hooks{
		Change: func(s any, c *runtime.Call) error { return s.(changer).change(c) },
		Mount: func(s any, c *runtime.Call) error {
			if m, ok := s.(mounter); ok {
				return m.mount(c)
			}
			return nil
		},
		Connected: func(s any, c *runtime.Call) error {
			switch s := s.(type) {
			case *presence:
				s.Online++
			case *note:
				s.Text = "connected"
			}
			return nil
		},
		Disconnected: func(s any, c *runtime.Call) error {
			if p, ok := s.(*presence); ok {
				p.Online--
			}
			return nil
		},
		Flash:  func(f []page.Flash) any { return f },
		Viewer: func(id auth.Identity) any { return id.UserID },
	}
}

func decl(name string, scope schema.Scope, v any, proto string) *schema.Decl {
	return &schema.Decl{Name: name, Scope: scope, Type: reflect.TypeOf(v), Proto: []byte(proto)}
}

var (
	counterDecl  = decl("counter", schema.Group, &counter{}, `{"N":0}`)
	noteDecl     = decl("note", schema.Page, &note{}, `{"Text":""}`)
	presenceDecl = func() *schema.Decl {
		d := decl("presence", schema.Group, &presence{}, `{"Online":0}`)
		d.Watcher = true
		return d
	}()
)

var relayAll = relay.Target{All: true}

var (
	ada = auth.Identity{UserID: "ada", GroupID: "g1"}
	bob = auth.Identity{UserID: "bob", GroupID: "g1"}
	cy  = auth.Identity{UserID: "cy", GroupID: "g2"}
)

// logs is a slog.Handler that keeps every record's level, message and
// attributes.
type logs struct {
	mu   sync.Mutex
	recs []string
}

func (l *logs) Enabled(context.Context, slog.Level) bool { return true }
func (l *logs) Handle(_ context.Context, r slog.Record) error {
	var b strings.Builder
	b.WriteString(r.Level.String() + " " + r.Message)
	r.Attrs(func(a slog.Attr) bool {
		if a.Key == "action" || a.Key == "view" || a.Key == "store" {
			fmt.Fprintf(&b, " %s=%v", a.Key, a.Value)
		}
		return true
	})
	l.mu.Lock()
	defer l.mu.Unlock()
	l.recs = append(l.recs, b.String())
	return nil
}
func (l *logs) WithAttrs([]slog.Attr) slog.Handler { return l }
func (l *logs) WithGroup(string) slog.Handler      { return l }
func (l *logs) lines() []string {
	l.mu.Lock()
	defer l.mu.Unlock()
	return append([]string(nil), l.recs...)
}

// app is a Runtime with its session store and log, made for a test.
type app struct {
	*runtime.Runtime
	mem  *session.Memory
	logs *logs
}

type appOptions struct {
	mem   *session.Memory
	store session.Store // over mem, when set
	bus   broadcast.Bus
	hosts []string
	lim   *runtime.Limits
}

func newApp(tb testing.TB, o appOptions) *app {
	tb.Helper()
	if o.mem == nil {
		o.mem = session.NewMemory(nil)
		tb.Cleanup(func() { _ = o.mem.Close() })
	}
	if o.store == nil {
		o.store = o.mem
	}
	lim := runtime.Limits{}.WithDefaults()
	if o.lim != nil {
		lim = *o.lim
	}
	l := &logs{}
	rt := runtime.New(runtime.Options{
		Sessions:      o.store,
		Bus:           o.bus,
		Logger:        slog.New(l),
		Limits:        lim,
		IdleTimeout:   time.Minute,
		RedirectHosts: o.hosts,
		Hooks:         hooks(),
	})
	tb.Cleanup(rt.Close)
	return &app{Runtime: rt, mem: o.mem, logs: l}
}

// mount adds a view with template text, showing slots; funcs are its
// template functions.
func (a *app) mount(tb testing.TB, name, text string, shape runtime.Shape, funcs template.FuncMap, decls ...*schema.Decl) *runtime.View {
	tb.Helper()
	t := template.New(name)
	if funcs != nil {
		t = t.Funcs(funcs)
	}
	ct, err := diff.Compile(template.Must(t.Parse(text)))
	require.NoError(tb, err)
	slots := make([]runtime.Slot, len(decls))
	for i, d := range decls {
		slots[i] = runtime.Slot{Decl: d}
	}
	v, err := a.Mount(name, ct, slots, shape, nil)
	require.NoError(tb, err)
	return v
}

func request(target string) *http.Request { return httptest.NewRequest(http.MethodGet, target, nil) }

// load loads a page of v for id, as a GET of target does.
func (a *app) load(tb testing.TB, v *runtime.View, id auth.Identity, target string) (*page.Page, string) {
	tb.Helper()
	out, err := a.Load(context.Background(), runtime.Loading{View: v, ID: id, Addr: "10.0.0.1", Request: request(target)})
	require.NoError(tb, err)
	require.Empty(tb, out.Redirect)
	return out.Page, out.HTML
}

// tab is a live page as its client sees it: the socket that serves it and
// the tree it holds.
type tab struct {
	tb   testing.TB
	a    *app
	p    *page.Page
	sock *socket
	tree *diff.Tree
	seq  uint64 // of the last message applied
	ref  int64
}

// open loads a page of v for id and connects it.
func (a *app) open(tb testing.TB, v *runtime.View, id auth.Identity) *tab {
	tb.Helper()
	p, _ := a.load(tb, v, id, "/")
	return a.connect(tb, p)
}

// connect makes page p live on a new socket and reads its first tree.
func (a *app) connect(tb testing.TB, p *page.Page) *tab {
	tb.Helper()
	return a.connectTo(tb, p, "/")
}

// connectTo is connect with an upgrade request that is a GET of target.
func (a *app) connectTo(tb testing.TB, p *page.Page, target string) *tab {
	tb.Helper()
	sock := newSocket()
	_, err := a.Attach(context.Background(), p, sock, request(target), 0, 0)
	require.NoError(tb, err)
	tb.Cleanup(func() { a.Detach(p, sock) })
	t := &tab{tb: tb, a: a, p: p, sock: sock}
	m := t.read()
	require.Equal(tb, "tree", m.T)
	return t
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
	Error    *struct {
		Code    string `json:"code"`
		Message string `json:"message"`
	} `json:"error"`
}

// read applies the page's next message, which must exist.
func (t *tab) read() msg {
	t.tb.Helper()
	b := t.p.Next(t.sock)
	require.NotNil(t.tb, b, "a message for the page")
	var m msg
	require.NoError(t.tb, json.Unmarshal(b, &m), "%s", b)
	t.apply(m)
	return m
}

func (t *tab) apply(m msg) {
	t.tb.Helper()
	var err error
	switch {
	case m.T == "tree":
		t.tree, err = diff.ParseTree(m.Tree)
	case m.Patch != nil:
		t.tree, err = t.tree.Apply(m.Patch)
	}
	require.NoError(t.tb, err)
	if m.Seq != 0 {
		t.seq = m.Seq
	}
}

// drain applies every message the page has, and returns its HTML.
func (t *tab) drain() string {
	t.tb.Helper()
	for {
		b := t.p.Next(t.sock)
		if b == nil {
			return t.html()
		}
		var m msg
		require.NoError(t.tb, json.Unmarshal(b, &m))
		t.apply(m)
	}
}

// idle reports that the page has nothing to send.
func (t *tab) idle() bool { return t.p.Next(t.sock) == nil }

func (t *tab) html() string {
	if t.tree == nil {
		return ""
	}
	return t.tree.HTML()
}

// act sends action name with data (JSON) the way a WebSocket does: a place
// for the reply first, then the action, then the reply, which it reads.
func (t *tab) act(name, data string) (msg, error) {
	t.tb.Helper()
	t.ref++
	var d map[string]json.RawMessage
	if data != "" {
		require.NoError(t.tb, json.Unmarshal([]byte(data), &d))
	}
	require.True(t.tb, t.p.Reserve(context.Background(), t.sock, t.ref))
	redirect, err := t.a.Act(context.Background(), t.p, name, d, request("/"), nil)
	if err != nil {
		t.p.Settle(t.sock, t.ref, fault.Reply(nil, t.ref, fault.As(err)), "", nil)
	} else {
		t.p.Settle(t.sock, t.ref, nil, redirect, nil)
	}
	m := t.read()
	require.Equal(t.tb, "reply", m.T)
	require.Equal(t.tb, t.ref, m.Ref)
	return m, err
}

// socket is a page.Socket that counts wake-ups, signals them on woke, and
// records its close.
type socket struct {
	wakes atomic.Int64
	woke  chan struct{}

	mu     sync.Mutex
	closed int
}

func newSocket() *socket { return &socket{woke: make(chan struct{}, 1)} }

func (s *socket) Wake() {
	s.wakes.Add(1)
	select {
	case s.woke <- struct{}{}:
	default:
	}
}

func (s *socket) Close(code int, _ string) error {
	s.mu.Lock()
	s.closed = code
	s.mu.Unlock()
	return nil
}

func (s *socket) closedWith() int {
	s.mu.Lock()
	defer s.mu.Unlock()
	return s.closed
}

// storedJSON returns what the session store holds for state name.
func storedJSON(tb testing.TB, st session.Store, name string) string {
	tb.Helper()
	js, _, err := st.Get(context.Background(), name)
	if errors.Is(err, session.ErrNotFound) {
		return ""
	}
	require.NoError(tb, err)
	return string(js)
}

// storedStores returns the stores of the state stored under name, as JSON,
// without the runtime's watches; and how many pages those watches count.
func storedStores(tb testing.TB, st session.Store, name string) (string, int) {
	tb.Helper()
	var m map[string]json.RawMessage
	require.NoError(tb, json.Unmarshal([]byte(storedJSON(tb, st, name)), &m))
	var watches map[string]json.RawMessage
	if w, ok := m["lvt.watch"]; ok {
		require.NoError(tb, json.Unmarshal(w, &watches))
	}
	delete(m, "lvt.watch")
	js, err := json.Marshal(m)
	require.NoError(tb, err)
	return string(js), len(watches)
}
