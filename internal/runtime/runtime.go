package runtime

import (
	"context"
	"errors"
	"log/slog"
	"sync"
	"sync/atomic"
	"time"

	"github.com/lvtgo/livetemplate/auth"
	"github.com/lvtgo/livetemplate/broadcast"
	"github.com/lvtgo/livetemplate/internal/fault"
	"github.com/lvtgo/livetemplate/internal/lease"
	"github.com/lvtgo/livetemplate/internal/limit"
	"github.com/lvtgo/livetemplate/internal/page"
	"github.com/lvtgo/livetemplate/internal/relay"
	"github.com/lvtgo/livetemplate/internal/schema"
	"github.com/lvtgo/livetemplate/internal/state"
	"github.com/lvtgo/livetemplate/internal/token"
	"github.com/lvtgo/livetemplate/internal/transfer"
	"github.com/lvtgo/livetemplate/session"
	"github.com/lvtgo/livetemplate/telemetry"
	"github.com/lvtgo/livetemplate/upload"
)

// Limits are the facade's Limits with their defaults filled in (the same
// fields, so that one converts to the other).
type Limits struct {
	ActionsPerSecond        float64
	ActionBurst             int
	AddressActionsPerSecond float64
	AddressActionBurst      int
	AddressPagesPerSecond   float64
	MaxMessageBytes         int64
	MaxConnsPerGroup        int
	MaxConnsPerAddress      int
	MaxPendingPages         int
	MaxUnjoined             int
	JoinTimeout             time.Duration
	StallTimeout            time.Duration
	StoreTimeout            time.Duration
}

// Hooks call user code with the facade's types. Each returns the user's
// error as a *fault.Error when it is one the user may see (a field error,
// a message for the user, an unknown action), any other error as it is, and
// a panic as an error.
type Hooks struct {
	Change       func(store any, c *Call) error
	Mount        func(store any, c *Call) error
	Connected    func(store any, c *Call) error
	Disconnected func(store any, c *Call) error
	// Flash returns the flash messages as templates see them (.flash).
	Flash func([]page.Flash) any
	// Viewer returns who views a page as templates see it (.viewer).
	Viewer func(auth.Identity) any
}

// Options configure a Runtime.
type Options struct {
	Sessions      session.Store // required
	Bus           broadcast.Bus // nil: this instance is the only one
	Logger        *slog.Logger
	Limits        Limits
	IdleTimeout   time.Duration // how long a page whose connection ended is kept
	RedirectHosts []string      // hosts Redirect may send pages to, besides this site
	Hooks         Hooks
	// Tokens makes and checks page tokens; with the key every instance
	// shares, an instance opens the pages of tokens other instances made.
	// Default: a random key (this instance only).
	Tokens    *token.Signer
	Telemetry telemetry.Sink // nil: none
	// Lease is how long the other instances wait for one that leads a
	// function (Lead) and stopped renewing; 0: lease.DefaultLease.
	Lease time.Duration
	// Uploads is where the files of stores that accept them go (nil: no
	// store may accept files), and UploadLimits its tuning.
	Uploads      upload.Storage
	UploadLimits *upload.Options // nil: defaults
}

// Runtime is the engine of one app: the shared states (state.Table), the
// live pages (page.Table), the views, the rate limits and the relay to other
// instances, with one lifetime. The facade's App wraps it; the protocol
// package drives it for each client.
type Runtime struct {
	o    Options
	log  *slog.Logger
	sink telemetry.Sink // never nil

	catalog schema.Catalog
	states  *state.Table
	pages   *page.Table
	relay   *relay.Relay // nil without a bus
	uploads *transfer.Table[string]
	leases  *lease.Runner
	groups  *limit.Rates // actions per session group
	addrs   *limit.Rates // actions per client address
	opens   *limit.Rates // new pages per client address
	epoch   atomic.Uint64
	noFlash any
	parked  parked // flash messages waiting for a page load

	viewsMu sync.Mutex
	views   map[string]*View

	renderFailed onceSet
	watchFailed  onceSet

	instance   string      // this instance's name in watches and heartbeats
	watching   atomic.Bool // some view shows a shared Watcher store
	announcing atomic.Bool // announceAll runs
	beats      beats

	draining  chan struct{} // closed when the drain begins (Drain, or Stop)
	drainOnce sync.Once
	ctx       context.Context // lifetime: cancelled by Close
	cancel    context.CancelFunc
	wg        sync.WaitGroup
	once      sync.Once
	async     asyncRun // background work of pages (Async)
}

// Timing of the pages table.
const (
	// FreshTimeout is how long a rendered page waits for its connection.
	FreshTimeout = time.Minute
	// PollTimeout is how long an HTTP poll waits for a change.
	PollTimeout = 25 * time.Second
	// pollGrace is how long an HTTP page may go without a request (and no
	// poll waiting) before it stops counting as live: its client polls again
	// as soon as a poll is answered.
	pollGrace = 10 * time.Second
	// firstRenders bounds the first renders kept for pages waiting for
	// their connection.
	firstRenders = 32 << 20
	// waitingBytes bounds the trees kept by pages whose connection ended
	// (diff.Tree.Footprint): 2,000 closed pages of 200 KB would hold 800 MB.
	waitingBytes = 32 << 20
)

// unjoinedShare is the most sockets waiting for their join one address may
// hold: a sixteenth of the pool, at least 8; no bound without a pool bound.
func unjoinedShare(pool int) int {
	if pool < 0 {
		return 0
	}
	return max(8, pool/16)
}

// New returns a running Runtime; Close stops it.
func New(o Options) *Runtime {
	if o.Logger == nil {
		o.Logger = slog.Default()
	}
	if o.Limits.StoreTimeout <= 0 {
		o.Limits.StoreTimeout = 2 * time.Second
	}
	if o.Tokens == nil {
		o.Tokens, _ = token.New([]byte(NewToken() + NewToken())) // a key never fails
	}
	if o.Telemetry == nil {
		o.Telemetry = telemetry.SinkFunc(func(telemetry.Event) {})
	}
	rt := &Runtime{o: o, log: o.Logger, sink: o.Telemetry, views: make(map[string]*View),
		instance: newInstanceID(), draining: make(chan struct{})}
	l := o.Limits
	rt.groups = limit.NewRates(l.ActionsPerSecond, l.ActionBurst)
	rt.addrs = limit.NewRates(l.AddressActionsPerSecond, l.AddressActionBurst)
	rt.opens = limit.NewRates(l.AddressPagesPerSecond, int(10*l.AddressPagesPerSecond))
	rt.noFlash = o.Hooks.Flash(nil)
	rt.pages = page.NewTable(page.Options{
		MaxWaiting:    l.MaxPendingPages,
		FreshTimeout:  FreshTimeout,
		IdleTimeout:   o.IdleTimeout,
		PollTimeout:   pollGrace,
		MaxPerGroup:   l.MaxConnsPerGroup,
		MaxPerAddress: l.MaxConnsPerAddress,
		MaxUnjoined:   l.MaxUnjoined,
		FirstRenders:  firstRenders,
		// Pages kept for a reconnect hold their client's tree: 2,000 pages
		// of 200 KB must not cost more than a bounded amount.
		MaxWaitingBytes: waitingBytes,
		// One address holds at most a sixteenth of the sockets waiting for
		// their join (at least 8), so that others still join.
		UnjoinedShare: unjoinedShare(l.MaxUnjoined),
	})
	rt.states = state.NewTable(state.Options{
		Sessions:  o.Sessions,
		Logger:    o.Logger,
		Mount:     rt.mountShared,
		Changed:   rt.changed,
		Timeout:   l.StoreTimeout,
		Telemetry: o.Telemetry,
	})
	var ulim upload.Options
	if o.UploadLimits != nil {
		ulim = *o.UploadLimits
	}
	rt.uploads = transfer.New[string](transfer.Options{Storage: o.Uploads, Limits: ulim, Chunk: ChunkSize(l.MaxMessageBytes), Logger: o.Logger,
		Report: func(outcome string, bytes int64, d time.Duration) {
			rt.sink.Record(telemetry.Event{Kind: telemetry.Upload, Outcome: outcome, Bytes: bytes, Duration: d})
		}})
	rt.ctx, rt.cancel = context.WithCancel(context.Background())
	if o.Bus != nil {
		rt.relay = relay.New(o.Bus, receiver{rt}, o.Logger, o.Telemetry, l.StoreTimeout)
		rt.relay.Start()
	}
	rt.leases = rt.newLeases()
	rt.wg.Go(rt.janitor)
	rt.wg.Go(rt.presence)
	return rt
}

// Context returns the runtime's lifetime: it ends when Close begins.
func (rt *Runtime) Context() context.Context { return rt.ctx }

// Uploads returns the table of uploads in progress, owned by session
// group (UploadOwner): a client that reconnects to a new page (its old
// one still looked live here, say) resumes its uploads all the same.
func (rt *Runtime) Uploads() *transfer.Table[string] { return rt.uploads }

// UploadOwner returns the owner of the uploads of id's pages.
func UploadOwner(id auth.Identity) string { return id.GroupID + "\x00" + id.UserID }

// ChunkSize returns the size of upload chunks that fit in messages of at
// most max bytes once base64-encoded in their envelope: a multiple of 1
// KiB, from 1 KiB to 256 KiB (47 KiB for the default 64 KiB).
func ChunkSize(limit int64) int {
	n := (limit - 1024) * 3 / 4 &^ 1023
	return int(min(256<<10, max(1<<10, n)))
}

// Pages returns the table of live pages.
func (rt *Runtime) Pages() *page.Table { return rt.pages }

// Limits returns the limits the runtime applies.
func (rt *Runtime) Limits() Limits { return rt.o.Limits }

// Logger returns the runtime's logger.
func (rt *Runtime) Logger() *slog.Logger { return rt.log }

// Telemetry returns the sink of the runtime's events (a no-op without one).
func (rt *Runtime) Telemetry() telemetry.Sink { return rt.sink }

// Closing reports whether Close has begun.
func (rt *Runtime) Closing() bool { return rt.ctx.Err() != nil }

// Drain begins the drain that precedes Stop: pages go on being served,
// but HTTP polls are answered at once from now on (Draining), and led
// functions stop, so that another instance takes them over. It is
// idempotent.
func (rt *Runtime) Drain() {
	rt.drainOnce.Do(func() {
		close(rt.draining)
		rt.leases.Stop()
	})
}

// Draining returns a channel closed once the drain (or Stop) has begun.
func (rt *Runtime) Draining() <-chan struct{} { return rt.draining }

// Stop begins closing: no page is opened or made live from now on, and
// every wait of the runtime's (an HTTP poll, a push) ends. It returns the
// live pages, which the caller disconnects.
func (rt *Runtime) Stop() []*page.Page {
	rt.Drain()
	rt.states.Close()
	rt.cancel()
	return rt.pages.Close()
}

// Close stops the runtime (Stop) and waits for its goroutines. It is
// idempotent.
func (rt *Runtime) Close() {
	rt.once.Do(func() {
		rt.Stop()
		rt.closeAsync()
		if rt.relay != nil {
			rt.relay.Close()
		}
		rt.wg.Wait()
		rt.leases.Close()
		_ = rt.uploads.Close()
		rt.endBeat()
	})
}

// changed is told by the state table that s has a new snapshot: the pages
// that show it render again, and the other instances hear of it when this
// instance made the change.
func (rt *Runtime) changed(s *state.State, local bool) {
	for _, p := range rt.pages.State(s.Name()) {
		p.Changed()
	}
	if local && rt.relay != nil {
		rt.relay.Announce(s.Name(), s.Current().Version())
	}
}

// janitor forgets pages that waited too long, HTTP pages that stopped
// polling, and rate limiters that refilled.
func (rt *Runtime) janitor() {
	tick := time.NewTicker(max(min(rt.o.IdleTimeout/4, 5*time.Second), 50*time.Millisecond))
	defer tick.Stop()
	for {
		select {
		case <-rt.ctx.Done():
			return
		case now := <-tick.C:
			for _, p := range rt.pages.Sweep(now) {
				rt.Detach(p, nil)
			}
			rt.groups.Sweep(now)
			rt.addrs.Sweep(now)
			rt.opens.Sweep(now)
			rt.parked.sweep(now)
		}
	}
}

// allowPage takes one new page from the budget of client address addr.
func (rt *Runtime) allowPage(addr string) error {
	if ok, retry := rt.opens.Reserve(addr, time.Now()); !ok {
		return &fault.Error{Kind: fault.RateLimited, Message: "Too many pages opened; slow down.", RetryAfter: retry}
	}
	return nil
}

// Causes of the refusal Allow returns: which budget is spent.
var (
	ErrGroupRate   = errors.New("runtime: the session group's actions per second")
	ErrAddressRate = errors.New("runtime: the client address's actions per second")
)

// Allow takes one action from the budgets of page p's group and client
// address; when either is spent it returns a fault.RateLimited saying how
// long until one is back, caused by ErrGroupRate or ErrAddressRate.
func (rt *Runtime) Allow(p *page.Page) *fault.Error {
	now := time.Now()
	if ok, retry := rt.groups.Reserve(p.ID.GroupID, now); !ok {
		return &fault.Error{Kind: fault.RateLimited, RetryAfter: retry, Cause: ErrGroupRate}
	}
	if ok, retry := rt.addrs.Reserve(p.Addr, now); !ok {
		return &fault.Error{Kind: fault.RateLimited, RetryAfter: retry, Cause: ErrAddressRate}
	}
	return nil
}

// WithDefaults returns l with every zero field set to its default.
func (l Limits) WithDefaults() Limits {
	def := func(v *int, d int) {
		if *v == 0 {
			*v = d
		}
	}
	if l.ActionsPerSecond == 0 {
		l.ActionsPerSecond = 50
	}
	def(&l.ActionBurst, 200)
	if l.AddressActionsPerSecond == 0 {
		l.AddressActionsPerSecond = 200
	}
	def(&l.AddressActionBurst, 800)
	if l.AddressPagesPerSecond == 0 {
		l.AddressPagesPerSecond = 10
	}
	if l.MaxMessageBytes == 0 {
		l.MaxMessageBytes = 64 << 10
	}
	def(&l.MaxConnsPerGroup, 100)
	def(&l.MaxConnsPerAddress, 1000)
	def(&l.MaxPendingPages, 10_000)
	def(&l.MaxUnjoined, 1000)
	if l.JoinTimeout <= 0 {
		l.JoinTimeout = 5 * time.Second
	}
	if l.StallTimeout <= 0 {
		l.StallTimeout = 10 * time.Second
	}
	if l.StoreTimeout <= 0 {
		l.StoreTimeout = 2 * time.Second
	}
	return l
}
