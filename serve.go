package livetemplate

import (
	"context"
	"errors"
	"fmt"
	"net"
	"net/http"
	"sync"
	"time"
)

// Server timeouts of NewServer. None of them limits a live connection:
// net/http clears a connection's deadlines when a WebSocket takes it over,
// and an HTTP long poll waits in the handler, not in a read.
const (
	serverReadHeaderTimeout = 5 * time.Second
	serverReadTimeout       = 15 * time.Second
	serverIdleTimeout       = 2 * time.Minute
	serverMaxHeaderBytes    = 64 << 10
)

// Shutdowner is what Serve shuts down together with the server: an *App,
// or a *Handler of Template.Handle.
type Shutdowner interface {
	Shutdown(ctx context.Context) error
}

// ShutdownTimeout is how long Serve lets the server and the apps take to
// shut down once its context ends.
const ShutdownTimeout = 10 * time.Second

// NewServer returns an HTTP server for h on addr with the timeouts a server
// facing the internet should have:
//
//   - ReadHeaderTimeout 5s: slow request headers (slowloris) are cut off;
//   - ReadTimeout 15s: so is a request body that trickles in;
//   - IdleTimeout 2 minutes: idle keep-alive connections are closed;
//   - MaxHeaderBytes 64 KiB.
//
// It sets no WriteTimeout, which would cut HTTP long polls (25 s) short;
// writes of live messages are bounded by Limits.StallTimeout instead. Change
// the fields of the returned server as you like before serving it.
func NewServer(addr string, h http.Handler) *http.Server {
	return &http.Server{
		Addr:              addr,
		Handler:           h,
		ReadHeaderTimeout: serverReadHeaderTimeout,
		ReadTimeout:       serverReadTimeout,
		IdleTimeout:       serverIdleTimeout,
		MaxHeaderBytes:    serverMaxHeaderBytes,
	}
}

// Serve listens on srv.Addr (":http" if empty) and serves srv until ctx
// ends, then shuts srv and the apps (live) down together: live pages are
// told the server goes away and their long polls end, so srv.Shutdown need
// not wait for them. Shutting down may take up to ShutdownTimeout, after
// which Serve returns what did not finish.
//
// When srv.TLSConfig holds certificates (Certificates or GetCertificate),
// Serve serves HTTPS.
//
// An error to listen (the address is in use, say) is returned at once,
// with the apps left as they are. Serve returns nil after a clean
// shutdown; if serving fails later, it shuts everything down and returns
// the error. A typical main:
//
//	ctx, stop := signal.NotifyContext(context.Background(), os.Interrupt, syscall.SIGTERM)
//	defer stop()
//	app, err := livetemplate.NewApp()
//	…
//	mux.Handle("/{$}", app.Handle(home, &Counter{}))
//	mux.Handle("/about", app.Handle(about, &Counter{}))
//	if err := livetemplate.Serve(ctx, livetemplate.NewServer(":8080", mux), app); err != nil {
//		log.Fatal(err)
//	}
func Serve(ctx context.Context, srv *http.Server, live ...Shutdowner) error {
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
	go func() {
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
	sctx, cancel := context.WithTimeout(context.WithoutCancel(ctx), ShutdownTimeout)
	defer cancel()
	// The apps shut down alongside the server: their WebSockets
	// and long polls end at once instead of holding srv.Shutdown up.
	errs := make([]error, 2+len(live))
	var wg sync.WaitGroup
	for i, h := range live {
		wg.Go(func() { errs[2+i] = h.Shutdown(sctx) })
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
