package main

import (
	"context"
	"log/slog"
	"net/http"
	"strings"
	"sync/atomic"
	"testing"
	"time"

	"go.uber.org/goleak"

	"github.com/lvtgo/livetemplate"
)

// The browser tests of this page are in the module e2e (e2e/counter).

// TestMain checks for leaked goroutines.
func TestMain(m *testing.M) { goleak.VerifyTestMain(m) }

// testHandler builds the page's handler for one test, logging to the test's
// output, and shuts it down when the test ends.
func testHandler(t *testing.T, opts ...livetemplate.Option) livetemplate.LiveHandler {
	t.Helper()
	opts = append([]livetemplate.Option{livetemplate.WithLogger(slog.New(slog.NewTextHandler(t.Output(), nil)))}, opts...)
	h, err := newHandler(opts...)
	if err != nil {
		t.Fatalf("build the page: %v", err)
	}
	t.Cleanup(func() {
		ctx, cancel := context.WithTimeout(context.Background(), 5*time.Second)
		defer cancel()
		if err := h.Shutdown(ctx); err != nil {
			t.Errorf("shut the page down: %v", err)
		}
	})
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
