package instances

import (
	"context"
	"errors"
	"log/slog"
	"net"
	"net/http"
	"strings"
	"time"

	"github.com/redis/go-redis/v9"

	"github.com/lvtgo/livetemplate"
	"github.com/lvtgo/livetemplate/auth"
	"github.com/lvtgo/livetemplate/broadcast/redisbus"
	"github.com/lvtgo/livetemplate/session/redisstore"
)

// quote:shared
// Shared returns the options that make an app share its state, its changes
// and its visitors' identities with every instance that uses the same Redis,
// and a function to call after the app has shut down.
func Shared(ctx context.Context, url string, logger *slog.Logger) ([]livetemplate.Option, func() error, error) {
	o, err := redis.ParseURL(url)
	if err != nil {
		return nil, nil, err
	}
	o.DialTimeout, o.ReadTimeout, o.WriteTimeout = 2*time.Second, 2*time.Second, 2*time.Second
	o.ContextTimeoutEnabled = true
	client := redis.NewClient(o)
	fail := func(err error) ([]livetemplate.Option, func() error, error) {
		return nil, nil, errors.Join(err, client.Close())
	}
	// 1. The state: every instance reads and writes the same groups.
	store, err := redisstore.New(client, nil)
	if err != nil {
		return fail(err)
	}
	// 2. The changes: an instance that changes a state tells the others.
	bus, err := redisbus.New(client, &redisbus.Options{Logger: logger})
	if err != nil {
		return fail(err)
	}
	// 3. The identities: one cookie key, made by the first instance to ask.
	key, err := redisstore.Secret(ctx, client, "myapp:anonymous-key", auth.AnonymousKeySize)
	if err != nil {
		return fail(err)
	}
	anon, err := auth.NewAnonymous(&auth.AnonymousOptions{
		Key:                 key,
		TrustForwardedProto: true, // the load balancer terminates TLS and sets X-Forwarded-Proto
	})
	if err != nil {
		return fail(err)
	}
	opts := []livetemplate.Option{
		livetemplate.WithSessionStore(store),
		livetemplate.WithBus(bus),
		livetemplate.WithAuthenticator(anon),
		livetemplate.WithClientAddress(clientAddress),
		livetemplate.WithLogger(logger),
	}
	return opts, func() error { return errors.Join(bus.Close(), client.Close()) }, nil
}

// clientAddress is the address the load balancer saw: the last entry of
// X-Forwarded-For, which it appends (earlier entries come from the client
// and can be forged). Use only what your own proxy sets.
func clientAddress(r *http.Request) string {
	if xff := r.Header.Values("X-Forwarded-For"); len(xff) > 0 {
		all := strings.Split(xff[len(xff)-1], ",")
		return strings.TrimSpace(all[len(all)-1])
	}
	host, _, _ := net.SplitHostPort(r.RemoteAddr)
	return host
}

// quote:end

// Counter is the page's state.
type Counter struct{ Count int }

func (c *Counter) Change(ctx *livetemplate.ActionContext) error {
	if ctx.Action() != "increment" {
		return livetemplate.ErrUnknownAction
	}
	c.Count++
	return nil
}

// NewHandler mounts the counter on app.
func NewHandler(app *livetemplate.App) (*livetemplate.Handler, error) {
	tmpl, err := livetemplate.New("counter",
		livetemplate.WithText(`<body><p id="n">{{.Count}}</p><button id="inc" lvt-click="increment">+1</button></body>`))
	if err != nil {
		return nil, err
	}
	return app.Mount(tmpl, &Counter{})
}

// quote:main
func run(ctx context.Context, addr, redisURL string) error {
	opts, closeRedis, err := Shared(ctx, redisURL, slog.Default())
	if err != nil {
		return err
	}
	defer closeRedis() // after Serve returned: the app is shut down
	app, err := livetemplate.NewApp(opts...)
	if err != nil {
		return err
	}
	h, err := NewHandler(app)
	if err != nil {
		return errors.Join(err, app.Close())
	}
	return livetemplate.Serve(ctx, livetemplate.NewServer(addr, h), app)
}

// quote:end
