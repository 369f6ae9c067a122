// Package serve runs an example's live page on an address until the process
// is told to stop, then shuts the page and the server down gracefully.
package serve

import (
	"context"
	"errors"
	"flag"
	"log/slog"
	"net/http"
	"os"
	"os/signal"
	"syscall"
	"time"

	"github.com/lvtgo/livetemplate"
)

// Main is an example's main: it reads the -addr flag (default ":8080"),
// builds the page with build, and runs it until the process is told to stop.
// It exits the process with status 1 on failure.
func Main(build func(...livetemplate.Option) (livetemplate.LiveHandler, error)) {
	addr := flag.String("addr", ":8080", "address to listen on")
	flag.Parse()
	h, err := build()
	if err != nil {
		slog.Error("cannot build the page", "err", err)
		os.Exit(1)
	}
	if err := Run(*addr, h); err != nil {
		slog.Error("server failed", "err", err)
		os.Exit(1)
	}
}

// Timeouts a production server should set. None of them limits a live
// connection: a WebSocket's deadlines are cleared when it is upgraded, and a
// long poll is the handler's time, not the request's.
const (
	// ReadHeaderTimeout bounds reading a request's headers (slowloris).
	ReadHeaderTimeout = 5 * time.Second
	// ReadTimeout bounds reading a whole request, body included: a client
	// sending its body a byte at a time is cut off.
	ReadTimeout = 15 * time.Second
	// IdleTimeout bounds how long a keep-alive connection waits for its
	// next request.
	IdleTimeout = 2 * time.Minute
	// MaxHeaderBytes bounds a request's headers.
	MaxHeaderBytes = 64 << 10
)

// NewServer returns the HTTP server an example runs: h at "/" with the
// timeouts above. It sets no WriteTimeout: it would cut HTTP long polls
// (25 s) short.
func NewServer(addr string, h http.Handler) *http.Server {
	mux := http.NewServeMux()
	mux.Handle("/", h)
	return &http.Server{
		Addr:              addr,
		Handler:           mux,
		ReadHeaderTimeout: ReadHeaderTimeout,
		ReadTimeout:       ReadTimeout,
		IdleTimeout:       IdleTimeout,
		MaxHeaderBytes:    MaxHeaderBytes,
	}
}

// Run serves h at "/" on addr until SIGINT or SIGTERM, then shuts down: the
// HTTP server first, then h's live connections.
func Run(addr string, h livetemplate.LiveHandler) error {
	srv := NewServer(addr, h)
	ctx, stop := signal.NotifyContext(context.Background(), os.Interrupt, syscall.SIGTERM)
	defer stop()
	errc := make(chan error, 1)
	go func() { errc <- srv.ListenAndServe() }()
	slog.Info("listening", "addr", addr, "url", "http://localhost"+portOf(addr)+"/")
	select {
	case err := <-errc:
		return err
	case <-ctx.Done():
	}
	shutdown, cancel := context.WithTimeout(context.Background(), 10*time.Second)
	defer cancel()
	// The live page shuts down alongside the server: its long polls and
	// WebSockets end at once instead of holding srv.Shutdown up.
	liveErr := make(chan error, 1)
	srv.RegisterOnShutdown(func() { go func() { liveErr <- h.Shutdown(shutdown) }() })
	err := srv.Shutdown(shutdown)
	serveErr := <-errc
	if errors.Is(serveErr, http.ErrServerClosed) {
		serveErr = nil
	}
	return errors.Join(err, serveErr, <-liveErr)
}

func portOf(addr string) string {
	for i := len(addr) - 1; i >= 0; i-- {
		if addr[i] == ':' {
			return addr[i:]
		}
	}
	return ""
}
