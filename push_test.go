package livetemplate_test

import (
	"context"
	"fmt"
	"net/http"
	"net/http/httptest"
	"strings"
	"sync"
	"testing"
	"time"

	"github.com/coder/websocket"
	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"

	"github.com/lvtgo/livetemplate"
	"github.com/lvtgo/livetemplate/auth"
	"github.com/lvtgo/livetemplate/broadcast"
	"github.com/lvtgo/livetemplate/session"
)

// waitHTML reads p's messages until its page contains want.
func waitHTML(t *testing.T, p *page, want string) {
	t.Helper()
	deadline := time.Now().Add(5 * time.Second)
	for !strings.Contains(p.html(), want) {
		require.True(t, time.Now().Before(deadline), "page never showed %q; it shows %s", want, p.html())
		p.read()
	}
}

func TestBroadcastToAllGroupsAndUsers(t *testing.T) {
	tmpl := livetemplate.Must(livetemplate.New("counter", livetemplate.WithText(counterPage)))
	h := on(t, livetemplate.WithLogger(quietLogger()), livetemplate.WithAuthenticator(byHeader)).Handle(tmpl, &counter{})
	srv := serve(t, h)
	ann := newBrowser(t, srv).as("X-User", "ann")
	a, a2 := ann.open("/"), ann.open("/")
	b := newBrowser(t, srv).as("X-User", "bob").open("/")

	r, err := h.Broadcast(t.Context(), livetemplate.All(), "increment", map[string]any{"by": 5})
	require.NoError(t, err)
	assert.Equal(t, livetemplate.Reach{States: 2, Pages: 3}, r, "two groups, three pages")
	waitHTML(t, a, "Count: 5")
	waitHTML(t, a2, "Count: 5")
	waitHTML(t, b, "Count: 5")

	// One group only: the other never changes.
	r, err = h.Broadcast(t.Context(), livetemplate.Groups("g-bob"), "increment", nil)
	require.NoError(t, err)
	assert.Equal(t, livetemplate.Reach{States: 1, Pages: 1}, r)
	waitHTML(t, b, "Count: 6")
	// By user; and a group with no page open changes all the same.
	_, err = h.Broadcast(t.Context(), livetemplate.Users("ann"), "increment", map[string]any{"by": 2})
	require.NoError(t, err)
	waitHTML(t, a2, "Count: 7")
	r, err = h.Broadcast(t.Context(), livetemplate.Groups("g-carol"), "increment", nil)
	require.NoError(t, err)
	assert.Equal(t, livetemplate.Reach{States: 1}, r)
	carol := newBrowser(t, srv).as("X-User", "carol").open("/")
	assert.Contains(t, carol.html(), "Count: 1")
	// A filter over viewers.
	_, err = h.Broadcast(t.Context(), livetemplate.Filter(func(v auth.Identity) bool { return v.UserID == "bob" }), "increment", nil)
	require.NoError(t, err)
	waitHTML(t, b, "Count: 7")
	waitHTML(t, a, "Count: 7")
	assert.Contains(t, carol.html(), "Count: 1")

	_, err = h.Broadcast(t.Context(), livetemplate.All(), "nope.nope", nil)
	assert.ErrorIs(t, err, livetemplate.ErrUnknownAction)
}

func TestRefreshRerendersWithoutChangingState(t *testing.T) {
	var mu sync.Mutex
	online := "nobody"
	tmpl := livetemplate.Must(livetemplate.New("p", livetemplate.WithFuncs(map[string]any{"online": func() string { mu.Lock(); defer mu.Unlock(); return online }}), livetemplate.WithText(`<body>{{.Count}} {{online}}</body>`)))
	h := on(t, livetemplate.WithLogger(quietLogger())).Handle(tmpl, &counter{})
	srv := serve(t, h)
	p := newBrowser(t, srv).open("/")
	mu.Lock()
	online = "alice"
	mu.Unlock()
	r, err := h.Refresh(t.Context(), livetemplate.All())
	require.NoError(t, err)
	assert.Equal(t, 1, r.Pages)
	waitHTML(t, p, "0 alice")
}

// A clock a goroutine of the application pushes to every page, stopped
// with the handler.
func TestClockPush(t *testing.T) {
	tmpl := livetemplate.Must(livetemplate.New("clock", livetemplate.WithText(`<body>{{.Now}}</body>`)))
	h := on(t, livetemplate.WithLogger(quietLogger())).Handle(tmpl, livetemplate.Global(&clock{}))
	srv := serve(t, h)
	p := newBrowser(t, srv).open("/")
	done := make(chan struct{})
	stop := make(chan struct{})
	go func() {
		defer close(done)
		for i := 1; ; i++ {
			if _, err := h.Broadcast(t.Context(), livetemplate.All(), "tick", map[string]any{"now": fmt.Sprint(i)}); err != nil {
				return
			}
			select {
			case <-stop:
				return
			case <-time.After(10 * time.Millisecond):
			}
		}
	}()
	waitHTML(t, p, "<body>3</body>")
	close(stop)
	<-done
}

type clock struct{ Now string }

func (c *clock) Change(ctx *livetemplate.ActionContext) error {
	c.Now = ctx.GetString("now")
	return nil
}

// Scoped stores: pages in one room share it, another room does not see it,
// and the page's group store stays per browser.
func TestScopedStoreIsSharedByKey(t *testing.T) {
	room := func(r *http.Request, _ auth.Identity) string { return r.URL.Query().Get("room") }
	tmpl := livetemplate.Must(livetemplate.New("p", livetemplate.WithText(`<body>votes={{.poll.Count}} mine={{.mine.Count}} me={{.viewer.UserID | len}}</body>`)))
	h := on(t, livetemplate.WithLogger(quietLogger())).Handle(tmpl, livetemplate.Named("poll", livetemplate.Scoped(&counter{}, room)), livetemplate.Named("mine", &counter{}))
	srv := serve(t, h)
	alice := newBrowser(t, srv).open("/?room=a")
	bob := newBrowser(t, srv).open("/?room=a")
	carol := newBrowser(t, srv).open("/?room=b")
	require.Nil(t, alice.act("poll.increment", nil).Error)
	waitHTML(t, alice, "votes=1 mine=0")
	waitHTML(t, bob, "votes=1 mine=0")
	require.Nil(t, bob.act("mine.increment", nil).Error)
	waitHTML(t, bob, "votes=1 mine=1")
	assert.Contains(t, carol.html(), "votes=0 mine=0", "another room")
	assert.Contains(t, alice.html(), "mine=0", "the group store is per browser")
	assert.Contains(t, alice.html(), "me=32", "the template sees its viewer (a 32-digit id)")
}

func TestPerUserStore(t *testing.T) {
	tmpl := livetemplate.Must(livetemplate.New("p", livetemplate.WithText(`<body>{{.Count}}</body>`)))
	h := on(t, livetemplate.WithLogger(quietLogger()), livetemplate.WithAuthenticator(byDevice)).Handle(tmpl, livetemplate.PerUser(&counter{}))
	srv := serve(t, h)
	phone := newBrowser(t, srv).as("X-User", "ann/phone").open("/")
	laptop := newBrowser(t, srv).as("X-User", "ann/laptop").open("/")
	require.Nil(t, phone.act("increment", nil).Error)
	waitHTML(t, laptop, "<body>1</body>")
}

// A Watcher store learns who is viewing it.
func TestWatcherKeepsWhoIsOnline(t *testing.T) {
	tmpl := livetemplate.Must(livetemplate.New("p", livetemplate.WithText(`<body>online={{len .Online}}</body>`)))
	h := on(t, livetemplate.WithLogger(quietLogger())).Handle(tmpl, livetemplate.Global(&presence{}))
	srv := serve(t, h)
	a := newBrowser(t, srv).open("/")
	waitHTML(t, a, "online=1")
	b := newBrowser(t, srv).open("/")
	waitHTML(t, a, "online=2")
	waitHTML(t, b, "online=2")
	require.NoError(t, b.ws.CloseNow())
	waitHTML(t, a, "online=1")
}

type presence struct{ Online map[string]int }

func (p *presence) Change(*livetemplate.ActionContext) error { return livetemplate.ErrUnknownAction }

func (p *presence) Connected(ctx *livetemplate.ActionContext) error {
	if p.Online == nil {
		p.Online = map[string]int{}
	}
	p.Online[ctx.UserID()]++
	return nil
}

func (p *presence) Disconnected(ctx *livetemplate.ActionContext) error {
	if p.Online[ctx.UserID()]--; p.Online[ctx.UserID()] <= 0 {
		delete(p.Online, ctx.UserID())
	}
	return nil
}

// Two instances sharing a store and a bus: a change on one reaches the
// group's pages on the other; a push applies once per group; concurrent
// increments from both lose nothing.
func TestTwoInstancesShareGroups(t *testing.T) {
	store := session.NewMemory(nil)
	t.Cleanup(func() { _ = store.Close() })
	hub := broadcast.NewLocal()
	t.Cleanup(func() { _ = hub.Close() })
	id := sharedAuth(t)
	instance := func() (*livetemplate.Handler, *httptest.Server) {
		tmpl := livetemplate.Must(livetemplate.New("counter", livetemplate.WithText(counterPage)))
		h := on(t, livetemplate.WithLogger(quietLogger()), livetemplate.WithAuthenticator(id), livetemplate.WithSessionStore(store), livetemplate.WithBus(hub.Bus()), livetemplate.WithLimits(livetemplate.Limits{ActionsPerSecond: -1, AddressActionsPerSecond: -1})).Handle(tmpl, &counter{})
		return h, serve(t, h)
	}
	ha, sa := instance()
	_, sb := instance()
	browser := newBrowser(t, sa)
	onA := browser.open("/")
	onB := browser.on(sb).open("/") // same cookies: the same group

	require.Nil(t, onA.act("increment", nil).Error)
	waitHTML(t, onB, "Count: 1")

	// A push to every page applies once to the group, whose pages are on both.
	_, err := ha.Broadcast(t.Context(), livetemplate.All(), "increment", map[string]any{"by": 10})
	require.NoError(t, err)
	waitHTML(t, onA, "Count: 11")
	waitHTML(t, onB, "Count: 11")
	time.Sleep(100 * time.Millisecond) // let B apply its copy of the push, if it (wrongly) would
	require.Nil(t, onA.act("increment", nil).Error)
	waitHTML(t, onB, "Count: 12")

	// No lost update: both instances increment concurrently.
	const n = 100
	var wg sync.WaitGroup
	for _, p := range []*page{onA, onB} {
		wg.Go(func() {
			for range n {
				if r := p.act("increment", nil); r.Error != nil {
					t.Errorf("increment: %s", r.Error.Message)
				}
			}
		})
	}
	wg.Wait()
	want := fmt.Sprintf("Count: %d", 12+2*n)
	waitHTML(t, onA, want)
	waitHTML(t, onB, want)
}

// byDevice names user u/device in group u/device: one user, two groups.
var byDevice = auth.AuthenticatorFunc(func(_ http.ResponseWriter, r *http.Request) (auth.Identity, error) {
	u, device, _ := strings.Cut(r.Header.Get("X-User"), "/")
	return auth.Identity{UserID: u, GroupID: u + "/" + device}, nil
})

// Disconnect closes a user's connections (sign out), on every instance;
// an expiring identity closes its own.
func TestDisconnectAndExpiry(t *testing.T) {
	var expires time.Time
	var mu sync.Mutex
	authn := auth.AuthenticatorFunc(func(w http.ResponseWriter, r *http.Request) (auth.Identity, error) {
		id, err := byHeader(w, r)
		mu.Lock()
		id.Expires = expires
		mu.Unlock()
		return id, err
	})
	tmpl := livetemplate.Must(livetemplate.New("counter", livetemplate.WithText(counterPage)))
	h := on(t, livetemplate.WithLogger(quietLogger()), livetemplate.WithAuthenticator(authn)).Handle(tmpl, &counter{})
	srv := serve(t, h)
	ann, bob := newBrowser(t, srv).as("X-User", "ann").open("/"), newBrowser(t, srv).as("X-User", "bob").open("/")
	r, err := h.Disconnect(t.Context(), livetemplate.Users("ann"))
	require.NoError(t, err)
	assert.Equal(t, 1, r.Pages)
	assert.Equal(t, websocket.StatusCode(4001), closeStatus(t, ann))
	require.Nil(t, bob.act("increment", nil).Error, "bob is still connected")

	mu.Lock()
	expires = time.Now().Add(300 * time.Millisecond)
	mu.Unlock()
	soon := newBrowser(t, srv).as("X-User", "cid").open("/")
	assert.Equal(t, websocket.StatusCode(4001), closeStatus(t, soon), "closed when the credentials expire")
}

// A shutdown disconnects every page, and their Disconnected still runs:
// presence kept in a shared store does not stay behind.
func TestWatcherDisconnectedRunsOnShutdown(t *testing.T) {
	store := session.NewMemory(nil)
	t.Cleanup(func() { _ = store.Close() })
	tmpl := livetemplate.Must(livetemplate.New("p", livetemplate.WithText(`<body>online={{len .Online}}</body>`)))
	h := on(t, livetemplate.WithLogger(quietLogger()), livetemplate.WithSessionStore(store)).Handle(tmpl, livetemplate.Global(&presence{}))
	srv := httptest.NewServer(h)
	t.Cleanup(srv.Close)
	p := newBrowser(t, srv).open("/")
	waitHTML(t, p, "online=1")
	go func() { // answer the close handshake, as a browser does
		for {
			if _, _, err := p.ws.Read(context.Background()); err != nil {
				return
			}
		}
	}()
	require.NoError(t, h.Close())
	state, _, err := store.Get(t.Context(), "s:presence:")
	require.NoError(t, err)
	assert.JSONEq(t, `{"presence":{"Online":{}}}`, string(state))
}

// A state another instance announces while this one is still loading it
// (or has never loaded it) is left to the load.
func TestAnnouncementOfAStateBeingLoaded(t *testing.T) {
	store := session.NewMemory(nil)
	t.Cleanup(func() { _ = store.Close() })
	hub := broadcast.NewLocal()
	t.Cleanup(func() { _ = hub.Close() })
	slow := &slowStore{Store: store, gate: make(chan struct{}), waiting: make(chan struct{})}
	id := sharedAuth(t)
	tmplA := livetemplate.Must(livetemplate.New("counter", livetemplate.WithText(counterPage)))
	a := serve(t, on(t, livetemplate.WithLogger(quietLogger()), livetemplate.WithAuthenticator(id), livetemplate.WithSessionStore(store),
		livetemplate.WithBus(hub.Bus())).Handle(tmplA, &counter{}))
	b := serve(t, on(t, livetemplate.WithLogger(quietLogger()), livetemplate.WithAuthenticator(id), livetemplate.WithSessionStore(slow),
		livetemplate.WithBus(hub.Bus())).Handle(tmplA, &counter{}))
	browser := newBrowser(t, a)
	onA := browser.open("/")
	loading := make(chan *page)
	go func() { loading <- browser.on(b).open("/") }() // B's load waits at the gate
	<-slow.waiting
	require.Nil(t, onA.act("increment", nil).Error) // announced while B loads
	time.Sleep(50 * time.Millisecond)
	close(slow.gate)
	onB := <-loading
	waitHTML(t, onB, "Count: 1")
}

// slowStore holds its first Get until gate closes.
type slowStore struct {
	session.Store
	gate    chan struct{}
	once    sync.Once
	waiting chan struct{}
}

func (s *slowStore) Get(ctx context.Context, group string) ([]byte, uint64, error) {
	s.once.Do(func() {
		close(s.waiting)
		<-s.gate
	})
	return s.Store.Get(ctx, group)
}
