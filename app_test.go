package livetemplate_test

import (
	"context"
	"net/http"
	"strings"
	"sync/atomic"
	"testing"
	"time"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"

	"github.com/lvtgo/livetemplate"
	"github.com/lvtgo/livetemplate/broadcast"
	"github.com/lvtgo/livetemplate/internal/testutil"
	"github.com/lvtgo/livetemplate/livetest"
	"github.com/lvtgo/livetemplate/session"
)

// Two pages of one app, each with its own template, that show the same
// counter (the setup: a click on one must reach the other).
const (
	pageA = `<!DOCTYPE html><html><head><title>A</title></head><body><h1>A</h1><p id="count">{{.Count}}</p>` +
		`<button id="inc" lvt-click="increment">+</button><a id="to-b" href="/b" lvt-navigate>B</a><a id="plain-b" href="/b">B</a></body></html>`
	pageB = `<!DOCTYPE html><html><head><title>B</title></head><body><h1>B</h1><p id="count">{{.Count}}</p>` +
		`<button id="inc" lvt-click="increment">+</button><a id="to-a" href="/a" lvt-navigate>A</a></body></html>`
)

// upgrades counts the WebSocket upgrades that reach h.
type upgrades struct {
	h http.Handler
	n atomic.Int64
}

func (u *upgrades) ServeHTTP(w http.ResponseWriter, r *http.Request) {
	if r.Header.Get("Upgrade") != "" {
		u.n.Add(1)
	}
	u.h.ServeHTTP(w, r)
}

// twoPages mounts pages A and B, both showing a counter, on app at /a and
// /b.
func twoPages(t *testing.T, app *livetemplate.App) *http.ServeMux {
	t.Helper()
	mux := http.NewServeMux()
	a := livetemplate.Must(livetemplate.New("a", livetemplate.WithText(pageA)))
	b := livetemplate.Must(livetemplate.New("b", livetemplate.WithText(pageB)))
	mux.Handle("/a", app.Handle(a, &counter{}))
	mux.Handle("/b", app.Handle(b, &counter{}))
	return mux
}

var transports = []livetest.Transport{livetest.WebSocket, livetest.HTTP}

func TestTwoPagesOfAnAppShareAStore(t *testing.T) {
	for _, tr := range transports {
		t.Run(tr.String(), func(t *testing.T) {
			srv := livetest.Start(t, twoPages(t, on(t, livetemplate.WithLogger(quietLogger()))))
			br := srv.NewBrowser(&livetest.BrowserOptions{Transport: tr})
			a, b := br.Open("/a"), br.Open("/b")
			require.NoError(t, a.Click("#inc"))
			require.NoError(t, b.WaitText("#count", "1", 5*time.Second), "a click on /a reaches an open /b")
			assert.Equal(t, "1", br.Open("/b").Text("#count"), "a fresh /b shows what the store holds")
			require.NoError(t, b.Click("#inc"))
			assert.Equal(t, "2", b.Text("#count"))
			require.NoError(t, a.WaitText("#count", "2", 5*time.Second), "/b's click reaches /a")
			other := srv.Open("/b")
			assert.Equal(t, "0", other.Text("#count"), "another browser has its own")
		})
	}
}

// Two instances of the app on one store and bus: a page of A on one and a
// page of B on the other share the counter too.
func TestTwoPagesShareAStoreAcrossInstances(t *testing.T) {
	store := session.NewMemory(nil)
	hub := broadcast.NewLocal()
	t.Cleanup(func() { _ = store.Close(); _ = hub.Close() })
	id := sharedAuth(t)
	instance := func() *livetest.Server {
		return livetest.Start(t, twoPages(t, on(t, livetemplate.WithLogger(quietLogger()), livetemplate.WithAuthenticator(id),
			livetemplate.WithSessionStore(store), livetemplate.WithBus(hub.Bus()))))
	}
	one, two := instance(), instance()
	a := one.Open("/a")
	b := two.NewBrowser(&livetest.BrowserOptions{Cookies: a.Browser().Cookies()}).Open("/b")
	require.NoError(t, a.Click("#inc"))
	require.NoError(t, b.WaitText("#count", "1", 5*time.Second))
	require.NoError(t, b.Click("#inc"))
	require.NoError(t, a.WaitText("#count", "2", 5*time.Second))
}

func TestLiveNavigation(t *testing.T) {
	for _, tr := range transports {
		t.Run(tr.String(), func(t *testing.T) {
			up := &upgrades{h: twoPages(t, on(t, livetemplate.WithLogger(quietLogger())))}
			srv := livetest.Start(t, up)
			p := srv.NewBrowser(&livetest.BrowserOptions{Transport: tr}).Open("/a")
			require.NoError(t, p.Click("#inc"))
			require.NoError(t, p.Follow("#to-b"))
			assert.Equal(t, "/b", p.URL())
			assert.Equal(t, "B", p.Text("h1"))
			assert.Equal(t, "1", p.Text("#count"), "the new page shows the shared state")
			require.NoError(t, p.Click("#inc"), "the new page is live")
			assert.Equal(t, "2", p.Text("#count"))
			require.NoError(t, p.Back())
			assert.Equal(t, "/a", p.URL())
			assert.Equal(t, "2", p.Text("#count"))
			live, full := p.Navigated()
			assert.Equal(t, 2, live)
			assert.Zero(t, full, "no page was loaded in full")
			if tr == livetest.WebSocket {
				assert.EqualValues(t, 1, up.n.Load(), "one WebSocket for every page")
			}
			require.NoError(t, p.Follow("#plain-b"), "a link without lvt-navigate loads in full")
			_, full = p.Navigated()
			assert.Equal(t, 1, full)
			assert.Equal(t, "B", p.Text("h1"))
		})
	}
}

// view is a PerConnection store that shows the page's query.
type view struct{ Q string }

func (v *view) Mount(ctx *livetemplate.ActionContext) error {
	v.Q = ctx.Request().URL.Query().Get("q")
	if v.Q == "away" {
		return ctx.Redirect("/elsewhere")
	}
	return nil
}

func (v *view) Change(*livetemplate.ActionContext) error { return livetemplate.ErrUnknownAction }

func TestNavigatingWithANewQueryMountsAgain(t *testing.T) {
	tmpl := livetemplate.Must(livetemplate.New("q", livetemplate.WithText(
		`<body><p id="q">{{.view.Q}}</p><p id="n">{{.counter.Count}}</p><a id="next" href="?q=two" lvt-navigate>next</a></body>`)))
	app := on(t, livetemplate.WithLogger(quietLogger()))
	srv := livetest.Start(t, app.Handle(tmpl, &counter{}, livetemplate.PerConnection(&view{})))
	p := srv.Open("/?q=one")
	assert.Equal(t, "one", p.Text("#q"))
	require.NoError(t, p.Follow("#next"))
	assert.Equal(t, "two", p.Text("#q"))
	assert.Equal(t, "/?q=two", p.URL())
	live, _ := p.Navigated()
	assert.Equal(t, 1, live)

	resp, err := (&http.Client{CheckRedirect: func(*http.Request, []*http.Request) error { return http.ErrUseLastResponse }}).Get(srv.URL + "/?q=away")
	require.NoError(t, err)
	resp.Body.Close()
	assert.Equal(t, http.StatusSeeOther, resp.StatusCode, "a Mount that redirects answers the load with 303")
	assert.Equal(t, "/elsewhere", resp.Header.Get("Location"))
}

// A page of another app cannot take over the connection: the client loads
// it in full.
func TestNavigationToAnotherAppLoadsInFull(t *testing.T) {
	mux := http.NewServeMux()
	a := livetemplate.Must(livetemplate.New("a", livetemplate.WithText(pageA)))
	b := livetemplate.Must(livetemplate.New("b", livetemplate.WithText(pageB)))
	id := sharedAuth(t)
	mux.Handle("/a", on(t, livetemplate.WithLogger(quietLogger()), livetemplate.WithAuthenticator(id)).Handle(a, &counter{}))
	mux.Handle("/b", on(t, livetemplate.WithLogger(quietLogger()), livetemplate.WithAuthenticator(id)).Handle(b, &counter{}))
	p := livetest.Start(t, mux).Open("/a")
	require.NoError(t, p.Follow("#to-b"))
	assert.Equal(t, "B", p.Text("h1"))
	live, full := p.Navigated()
	assert.Equal(t, [2]int{0, 1}, [2]int{live, full})
}

// editor saves and sends the page to the list with a flash message.
type editor struct{ Saved int }

func (e *editor) Change(ctx *livetemplate.ActionContext) error {
	switch ctx.Action() {
	case "save":
		e.Saved++
		ctx.Flash("info", "Saved.")
		return ctx.Redirect("/list")
	case "note":
		ctx.Flash("info", "Noted.")
	case "evil":
		return ctx.Redirect("//evil.example/x")
	default:
		return livetemplate.ErrUnknownAction
	}
	return nil
}

const flashes = `{{range .flash}}<p class="flash" data-kind="{{.Kind}}">{{.Message}}` +
	`<button class="x" lvt-click="lvt.dismiss" lvt-data-kind="{{.Kind}}">x</button></p>{{end}}`

func TestRedirectAndFlash(t *testing.T) {
	for _, tr := range transports {
		t.Run(tr.String(), func(t *testing.T) {
			app := on(t, livetemplate.WithLogger(quietLogger()))
			mux := http.NewServeMux()
			edit := livetemplate.Must(livetemplate.New("edit", livetemplate.WithText(
				`<body><h1>Edit</h1>`+flashes+`<button id="save" lvt-click="save">Save</button><button id="note" lvt-click="note">Note</button>`+
					`<button id="evil" lvt-click="evil">Evil</button></body>`)))
			list := livetemplate.Must(livetemplate.New("list", livetemplate.WithText(
				`<body><h1>List</h1>`+flashes+`<p id="saved">{{.editor.Saved}}</p></body>`)))
			mux.Handle("/edit", app.Handle(edit, &editor{}))
			mux.Handle("/list", app.Handle(list, &editor{}))
			srv := livetest.Start(t, mux)
			p := srv.NewBrowser(&livetest.BrowserOptions{Transport: tr}).Open("/edit")

			require.NoError(t, p.Click("#note"))
			assert.Equal(t, "Noted.x", p.Text(".flash"), "a flash shows on the acting page")
			require.NoError(t, p.Click(".flash .x"))
			assert.Zero(t, p.Count(".flash"), "dismissed")

			require.NoError(t, p.Click("#save"))
			assert.Equal(t, "/list", p.URL(), "the reply's redirect opened the list, live")
			assert.Equal(t, "List", p.Text("h1"))
			assert.Equal(t, "1", p.Text("#saved"))
			assert.Equal(t, "Saved.x", p.Text(".flash"), "the flash went along with the redirect")
			live, full := p.Navigated()
			assert.Equal(t, [2]int{1, 0}, [2]int{live, full})
			assert.Zero(t, p.Tab("/list").Count(".flash"), "shown once: a new load of the page has none")

			err := p.Tab("/edit").Click("#evil")
			require.Error(t, err, "a redirect off the site is refused")
			var ae *livetest.ActionError
			require.ErrorAs(t, err, &ae)
			assert.Equal(t, "internal", ae.Code)
		})
	}
}

// An app told of another host may send pages there; the reply says so.
func TestRedirectToAnAllowedHost(t *testing.T) {
	tmpl := livetemplate.Must(livetemplate.New("p", livetemplate.WithText(`<body>{{.N}}</body>`)))
	app := on(t, livetemplate.WithLogger(quietLogger()), livetemplate.WithRedirectHosts("accounts.example.com"))
	srv := serve(t, app.Handle(tmpl, livetemplate.Named("go", &goer{})))
	p := newBrowser(t, srv).open("/")
	p.send(map[string]any{"t": "action", "ref": 1, "name": "away"})
	var m struct {
		T        string `json:"t"`
		Redirect string `json:"redirect"`
	}
	require.NoError(t, jsonUnmarshal(p.readRaw(), &m))
	assert.Equal(t, "reply", m.T)
	assert.Equal(t, "https://accounts.example.com/login?next=%2F", m.Redirect)
}

type goer struct{ N int }

func (g *goer) Change(ctx *livetemplate.ActionContext) error {
	return ctx.Redirect("https://accounts.example.com/login?next=%2F")
}

func TestRedirectTargets(t *testing.T) {
	good := []string{"/", "/a/b?c=d#e", "/%E2%9C%93"}
	bad := []string{"", "//evil.example", "/\\evil.example", "/\t/evil", "https://evil.example/", "javascript:alert(1)",
		"relative/path", "http://user:pw@accounts.example.com/", "/%2F/evil.example", "/%09/evil.example", "/%5Cevil.example", "/.//evil.example"}
	for _, target := range good {
		actx, err := livetemplate.NewActionContext(context.Background(), livetemplate.ActionInput{Action: "x"})
		require.NoError(t, err)
		assert.NoError(t, actx.Redirect(target), target)
		assert.Equal(t, target, actx.Redirected())
	}
	for _, target := range bad {
		actx, err := livetemplate.NewActionContext(context.Background(), livetemplate.ActionInput{Action: "x"})
		require.NoError(t, err)
		assert.Error(t, actx.Redirect(target), "%q", target)
		assert.Empty(t, actx.Redirected())
	}
}

// gated is a session store whose Put of one key waits for a gate: a slow
// Redis, as far as that state is concerned.
type gated struct {
	session.Store
	key     string
	entered chan struct{}
	gate    chan struct{}
}

func (g *gated) Put(ctx context.Context, key string, state []byte, version uint64) (uint64, error) {
	if strings.HasPrefix(key, g.key) {
		select {
		case g.entered <- struct{}{}:
		default:
		}
		select {
		case <-g.gate:
		case <-ctx.Done():
			return 0, ctx.Err()
		}
	}
	return g.Store.Put(ctx, key, state, version)
}

// notice is a store shared by every page.
type notice struct{ Text string }

func (n *notice) Change(ctx *livetemplate.ActionContext) error {
	n.Text = ctx.GetString("text")
	return nil
}

// No page lock is held across the session store: while one state's Put is
// stuck, the pages of other states get their patches, and so does the
// acting page itself, from another state it shows.
func TestASlowStoreHoldsUpOnlyItsState(t *testing.T) {
	mem := session.NewMemory(nil)
	t.Cleanup(func() { _ = mem.Close() })
	slow := &gated{Store: mem, key: "g:", entered: make(chan struct{}, 1), gate: make(chan struct{})}
	released := false
	release := func() {
		if !released {
			released = true
			close(slow.gate)
		}
	}
	t.Cleanup(release)
	tmpl := livetemplate.Must(livetemplate.New("p", livetemplate.WithText(
		`<body><p id="count">{{.counter.Count}}</p><p id="notice">{{.notice.Text}}</p></body>`)))
	app := on(t, livetemplate.WithLogger(quietLogger()), livetemplate.WithSessionStore(slow))
	srv := livetest.Start(t, app.Handle(tmpl, &counter{}, livetemplate.Global(&notice{})))
	stuck := srv.Open("/")
	other := srv.Open("/")
	done := make(chan error, 1)
	go func() { done <- stuck.Send("counter.increment", nil) }()
	<-slow.entered // the group's Put is stuck now
	require.NoError(t, other.Send("notice.set", map[string]any{"text": "hello"}))
	assert.Equal(t, "hello", other.Text("#notice"))
	require.NoError(t, stuck.WaitText("#notice", "hello", 5*time.Second), "the stuck page still gets other states' patches")
	assert.Equal(t, "0", stuck.Text("#count"))
	release()
	require.NoError(t, <-done)
	assert.Equal(t, "1", stuck.Text("#count"))
}

func TestUnknownActionsAreLoggedOncePerName(t *testing.T) {
	var logs testutil.Logs
	tmpl := livetemplate.Must(livetemplate.New("p", livetemplate.WithText(`<body>{{.Count}}</body>`)))
	app := on(t, livetemplate.WithLogger(slogTo(&logs)))
	p := livetest.Start(t, app.Handle(tmpl, &counter{})).Open("/")
	for range 3 {
		err := p.Send("incremnt", nil)
		var ae *livetest.ActionError
		require.ErrorAs(t, err, &ae)
		assert.Equal(t, "unknown_action", ae.Code)
	}
	assert.Equal(t, 1, strings.Count(logs.String(), `action=incremnt`), logs.String())
}

// Pages that show a shared store of one name must mean the same store.
func TestAStoreMeansOneThingInAnApp(t *testing.T) {
	app := on(t, livetemplate.WithLogger(quietLogger()))
	tmpl := livetemplate.Must(livetemplate.New("p", livetemplate.WithText(`<body>{{.Count}}</body>`)))
	_, err := app.Mount(tmpl, &counter{})
	require.NoError(t, err)
	_, err = app.Mount(tmpl, &counter{Count: 5})
	assert.ErrorContains(t, err, "must start it alike")
	_, err = app.Mount(tmpl, livetemplate.PerUser(&counter{}))
	assert.ErrorContains(t, err, "shared by the user here but by the session group")
	_, err = app.Mount(tmpl, livetemplate.PerConnection(&counter{Count: 7}))
	assert.NoError(t, err, "a PerConnection store is each page's own")
}

// A page with one store whose template reads .flash sees a map.
func TestOneStorePageReadingFlashSeesAMap(t *testing.T) {
	tmpl := livetemplate.Must(livetemplate.New("p", livetemplate.WithText(
		`<body><p id="n">{{.editor.Saved}}</p>{{with .flash.Get "info"}}<p id="f">{{.}}</p>{{end}}<button id="b" lvt-click="note">n</button></body>`)))
	app := on(t, livetemplate.WithLogger(quietLogger()))
	p := livetest.Start(t, app.Handle(tmpl, &editor{})).Open("/")
	require.NoError(t, p.Click("#b"))
	assert.Equal(t, "Noted.", p.Text("#f"))
	assert.Equal(t, "0", p.Text("#n"))
}

// 405 is a JSON error reply, like every refusal of a page's URL.
func TestOtherMethodsGetAJSONRefusal(t *testing.T) {
	srv := newCounterServer(t)
	req, err := http.NewRequest(http.MethodPut, srv.URL+"/", nil)
	require.NoError(t, err)
	resp, err := http.DefaultClient.Do(req)
	require.NoError(t, err)
	defer resp.Body.Close()
	assert.Equal(t, http.StatusMethodNotAllowed, resp.StatusCode)
	assert.Equal(t, "application/json", resp.Header.Get("Content-Type"))
	assert.Equal(t, "GET, HEAD, POST", resp.Header.Get("Allow"))
}

// A page the client leaves stops counting against its group's connections
// at once, on either transport: navigating back and forth never runs into
// the limit.
func TestNavigationFreesTheConnectionItLeaves(t *testing.T) {
	for _, tr := range transports {
		t.Run(tr.String(), func(t *testing.T) {
			app := on(t, livetemplate.WithLogger(quietLogger()), livetemplate.WithLimits(livetemplate.Limits{MaxConnsPerGroup: 2}))
			p := livetest.Start(t, twoPages(t, app)).NewBrowser(&livetest.BrowserOptions{Transport: tr}).Open("/a")
			for i := range 6 {
				link := "#to-b"
				if i%2 == 1 {
					link = "#to-a"
				}
				require.NoError(t, p.Follow(link), "navigation %d", i)
			}
			live, full := p.Navigated()
			assert.Equal(t, [2]int{6, 0}, [2]int{live, full})
		})
	}
}

// gate sends the page elsewhere with a flash message when ?denied is set.
type gate struct{}

func (g *gate) Mount(ctx *livetemplate.ActionContext) error {
	if ctx.Request().URL.Query().Has("denied") {
		ctx.Flash("error", "Sign in first.")
		return ctx.Redirect("/")
	}
	return nil
}

func (g *gate) Change(*livetemplate.ActionContext) error { return livetemplate.ErrUnknownAction }

// The flash of a Mount that redirects shows on the page it sends the
// client to: after a live navigation, and after a 303 the browser follows.
func TestFlashOfAMountThatRedirects(t *testing.T) {
	tmpl := livetemplate.Must(livetemplate.New("p", livetemplate.WithText(`<body><h1>{{.gate}}</h1>`+flashes+`</body>`)))
	app := on(t, livetemplate.WithLogger(quietLogger()))
	srv := livetest.Start(t, app.Handle(tmpl, livetemplate.Named("gate", livetemplate.PerConnection(&gate{}))))
	p := srv.Open("/")
	require.NoError(t, p.Navigate("/?denied"))
	assert.Equal(t, "/", p.URL())
	assert.Equal(t, "Sign in first.x", p.Text(".flash"), "live navigation")

	q := srv.Open("/?denied")
	assert.Equal(t, "/", q.URL(), "the load followed the redirect")
	assert.Equal(t, "Sign in first.x", q.Text(".flash"), "page load answered 303")
	assert.Zero(t, q.Tab("/").Count(".flash"), "shown once")
}

// Two apps of one process on one session store without a bus would not
// hear of each other's changes: the second is refused, naming the fix.
func TestTwoAppsOnOneStoreNeedABus(t *testing.T) {
	store := session.NewMemory(nil)
	hub := broadcast.NewLocal()
	t.Cleanup(func() { _ = store.Close(); _ = hub.Close() })
	first := on(t, livetemplate.WithSessionStore(store))
	_, err := livetemplate.NewApp(livetemplate.WithSessionStore(store))
	require.Error(t, err)
	assert.Contains(t, err.Error(), "mount every page of the application on one App, or give the apps one bus (WithBus)")
	require.NoError(t, first.Close())
	on(t, livetemplate.WithSessionStore(store)) // free again once the first shut down
	on(t, livetemplate.WithSessionStore(store), livetemplate.WithBus(hub.Bus()))
}

func TestNewAppReportsEveryProblem(t *testing.T) {
	_, err := livetemplate.NewApp(livetemplate.WithAllowedOrigins("[bad"), livetemplate.WithRedirectHosts("a/b"), livetemplate.WithText("x"))
	require.Error(t, err)
	for _, want := range []string{`redirect host "a/b"`, `[bad`, "WithText is a template option"} {
		assert.Contains(t, err.Error(), want)
	}
}

// Two one-page apps of one process (Template.Handle twice) are two apps:
// they share nothing, and a browser moving between them keeps its
// identity on each (their default cookies do not overwrite each other).
func TestTwoOnePageAppsKeepTheirVisitors(t *testing.T) {
	a := livetemplate.Must(livetemplate.New("a", livetemplate.WithText(pageA)))
	b := livetemplate.Must(livetemplate.New("b", livetemplate.WithText(pageB)))
	ha, hb := a.Handle(&counter{}), b.Handle(&counter{})
	t.Cleanup(func() { _ = ha.Close(); _ = hb.Close() })
	mux := http.NewServeMux()
	mux.Handle("/a", ha)
	mux.Handle("/b", hb)
	br := livetest.Start(t, mux).NewBrowser(nil)
	onA := br.Open("/a")
	require.NoError(t, onA.Click("#inc"))
	assert.Equal(t, "0", br.Open("/b").Text("#count"), "another app: its own state")
	assert.Equal(t, "1", br.Open("/a").Text("#count"), "the visit to /b did not cost the browser its identity on /a")
}

// hung is a session store that never answers: a Redis behind a dropped
// network.
type hung struct{ session.Store }

func (hung) Get(ctx context.Context, _ string) ([]byte, uint64, error) {
	<-ctx.Done()
	return nil, 0, ctx.Err()
}

func (hung) Put(ctx context.Context, _ string, _ []byte, _ uint64) (uint64, error) {
	<-ctx.Done()
	return 0, ctx.Err()
}

// A store that does not answer fails page loads and actions within the
// store's deadline, as an outage: 503 with Retry-After, never a bare 500.
func TestAStoreThatDoesNotAnswerIsAnOutage(t *testing.T) {
	mem := session.NewMemory(nil)
	t.Cleanup(func() { _ = mem.Close() })
	var logs testutil.Logs
	app := on(t, livetemplate.WithLogger(slogTo(&logs)), livetemplate.WithSessionStore(hung{mem}),
		livetemplate.WithLimits(livetemplate.Limits{StoreTimeout: 50 * time.Millisecond}))
	srv := serve(t, app.Handle(livetemplate.Must(livetemplate.New("p", livetemplate.WithText(counterPage))), &counter{}))
	resp, err := http.Get(srv.URL)
	require.NoError(t, err)
	resp.Body.Close()
	assert.Equal(t, http.StatusServiceUnavailable, resp.StatusCode)
	assert.NotEmpty(t, resp.Header.Get("Retry-After"))
	assert.Contains(t, logs.String(), "session store failing")
}

// roundRobin sends each request to the next of its handlers: a balancer
// without affinity.
type roundRobin struct {
	hs atomic.Pointer[[]http.Handler]
	n  atomic.Int64
}

func (rr *roundRobin) ServeHTTP(w http.ResponseWriter, r *http.Request) {
	hs := *rr.hs.Load()
	hs[int(rr.n.Add(1))%len(hs)].ServeHTTP(w, r)
}

// Behind a balancer without affinity, with WebSockets refused, every
// action is applied: an instance that did not make a page checks its token
// (both share the app's keys) and opens the page from the shared state.
func TestTheHTTPFallbackNeedsNoAffinity(t *testing.T) {
	store := session.NewMemory(nil)
	hub := broadcast.NewLocal()
	t.Cleanup(func() { _ = store.Close(); _ = hub.Close() })
	secret := []byte("0123456789abcdef0123456789abcdef")
	rr := &roundRobin{}
	var hs []http.Handler
	for range 2 {
		app := on(t, livetemplate.WithLogger(quietLogger()), livetemplate.WithSecret(secret),
			livetemplate.WithSessionStore(store), livetemplate.WithBus(hub.Bus()))
		hs = append(hs, app.Handle(livetemplate.Must(livetemplate.New("p", livetemplate.WithText(counterPage))), &counter{}))
	}
	rr.hs.Store(&hs)
	p := livetest.Start(t, rr).NewBrowser(&livetest.BrowserOptions{Transport: livetest.HTTP}).Open("/")
	for i := range 20 {
		require.NoError(t, p.Send("increment", nil), "action %d", i)
	}
	require.NoError(t, p.WaitText("#count", "Count: 20", 5*time.Second))

	// Without the same keys, the other instance cannot check the token.
	other := on(t, livetemplate.WithLogger(quietLogger()), livetemplate.WithSessionStore(store), livetemplate.WithBus(hub.Bus()),
		livetemplate.WithSecret([]byte("another key, at least 32 bytes!!")))
	swapped := []http.Handler{other.Handle(livetemplate.Must(livetemplate.New("p", livetemplate.WithText(counterPage))), &counter{}), hs[1]}
	rr.hs.Store(&swapped)
	refused := 0
	for range 4 {
		if p.Send("increment", nil) != nil {
			refused++
		}
	}
	assert.Positive(t, refused, "a token made under other keys is not adopted")
}

// A tab that fell back to HTTP and later joins over a WebSocket again (the
// client retries one) keeps its page: the same token, and its own stores.
func TestAPageMovesFromHTTPToAWebSocketWithItsState(t *testing.T) {
	tmpl := livetemplate.Must(livetemplate.New("counter", livetemplate.WithText(counterPage)))
	srv := serve(t, on(t, livetemplate.WithLogger(quietLogger())).Handle(tmpl, livetemplate.PerConnection(&counter{})))
	b := newBrowser(t, srv)
	_, token := b.get("/")
	_, m := b.post(map[string]any{"t": "action", "ref": 1, "name": "increment", "token": token}, nil)
	require.Nil(t, m.Error, "the page is live over HTTP")

	p := b.dial("/", token)
	assert.Contains(t, p.html(), "Count: 1", "the tab's own store came along")
	assert.Empty(t, p.newToken, "the same page: no new token")
	require.Nil(t, p.act("increment", nil).Error)
	waitHTML(t, p, "Count: 2")
}
