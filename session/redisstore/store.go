package redisstore

import (
	"context"
	"errors"
	"fmt"
	"strconv"
	"strings"
	"time"

	"github.com/redis/go-redis/v9"

	"github.com/lvtgo/livetemplate/session"
)

const (
	defaultPrefix = "livetemplate:session:"
	defaultTTL    = 24 * time.Hour
)

// Options tunes a [Store]. The zero value, and a nil pointer, select the
// defaults.
type Options struct {
	// Prefix starts every key the store uses (see the package
	// documentation for the layout). Stores with different prefixes on one
	// server are independent. Default: "livetemplate:session:".
	Prefix string
	// TTL is how long a group lives after its last Get or Put. Default: 24
	// hours. A negative value means groups never expire. Redis expires keys
	// with millisecond precision; a TTL below one millisecond is rounded up.
	TTL time.Duration
}

// Store is a session.Store over Redis that also implements
// session.Deleter. It is safe for concurrent use, by any number of
// goroutines and server instances sharing one Redis.
type Store struct {
	client  redis.UniversalClient
	prefix  string
	ttlMS   int64  // 0: no expiry
	counter string // key of the version counter
	get     *redis.Script
	put     *redis.Script
	version *redis.Script
}

var (
	_ session.Store   = (*Store)(nil)
	_ session.Deleter = (*Store)(nil)
)

// getScript returns {state, version} of the hash KEYS[1] and restarts its
// TTL of ARGV[1] milliseconds (0: none), or nil if it is absent.
const getScript = `
local r = redis.call('HMGET', KEYS[1], 's', 'v')
if not r[2] then return false end
local ttl = tonumber(ARGV[1])
if ttl > 0 then redis.call('PEXPIRE', KEYS[1], ttl) end
return r
`

// putScript writes state ARGV[3] and version ARGV[2] to the hash KEYS[1]
// if its version is ARGV[1] ("0": absent), sets its TTL of ARGV[4]
// milliseconds (0: none) and returns 1; otherwise it returns 0. Versions
// are compared as the decimal strings they were written as, never as Lua
// numbers, which lose precision above 2^53.
const putScript = `
local cur = redis.call('HGET', KEYS[1], 'v')
if not cur then cur = '0' end
if cur ~= ARGV[1] then return 0 end
redis.call('HSET', KEYS[1], 's', ARGV[3], 'v', ARGV[2])
local ttl = tonumber(ARGV[4])
if ttl > 0 then redis.call('PEXPIRE', KEYS[1], ttl) else redis.call('PERSIST', KEYS[1]) end
return 1
`

// versionScript increments the counter KEYS[1] and returns it, but never
// less than the server's clock in microseconds since 1970: if Redis loses
// the counter (a restart without persistence, a failover that lost
// writes), versions still grow past every version issued before, unless
// the server's clock went back. Microsecond timestamps stay below 2^53 for
// centuries, so Lua numbers hold them exactly.
const versionScript = `
local v = redis.call('INCR', KEYS[1])
local t = redis.call('TIME')
local floor = tonumber(t[1]) * 1000000 + tonumber(t[2])
if v < floor then
  redis.call('SET', KEYS[1], string.format('%.0f', floor))
  v = floor
end
return v
`

// New returns a Store that keeps session groups in the Redis reached
// through client, tuned by opts (nil selects the defaults documented on
// [Options]). It does not contact the server. The caller keeps ownership of
// client and closes it when done. It returns an error if client is nil.
func New(client redis.UniversalClient, opts *Options) (*Store, error) {
	if client == nil {
		return nil, errors.New("redisstore: new: nil client")
	}
	var o Options
	if opts != nil {
		o = *opts
	}
	if o.Prefix == "" {
		o.Prefix = defaultPrefix
	}
	if o.TTL == 0 {
		o.TTL = defaultTTL
	}
	var ttlMS int64
	if o.TTL > 0 {
		// Round up, so a group never expires early.
		ttlMS = int64((o.TTL + time.Millisecond - 1) / time.Millisecond)
	}
	return &Store{
		client:  client,
		prefix:  o.Prefix,
		ttlMS:   ttlMS,
		counter: o.Prefix + "version",
		get:     redis.NewScript(getScript),
		put:     redis.NewScript(putScript),
		version: redis.NewScript(versionScript),
	}, nil
}

// key returns the key of group's hash.
func (s *Store) key(group string) string {
	return s.prefix + "g:" + group
}

// Get returns a copy of group's state and its version, and restarts the
// group's TTL. It returns an error wrapping [session.ErrNotFound] if the
// group is absent or expired, ctx's error if ctx is done, or the error of
// the Redis call.
func (s *Store) Get(ctx context.Context, group string) ([]byte, uint64, error) {
	if err := ctx.Err(); err != nil {
		return nil, 0, failed(ctx, "get", err)
	}
	res, err := s.get.Run(ctx, s.client, []string{s.key(group)}, s.ttlMS).Slice()
	if errors.Is(err, redis.Nil) {
		return nil, 0, failed(ctx, "get", session.ErrNotFound)
	}
	if err != nil {
		return nil, 0, failed(ctx, "get", err)
	}
	state, version, err := parseGet(res)
	if err != nil {
		return nil, 0, failed(ctx, "get", err)
	}
	return state, version, nil
}

// parseGet decodes the reply of getScript.
func parseGet(res []any) ([]byte, uint64, error) {
	if len(res) != 2 {
		return nil, 0, fmt.Errorf("unexpected reply of %d values", len(res))
	}
	state, ok1 := res[0].(string)
	v, ok2 := res[1].(string)
	if !ok1 || !ok2 {
		return nil, 0, fmt.Errorf("unexpected reply types %T, %T", res[0], res[1])
	}
	version, err := strconv.ParseUint(v, 10, 64)
	if err != nil || version == 0 {
		return nil, 0, fmt.Errorf("corrupt version %q", v)
	}
	return []byte(state), version, nil
}

// Put stores a copy of state for group if the group's current version
// equals version (0 for a group that is absent or expired), restarts the
// group's TTL and returns the new version. It returns an error wrapping
// [session.ErrConflict] on a version mismatch, ctx's error if ctx is done,
// or the error of a Redis call; in each case nothing is stored. An error
// from a call whose reply was lost may leave the state written; the next
// Get shows it.
func (s *Store) Put(ctx context.Context, group string, state []byte, version uint64) (uint64, error) {
	if err := ctx.Err(); err != nil {
		return 0, failed(ctx, "put", err)
	}
	n, err := s.version.Run(ctx, s.client, []string{s.counter}).Int64()
	if err != nil {
		return 0, failed(ctx, "put", err)
	}
	if n <= 0 {
		return 0, failed(ctx, "put", fmt.Errorf("corrupt version counter %d", n))
	}
	next := uint64(n)
	ok, err := s.put.Run(ctx, s.client, []string{s.key(group)},
		strconv.FormatUint(version, 10), strconv.FormatUint(next, 10), state, s.ttlMS).Int()
	if err != nil {
		return 0, failed(ctx, "put", err)
	}
	if ok != 1 {
		return 0, failed(ctx, "put", session.ErrConflict)
	}
	return next, nil
}

// Delete implements session.Deleter: it removes group's state, and an
// absent group is not an error. The version counter is kept, so a version
// read before the delete never matches again. It returns an error wrapping
// ctx's error if ctx is done, or the error of the Redis call.
func (s *Store) Delete(ctx context.Context, group string) error {
	if err := ctx.Err(); err != nil {
		return failed(ctx, "delete", err)
	}
	if err := s.client.Del(ctx, s.key(group)).Err(); err != nil {
		return failed(ctx, "delete", err)
	}
	return nil
}

// opError reports a failed store operation. Its message names the
// operation but never the group, and it unwraps to its causes.
type opError struct {
	op   string
	errs []error // the cause, and ctx.Err() if ctx ended meanwhile
}

// failed wraps err as the failure of operation op. When ctx is done, the
// error also wraps ctx.Err(), so callers can tell a cancelled call from an
// outage with errors.Is; a closed client also wraps session.ErrClosed.
func failed(ctx context.Context, op string, err error) error {
	e := &opError{op: op, errs: []error{err}}
	if ctxErr := ctx.Err(); ctxErr != nil && !errors.Is(err, ctxErr) {
		e.errs = append(e.errs, ctxErr)
	}
	if errors.Is(err, redis.ErrClosed) {
		e.errs = append(e.errs, session.ErrClosed)
	}
	return e
}

// Error returns "redisstore: op: cause", without the "session: " prefix of
// a sentinel cause.
func (e *opError) Error() string {
	msg := strings.TrimPrefix(e.errs[0].Error(), "session: ")
	for _, extra := range e.errs[1:] {
		msg += " (" + strings.TrimPrefix(extra.Error(), "session: ") + ")"
	}
	return "redisstore: " + e.op + ": " + msg
}

// Unwrap returns the causes.
func (e *opError) Unwrap() []error { return e.errs }
