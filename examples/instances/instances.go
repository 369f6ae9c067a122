// Package instances wires an App for several server instances that share
// one Redis server: the session store (session/redisstore), the bus
// (broadcast/redisbus) and the key that signs anonymous cookies, which every
// instance must share (redisstore.Secret). The examples' -redis flag uses
// it; copy it into your application as it is.
//
//	opts, closeRedis, err := instances.Redis(ctx, "redis://127.0.0.1:6379/0", logger)
//	if err != nil { ... }
//	defer closeRedis() // after the app has shut down
//	app, err := livetemplate.NewApp(opts...)
//	h, err := counter.NewHandler(app)
package instances

import (
	"context"
	"errors"
	"fmt"
	"log/slog"
	"time"

	"github.com/redis/go-redis/v9"

	"github.com/lvtgo/livetemplate"
	"github.com/lvtgo/livetemplate/auth"
	"github.com/lvtgo/livetemplate/broadcast/redisbus"
	"github.com/lvtgo/livetemplate/session/redisstore"
)

// KeyName is the Redis key of the shared secret that signs anonymous
// cookies.
const KeyName = "livetemplate:anonymous-key"

// Redis connects to the Redis server at url ("redis://host:port/db") and
// returns the options for livetemplate.NewApp that make an app share its
// states, its changes and its visitors' identities with every other
// instance using the same server (WithSessionStore, WithBus, and
// WithAuthenticator with the shared anonymous key: pass an authenticator
// of your own after them to replace it), and a function that closes the
// connection (call it after the app has shut down). It fails if the server
// cannot be reached within ctx.
func Redis(ctx context.Context, url string, logger *slog.Logger) ([]livetemplate.Option, func() error, error) {
	o, err := redis.ParseURL(url)
	if err != nil {
		return nil, nil, fmt.Errorf("instances: redis URL: %w", err)
	}
	// Bounded waits, so that an outage fails actions promptly.
	o.DialTimeout, o.ReadTimeout, o.WriteTimeout = 2*time.Second, 2*time.Second, 2*time.Second
	o.ContextTimeoutEnabled = true
	client := redis.NewClient(o)
	fail := func(err error) ([]livetemplate.Option, func() error, error) {
		return nil, nil, errors.Join(err, client.Close())
	}
	if err := client.Ping(ctx).Err(); err != nil {
		return fail(fmt.Errorf("instances: redis at %s: %w", o.Addr, err))
	}
	store, err := redisstore.New(client, nil)
	if err != nil {
		return fail(err)
	}
	bus, err := redisbus.New(client, &redisbus.Options{Logger: logger})
	if err != nil {
		return fail(err)
	}
	key, err := redisstore.Secret(ctx, client, KeyName, auth.AnonymousKeySize)
	if err != nil {
		return fail(err)
	}
	anon, err := auth.NewAnonymous(&auth.AnonymousOptions{Key: key})
	if err != nil {
		return fail(err)
	}
	opts := []livetemplate.Option{
		livetemplate.WithSessionStore(store),
		livetemplate.WithBus(bus),
		livetemplate.WithAuthenticator(anon),
	}
	return opts, func() error { return errors.Join(bus.Close(), client.Close()) }, nil
}
