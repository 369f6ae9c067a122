package livetemplate

import (
	"cmp"
	"context"
	"errors"
	"fmt"
	"log/slog"
	"net/http"
	"sync"
	"time"

	"github.com/lvtgo/livetemplate/internal/forwarded"
	"github.com/lvtgo/livetemplate/internal/protocol"
	"github.com/lvtgo/livetemplate/internal/runtime"
	"github.com/lvtgo/livetemplate/internal/token"
	"github.com/lvtgo/livetemplate/session"
	"github.com/lvtgo/livetemplate/transport"
)

// App is what the pages of one application share: who the visitor is
// (WithAuthenticator), where shared state is kept (WithSessionStore), the
// other instances (WithBus), the limits and the logger; the shared states
// in memory, every live page, and one lifetime. Pages mounted on one App
// that show the same store (same name, same scope) share one state and see
// each other's changes live, on this instance and on every instance of the
// app; a link with lvt-navigate from one to another swaps the page over the
// same connection.
//
// Make one with NewApp, mount pages with Handle, and call Shutdown when the
// server stops (Serve does). An App is safe for concurrent use.
type App struct {
	rt     *runtime.Runtime
	srv    *protocol.Server
	log    *slog.Logger
	closer func() error // closes a session store the app made, or releases its claim
	drain  time.Duration

	once sync.Once
	err  error
}

// NewApp returns an App configured by the serving options (every option
// but WithText, WithFiles, WithFS, WithFuncs and WithStrict). With none it
// authenticates visitors with an anonymous cookie, keeps state in memory,
// serves one instance and accepts same-origin connections only. Every
// problem with the options is reported in the returned error; so is a
// session store that another App of the process uses without a bus.
func NewApp(opts ...Option) (*App, error) {
	o, err := collect(opts, forApp)
	origins, oerr := transport.ParseOrigins(o.origins)
	proxies, perr := forwarded.Parse(o.proxies)
	if perr != nil {
		perr = fmt.Errorf("WithTrustedProxies: %w", perr)
	}
	if err = errors.Join(err, oerr, perr); err != nil {
		return nil, fmt.Errorf("livetemplate: new app: %w", err)
	}
	a := &App{log: cmp.Or(o.logger, slog.Default()).With("component", "livetemplate"), closer: func() error { return nil }, drain: o.drain}
	if o.sessions == nil {
		m := session.NewMemory(nil)
		o.sessions, a.closer = m, m.Close
	} else if c, ok := o.sessions.(session.Claimer); ok && o.bus == nil {
		release, err := c.Claim()
		if err != nil {
			return nil, fmt.Errorf("livetemplate: new app: the session store serves another App of this process, which would not hear of this one's changes: mount every page of the application on one App, or give the apps one bus (WithBus): %w", err)
		}
		a.closer = func() error { release(); return nil }
	}
	tokens, _ := token.New(o.secrets...) // without keys: nil, a random one
	a.rt = runtime.New(runtime.Options{
		Sessions:      o.sessions,
		Bus:           o.bus,
		Logger:        a.log,
		Limits:        runtime.Limits(o.limits).WithDefaults(),
		IdleTimeout:   cmp.Or(o.idle, 5*time.Minute),
		RedirectHosts: o.redirects,
		Hooks:         hooks(),
		Tokens:        tokens,
		Telemetry:     o.sink,
		Lease:         o.lease,
		Uploads:       o.uploads,
		UploadLimits:  o.uploadLim,
	})
	a.srv, err = protocol.New(a.rt, protocol.Options{
		Auth:           o.auth,
		Secrets:        o.secrets,
		ClientAddr:     o.clientIP,
		Proxies:        proxies,
		Origins:        origins,
		FrameAncestors: o.frames,
		Ping:           cmp.Or(o.ping, 30*time.Second),
	})
	if err != nil {
		a.rt.Close()
		_ = a.closer()
		return nil, fmt.Errorf("livetemplate: new app: %w", err)
	}
	return a, nil
}

// Handle mounts a page: template t showing stores, and returns the handler
// that serves it (mount it on your mux at the page's path). It panics with
// the error Mount returns: a programming error, like registering a pattern
// twice on an http.ServeMux.
func (a *App) Handle(t *Template, stores ...Store) *Handler {
	h, err := a.Mount(t, stores...)
	if err != nil {
		panic(err)
	}
	return h
}

// Mount is Handle returning its error instead of panicking. It checks the
// page now rather than at its first request: the stores (non-nil pointers
// to structs that encode as JSON, with distinct names); that a shared store
// means the same store as on the app's other pages (same type, scope and
// initial state); every field, method and store the templates read, against
// the stores' Go types (types that cannot be known, such as interface{} and
// map values, are not guessed); and the store prefix of every lvt-* action
// in the templates.
func (a *App) Mount(t *Template, stores ...Store) (*Handler, error) {
	slots, err := slotsOf(stores)
	if err != nil {
		return nil, fmt.Errorf("livetemplate: mount %q: %w", t.name, err)
	}
	shape, err := t.check(slots)
	if err != nil {
		return nil, fmt.Errorf("livetemplate: mount %q: %w", t.name, err)
	}
	names := namesOf(slots)
	explain := func(err error) error { return err }
	if t.strict && shape.Map {
		explain = func(err error) error { return t.refs.MissingStore(t.name, names, err) }
	}
	v, err := a.rt.Mount(t.name, t.compiled, slots, shape, explain)
	if err != nil {
		return nil, fmt.Errorf("livetemplate: mount %q: %w", t.name, err)
	}
	return &Handler{app: a, v: v}, nil
}

// Broadcast applies a server action to the pages of every page of the app
// that t targets; see Handler.Broadcast. action names its store
// ("counter.increment"), unless the app shares one store only.
func (a *App) Broadcast(ctx context.Context, t Target, action string, data map[string]any) (Reach, error) {
	return push(ctx, a.rt, nil, t, action, data)
}

// Refresh renders the pages of the app that t targets again, on every
// instance; see Handler.Refresh.
func (a *App) Refresh(ctx context.Context, t Target) (Reach, error) {
	r, err := a.rt.Refresh(ctx, nil, t.t)
	return Reach(r), closedErr(err)
}

// Disconnect closes the live connections of the pages of the app that t
// targets, on every instance; see Handler.Disconnect.
func (a *App) Disconnect(ctx context.Context, t Target) (Reach, error) {
	r, err := a.rt.Disconnect(ctx, nil, t.t)
	return Reach(r), closedErr(err)
}

// Lead runs run on one instance of the app at a time: periodic work (a
// clock, a cleanup) that each instance would otherwise do once. The
// instances sharing the session store take turns holding a lease on name
// there, renewed every 3 s; run(ctx) runs on the holder until ctx ends, as
// the lease is lost (the store failing for 8 s, another instance taking it)
// or Shutdown begins, which frees it for another within 3 s; a holder that
// dies is replaced within 13 s (docs/instances.md). run must return when
// ctx ends; it runs again when this instance holds the lease again, or 3 s
// after returning early. Lead returns at once, with an error for a bad or
// duplicate name, or ErrClosed once Shutdown has begun.
func (a *App) Lead(name string, run func(ctx context.Context)) error {
	return closedErr(a.rt.Lead(name, run))
}

// ErrClosed is returned by pushes (Broadcast, Refresh, Disconnect) once the
// app has begun to shut down.
var ErrClosed = errors.New("livetemplate: app closed")

// Health returns the handler of the app's health probes, for an
// operations port rather than the public one: a GET of a path ending in
// /healthz is answered 200 while the process serves, one ending in /readyz
// 200 until Shutdown begins, then 503, so that load balancers send new
// clients elsewhere during the drain.
func (a *App) Health() http.Handler { return a.srv.Health() }

// Shutdown stops the app. Readiness fails at once (Health). Then it drains
// (WithDrain): waiting HTTP polls are answered (503 shutting_down, with
// Retry-After), and live WebSockets are closed in batches spread over the
// drain, with close 1012 (service restart), on which clients reconnect
// after a jittered pause, through the balancer to another instance; pages
// go on being served meanwhile. Last it stops: what is still open is
// closed, background work ends and Shutdown waits for it, or returns ctx's
// error when ctx ends first (a deadline too soon shortens the drain).
// http.Server.Shutdown closes its listener at once and neither closes
// WebSockets nor interrupts long polls: Serve calls Shutdown, and the
// server's once the drain is over; do the same by hand. It is idempotent.
func (a *App) Shutdown(ctx context.Context) error {
	a.once.Do(func() {
		drained := a.srv.Drain(ctx, a.drain)
		a.rt.Stop()
		err := cmp.Or(a.srv.Shutdown(ctx), drained)
		a.rt.Close()
		if err = errors.Join(err, a.closer()); err != nil {
			a.err = fmt.Errorf("livetemplate: shutdown: %w", err)
		}
	})
	return a.err
}

// Close is Shutdown with a timeout of the drain plus 5 seconds. It is
// idempotent.
func (a *App) Close() error {
	ctx, cancel := context.WithTimeout(context.Background(), a.drain+5*time.Second)
	defer cancel()
	return a.Shutdown(ctx)
}
