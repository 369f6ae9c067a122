package redisbus

import (
	"context"
	"crypto/rand"
	"errors"
	"io"
	"log/slog"
	"strings"
	"sync"
	"time"

	"github.com/redis/go-redis/v9"

	"github.com/lvtgo/livetemplate/broadcast"
)

const (
	defaultChannel             = "livetemplate"
	defaultHealthCheckInterval = 5 * time.Second

	// minBackoff and maxBackoff bound the wait between two attempts to
	// subscribe again after an interruption.
	minBackoff = 50 * time.Millisecond
	maxBackoff = 2 * time.Second
)

// Options tunes a [Bus]. The zero value, and a nil pointer, select the
// defaults.
type Options struct {
	// Channel is the Redis Pub/Sub channel the instances of one
	// application share. Applications that share a Redis need a channel
	// each. Default: "livetemplate".
	Channel string
	// Logger receives the Bus's few log lines: an outage of a
	// subscription, its recovery, and messages it cannot read. Default:
	// slog.Default() at the time of New.
	Logger *slog.Logger
	// HealthCheckInterval is how long a subscription's connection may stay
	// silent before Subscribe pings Redis; if the ping is not answered
	// within another interval, the connection is given up and replaced.
	// Default, and for values <= 0: 5 seconds.
	HealthCheckInterval time.Duration
}

// Bus is a broadcast.Bus over Redis Pub/Sub. It is safe for concurrent use;
// any number of Subscribe calls may run on it at once, each with its own
// Redis connection.
type Bus struct {
	client  redis.UniversalClient
	channel string
	logger  *slog.Logger
	health  time.Duration
	origin  [originLen]byte

	mu     sync.Mutex
	closed bool
	subs   map[uint64]context.CancelFunc // running Subscribe calls
	nextID uint64
	wg     sync.WaitGroup
}

var (
	_ broadcast.Bus = (*Bus)(nil)
	_ io.Closer     = (*Bus)(nil)
)

// New returns a Bus that exchanges messages through the Redis reached by
// client, tuned by opts (nil selects the defaults documented on
// [Options]), with a new random origin id. It does not contact the server.
// The caller keeps ownership of client and closes it after the Bus. It
// returns an error if client is nil.
func New(client redis.UniversalClient, opts *Options) (*Bus, error) {
	if client == nil {
		return nil, errors.New("redisbus: new: nil client")
	}
	var o Options
	if opts != nil {
		o = *opts
	}
	if o.Channel == "" {
		o.Channel = defaultChannel
	}
	if o.Logger == nil {
		o.Logger = slog.Default()
	}
	if o.HealthCheckInterval <= 0 {
		o.HealthCheckInterval = defaultHealthCheckInterval
	}
	b := &Bus{
		client:  client,
		channel: o.Channel,
		logger:  o.Logger,
		health:  o.HealthCheckInterval,
		subs:    make(map[uint64]context.CancelFunc),
	}
	_, _ = rand.Read(b.origin[:]) // never fails
	return b, nil
}

// Publish sends msg in an envelope to every other Bus subscribed to the
// channel and returns once Redis has accepted it. It returns an error
// wrapping [broadcast.ErrClosed] after Close (or once the client is
// closed), one wrapping ctx's error if ctx is done before or during the
// call, or the error of the Redis call. A message that Redis accepted
// while no other instance was subscribed is lost, as with any bus.
func (b *Bus) Publish(ctx context.Context, msg []byte) error {
	if err := ctx.Err(); err != nil {
		return failed(ctx, "publish", err)
	}
	b.mu.Lock()
	closed := b.closed
	b.mu.Unlock()
	if closed {
		return failed(ctx, "publish", broadcast.ErrClosed)
	}
	if err := b.client.Publish(ctx, b.channel, seal(b.origin, msg)).Err(); err != nil {
		return failed(ctx, "publish", err)
	}
	return nil
}

// Subscribe delivers to r the messages that other instances publish on the
// channel, until ctx is done or the Bus is closed, and then returns nil.
// It calls r from the calling goroutine, one message at a time, in the
// order Redis received them. It keeps the subscription alive by itself and
// calls r.Resync after every interruption, as the package documentation
// describes, including when Redis was unreachable when Subscribe began.
// It returns at once an error wrapping [broadcast.ErrClosed] if the Bus is
// closed already, or an error if r is nil.
func (b *Bus) Subscribe(ctx context.Context, r broadcast.Receiver) error {
	if r == nil {
		return errors.New("redisbus: subscribe: nil receiver")
	}
	ctx, cancel := context.WithCancel(ctx)
	defer cancel()
	b.mu.Lock()
	if b.closed {
		b.mu.Unlock()
		return failed(ctx, "subscribe", broadcast.ErrClosed)
	}
	id := b.nextID
	b.nextID++
	b.subs[id] = cancel
	b.wg.Add(1)
	b.mu.Unlock()
	defer func() {
		b.mu.Lock()
		delete(b.subs, id)
		b.mu.Unlock()
		b.wg.Done()
	}()

	s := &subscriber{bus: b, r: r, backoff: minBackoff}
	s.run(ctx)
	return nil
}

// Close ends every running Subscribe, waits for them to return, and makes
// later calls of Publish and Subscribe fail with [broadcast.ErrClosed]. It
// does not close the client. Close always returns nil; calling it again
// does nothing. It must not be called from a receiver.
func (b *Bus) Close() error {
	b.mu.Lock()
	b.closed = true
	for _, cancel := range b.subs {
		cancel()
	}
	b.mu.Unlock()
	b.wg.Wait()
	return nil
}

// opError reports a failed bus operation: "redisbus: op: cause".
type opError struct {
	op   string
	errs []error // the cause, then ctx.Err() or broadcast.ErrClosed if they apply
}

// failed wraps err as the failure of operation op. When ctx is done, the
// error also wraps ctx.Err(), so callers can tell a cancelled call from an
// outage with errors.Is; a closed client also wraps broadcast.ErrClosed.
func failed(ctx context.Context, op string, err error) error {
	e := &opError{op: op, errs: []error{err}}
	if ctxErr := ctx.Err(); ctxErr != nil && !errors.Is(err, ctxErr) {
		e.errs = append(e.errs, ctxErr)
	}
	if errors.Is(err, redis.ErrClosed) {
		e.errs = append(e.errs, broadcast.ErrClosed)
	}
	return e
}

// Error returns "redisbus: op: cause", without the "broadcast: " prefix of
// a sentinel cause.
func (e *opError) Error() string {
	msg := strings.TrimPrefix(e.errs[0].Error(), "broadcast: ")
	for _, extra := range e.errs[1:] {
		msg += " (" + strings.TrimPrefix(extra.Error(), "broadcast: ") + ")"
	}
	return "redisbus: " + e.op + ": " + msg
}

// Unwrap returns the causes.
func (e *opError) Unwrap() []error { return e.errs }
