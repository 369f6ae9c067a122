package main

import (
	"net/http"
	"strings"
	"sync/atomic"
	"testing"

	"go.uber.org/goleak"

	"github.com/lvtgo/livetemplate"
	"github.com/lvtgo/livetemplate/examples/counter/counter"
	"github.com/lvtgo/livetemplate/livetest"
)

// The browser tests of this page are in the module e2e (e2e/counter).

// TestMain checks for leaked goroutines.
func TestMain(m *testing.M) { goleak.VerifyTestMain(m) }

// testHandler mounts the page on an app made for one test (logging to
// the test's output, shut down when the test ends), configured by opts.
func testHandler(t *testing.T, opts ...livetemplate.Option) *livetemplate.Handler {
	t.Helper()
	h, err := counter.NewHandler(livetest.App(t, opts...))
	if err != nil {
		t.Fatalf("mount the page: %v", err)
	}
	return h
}

// traffic counts the WebSocket upgrades and POSTs a handler serves.
type traffic struct{ upgrades, posts atomic.Int64 }

func (c *traffic) count(next http.Handler) http.Handler {
	return http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		switch {
		case strings.EqualFold(r.Header.Get("Upgrade"), "websocket"):
			c.upgrades.Add(1)
		case r.Method == http.MethodPost:
			c.posts.Add(1)
		}
		next.ServeHTTP(w, r)
	})
}

// blockWebSockets refuses WebSocket upgrades with status, counting them.
func blockWebSockets(next http.Handler, status int, refused *atomic.Int64) http.Handler {
	return http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		if strings.EqualFold(r.Header.Get("Upgrade"), "websocket") {
			refused.Add(1)
			http.Error(w, "no websockets here", status)
			return
		}
		next.ServeHTTP(w, r)
	})
}
