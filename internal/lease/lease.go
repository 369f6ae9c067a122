package lease

import (
	"context"
	"errors"
	"log/slog"
	"sync"
	"time"

	"github.com/lvtgo/livetemplate/session"
)

// Defaults of Options.
const (
	DefaultLease   = 10 * time.Second
	DefaultTimeout = 2 * time.Second
)

// MaxName bounds the length of a name, in bytes.
const MaxName = 200

// Errors of Lead.
var (
	// ErrClosed: the Runner was stopped.
	ErrClosed = errors.New("lease: stopped")
	// ErrTaken: the name is led already by this Runner.
	ErrTaken = errors.New("lease: the name is led already")
	// ErrName: the name is empty or too long.
	ErrName = errors.New("lease: a name must have 1 to 200 bytes")
)

// Options configure a Runner.
type Options struct {
	// Store keeps the leases; the instances that share it take turns.
	// Required.
	Store session.Store
	// Holder names this instance in the leases: unique to it. Required.
	Holder string
	// Lease is how long the others wait for a holder that stopped renewing
	// before one of them takes over (default DefaultLease).
	Lease time.Duration
	// Renew is how often the holder renews, and the others read the lease
	// (default three tenths of Lease).
	Renew time.Duration
	// Timeout bounds each call of the store (default DefaultTimeout).
	Timeout time.Duration
	// Logger logs leadership changing hands and the store failing, once
	// per outage (default slog.Default()).
	Logger *slog.Logger
}

// withDefaults returns o with its zero fields set.
func (o Options) withDefaults() Options {
	if o.Lease <= 0 {
		o.Lease = DefaultLease
	}
	if o.Renew <= 0 {
		o.Renew = o.Lease * 3 / 10
	}
	if o.Timeout <= 0 {
		o.Timeout = DefaultTimeout
	}
	if o.Logger == nil {
		o.Logger = slog.Default()
	}
	return o
}

// Runner runs functions, each under a name, on one instance at a time of
// those whose Runners share a store. Its methods are safe for concurrent
// use. Each name has one goroutine that keeps its lease, and one more
// while it runs; Stop ends them, Close waits for them.
type Runner struct {
	o      Options
	ctx    context.Context // ends with Stop
	cancel context.CancelFunc
	wg     sync.WaitGroup

	mu    sync.Mutex
	names map[string]bool
}

// New returns a Runner that leads nothing yet.
func New(o Options) *Runner {
	r := &Runner{o: o.withDefaults(), names: make(map[string]bool)}
	r.ctx, r.cancel = context.WithCancel(context.Background())
	return r
}

// Lead runs run, under name, whenever this instance holds name's lease
// (see the package documentation); run must return when its context ends.
// It returns at once: ErrName for a bad name, ErrTaken for a name this
// Runner leads already, ErrClosed after Stop.
func (r *Runner) Lead(name string, run func(ctx context.Context)) error {
	if name == "" || len(name) > MaxName {
		return ErrName
	}
	r.mu.Lock()
	defer r.mu.Unlock()
	switch {
	case r.ctx.Err() != nil:
		return ErrClosed
	case r.names[name]:
		return ErrTaken
	}
	r.names[name] = true
	l := &lead{r: r, name: name, key: Key(name), run: run, log: r.o.Logger.With("lead", name)}
	r.wg.Go(l.loop)
	return nil
}

// Stop ends every run and, once each has returned, frees its lease, so
// that another instance takes over within Renew. It does not wait: Close
// does. It is idempotent.
func (r *Runner) Stop() {
	r.mu.Lock()
	r.cancel()
	r.mu.Unlock()
}

// Close stops the Runner and waits until every run has returned and every
// lease it held is freed (or the store failed to free it: then the lease
// runs out). It is idempotent.
func (r *Runner) Close() {
	r.Stop()
	r.wg.Wait()
}

// Key returns the session store key of name's lease.
func Key(name string) string { return "lvt:lead:" + name }
