package browsertest

import (
	"errors"
	"net"
	"net/http"
	"sync"
	"testing"
	"time"
)

// Serve serves h on ln until stop, for a test whose server goes away and
// comes back on the same address (a restart): stop closes the server, waits
// for it to end, then calls after (an App's Close, which ends its
// WebSockets), failing tb on any error. stop is idempotent; Serve does not
// register it with tb.Cleanup, so that the caller can have it run after
// the browser's tabs closed.
func Serve(tb testing.TB, ln net.Listener, h http.Handler, after func() error) (stop func()) {
	srv := &http.Server{Handler: h, ReadHeaderTimeout: 10 * time.Second}
	done := make(chan error, 1)
	go func() { done <- srv.Serve(ln) }()
	return sync.OnceFunc(func() {
		if err := srv.Close(); err != nil {
			tb.Errorf("closing the server: %v", err)
		}
		if err := <-done; !errors.Is(err, http.ErrServerClosed) {
			tb.Errorf("the server ended with %v", err)
		}
		if err := after(); err != nil {
			tb.Errorf("after the server: %v", err)
		}
	})
}
