package page_test

import (
	"encoding/json"
	"errors"
	"fmt"
	"html/template"
	"sync"
	"sync/atomic"
	"testing"

	"github.com/stretchr/testify/require"

	"github.com/lvtgo/livetemplate/auth"
	"github.com/lvtgo/livetemplate/diff"
	"github.com/lvtgo/livetemplate/internal/page"
	"github.com/lvtgo/livetemplate/internal/state"
	"github.com/lvtgo/livetemplate/session"
)

// view is a page.View that renders <p>{{.}}</p> with a number the test
// sets, counting its renders.
type view struct {
	tmpl *diff.Template

	mu       sync.Mutex
	n        int
	fail     bool
	onRender func(*page.Page) // called at the start of each render

	renders atomic.Int64
}

func newView(tb testing.TB) *view {
	tb.Helper()
	t, err := compile(`<p>{{.}}</p>`)
	require.NoError(tb, err)
	return &view{tmpl: t}
}

func compile(text string) (*diff.Template, error) {
	return diff.Compile(template.Must(template.New("p").Parse(text)))
}

func (v *view) Render(p *page.Page) (*diff.Tree, error) {
	v.renders.Add(1)
	v.mu.Lock()
	n, fail, hook := v.n, v.fail, v.onRender
	v.mu.Unlock()
	if hook != nil {
		hook(p)
	}
	if fail {
		return nil, errors.New("render failed")
	}
	return v.tmpl.Render(n)
}

func (v *view) Patch(from, to *diff.Tree) *diff.Patch { return diff.Diff(from, to) }

// set changes what the view shows; the caller tells the page.
func (v *view) set(n int) {
	v.mu.Lock()
	v.n = n
	v.mu.Unlock()
}

func (v *view) setFail(fail bool) {
	v.mu.Lock()
	v.fail = fail
	v.mu.Unlock()
}

func (v *view) tree(tb testing.TB, n int) *diff.Tree {
	tb.Helper()
	t, err := v.tmpl.Render(n)
	require.NoError(tb, err)
	return t
}

// socket is a page.Socket that counts its wake-ups and records its close.
type socket struct {
	wakes atomic.Int64

	mu     sync.Mutex
	code   int
	reason string
}

func (s *socket) Wake() { s.wakes.Add(1) }

func (s *socket) Close(code int, reason string) error {
	s.mu.Lock()
	s.code, s.reason = code, reason
	s.mu.Unlock()
	return nil
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

func decode(tb testing.TB, b []byte) msg {
	tb.Helper()
	require.NotNil(tb, b, "a message")
	var m msg
	require.NoError(tb, json.Unmarshal(b, &m), "%s", b)
	return m
}

// client holds what a browser holds: the tree it was sent, patched.
type client struct {
	tb   testing.TB
	tree *diff.Tree
	seq  uint64
}

// apply applies a tree, patch or reply message and returns it decoded.
func (c *client) apply(b []byte) msg {
	c.tb.Helper()
	m := decode(c.tb, b)
	var err error
	switch {
	case m.T == "tree":
		c.tree, err = diff.ParseTree(m.Tree)
	case m.Patch != nil:
		require.NotNil(c.tb, c.tree, "a patch before any tree")
		c.tree, err = c.tree.Apply(m.Patch)
	}
	require.NoError(c.tb, err)
	if m.Seq != 0 {
		c.seq = m.Seq
	}
	return m
}

func (c *client) html() string {
	if c.tree == nil {
		return ""
	}
	return c.tree.HTML()
}

var (
	ada = auth.Identity{UserID: "ada", GroupID: "g1"}
	bob = auth.Identity{UserID: "bob", GroupID: "g1"}
	cy  = auth.Identity{UserID: "cy", GroupID: "g2"}
)

// states acquires the group states of groups from a fresh state table.
func states(tb testing.TB, groups ...string) map[string]*state.State {
	tb.Helper()
	mem := session.NewMemory(nil)
	tb.Cleanup(func() { _ = mem.Close() })
	tab := state.NewTable(state.Options{Sessions: mem})
	out := map[string]*state.State{}
	for _, g := range groups {
		s, err := tab.Acquire(tb.Context(), state.GroupKey(g), nil, auth.Identity{GroupID: g}, nil)
		require.NoError(tb, err)
		out[g] = s
	}
	return out
}

var unbounded = page.Options{MaxWaiting: -1, MaxPerGroup: -1, MaxPerAddress: -1, MaxUnjoined: -1, FirstRenders: 1 << 20}

var tokens atomic.Int64

// newPage returns a page of v for id at addr showing its group's state.
func newPage(v page.View, id auth.Identity, addr string) *page.Page {
	tok := fmt.Sprintf("token-%d", tokens.Add(1))
	return page.New(tok, id, addr, v, []state.Key{state.GroupKey(id.GroupID)}, nil)
}

// live returns a page of a new view made live on a socket, and its first
// message applied by a client.
func live(tb testing.TB, o page.Options) (*page.Table, *page.Page, *socket, *view, *client) {
	tb.Helper()
	tab := page.NewTable(o)
	v := newView(tb)
	p := newPage(v, ada, "10.0.0.1")
	tab.AddLive(p)
	sock := &socket{}
	require.NoError(tb, tab.Attach(p, page.Attachment{Socket: sock}))
	c := &client{tb: tb}
	m := c.apply(p.Next(sock))
	require.Equal(tb, "tree", m.T)
	return tab, p, sock, v, c
}
