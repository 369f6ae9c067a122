package counter_test

import (
	"context"
	"net/http"
	"net/http/httptest"
	"net/http/httputil"
	"net/url"
	"testing"
	"time"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"

	"github.com/lvtgo/livetemplate"
	"github.com/lvtgo/livetemplate/cluster"
	"github.com/lvtgo/livetemplate/e2e/internal/browsertest"
	"github.com/lvtgo/livetemplate/internal/testutil"
)

// backend is one instance behind the test's balancer.
type backend struct {
	url  *url.URL
	app  *livetemplate.App
	seen *traffic
}

// ready asks the instance's readiness probe, as a balancer would.
func (b *backend) ready() bool {
	rec := httptest.NewRecorder()
	b.app.Health().ServeHTTP(rec, httptest.NewRequest(http.MethodGet, "/readyz", nil))
	return rec.Code == http.StatusOK
}

// A rolling restart in a real browser: two instances on one Redis behind a
// balancer that sends every request to the first instance whose /readyz
// answers 200. Instance A drains: its readiness fails, its page is closed
// with 1012, and the browser reconnects, through the balancer, to B, over a
// WebSocket again (1012 is not a reason to fall back to HTTP), with its
// count.
func TestE2EADrainingInstanceSendsItsPagesToAnother(t *testing.T) {
	rdb := testutil.StartRedis(t)
	instance := func() *backend {
		c, err := cluster.Open(t.Context(), rdb.URL(), nil)
		require.NoError(t, err)
		t.Cleanup(func() { _ = c.Close() }) // after the app's own cleanup
		h := testHandler(t, append(c.Options(), livetemplate.WithDrain(time.Second))...)
		b := &backend{app: h.App(), seen: &traffic{}}
		u, err := url.Parse(listen(t, b.seen.count(h)))
		require.NoError(t, err)
		b.url = u
		return b
	}
	a, b := instance(), instance()
	proxy := &httputil.ReverseProxy{Rewrite: func(r *httputil.ProxyRequest) {
		to := b
		if a.ready() {
			to = a
		}
		r.SetURL(to.url)
		r.Out.Host = r.In.Host // the page's own origin, as a balancer that keeps Host
	}}
	front := listen(t, proxy)

	tab := browsertest.New(t).Tab(t)
	tab.OnNewDocument(`window.modes = [];
		document.addEventListener('lvt:connected', (e) => window.modes.push(e.detail.transport));`)
	open(tab, front)
	tab.Click("#add10")
	tab.WaitTextIs("#count", "10")
	require.EqualValues(t, 1, a.seen.upgrades.Load(), "the page is live on A")

	ctx, cancel := context.WithTimeout(t.Context(), 20*time.Second)
	defer cancel()
	shut := make(chan error, 1)
	go func() { shut <- a.app.Shutdown(ctx) }()
	require.Eventually(t, func() bool { return b.seen.upgrades.Load() > 0 }, 10*time.Second, 10*time.Millisecond,
		"the page reconnected to B")
	tab.WaitClass("html", "lvt-connected")
	tab.WaitTextIs("#count", "10")
	tab.Click("#inc")
	tab.WaitTextIs("#count", "11")
	require.NoError(t, <-shut)
	assert.Zero(t, b.seen.posts.Load(), "no HTTP fallback")
	assert.Equal(t, []string{"websocket", "websocket"}, browsertest.Eval[[]string](tab, "window.modes"))
}
