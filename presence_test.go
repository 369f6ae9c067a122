package livetemplate_test

// Presence that heals (issue 18, item 5): a Watcher store's count of the
// pages viewing it must come back to the truth when an instance dies
// without running Disconnected, when an HTTP page stops polling, and when
// one HTTP page is served by several instances in turn.

import (
	"context"
	"errors"
	"net/http"
	"sync/atomic"
	"testing"
	"time"

	"github.com/stretchr/testify/require"

	"github.com/lvtgo/livetemplate"
	"github.com/lvtgo/livetemplate/broadcast"
	"github.com/lvtgo/livetemplate/livetest"
	"github.com/lvtgo/livetemplate/session"
)

// onlinePage shows how many pages view the global pageCount store.
const onlinePage = `<body><p id="online">online={{.Pages}}</p></body>`

// pageCount counts the pages that view it: counted twice or never, a page
// shows in the figure.
type pageCount struct{ Pages int }

func (c *pageCount) Change(ctx *livetemplate.ActionContext) error {
	if ctx.Action() == "ping" {
		return nil // a message that changes nothing
	}
	return livetemplate.ErrUnknownAction
}

func (c *pageCount) Connected(*livetemplate.ActionContext) error    { c.Pages++; return nil }
func (c *pageCount) Disconnected(*livetemplate.ActionContext) error { c.Pages--; return nil }

// healTimeout bounds how long presence takes to heal: the runtime takes an
// instance for dead 10s after its last heartbeat (written every 3s) and an
// HTTP page for gone 10s after its last request; the rest is slack for a
// loaded machine.
const healTimeout = 30 * time.Second

// errCut is what a store cut off from its instance answers.
var errCut = errors.New("the network to the store is down")

// cutStore is a session store an instance loses: once cut, every call fails,
// as when the instance's host is cut off from the network.
type cutStore struct {
	session.Store
	cut atomic.Bool
}

func (s *cutStore) Get(ctx context.Context, group string) ([]byte, uint64, error) {
	if s.cut.Load() {
		return nil, 0, errCut
	}
	return s.Store.Get(ctx, group)
}

func (s *cutStore) Put(ctx context.Context, group string, state []byte, version uint64) (uint64, error) {
	if s.cut.Load() {
		return 0, errCut
	}
	return s.Store.Put(ctx, group, state, version)
}

// presenceInstance returns the handler of an instance of the online page on
// store and hub.
func presenceInstance(t *testing.T, store session.Store, hub *broadcast.Local, opts ...livetemplate.Option) (*livetemplate.App, http.Handler) {
	t.Helper()
	app := on(t, append([]livetemplate.Option{livetemplate.WithLogger(quietLogger()),
		livetemplate.WithSessionStore(store), livetemplate.WithBus(hub.Bus()),
		livetemplate.WithSecret([]byte("0123456789abcdef0123456789abcdef"))}, opts...)...)
	tmpl := livetemplate.Must(livetemplate.New("online", livetemplate.WithText(onlinePage)))
	return app, app.Handle(tmpl, livetemplate.Global(&pageCount{}))
}

// An instance that dies (cut off from the store, so that its Disconnected
// cannot run) leaves no one online behind: the others see its heartbeat
// stop and disconnect its pages for it.
func TestPresenceHealsWhenAnInstanceDies(t *testing.T) {
	t.Parallel()
	store := session.NewMemory(nil)
	hub := broadcast.NewLocal()
	t.Cleanup(func() { _ = store.Close(); _ = hub.Close() })
	_, ha := presenceInstance(t, store, hub)
	doomed := &cutStore{Store: store}
	appB, hb := presenceInstance(t, doomed, hub)

	a := livetest.Start(t, ha).NewBrowser(nil).Open("/")
	b := livetest.Start(t, hb).NewBrowser(nil).Open("/")
	require.NoError(t, a.WaitText("#online", "online=2", 5*time.Second))
	require.NoError(t, b.WaitText("#online", "online=2", 5*time.Second))

	doomed.cut.Store(true)
	died := time.Now()
	require.NoError(t, appB.Close(), "its pages' Disconnected fail: the store is out of reach")
	require.NoError(t, a.WaitText("#online", "online=1", healTimeout), "the survivor healed the count")
	t.Logf("presence healed %v after the instance died", time.Since(died).Round(100*time.Millisecond))
}

// An instance that only lost the store for a while is not left uncounted:
// the others may have disconnected its pages, and it counts them again.
func TestPresenceCountsAgainAfterAnOutage(t *testing.T) {
	t.Parallel()
	store := session.NewMemory(nil)
	hub := broadcast.NewLocal()
	t.Cleanup(func() { _ = store.Close(); _ = hub.Close() })
	_, ha := presenceInstance(t, store, hub)
	flaky := &cutStore{Store: store}
	_, hb := presenceInstance(t, flaky, hub)

	a := livetest.Start(t, ha).NewBrowser(nil).Open("/")
	b := livetest.Start(t, hb).NewBrowser(nil).Open("/")
	require.NoError(t, a.WaitText("#online", "online=2", 5*time.Second))

	flaky.cut.Store(true)
	require.NoError(t, a.WaitText("#online", "online=1", healTimeout), "B looked dead")
	flaky.cut.Store(false)
	require.NoError(t, a.WaitText("#online", "online=2", healTimeout), "B came back and counted its page again")
	require.NoError(t, b.WaitText("#online", "online=2", healTimeout))
}

// An HTTP page whose client went away without a word (its polls stopped)
// is disconnected within seconds, not at the idle timeout.
func TestPresenceDropsAnHTTPPageThatStopsPolling(t *testing.T) {
	t.Parallel()
	store := session.NewMemory(nil)
	t.Cleanup(func() { _ = store.Close() })
	app := on(t, livetemplate.WithLogger(quietLogger()), livetemplate.WithSessionStore(store))
	h := app.Handle(livetemplate.Must(livetemplate.New("online", livetemplate.WithText(onlinePage))), livetemplate.Global(&pageCount{}))
	srv := livetest.Start(t, h)

	ws := srv.NewBrowser(nil).Open("/")
	polled := srv.NewBrowser(&livetest.BrowserOptions{Transport: livetest.HTTP}).Open("/")
	require.NoError(t, ws.WaitText("#online", "online=2", 5*time.Second))
	stopped := time.Now()
	polled.Close()
	require.NoError(t, ws.WaitText("#online", "online=1", healTimeout))
	t.Logf("presence healed %v after the HTTP page stopped polling", time.Since(stopped).Round(100*time.Millisecond))
}

// Behind a balancer without affinity, one HTTP page is live on every
// instance its polls reach; it counts once, and leaves once.
func TestPresenceCountsAnHTTPPageOnceAcrossInstances(t *testing.T) {
	t.Parallel()
	store := session.NewMemory(nil)
	hub := broadcast.NewLocal()
	t.Cleanup(func() { _ = store.Close(); _ = hub.Close() })
	_, h1 := presenceInstance(t, store, hub)
	_, h2 := presenceInstance(t, store, hub)
	rr := &roundRobin{}
	rr.hs.Store(&[]http.Handler{h1, h2})
	srv := livetest.Start(t, rr)

	polled := srv.NewBrowser(&livetest.BrowserOptions{Transport: livetest.HTTP}).Open("/")
	ws := livetest.Start(t, h1).NewBrowser(nil).Open("/")
	require.NoError(t, ws.WaitText("#online", "online=2", 5*time.Second))
	require.NoError(t, polled.WaitText("#online", "online=2", 5*time.Second))

	// Its messages go round both instances, each of which takes it live.
	for i := range 6 {
		require.NoError(t, polled.Send("ping", nil), "message %d", i)
	}
	require.NoError(t, polled.WaitText("#online", "online=2", 5*time.Second))
	require.NoError(t, ws.WaitText("#online", "online=2", 5*time.Second), "the page counts once, wherever it is live")

	polled.Close()
	require.NoError(t, ws.WaitText("#online", "online=1", healTimeout))
}
