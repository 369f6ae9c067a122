package apps

import (
	"context"
	"net/http"
	"net/url"
	"sync/atomic"
	"testing"
	"time"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"
	"go.uber.org/goleak"

	"github.com/lvtgo/livetemplate"
	"github.com/lvtgo/livetemplate/livetest"
)

func TestMain(m *testing.M) { goleak.VerifyTestMain(m) }

// upgrades counts the WebSocket upgrades that reach h.
type upgrades struct {
	h http.Handler
	n atomic.Int64
}

func (u *upgrades) ServeHTTP(w http.ResponseWriter, r *http.Request) {
	if r.Header.Get("Upgrade") == "websocket" {
		u.n.Add(1)
	}
	u.h.ServeHTTP(w, r)
}

func shop(t *testing.T) *livetest.Server {
	mux, err := NewMux(livetest.App(t, livetemplate.WithRedirectHosts("pay.example")))
	require.NoError(t, err)
	return livetest.Start(t, mux)
}

// quote:test
func TestShop(t *testing.T) {
	for _, tr := range []livetest.Transport{livetest.WebSocket, livetest.HTTP} {
		t.Run(tr.String(), func(t *testing.T) {
			mux, err := NewMux(livetest.App(t, livetemplate.WithRedirectHosts("pay.example")))
			require.NoError(t, err)
			up := &upgrades{h: mux}
			srv := livetest.Start(t, up)
			p := srv.NewBrowser(&livetest.BrowserOptions{Transport: tr}).Open("/")
			assert.Equal(t, "No orders.", p.Text("#orders li"))

			require.NoError(t, p.Follow("#nav-new"))
			assert.Equal(t, "/orders/new", p.URL())
			err = p.Submit("#place", url.Values{"item": {" "}})
			var refused *livetest.ActionError
			require.ErrorAs(t, err, &refused)
			assert.Equal(t, "/orders/new", p.URL(), "a refused action goes nowhere")
			require.NoError(t, p.Submit("#place", url.Values{"item": {"Tea"}, "qty": {"2"}}))
			assert.Equal(t, "/orders/1", p.URL())
			assert.Equal(t, "2 × Tea", p.Text("#what"))
			assert.Equal(t, "Order #1 placed. ×", p.Text(".flash.info"))

			require.NoError(t, p.Back())
			assert.Equal(t, "/orders/new", p.URL())
			assert.Zero(t, p.Count(".flash"), "shown once")
			require.NoError(t, p.Follow("#nav-all"))
			assert.Contains(t, p.Text("#orders li"), "#1 2 × Tea (open)")
			require.NoError(t, p.Follow(`#orders a[href="/orders/1"]`))
			other := p.Tab("/orders/1") // another tab of the same browser
			require.NoError(t, p.Click("#cancel"))
			assert.Equal(t, "cancelled", p.Text("#status"))
			assert.Equal(t, "Order #1 cancelled. ×", p.Text(".flash.info"))
			require.NoError(t, other.WaitText("#status", "cancelled", time.Second))
			assert.Zero(t, other.Count(".flash"), "a flash is the acting tab's")
			require.NoError(t, p.Click(".flash button"))
			assert.Zero(t, p.Count(".flash"), "dismissed")

			require.NoError(t, p.Follow("#nav-open"))
			assert.Equal(t, "/?status=open", p.URL())
			assert.Equal(t, "No orders.", p.Text("#orders li"), "the filter was mounted again")
			live, full := p.Navigated()
			assert.Equal(t, [2]int{6, 0}, [2]int{live, full})
			if tr == livetest.WebSocket {
				assert.EqualValues(t, 2, up.n.Load(), "one WebSocket per tab, whatever it navigates to")
			}
		})
	}
}

// quote:end

// quote:unit
func TestPlaceSendsToTheOrder(t *testing.T) {
	orders := &Orders{}
	ctx, err := livetemplate.NewActionContext(t.Context(), livetemplate.ActionInput{
		Action: "place",
		Data:   map[string]any{"item": "Tea", "qty": "2"},
	})
	require.NoError(t, err)

	require.NoError(t, orders.Change(ctx))
	assert.Equal(t, "/orders/1", ctx.Redirected())
	assert.Equal(t, "Order #1 placed.", ctx.Flashed().Get("info"))
}

// quote:end

// run serves the shop until its context ends, then shuts it down.
func TestRun(t *testing.T) {
	ctx, cancel := context.WithCancel(t.Context())
	done := make(chan error, 1)
	go func() { done <- run(ctx, "127.0.0.1:0") }()
	cancel()
	select {
	case err := <-done:
		assert.NoError(t, err)
	case <-time.After(5 * time.Second):
		t.Fatal("run did not return")
	}
}
