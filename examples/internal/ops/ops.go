package ops

import (
	"errors"
	"flag"
	"fmt"
	"io"
	"log/slog"
	"net"
	"net/http"
	"time"

	"github.com/lvtgo/livetemplate"
)

// Flags are the operations flags of an example.
type Flags struct {
	// LogFormat is -log-format: "text" (the default) or "json".
	LogFormat string
	// Addr is -ops-addr: the address of the operations server; empty for
	// none.
	Addr string
	// Drain is -drain: how long a shutdown drains (livetemplate.WithDrain).
	Drain time.Duration

	metrics *Metrics
}

// Register defines -log-format, -ops-addr and -drain on fs and returns
// where they land once fs is parsed.
func Register(fs *flag.FlagSet) *Flags {
	f := &Flags{}
	fs.StringVar(&f.LogFormat, "log-format", "text", "log format: text or json (one JSON object a line, for a log collector)")
	fs.StringVar(&f.Addr, "ops-addr", "", "address of the operations server, which serves /metrics, /healthz and /readyz (say 127.0.0.1:9090; default none)")
	fs.DurationVar(&f.Drain, "drain", 0, "on SIGTERM, fail /readyz at once and close the live pages over this long, in batches, before exiting (say 10s behind a load balancer)")
	return f
}

// Logger returns the logger -log-format asks for, writing to w at level
// Info.
func (f *Flags) Logger(w io.Writer) (*slog.Logger, error) {
	switch f.LogFormat {
	case "text", "":
		return slog.New(slog.NewTextHandler(w, nil)), nil
	case "json":
		return slog.New(slog.NewJSONHandler(w, nil)), nil
	}
	return nil, fmt.Errorf("-log-format %q: want text or json", f.LogFormat)
}

// Options returns the app options the flags ask for: the drain, and, with
// -ops-addr, the telemetry that /metrics serves.
func (f *Flags) Options() []livetemplate.Option {
	opts := []livetemplate.Option{livetemplate.WithDrain(f.Drain)}
	if f.Addr != "" {
		if f.metrics == nil {
			f.metrics = NewMetrics()
		}
		opts = append(opts, livetemplate.WithTelemetry(f.metrics))
	}
	return opts
}

// Start serves the operations server of app on -ops-addr (nothing
// without it) and returns what stops it. Stop it once the app has shut
// down (after livetemplate.Serve returned), so that /readyz reports the
// drain while it lasts.
func (f *Flags) Start(app *livetemplate.App, logger *slog.Logger) (stop func(), err error) {
	if f.Addr == "" {
		return func() {}, nil
	}
	if f.metrics == nil {
		return nil, errors.New("ops: Start without the app options of Options")
	}
	mux := http.NewServeMux()
	mux.Handle("GET /metrics", f.metrics)
	mux.Handle("/healthz", app.Health())
	mux.Handle("/readyz", app.Health())
	ln, err := net.Listen("tcp", f.Addr)
	if err != nil {
		return nil, fmt.Errorf("ops: %w", err)
	}
	srv := livetemplate.NewServer(f.Addr, mux)
	done := make(chan struct{})
	go func() { // owned: stop waits for it
		defer close(done)
		if err := srv.Serve(ln); !errors.Is(err, http.ErrServerClosed) {
			logger.Error("operations server failed", "err", err)
		}
	}()
	logger.Info("operations server", "addr", ln.Addr().String(), "paths", "/metrics /healthz /readyz")
	return func() {
		_ = srv.Close()
		<-done
	}, nil
}
