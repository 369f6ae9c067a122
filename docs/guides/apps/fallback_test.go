package apps

import (
	"bytes"
	"encoding/json"
	"io"
	"net/http"
	"net/http/cookiejar"
	"regexp"
	"testing"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"

	"github.com/lvtgo/livetemplate"
	"github.com/lvtgo/livetemplate/auth"
	"github.com/lvtgo/livetemplate/broadcast"
	"github.com/lvtgo/livetemplate/livetest"
	"github.com/lvtgo/livetemplate/session"
)

// A Mount that redirects answers the page load with 303 See Other, and a
// navigation to that page follows it.
func TestMountRedirects(t *testing.T) {
	srv := shop(t)
	noFollow := &http.Client{CheckRedirect: func(*http.Request, []*http.Request) error { return http.ErrUseLastResponse }}
	resp, err := noFollow.Get(srv.URL + "/orders/abc")
	require.NoError(t, err)
	resp.Body.Close()
	assert.Equal(t, http.StatusSeeOther, resp.StatusCode)
	assert.Equal(t, "/", resp.Header.Get("Location"))

	p := srv.Open("/orders/abc")
	assert.Equal(t, "All orders", p.Text("h1"))
	require.NoError(t, p.Navigate("/orders/xyz"))
	assert.Equal(t, "/", p.URL())
	live, full := p.Navigated()
	assert.Equal(t, [2]int{1, 0}, [2]int{live, full}, "a navigation follows the 303, live")
	require.NoError(t, p.Navigate("/orders/9"))
	assert.Equal(t, "No order #9", p.Text("h1"))
}

// The redirects of actions, as the HTTP fallback sees them: a reply with
// "redirect", a path of the site or a URL of an allowed host.
func TestRedirectReplies(t *testing.T) {
	srv := shop(t)
	jar, err := cookiejar.New(nil)
	require.NoError(t, err)
	c := &http.Client{Jar: jar}
	resp, err := c.Get(srv.URL + "/")
	require.NoError(t, err)
	body, err := io.ReadAll(resp.Body)
	resp.Body.Close()
	require.NoError(t, err)
	token := regexp.MustCompile(`data-lvt-token="([^"]+)"`).FindStringSubmatch(string(body))[1]
	post := func(msg map[string]any) map[string]any {
		t.Helper()
		msg["token"] = token
		js, err := json.Marshal(msg)
		require.NoError(t, err)
		resp, err := c.Post(srv.URL+"/", "application/json", bytes.NewReader(js))
		require.NoError(t, err)
		defer resp.Body.Close()
		require.Equal(t, http.StatusOK, resp.StatusCode)
		var m map[string]any
		require.NoError(t, json.NewDecoder(resp.Body).Decode(&m))
		return m
	}
	post(map[string]any{"t": "sync", "seq": 0})
	placed := post(map[string]any{"t": "action", "ref": 1, "name": "orders.place", "data": map[string]any{"item": "Tea"}})
	assert.Equal(t, "/orders/1", placed["redirect"])
	paid := post(map[string]any{"t": "action", "ref": 2, "name": "orders.pay", "data": map[string]any{"id": "1"}})
	assert.Equal(t, "https://pay.example/checkout?order=1", paid["redirect"])
}

// Without WithRedirectHosts the payment site is refused: the action fails,
// and the page goes nowhere.
func TestRedirectToAnUnknownHost(t *testing.T) {
	mux, err := NewMux(livetest.App(t))
	require.NoError(t, err)
	p := livetest.Start(t, mux).Open("/orders/new")
	require.NoError(t, p.Submit("#place", map[string][]string{"item": {"Tea"}}))
	err = p.Click("#pay")
	var refused *livetest.ActionError
	require.ErrorAs(t, err, &refused)
	assert.Equal(t, "internal", refused.Code)
	assert.Equal(t, "/orders/1", p.URL())
	assert.Equal(t, "open", p.Text("#status"))
}

// A page of another app is loaded in full.
func TestAnotherAppLoadsInFull(t *testing.T) {
	id, err := auth.NewAnonymous(&auth.AnonymousOptions{Key: auth.NewAnonymousKey()})
	require.NoError(t, err)
	mux, err := NewMux(livetest.App(t, livetemplate.WithAuthenticator(id)))
	require.NoError(t, err)
	help := livetemplate.Must(livetemplate.New("help", livetemplate.WithText(`<body><h1>Help</h1></body>`)))
	mux.Handle("/help", livetest.App(t, livetemplate.WithAuthenticator(id)).Handle(help, &Help{}))
	p := livetest.Start(t, mux).Open("/")
	require.NoError(t, p.Navigate("/help"))
	assert.Equal(t, "Help", p.Text("h1"))
	live, full := p.Navigated()
	assert.Equal(t, [2]int{0, 1}, [2]int{live, full})
}

// Two instances of the shop on one session store and bus, behind a
// balancer that sends navigation GETs to the second: the first, which holds
// the WebSocket, does not know the page, so the client loads it in full.
func TestNavigationGetOnAnotherInstance(t *testing.T) {
	store := session.NewMemory(nil)
	t.Cleanup(func() { _ = store.Close() })
	hub := broadcast.NewLocal()
	t.Cleanup(func() { _ = hub.Close() })
	id, err := auth.NewAnonymous(&auth.AnonymousOptions{Key: auth.NewAnonymousKey()})
	require.NoError(t, err)
	instance := func() http.Handler {
		mux, err := NewMux(livetest.App(t, livetemplate.WithSessionStore(store), livetemplate.WithBus(hub.Bus()), livetemplate.WithAuthenticator(id)))
		require.NoError(t, err)
		return mux
	}
	a, b := instance(), instance()
	balancer := http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		if r.Header.Get("Lvt-Navigate") != "" {
			b.ServeHTTP(w, r)
			return
		}
		a.ServeHTTP(w, r)
	})
	p := livetest.Start(t, balancer).Open("/orders/new")
	require.NoError(t, p.Submit("#place", map[string][]string{"item": {"Tea"}}))
	assert.Equal(t, "/orders/1", p.URL())
	assert.Equal(t, "1 × Tea", p.Text("#what"))
	live, full := p.Navigated()
	assert.Equal(t, [2]int{0, 1}, [2]int{live, full})
	assert.Zero(t, p.Count(".flash"), "the flash stayed with the page the other instance made")
}

// Help is the state of the help page, a page of another app.
type Help struct{}

func (*Help) Change(*livetemplate.ActionContext) error { return livetemplate.ErrUnknownAction }
