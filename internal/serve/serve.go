// Package serve runs an http.Server until a context ends, then shuts it
// down together with what serves its live connections (livetemplate.Serve
// is built on it).
package serve

import (
	"context"
	"errors"
	"fmt"
	"net"
	"net/http"
	"sync"
	"time"
)

// Run listens on srv.Addr (":http" if empty) and serves srv, over TLS when
// srv.TLSConfig holds certificates, until ctx ends or serving fails; then
// it calls every shutdown at once, goes on serving while they drain (for
// at most drain, or until they all returned), shuts srv down, and returns
// what failed; all of it within drain plus timeout. An error to listen is
// returned at once, and shutdowns are not called then.
func Run(ctx context.Context, srv *http.Server, drain, timeout time.Duration, shutdowns ...func(context.Context) error) error {
	addr := srv.Addr
	if addr == "" {
		addr = ":http"
	}
	ln, err := net.Listen("tcp", addr)
	if err != nil {
		return fmt.Errorf("livetemplate: serve: %w", err)
	}
	tls := srv.TLSConfig != nil && (len(srv.TLSConfig.Certificates) > 0 || srv.TLSConfig.GetCertificate != nil)
	served := make(chan error, 1)
	go func() { // ends when srv does: Shutdown below
		if tls {
			served <- srv.ServeTLS(ln, "", "")
		} else {
			served <- srv.Serve(ln)
		}
	}()
	var failed error
	select {
	case err := <-served:
		served <- err // for the wait below
		failed = fmt.Errorf("livetemplate: serve: %w", err)
	case <-ctx.Done():
	}
	sctx, cancel := context.WithTimeout(context.WithoutCancel(ctx), drain+timeout)
	defer cancel()
	// What serves live connections shuts down alongside the server: its
	// WebSockets and long polls end instead of holding srv.Shutdown up.
	// While it drains, srv goes on serving (page loads, actions, the
	// probes that now fail readiness), so that nothing is refused before
	// the load balancers have looked elsewhere.
	errs := make([]error, 2+len(shutdowns))
	finished := make(chan struct{}, len(shutdowns))
	var wg sync.WaitGroup
	for i, f := range shutdowns {
		wg.Go(func() {
			errs[2+i] = f(sctx)
			finished <- struct{}{}
		})
	}
	timer := time.NewTimer(drain)
	defer timer.Stop()
drained:
	for range shutdowns {
		select {
		case <-finished:
		case <-timer.C:
			break drained
		}
	}
	if err := srv.Shutdown(sctx); err != nil {
		errs[1] = fmt.Errorf("livetemplate: shut the server down: %w", err)
	}
	wg.Wait()
	if err := <-served; failed == nil && !errors.Is(err, http.ErrServerClosed) {
		failed = fmt.Errorf("livetemplate: serve: %w", err)
	}
	errs[0] = failed
	return errors.Join(errs...)
}
