package ops

import (
	"context"
	"errors"
	"flag"
	"fmt"
	"io"
	"log/slog"
	"net"
	"net/http"
	"os"
	"strings"
	"time"

	"github.com/lvtgo/livetemplate"
	"github.com/lvtgo/livetemplate/cluster"
)

// SecretEnv is the environment variable that gives -secret when the flag
// is not set; the flag wins.
const SecretEnv = "LIVETEMPLATE_SECRET"

// Flags are the operations flags of an example.
type Flags struct {
	// LogFormat is -log-format: "text" (the default) or "json".
	LogFormat string
	// Addr is -ops-addr: the address of the operations server; empty for
	// none.
	Addr string
	// Drain is -drain: how long a shutdown drains (livetemplate.WithDrain).
	Drain time.Duration
	// Redis is -redis: the URL of the Redis server the instances share
	// (package cluster); empty for one instance on its own.
	Redis string
	// TrustedProxies are the -trusted-proxy flags (each an address or a
	// CIDR prefix, or several separated by commas): the proxies whose
	// X-Forwarded-For and X-Forwarded-Proto are believed
	// (livetemplate.WithTrustedProxies).
	TrustedProxies []string

	secret string // -secret; see Secret

	metrics *Metrics
}

// Register defines -log-format, -ops-addr, -drain, -redis, -secret and
// -trusted-proxy on fs and returns where they land once fs is parsed.
func Register(fs *flag.FlagSet) *Flags {
	f := &Flags{}
	fs.StringVar(&f.LogFormat, "log-format", "text", "log format: text or json (one JSON object a line, for a log collector)")
	fs.StringVar(&f.Addr, "ops-addr", "", "address of the operations server, which serves /metrics, /healthz and /readyz (say 127.0.0.1:9090; default none)")
	fs.DurationVar(&f.Drain, "drain", 0, "on SIGTERM, fail /readyz at once and close the live pages over this long, in batches, before exiting (say 10s behind a load balancer)")
	fs.StringVar(&f.Redis, "redis", "", "URL of the Redis server that several instances share (redis://127.0.0.1:6379/0): give each instance the same one")
	fs.StringVar(&f.secret, "secret", "", "the application's key, the same on every instance: at least 32 bytes, used as they are (make one with: openssl rand -hex 32); "+
		"it signs page tokens, cookies and sign-ins, so that they survive restarts and a wipe of Redis; default $"+SecretEnv+", else random keys")
	fs.Var((*list)(&f.TrustedProxies), "trusted-proxy", "a reverse proxy or load balancer in front of the app, by address or CIDR prefix (127.0.0.1/32, 10.0.0.0/8): "+
		"its X-Forwarded-For and X-Forwarded-Proto name each client and its scheme; repeat it, or separate several with commas")
	return f
}

// Secret returns -secret, or, when the flag is not set, the environment
// variable SecretEnv: the application's key, as its bytes; "" for none.
// Never log it.
func (f *Flags) Secret() string {
	if f.secret != "" {
		return f.secret
	}
	return os.Getenv(SecretEnv)
}

// list is a flag.Value that appends each comma-separated entry it is set
// to.
type list []string

func (l *list) String() string { return strings.Join(*l, ",") }

func (l *list) Set(s string) error {
	for e := range strings.SplitSeq(s, ",") {
		if e = strings.TrimSpace(e); e != "" {
			*l = append(*l, e)
		}
	}
	return nil
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

// Options returns the app options the flags ask for: the drain; with
// -ops-addr, the telemetry that /metrics serves; with -secret, the keys;
// with -trusted-proxy, the proxies; and with -redis, what the instances
// share (cluster.Open), connecting to it within ctx. Call closeFn once the
// app has shut down (after livetemplate.Serve returned).
func (f *Flags) Options(ctx context.Context, logger *slog.Logger) (opts []livetemplate.Option, closeFn func() error, err error) {
	opts = []livetemplate.Option{livetemplate.WithDrain(f.Drain)}
	if f.Addr != "" {
		if f.metrics == nil {
			f.metrics = NewMetrics()
		}
		opts = append(opts, livetemplate.WithTelemetry(f.metrics))
	}
	secret := []byte(f.Secret())
	if len(secret) > 0 && len(secret) < cluster.MinSecretSize {
		return nil, nil, fmt.Errorf("-secret (or $%s) has %d bytes, want at least %d", SecretEnv, len(secret), cluster.MinSecretSize)
	}
	if f.Redis == "" {
		if len(secret) > 0 {
			opts = append(opts, livetemplate.WithSecret(secret))
		}
		if len(f.TrustedProxies) > 0 {
			opts = append(opts, livetemplate.WithTrustedProxies(f.TrustedProxies...))
		}
		return opts, func() error { return nil }, nil
	}
	if len(secret) == 0 {
		logger.Info("no -secret: the instances keep their keys in Redis, and a wipe of Redis gives every visitor a new identity")
	}
	c, err := cluster.Open(ctx, f.Redis, &cluster.Options{Secret: secret, TrustedProxies: f.TrustedProxies, Logger: logger})
	if err != nil {
		return nil, nil, err
	}
	return append(opts, c.Options()...), c.Close, nil
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
