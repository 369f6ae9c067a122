package livetemplate

import (
	"context"
	"net/http"
	"time"

	"github.com/lvtgo/livetemplate/internal/serve"
)

// Shutdowner is what Serve shuts down together with the server: an *App,
// or a *Handler of Template.Handle.
type Shutdowner interface {
	Shutdown(ctx context.Context) error
}

// ShutdownTimeout is how long Serve lets the server and the apps take to
// shut down once its context ends, on top of their drain (WithDrain).
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
// writes of live messages are bounded by Limits.StallTimeout instead, and
// none of these timeouts limits a live connection (net/http clears a
// connection's deadlines when a WebSocket takes it over). Change the fields
// of the returned server as you like before serving it.
func NewServer(addr string, h http.Handler) *http.Server {
	return &http.Server{
		Addr:              addr,
		Handler:           h,
		ReadHeaderTimeout: 5 * time.Second,
		ReadTimeout:       15 * time.Second,
		IdleTimeout:       2 * time.Minute,
		MaxHeaderBytes:    64 << 10,
	}
}

// Serve listens on srv.Addr (":http" if empty) and serves srv until ctx
// ends, then shuts the apps (live) down and, once their drain is over
// (WithDrain; srv serves meanwhile), srv: live pages are told the server
// restarts and their long polls end, so srv.Shutdown need not wait for
// them. Shutting down may take up to the drain plus ShutdownTimeout, after
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
	shutdowns := make([]func(context.Context) error, len(live))
	var drain time.Duration
	for i, l := range live {
		shutdowns[i] = l.Shutdown
		if h, ok := l.(*Handler); ok {
			l = h.app
		}
		if a, ok := l.(*App); ok {
			drain = max(drain, a.drain)
		}
	}
	return serve.Run(ctx, srv, drain, ShutdownTimeout, shutdowns...)
}
