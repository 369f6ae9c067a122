package cluster

import (
	"cmp"
	"context"
	"errors"
	"fmt"
	"log/slog"
	"slices"
	"sync"
	"time"

	"github.com/redis/go-redis/v9"

	"github.com/lvtgo/livetemplate"
	"github.com/lvtgo/livetemplate/auth"
	"github.com/lvtgo/livetemplate/broadcast/redisbus"
	"github.com/lvtgo/livetemplate/internal/forwarded"
	"github.com/lvtgo/livetemplate/session/redisstore"
)

// Redis keys of the keys kept in Redis when Options.Secret is not set.
const (
	// AnonymousKeyName holds the key that signs anonymous cookies.
	AnonymousKeyName = "livetemplate:anonymous-key"
	// TokenKeyName holds the key that signs page tokens.
	TokenKeyName = "livetemplate:token-key"
)

// MinSecretSize is the shortest Options.Secret (and previous secret)
// accepted, in bytes.
const MinSecretSize = 32

// Options configure Open. The zero value, and a nil *Options, mean the
// defaults documented on each field.
type Options struct {
	// Secret is the application's key: at least MinSecretSize bytes of
	// secret randomness, the same on every instance. Page tokens are
	// signed with it, and anonymous cookies with a key derived from it
	// (livetemplate.WithSecret), so that identities and tokens survive a
	// wipe of Redis. Default: none, and keys kept in Redis instead
	// (AnonymousKeyName, TokenKeyName).
	Secret []byte
	// PreviousSecrets are former Secrets, still accepted while pages and
	// cookies made under them live: to rotate, move the Secret here and set
	// a new one. Default: none.
	PreviousSecrets [][]byte
	// TrustedProxies are the load balancers and reverse proxies in front
	// of the instances, by address or CIDR prefix
	// (livetemplate.WithTrustedProxies). Default: none, so that every
	// request's peer is its client.
	TrustedProxies []string
	// Timeout is the Redis client's dial, read and write timeout. Default:
	// 2 seconds.
	Timeout time.Duration
	// Logger receives the bus's log lines (an outage of its subscription,
	// its recovery). Default: slog.Default().
	Logger *slog.Logger
	// Store tunes the session store (its key prefix, its TTL). Default:
	// redisstore's defaults.
	Store *redisstore.Options
	// Bus tunes the bus (its channel: give each application sharing a
	// Redis server its own). Default: redisbus's defaults, logging to
	// Logger.
	Bus *redisbus.Options
}

// Cluster is one instance's connection to the Redis server the instances
// share, and the app options that use it. It is safe for concurrent use.
type Cluster struct {
	client *redis.Client
	store  *redisstore.Store
	bus    *redisbus.Bus
	opts   []livetemplate.Option

	once sync.Once
	err  error
}

// Open connects to the Redis server at url ("redis://[user:password@]host:
// port/db", "rediss://…" over TLS, "unix:///path?db=N"; see
// redis.ParseURL) and returns what an instance needs to share its states,
// changes and visitors with the others. It fails, with an error that never
// quotes a password, if opts are invalid, if url is, or if the server does
// not answer a PING within ctx. Close the Cluster after the app has shut
// down.
func Open(ctx context.Context, url string, opts *Options) (*Cluster, error) {
	var o Options
	if opts != nil {
		o = *opts
	}
	if err := o.check(); err != nil {
		return nil, err
	}
	ro, err := parseURL(url)
	if err != nil {
		return nil, err
	}
	timeout := cmp.Or(o.Timeout, 2*time.Second)
	ro.DialTimeout, ro.ReadTimeout, ro.WriteTimeout = timeout, timeout, timeout
	ro.ContextTimeoutEnabled = true
	c := &Cluster{client: redis.NewClient(ro)}
	if err := c.connect(ctx, o, ro.Addr); err != nil {
		return nil, errors.Join(err, c.Close())
	}
	return c, nil
}

// check validates the options that need no server.
func (o *Options) check() error {
	var errs []error
	if len(o.Secret) > 0 && len(o.Secret) < MinSecretSize {
		errs = append(errs, fmt.Errorf("cluster: the secret has %d bytes, want at least %d", len(o.Secret), MinSecretSize))
	}
	if len(o.PreviousSecrets) > 0 && len(o.Secret) == 0 {
		errs = append(errs, errors.New("cluster: previous secrets need a current one (Secret)"))
	}
	for i, s := range o.PreviousSecrets {
		if len(s) < MinSecretSize {
			errs = append(errs, fmt.Errorf("cluster: previous secret %d has %d bytes, want at least %d", i, len(s), MinSecretSize))
		}
	}
	if o.Timeout < 0 {
		errs = append(errs, errors.New("cluster: negative timeout"))
	}
	if _, err := forwarded.Parse(o.TrustedProxies); err != nil {
		errs = append(errs, fmt.Errorf("cluster: trusted proxies: %w", err))
	}
	return errors.Join(errs...)
}

// connect pings the server at addr and makes the store, the bus and the
// options.
func (c *Cluster) connect(ctx context.Context, o Options, addr string) error {
	if err := c.client.Ping(ctx).Err(); err != nil {
		return fmt.Errorf("cluster: redis at %s: %w", addr, err)
	}
	var err error
	if c.store, err = redisstore.New(c.client, o.Store); err != nil {
		return fmt.Errorf("cluster: %w", err)
	}
	bo := redisbus.Options{Logger: o.Logger}
	if o.Bus != nil {
		bo = *o.Bus
		bo.Logger = cmp.Or(bo.Logger, o.Logger)
	}
	if c.bus, err = redisbus.New(c.client, &bo); err != nil {
		return fmt.Errorf("cluster: %w", err)
	}
	c.opts = []livetemplate.Option{livetemplate.WithSessionStore(c.store), livetemplate.WithBus(c.bus)}
	if len(o.TrustedProxies) > 0 {
		c.opts = append(c.opts, livetemplate.WithTrustedProxies(o.TrustedProxies...))
	}
	if len(o.Secret) > 0 {
		// The app signs tokens with the secrets and derives the anonymous
		// cookies' keys from them, trusting X-Forwarded-Proto behind the
		// trusted proxies.
		c.opts = append(c.opts, livetemplate.WithSecret(o.Secret, o.PreviousSecrets...))
		return nil
	}
	keys, err := c.sharedKeys(ctx)
	if err != nil {
		return err
	}
	anon, err := auth.NewAnonymous(&auth.AnonymousOptions{Key: keys[0], TrustForwardedProto: len(o.TrustedProxies) > 0})
	if err != nil {
		return fmt.Errorf("cluster: %w", err)
	}
	c.opts = append(c.opts, livetemplate.WithSecret(keys[1]), livetemplate.WithAuthenticator(anon))
	return nil
}

// sharedKeys returns the anonymous cookies' key and the page tokens' key
// kept in Redis, made by the first instance to ask.
func (c *Cluster) sharedKeys(ctx context.Context) ([2][]byte, error) {
	var keys [2][]byte
	sizes := [2]int{auth.AnonymousKeySize, MinSecretSize}
	for i, name := range []string{AnonymousKeyName, TokenKeyName} {
		k, err := redisstore.Secret(ctx, c.client, name, sizes[i])
		if err != nil {
			return keys, fmt.Errorf("cluster: %w", err)
		}
		keys[i] = k
	}
	return keys, nil
}

// Options returns the options for livetemplate.NewApp that make an app
// one of the instances: WithSessionStore, WithBus, WithSecret, and, when
// Options asked for them, WithTrustedProxies and (without a Secret)
// WithAuthenticator with the anonymous cookies' shared key. An
// authenticator of your own, passed after them, replaces the anonymous
// one; it must then be given shared keys of its own (a JWT key, say).
func (c *Cluster) Options() []livetemplate.Option { return slices.Clone(c.opts) }

// Client returns the Redis client, for the application's own use; Close
// closes it.
func (c *Cluster) Client() *redis.Client { return c.client }

// Store returns the session store.
func (c *Cluster) Store() *redisstore.Store { return c.store }

// Bus returns the bus.
func (c *Cluster) Bus() *redisbus.Bus { return c.bus }

// Close closes the bus and the Redis client. Call it after the app that
// uses them has shut down (livetemplate.Serve has returned). It is
// idempotent.
func (c *Cluster) Close() error {
	c.once.Do(func() {
		var err error
		if c.bus != nil {
			err = c.bus.Close()
		}
		if err = errors.Join(err, c.client.Close()); err != nil {
			c.err = fmt.Errorf("cluster: close: %w", err)
		}
	})
	return c.err
}
