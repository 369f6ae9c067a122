package runtime_test

import (
	"context"
	"encoding/json"
	"errors"
	"fmt"
	"html/template"
	"net/http/httptest"
	"reflect"
	"sync/atomic"
	"testing"
	"testing/synctest"
	"time"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"

	"github.com/lvtgo/livetemplate/auth"
	"github.com/lvtgo/livetemplate/diff"
	"github.com/lvtgo/livetemplate/internal/fault"
	"github.com/lvtgo/livetemplate/internal/page"
	"github.com/lvtgo/livetemplate/internal/runtime"
	"github.com/lvtgo/livetemplate/internal/schema"
	"github.com/lvtgo/livetemplate/session"
)

const (
	counterPage = `<p>{{.N}}</p>`
	notesPage   = `<main>{{.counter.N}}|{{.note.Text}}|{{range .flash}}{{.Kind}}:{{.Message}};{{end}}</main>`
)

func TestLoadRendersAndKeepsThePageWaiting(t *testing.T) {
	t.Parallel()
	a := newApp(t, appOptions{})
	mounted := *counterDecl
	mounted.Mounter = true
	v := a.mount(t, "counter", counterPage, runtime.Shape{}, nil, &mounted)

	p, html := a.load(t, v, ada, "/?start=7")
	assert.Equal(t, "<p>7</p>", html, "Mount set the fresh state up from the request")
	assert.Equal(t, ada, p.ID)
	assert.Equal(t, "10.0.0.1", p.Addr)
	assert.False(t, p.Live())
	assert.Equal(t, 1, a.Pages().Waiting())
	assert.Same(t, p, a.Lookup(p.Token, ada))
	assert.Nil(t, a.Lookup(p.Token, cy), "tokens are bound to the group")
	assert.Empty(t, storedJSON(t, a.mem, "g:g1"), "a page load stores nothing")

	// Nothing was stored: the page's connection (to the same URL) starts
	// the state afresh again.
	tb := a.connectTo(t, p, "/?start=7")
	assert.Equal(t, "<p>7</p>", tb.html())
	assert.True(t, p.Live())
	assert.Zero(t, a.Pages().Waiting())
}

func TestOpenMakesAPageForAnUnknownToken(t *testing.T) {
	t.Parallel()
	a := newApp(t, appOptions{})
	v := a.mount(t, "counter", counterPage, runtime.Shape{}, nil, counterDecl)

	p, err := a.Open(t.Context(), v, ada, "10.0.0.1", request("/"))
	require.NoError(t, err)
	sock := newSocket()
	stored, err := a.Attach(t.Context(), p, sock, request("/"), 0, 0)
	require.NoError(t, err)
	t.Cleanup(func() { a.Detach(p, sock) })
	assert.False(t, stored, "nothing stored for its group yet")
	tb := &tab{tb: t, a: a, p: p, sock: sock}
	m := tb.read()
	assert.Equal(t, "tree", m.T)
	assert.Equal(t, p.Token, m.Token, "the client learns its page's token")

	_, err = tb.act("inc", "")
	require.NoError(t, err)
	a.Detach(p, sock)
	assert.False(t, p.Live())
	assert.Equal(t, 1, a.Pages().Waiting(), "it waits to resume")

	sock2 := newSocket()
	stored, err = a.Attach(t.Context(), p, sock2, request("/"), tb.seq, 0)
	require.NoError(t, err)
	t.Cleanup(func() { a.Detach(p, sock2) })
	assert.True(t, stored)
}

func TestActOnASharedStore(t *testing.T) {
	t.Parallel()
	a := newApp(t, appOptions{})
	v := a.mount(t, "counter", counterPage, runtime.Shape{}, nil, counterDecl)
	adas, bobs, cys := a.open(t, v, ada), a.open(t, v, bob), a.open(t, v, cy)

	m, err := adas.act("inc", `{"by":"5"}`)
	require.NoError(t, err)
	assert.Empty(t, m.Redirect)
	assert.Equal(t, "<p>5</p>", adas.html(), "the reply carries the patch")
	assert.Equal(t, "<p>5</p>", bobs.drain(), "the group's other tab sees it")
	assert.True(t, cys.idle(), "another group sees nothing")
	assert.JSONEq(t, `{"counter":{"N":5}}`, storedJSON(t, a.mem, "g:g1"))
	assert.Empty(t, storedJSON(t, a.mem, "g:g2"))
}

func TestAFailedActionChangesNothing(t *testing.T) {
	t.Parallel()
	tests := []struct {
		name    string
		action  string
		data    string
		kind    fault.Kind
		message string
	}{
		{name: "the user's refusal", action: "fail", kind: fault.Failed, message: "Not now."},
		{name: "a field error", action: "inc", data: `{"by":"lots"}`, kind: fault.Invalid},
		{name: "an internal error", action: "boom", kind: fault.Internal, message: fault.Internal.Message()},
	}
	for _, tc := range tests {
		t.Run(tc.name, func(t *testing.T) {
			t.Parallel()
			a := newApp(t, appOptions{})
			v := a.mount(t, "counter", counterPage, runtime.Shape{}, nil, counterDecl)
			adas, bobs := a.open(t, v, ada), a.open(t, v, bob)
			_, err := adas.act("inc", "")
			require.NoError(t, err)
			bobs.drain()
			before := storedJSON(t, a.mem, "g:g1")

			m, err := adas.act(tc.action, tc.data)
			require.Error(t, err)
			fe := fault.As(err)
			assert.Equal(t, tc.kind, fe.Kind)
			if tc.message != "" {
				assert.Equal(t, tc.message, fe.UserMessage())
			}
			require.NotNil(t, m.Error)
			assert.Equal(t, tc.kind.Code(), m.Error.Code)
			assert.Equal(t, before, storedJSON(t, a.mem, "g:g1"), "nothing stored")
			assert.Equal(t, "<p>1</p>", adas.html())
			assert.True(t, bobs.idle(), "nothing published")
		})
	}
}

// A change is rendered before it is stored: a state the page cannot show
// is refused, and the render failure is logged once.
func TestAStateThePageCannotShowIsNotStored(t *testing.T) {
	t.Parallel()
	a := newApp(t, appOptions{})
	funcs := template.FuncMap{"check": func(n int) (string, error) {
		if n == 2 {
			return "", errors.New("two is not allowed")
		}
		return "", nil
	}}
	v := a.mount(t, "counter", `<p>{{check .N}}{{.N}}</p>`, runtime.Shape{}, funcs, counterDecl)
	adas := a.open(t, v, ada)
	_, err := adas.act("inc", "")
	require.NoError(t, err)

	for range 2 {
		_, err = adas.act("inc", "")
		require.Error(t, err)
		assert.Contains(t, err.Error(), "two is not allowed")
		assert.Equal(t, fault.Internal, fault.As(err).Kind, "the user is told something went wrong, not why")
	}
	assert.JSONEq(t, `{"counter":{"N":1}}`, storedJSON(t, a.mem, "g:g1"))
	assert.Equal(t, "<p>1</p>", adas.html())
	assert.Equal(t, []string{"ERROR render failed view=counter"}, a.logs.lines(), "once")

	_, err = adas.act("inc", `{"by":2}`)
	require.NoError(t, err, "a state it can show")
	assert.Equal(t, "<p>3</p>", adas.html())
}

func TestUnknownActionsAreLoggedOncePerName(t *testing.T) {
	t.Parallel()
	a := newApp(t, appOptions{})
	one := a.mount(t, "counter", counterPage, runtime.Shape{}, nil, counterDecl)
	two := a.mount(t, "notes", notesPage, runtime.Shape{Map: true}, nil, counterDecl, noteDecl)
	ones, twos := a.open(t, one, ada), a.open(t, two, ada)

	tests := []struct {
		name    string
		tab     *tab
		action  string
		message string
	}{
		{name: "the store does not handle it", tab: ones, action: "jump", message: `Unknown action "jump".`},
		{name: "the same again", tab: ones, action: "jump", message: `Unknown action "jump".`},
		{name: "prefixed", tab: ones, action: "counter.jump", message: `Unknown action "counter.jump".`},
		{name: "no store of that name", tab: twos, action: "cart.add", message: `Unknown action "cart.add".`},
		{name: "no prefix on a page of two stores", tab: twos, action: "inc", message: `Unknown action "inc".`},
		{name: "a store with nothing after the dot", tab: twos, action: "note.", message: `Unknown action "note.".`},
	}
	for _, tc := range tests {
		_, err := tc.tab.act(tc.action, "")
		fe := fault.As(err)
		assert.Equal(t, fault.UnknownAction, fe.Kind, tc.name)
		assert.Equal(t, tc.message, fe.UserMessage(), tc.name)
	}
	assert.Equal(t, []string{
		"WARN unknown action: no store of the page handles it view=counter action=jump",
		"WARN unknown action: no store of the page handles it view=counter action=counter.jump",
		"WARN unknown action: no store of the page handles it view=notes action=cart.add",
		"WARN unknown action: no store of the page handles it view=notes action=inc",
		"WARN unknown action: no store of the page handles it view=notes action=note.",
	}, a.logs.lines())
}

func TestActOnAPageStore(t *testing.T) {
	t.Parallel()
	a := newApp(t, appOptions{})
	mountedNote := *noteDecl
	mountedNote.Mounter = true
	v := a.mount(t, "notes", notesPage, runtime.Shape{Map: true}, nil, counterDecl, &mountedNote)
	adas, bobs := a.open(t, v, ada), a.open(t, v, bob)
	assert.Equal(t, "<main>0|hello|</main>", adas.html(), "mounted for the page")

	_, err := adas.act("note.set", `{"text":"mine"}`)
	require.NoError(t, err)
	assert.Equal(t, "<main>0|mine|</main>", adas.html())
	assert.True(t, bobs.idle(), "a page's own store is its own")
	assert.Empty(t, storedJSON(t, a.mem, "g:g1"), "and is not stored")

	_, err = adas.act("note.fail", "")
	assert.Equal(t, fault.Failed, fault.As(err).Kind)
	assert.Equal(t, "<main>0|mine|</main>", adas.html(), "rolled back")

	// A shared store's action may change the page's own store too.
	_, err = adas.act("counter.note", "")
	require.NoError(t, err)
	assert.Equal(t, "<main>1|noted|</main>", adas.html())
	assert.Equal(t, "<main>1|hello|</main>", bobs.drain())
}

func TestFlashAndDismiss(t *testing.T) {
	t.Parallel()
	a := newApp(t, appOptions{})
	v := a.mount(t, "notes", notesPage, runtime.Shape{Map: true}, nil, counterDecl, noteDecl)
	adas, bobs := a.open(t, v, ada), a.open(t, v, bob)

	_, err := adas.act("counter.flash", "")
	require.NoError(t, err)
	assert.Equal(t, "<main>1||info:Saved.;</main>", adas.html())
	assert.Equal(t, "<main>1||</main>", bobs.drain(), "a flash is the acting page's")

	tests := []struct {
		name string
		data string
		want string
	}{
		{name: "another kind", data: `{"kind":"error"}`, want: "<main>1||info:Saved.;</main>"},
		{name: "its kind", data: `{"kind":"info"}`, want: "<main>1||</main>"},
		{name: "none left", data: ``, want: "<main>1||</main>"},
	}
	for _, tc := range tests {
		t.Run(tc.name, func(t *testing.T) {
			_, err := adas.act(runtime.Dismiss, tc.data)
			require.NoError(t, err)
			assert.Equal(t, tc.want, adas.html())
		})
	}
	assert.Equal(t, "lvt.dismiss", runtime.Dismiss)
}

func TestRedirectSetsTheFlashAsideForTheNextPage(t *testing.T) {
	t.Parallel()
	a := newApp(t, appOptions{})
	from := a.mount(t, "from", notesPage, runtime.Shape{Map: true}, nil, counterDecl, noteDecl)
	to := a.mount(t, "to", `<h1>{{range .flash}}{{.Message}}{{end}}</h1>`, runtime.Shape{Map: true}, nil, noteDecl)
	adas := a.open(t, from, ada)

	m, err := adas.act("counter.go", `{"to":"/to?x=1"}`)
	require.NoError(t, err)
	assert.Equal(t, "/to?x=1", m.Redirect, "the reply tells the client where to go")
	assert.Equal(t, "<main>1||</main>", adas.html(), "the flash is not shown on the page it leaves")

	next := runtime.Loading{View: to, ID: ada, Addr: "10.0.0.1", Request: request("/to?x=1"), From: adas.p.Token}
	out, err := a.Load(t.Context(), next)
	require.NoError(t, err)
	assert.Equal(t, "<h1>Moved.</h1>", out.HTML, "the next page shows it")
	out, err = a.Load(t.Context(), next)
	require.NoError(t, err)
	assert.Equal(t, "<h1></h1>", out.HTML, "once")
	next.ID = cy
	out, err = a.Load(t.Context(), next)
	require.NoError(t, err)
	assert.Equal(t, "<h1></h1>", out.HTML, "never to another group")
}

func TestRedirectTargets(t *testing.T) {
	t.Parallel()
	a := newApp(t, appOptions{hosts: []string{"docs.example.com"}})
	v := a.mount(t, "counter", counterPage, runtime.Shape{}, nil, counterDecl)
	adas := a.open(t, v, ada)
	tests := []struct {
		name   string
		target string
		want   string // "" when refused
	}{
		{name: "a path", target: "/orders/7?tab=items#top", want: "/orders/7?tab=items#top"},
		{name: "an allowed host", target: "https://docs.example.com/guide", want: "https://docs.example.com/guide"},
		{name: "an allowed host with a port", target: "http://DOCS.example.com:8080/x", want: "http://DOCS.example.com:8080/x"},
		{name: "another host", target: "https://evil.example/", want: ""},
		{name: "scheme-relative", target: "//evil.example/", want: ""},
		{name: "an escaped slash", target: "/%2F/evil.example", want: ""},
		{name: "a relative path", target: "orders", want: ""},
		{name: "javascript", target: "javascript:alert(1)", want: ""},
		{name: "credentials", target: "https://user@docs.example.com/", want: ""},
		{name: "a backslash", target: `/\evil.example`, want: ""},
		{name: "a control character", target: "/a\nb", want: ""},
		{name: "empty", target: "", want: ""},
	}
	for _, tc := range tests {
		t.Run(tc.name, func(t *testing.T) {
			js, _ := json.Marshal(tc.target)
			m, err := adas.act("go", `{"to":`+string(js)+`}`)
			if tc.want == "" {
				require.Error(t, err)
				assert.Contains(t, err.Error(), "livetemplate: redirect")
				return
			}
			require.NoError(t, err)
			assert.Equal(t, tc.want, m.Redirect)
		})
	}
}

func TestRedirectOutsideAPage(t *testing.T) {
	t.Parallel()
	c := runtime.NewCall(t.Context(), "inc", ada, nil, nil, func(string) any { return nil })
	require.NoError(t, c.Redirect("/next"))
	assert.Equal(t, "/next", c.Redirected())
	c.Flash("info", "a")
	c.Flash("info", "b")
	c.Flash("error", "c")
	assert.Equal(t, []page.Flash{{Kind: "info", Message: "b"}, {Kind: "error", Message: "c"}}, c.Flashes(), "one per kind")
	assert.Equal(t, "inc", c.Action())
	assert.Equal(t, ada, c.Identity())
	assert.Nil(t, c.Store("note"))
}

func TestAMountThatRedirects(t *testing.T) {
	t.Parallel()
	a := newApp(t, appOptions{})
	mountedNote := *noteDecl
	mountedNote.Mounter = true
	v := a.mount(t, "notes", notesPage, runtime.Shape{Map: true}, nil, counterDecl, &mountedNote)
	out, err := a.Load(t.Context(), runtime.Loading{View: v, ID: ada, Addr: "10.0.0.1", Request: request("/?away")})
	require.NoError(t, err)
	assert.Equal(t, "/away", out.Redirect)
	assert.Nil(t, out.Page)
	assert.Empty(t, out.HTML)
	assert.Zero(t, a.Pages().Len(), "no page is kept")
	require.NotEmpty(t, out.Parked, "the Mount's flash waits for the next page load")

	to := a.mount(t, "away", `<h1>{{range .flash}}{{.Message}}{{end}}</h1>`, runtime.Shape{Map: true}, nil, counterDecl)
	for _, tc := range []struct {
		name string
		id   auth.Identity
		want string
	}{
		{name: "another group", id: cy, want: "<h1></h1>"},
		{name: "the next load", id: ada, want: "<h1>Please sign in.</h1>"},
		{name: "once", id: ada, want: "<h1></h1>"},
	} {
		next, err := a.Load(t.Context(), runtime.Loading{View: to, ID: tc.id, Addr: "10.0.0.1", Request: request("/away"), Flash: out.Parked})
		require.NoError(t, err, tc.name)
		assert.Equal(t, tc.want, next.HTML, tc.name)
	}

	// A Mount that redirects a live navigation leaves its flash with the
	// page the client leaves.
	from := a.open(t, v, ada)
	nav, err := a.Load(t.Context(), runtime.Loading{View: v, ID: ada, Addr: "10.0.0.1", Request: request("/?away"), From: from.p.Token})
	require.NoError(t, err)
	assert.Equal(t, "/away", nav.Redirect)
	assert.Empty(t, nav.Parked)
	next, err := a.Load(t.Context(), runtime.Loading{View: to, ID: ada, Addr: "10.0.0.1", Request: request("/away"), From: from.p.Token})
	require.NoError(t, err)
	assert.Equal(t, "<h1>Please sign in.</h1>", next.HTML)
}

// An HTTP page the client navigates away from stops counting as live at
// once.
func TestLoadingFromAnHTTPPageDetachesIt(t *testing.T) {
	t.Parallel()
	a := newApp(t, appOptions{})
	v := a.mount(t, "counter", counterPage, runtime.Shape{}, nil, counterDecl)
	polling, _ := a.load(t, v, ada, "/")
	_, err := a.Attach(t.Context(), polling, nil, request("/"), 0, 0)
	require.NoError(t, err)
	_, err = a.Load(t.Context(), runtime.Loading{View: v, ID: ada, Addr: "10.0.0.1", Request: request("/"), From: polling.Token})
	require.NoError(t, err)
	assert.False(t, polling.Live())
	assert.Same(t, polling, a.Lookup(polling.Token, ada), "kept, to come back to")
}

func TestTwoViewsShareAStore(t *testing.T) {
	t.Parallel()
	a := newApp(t, appOptions{})
	one := a.mount(t, "one", counterPage, runtime.Shape{}, nil, counterDecl)
	other := *counterDecl // the same store, declared by another page
	two := a.mount(t, "two", `<b>{{.counter.N}}</b>`, runtime.Shape{Map: true}, nil, &other)
	ones := a.open(t, one, ada)
	_, err := ones.act("inc", "")
	require.NoError(t, err)

	twos := a.open(t, two, bob)
	assert.Equal(t, "<b>1</b>", twos.html(), "a page opened later shows the shared state")
	_, err = twos.act("counter.inc", "")
	require.NoError(t, err)
	assert.Equal(t, "<b>2</b>", twos.html())
	assert.Equal(t, "<p>2</p>", ones.drain(), "and the first page sees the second's change")

	_, err = a.Mount("three", nil, []runtime.Slot{{Decl: decl("counter", schema.Group, &note{}, `{"Text":""}`)}}, runtime.Shape{}, nil)
	assert.ErrorContains(t, err, `store "counter" is *runtime_test.note here but *runtime_test.counter`)

	again := a.mount(t, "one", counterPage, runtime.Shape{}, nil, counterDecl)
	assert.Equal(t, "one#2", again.ID(), "view names are unique")
	assert.Same(t, one, a.View("one"))
	assert.Equal(t, []string{"counter"}, one.Names())
}

// Pages that show the same thing share one render.
func TestRendersAreShared(t *testing.T) {
	t.Parallel()
	a := newApp(t, appOptions{})
	var renders atomic.Int64
	funcs := template.FuncMap{"count": func() string { renders.Add(1); return "" }}
	v := a.mount(t, "counter", `<p>{{count}}{{.N}}</p>`, runtime.Shape{}, funcs, counterDecl)
	tabs := make([]*tab, 5)
	for i := range tabs {
		tabs[i] = a.open(t, v, ada)
	}
	assert.LessOrEqual(t, renders.Load(), int64(len(tabs)), "at most one render per page load")

	before := renders.Load()
	_, err := tabs[0].act("inc", "")
	require.NoError(t, err)
	for _, tb := range tabs[1:] {
		assert.Equal(t, "<p>1</p>", tb.drain())
	}
	assert.EqualValues(t, 1, renders.Load()-before, "one render per change for the five pages")

	before = renders.Load()
	_, err = a.Broadcast(t.Context(), nil, runtime.Target{Target: relayAll}, "counter.inc", nil)
	require.NoError(t, err)
	for _, tb := range tabs {
		assert.Equal(t, "<p>2</p>", tb.drain())
	}
	assert.EqualValues(t, 1, renders.Load()-before, "a push too")

	before = renders.Load()
	_, err = a.Refresh(t.Context(), v, runtime.Target{Target: relayAll})
	require.NoError(t, err)
	for _, tb := range tabs {
		tb.drain()
	}
	assert.EqualValues(t, 1, renders.Load()-before, "a refresh renders again, once")
}

func TestWatchers(t *testing.T) {
	t.Parallel()
	a := newApp(t, appOptions{})
	watchNote := *noteDecl
	watchNote.Watcher = true
	v := a.mount(t, "room", `<p>{{.presence.Online}} {{.note.Text}}</p>`, runtime.Shape{Map: true}, nil, presenceDecl, &watchNote)

	adas := a.open(t, v, ada)
	stores, watches := storedStores(t, a.mem, "g:g1")
	assert.JSONEq(t, `{"presence":{"Online":1}}`, stores, "Connected ran when the page went live")
	assert.Equal(t, 1, watches, "the page is counted in the state")
	assert.Equal(t, "<p>1 connected</p>", adas.drain(), "on the shared store and on the page's own")
	bobs := a.open(t, v, bob)
	assert.Equal(t, "<p>2 connected</p>", bobs.drain())
	assert.Equal(t, "<p>2 connected</p>", adas.drain())

	a.Detach(bobs.p, bobs.sock)
	stores, watches = storedStores(t, a.mem, "g:g1")
	assert.JSONEq(t, `{"presence":{"Online":1}}`, stores, "Disconnected ran when it left")
	assert.Equal(t, 1, watches)
	assert.Equal(t, "<p>1 connected</p>", adas.drain())

	a.Detach(adas.p, adas.sock)
	stores, watches = storedStores(t, a.mem, "g:g1")
	assert.JSONEq(t, `{"presence":{"Online":0}}`, stores)
	assert.Zero(t, watches, "no watches are left behind")
}

func TestCloseRefusesAndWaits(t *testing.T) {
	t.Parallel()
	a := newApp(t, appOptions{})
	v := a.mount(t, "counter", counterPage, runtime.Shape{}, nil, counterDecl)
	adas := a.open(t, v, ada)
	live := a.Stop()
	assert.Equal(t, []*page.Page{adas.p}, live, "the live pages, for the caller to disconnect")
	assert.True(t, a.Closing())
	assert.Error(t, a.Context().Err())
	a.Close()
	a.Close()

	_, err := a.Load(t.Context(), runtime.Loading{View: v, ID: ada, Addr: "a", Request: request("/")})
	assert.Equal(t, fault.ShuttingDown, fault.As(err).Kind)
	_, err = a.Open(t.Context(), v, ada, "a", request("/"))
	assert.Equal(t, fault.ShuttingDown, fault.As(err).Kind)
	_, err = a.Broadcast(t.Context(), nil, runtime.Target{Target: relayAll}, "counter.inc", nil)
	assert.Equal(t, fault.ShuttingDown, fault.As(err).Kind)
	_, err = a.Refresh(t.Context(), nil, runtime.Target{Target: relayAll})
	assert.Equal(t, fault.ShuttingDown, fault.As(err).Kind)
	_, err = a.Disconnect(t.Context(), nil, runtime.Target{Target: relayAll})
	assert.Equal(t, fault.ShuttingDown, fault.As(err).Kind)
}

func TestAllowSpendsTheGroupsAndTheAddressesBudgets(t *testing.T) {
	t.Parallel()
	lim := runtime.Limits{ActionsPerSecond: 1, ActionBurst: 2, AddressActionsPerSecond: 1, AddressActionBurst: 3}.WithDefaults()
	a := newApp(t, appOptions{lim: &lim})
	v := a.mount(t, "counter", counterPage, runtime.Shape{}, nil, counterDecl)
	p1, _ := a.load(t, v, ada, "/")
	p2, _ := a.load(t, v, cy, "/")
	for range 2 {
		assert.Nil(t, a.Allow(p1))
	}
	fe := a.Allow(p1)
	require.NotNil(t, fe, "the group's burst is spent")
	assert.Equal(t, fault.RateLimited, fe.Kind)
	assert.ErrorIs(t, fe, runtime.ErrGroupRate)
	assert.Positive(t, fe.RetryAfter)
	assert.Nil(t, a.Allow(p2), "another group, the same address: its third action")
	fe = a.Allow(p2)
	require.NotNil(t, fe, "the address's burst is spent")
	assert.ErrorIs(t, fe, runtime.ErrAddressRate)
	assert.Equal(t, lim, a.Limits())
}

func TestLimitsDefaults(t *testing.T) {
	t.Parallel()
	d := runtime.Limits{}.WithDefaults()
	assert.Equal(t, runtime.Limits{
		ActionsPerSecond: 50, ActionBurst: 200, AddressActionsPerSecond: 200, AddressActionBurst: 800, AddressPagesPerSecond: 10,
		MaxMessageBytes: 64 << 10, MaxConnsPerGroup: 100, MaxConnsPerAddress: 1000, MaxPendingPages: 10_000,
		MaxUnjoined: 1000, JoinTimeout: d.JoinTimeout, StallTimeout: d.StallTimeout, StoreTimeout: 2 * time.Second,
	}, d)
	assert.Positive(t, d.JoinTimeout)
	assert.Positive(t, d.StallTimeout)
	kept := runtime.Limits{MaxConnsPerGroup: -1, ActionBurst: 3}.WithDefaults()
	assert.Equal(t, -1, kept.MaxConnsPerGroup, "set fields are kept")
	assert.Equal(t, 3, kept.ActionBurst)
}

func TestNewTokensAreUnique(t *testing.T) {
	t.Parallel()
	seen := map[string]bool{}
	for range 1000 {
		tok := runtime.NewToken()
		assert.Len(t, tok, 22, "128 bits, base64url")
		assert.False(t, seen[tok])
		seen[tok] = true
	}
}

func TestTheJanitorForgetsWhatWaitedTooLong(t *testing.T) {
	t.Parallel()
	synctest.Test(t, func(t *testing.T) {
		mem := session.NewMemory(nil)
		t.Cleanup(func() { _ = mem.Close() })
		a := newApp(t, appOptions{mem: mem}) // IdleTimeout: a minute
		v := a.mount(t, "counter", counterPage, runtime.Shape{}, nil, counterDecl)
		fresh, _ := a.load(t, v, ada, "/")
		polling, _ := a.load(t, v, bob, "/")
		_, err := a.Attach(t.Context(), polling, nil, request("/"), 0, 0)
		require.NoError(t, err)

		time.Sleep(runtime.PollTimeout + 20*time.Second)
		synctest.Wait()
		assert.False(t, polling.Live(), "its client stopped polling: detached")
		assert.Same(t, polling, a.Lookup(polling.Token, bob), "and kept to resume")

		time.Sleep(30 * time.Second)
		synctest.Wait()
		assert.Nil(t, a.Lookup(fresh.Token, ada), "its connection never came: forgotten after runtime.FreshTimeout")

		time.Sleep(time.Minute)
		synctest.Wait()
		assert.Nil(t, a.Lookup(polling.Token, bob), "it did not resume within IdleTimeout")
		assert.Zero(t, a.Pages().Len())
	})
}

// A runtime serves the pages of one app: mount a view, load a page, make
// it live, act.
func ExampleRuntime() {
	mem := session.NewMemory(nil)
	defer mem.Close()
	rt := runtime.New(runtime.Options{
		Sessions:    mem,
		Limits:      runtime.Limits{}.WithDefaults(),
		IdleTimeout: time.Minute,
		Hooks:       hooks(), // the facade's: they call the stores' methods
	})
	defer rt.Close()

	tmpl, _ := diff.Compile(template.Must(template.New("counter").Parse(`<p>Count: {{.N}}</p>`)))
	store := &schema.Decl{Name: "counter", Scope: schema.Group, Type: reflect.TypeOf(&counter{}), Proto: []byte(`{"N":0}`)}
	v, _ := rt.Mount("counter", tmpl, []runtime.Slot{{Decl: store}}, runtime.Shape{}, nil)

	id := auth.Identity{UserID: "ada", GroupID: "g1"}
	out, _ := rt.Load(context.Background(), runtime.Loading{View: v, ID: id, Addr: "127.0.0.1", Request: httptest.NewRequest("GET", "/", nil)})
	fmt.Println(out.HTML)
	p := out.Page

	sock := newSocket()
	_, _ = rt.Attach(context.Background(), p, sock, httptest.NewRequest("GET", "/", nil), 0, 0)
	defer rt.Detach(p, sock)
	fmt.Printf("%s\n", p.Next(sock))

	_ = p.Reserve(context.Background(), sock, 1)
	redirect, err := rt.Act(context.Background(), p, "inc", nil, nil, nil)
	p.Settle(sock, 1, nil, redirect, nil)
	fmt.Printf("%v %s\n", err, p.Next(sock))
	// Output:
	// <p>Count: 0</p>
	// {"t":"tree","seq":1,"tree":{"p":{"0":["<p>Count: ","</p>"]},"s":0,"0":"0"}}
	// <nil> {"t":"reply","ref":1,"seq":2,"patch":{"0":"1"}}
}

// While an action runs, the page's other output flows; once the action
// publishes, output waits for its reply, which carries what it changed.
// A writer that runs between the action and its reply (as a WebSocket's
// does) must get nothing then.
func TestTheReplyCarriesWhatTheActionChanged(t *testing.T) {
	t.Parallel()
	tests := []struct {
		name   string
		action string
		data   string
		want   string
	}{
		{name: "a shared store", action: "counter.inc", want: "<main>2||info:Saved.;</main>"},
		{name: "the page's own store", action: "note.set", data: `{"text":"x"}`, want: "<main>1|x|info:Saved.;</main>"},
		{name: "a flash message", action: "counter.flash", want: "<main>2||info:Saved.;</main>"},
		{name: "dismissing a flash message", action: runtime.Dismiss, want: "<main>1||</main>"},
	}
	for _, tc := range tests {
		t.Run(tc.name, func(t *testing.T) {
			t.Parallel()
			a := newApp(t, appOptions{})
			v := a.mount(t, "notes", notesPage, runtime.Shape{Map: true}, nil, counterDecl, noteDecl)
			adas := a.open(t, v, ada)
			_, err := adas.act("counter.flash", "")
			require.NoError(t, err)
			require.Equal(t, "<main>1||info:Saved.;</main>", adas.html())

			var data map[string]json.RawMessage
			if tc.data != "" {
				require.NoError(t, json.Unmarshal([]byte(tc.data), &data))
			}
			require.True(t, adas.p.Reserve(t.Context(), adas.sock, 99))
			_, err = a.Act(t.Context(), adas.p, tc.action, data, request("/"), nil)
			require.NoError(t, err)
			if b := adas.p.Next(adas.sock); b != nil {
				t.Errorf("output waits for the reply, but the writer got %s", b)
				var m msg
				require.NoError(t, json.Unmarshal(b, &m))
				adas.apply(m)
			}
			adas.p.Settle(adas.sock, 99, nil, "", nil)
			m := adas.read()
			assert.Equal(t, "reply", m.T)
			assert.Equal(t, tc.want, adas.html(), "the reply carried the change")
		})
	}
}
