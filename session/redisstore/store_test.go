package redisstore_test

import (
	"context"
	"errors"
	"fmt"
	"sync/atomic"
	"testing"
	"time"

	"github.com/redis/go-redis/v9"
	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"

	"github.com/lvtgo/livetemplate/internal/testutil"
	"github.com/lvtgo/livetemplate/session"
	"github.com/lvtgo/livetemplate/session/redisstore"
	"github.com/lvtgo/livetemplate/session/sessiontest"
)

func TestConformance(t *testing.T) {
	t.Parallel()
	srv := testutil.StartRedis(t)
	client := srv.Client(t)
	var n atomic.Int64

	sessiontest.Run(t, func(t *testing.T) session.Store {
		// One server, isolated stores: a prefix each.
		prefix := fmt.Sprintf("test%d:", n.Add(1))
		return newStore(t, client, &redisstore.Options{Prefix: prefix})
	})
}

func TestImplements(t *testing.T) {
	t.Parallel()
	client := redis.NewClient(&redis.Options{})
	defer client.Close()
	var s session.Store = newStore(t, client, nil)
	_, isDeleter := s.(session.Deleter)
	_, isLister := s.(session.Lister)
	assert.True(t, isDeleter, "Store implements session.Deleter")
	assert.False(t, isLister, "Store never scans keys, so it does not implement session.Lister")
}

func TestNewNilClient(t *testing.T) {
	t.Parallel()
	_, err := redisstore.New(nil, nil)
	assert.EqualError(t, err, "redisstore: new: nil client")
}

// TestKeyLayout checks the keys the package documentation promises, and
// that a group named like the counter does not collide with it.
func TestKeyLayout(t *testing.T) {
	t.Parallel()
	srv := testutil.StartRedis(t)
	client := srv.Client(t)
	ctx := t.Context()
	s := newStore(t, client, nil)

	v1, err := s.Put(ctx, "version", []byte("state"), 0)
	require.NoError(t, err)

	keys, err := client.Keys(ctx, "*").Result()
	require.NoError(t, err)
	assert.ElementsMatch(t, []string{"livetemplate:session:g:version", "livetemplate:session:version"}, keys)
	fields, err := client.HGetAll(ctx, "livetemplate:session:g:version").Result()
	require.NoError(t, err)
	assert.Equal(t, map[string]string{"s": "state", "v": fmt.Sprint(v1)}, fields)

	v2, err := s.Put(ctx, "version", []byte("next"), v1)
	require.NoError(t, err)
	assert.Greater(t, v2, v1)
}

// TestVersionsSurviveDataLoss checks that versions issued after Redis lost
// its data (a restart without persistence) are above every version issued
// before, so a version held across the restart never matches again.
func TestVersionsSurviveDataLoss(t *testing.T) {
	t.Parallel()
	srv := testutil.StartRedis(t)
	client := srv.Client(t)
	ctx := t.Context()
	s := newStore(t, client, nil)

	var before uint64
	for range 3 {
		v, err := s.Put(ctx, "g1", []byte("x"), before)
		require.NoError(t, err)
		before = v
	}
	require.NoError(t, client.FlushAll(ctx).Err(), "Redis loses everything")

	after, err := s.Put(ctx, "g1", []byte("y"), 0)
	require.NoError(t, err)
	assert.Greater(t, after, before)
	_, err = s.Put(ctx, "g1", []byte("stale"), before)
	assert.ErrorIs(t, err, session.ErrConflict)
}

func TestTTL(t *testing.T) {
	t.Parallel()
	srv := testutil.StartRedis(t)
	client := srv.Client(t)

	tests := []struct {
		name    string
		ttl     time.Duration
		wantMin time.Duration // of the key's PTTL after each Get and Put
		wantMax time.Duration
		short   bool // expires before it can be observed
	}{
		{name: "default 24h", ttl: 0, wantMin: 23 * time.Hour, wantMax: 24 * time.Hour},
		{name: "one hour", ttl: time.Hour, wantMin: 59 * time.Minute, wantMax: time.Hour},
		{name: "rounded up to a millisecond", ttl: 1500 * time.Microsecond, short: true},
		{name: "negative: never expires", ttl: -1, wantMin: -1, wantMax: -1},
	}
	for i, tc := range tests {
		t.Run(tc.name, func(t *testing.T) {
			ctx := t.Context()
			prefix := fmt.Sprintf("ttl%d:", i)
			key := prefix + "g:g1"
			s := newStore(t, client, &redisstore.Options{Prefix: prefix, TTL: tc.ttl})
			checkTTL := func(what string) {
				t.Helper()
				if tc.short {
					return
				}
				got, err := client.PTTL(ctx, key).Result()
				require.NoError(t, err)
				assert.GreaterOrEqual(t, got, tc.wantMin, what)
				assert.LessOrEqual(t, got, tc.wantMax, what)
			}

			v, err := s.Put(ctx, "g1", []byte("x"), 0)
			require.NoError(t, err)
			checkTTL("after Put")

			// Time passes: shorten the TTL by hand, then check that Get
			// and Put restart it.
			if tc.ttl >= 0 {
				require.NoError(t, client.PExpire(ctx, key, time.Minute).Err())
			}
			_, _, err = s.Get(ctx, "g1")
			if tc.short {
				// The group may have expired already; it must have once
				// 2ms have passed.
				time.Sleep(5 * time.Millisecond)
				_, _, err = s.Get(ctx, "g1")
				assert.ErrorIs(t, err, session.ErrNotFound, "expired")
				return
			}
			require.NoError(t, err)
			checkTTL("after Get")

			if tc.ttl >= 0 {
				require.NoError(t, client.PExpire(ctx, key, time.Minute).Err())
			}
			_, err = s.Put(ctx, "g1", []byte("y"), v)
			require.NoError(t, err)
			checkTTL("after a second Put")
		})
	}
}

// TestPutPersists checks that a Put of a store whose groups never expire
// removes a TTL the group's key had: one set by an instance configured
// with a TTL (before a change of configuration, or during a rolling one),
// or by hand. Otherwise the group would still expire.
func TestPutPersists(t *testing.T) {
	t.Parallel()
	srv := testutil.StartRedis(t)
	client := srv.Client(t)
	ctx := t.Context()
	const key = "livetemplate:session:g:g1"
	withTTL := newStore(t, client, &redisstore.Options{TTL: time.Hour})
	forever := newStore(t, client, &redisstore.Options{TTL: -1})

	v, err := withTTL.Put(ctx, "g1", []byte("x"), 0)
	require.NoError(t, err)
	ttl, err := client.PTTL(ctx, key).Result()
	require.NoError(t, err)
	require.Positive(t, ttl, "the first instance sets its TTL")

	v, err = forever.Put(ctx, "g1", []byte("y"), v)
	require.NoError(t, err)
	ttl, err = client.PTTL(ctx, key).Result()
	require.NoError(t, err)
	assert.Equal(t, time.Duration(-1), ttl, "a Put without TTL leaves the key without one")

	require.NoError(t, client.PExpire(ctx, key, time.Minute).Err())
	_, err = forever.Put(ctx, "g1", []byte("z"), v)
	require.NoError(t, err)
	ttl, err = client.PTTL(ctx, key).Result()
	require.NoError(t, err)
	assert.Equal(t, time.Duration(-1), ttl, "and removes a TTL set by hand")
}

// TestExpiry checks an expired group: absent, and its old version never
// matches again.
func TestExpiry(t *testing.T) {
	t.Parallel()
	srv := testutil.StartRedis(t)
	client := srv.Client(t)
	ctx := t.Context()
	s := newStore(t, client, nil)

	v1, err := s.Put(ctx, "g1", []byte("old"), 0)
	require.NoError(t, err)
	require.NoError(t, client.PExpire(ctx, "livetemplate:session:g:g1", time.Millisecond).Err())
	require.Eventually(t, func() bool {
		return client.Exists(ctx, "livetemplate:session:g:g1").Val() == 0
	}, 5*time.Second, 5*time.Millisecond, "Redis expires the group")

	_, _, err = s.Get(ctx, "g1")
	require.ErrorIs(t, err, session.ErrNotFound)
	_, err = s.Put(ctx, "g1", []byte("stale"), v1)
	require.ErrorIs(t, err, session.ErrConflict, "a version read before expiry never matches again")
	v2, err := s.Put(ctx, "g1", []byte("new"), 0)
	require.NoError(t, err)
	assert.Greater(t, v2, v1)
}

// TestOutage stops Redis in the middle of a run: calls fail promptly,
// honour their context and hide the group, and work again once Redis is
// back.
func TestOutage(t *testing.T) {
	t.Parallel()
	srv := testutil.StartRedis(t)
	client := srv.Client(t)
	s := newStore(t, client, nil)
	const group = "group-5e1d"

	v, err := s.Put(t.Context(), group, []byte("before"), 0)
	require.NoError(t, err)

	srv.Stop()
	calls := []struct {
		name string
		call func(ctx context.Context) error
	}{
		{name: "Get", call: func(ctx context.Context) error { _, _, err := s.Get(ctx, group); return err }},
		{name: "Put", call: func(ctx context.Context) error { _, err := s.Put(ctx, group, []byte("x"), v); return err }},
		{name: "Delete", call: func(ctx context.Context) error { return s.Delete(ctx, group) }},
	}
	for _, c := range calls {
		ctx, cancel := context.WithTimeout(t.Context(), 3*time.Second)
		start := time.Now()
		err := c.call(ctx)
		cancel()
		if assert.Error(t, err, c.name) {
			assert.Less(t, time.Since(start), 3*time.Second+500*time.Millisecond, "%s returns within its context", c.name)
			assert.NotErrorIs(t, err, session.ErrNotFound, c.name)
			assert.NotErrorIs(t, err, session.ErrConflict, c.name)
			assert.NotContains(t, err.Error(), group, c.name)
			assert.Regexp(t, `^redisstore: \w+: `, err.Error())
		}
	}

	// A context that ends during the outage shows in the error.
	ctx, cancel := context.WithTimeout(t.Context(), 50*time.Millisecond)
	defer cancel()
	for ctx.Err() == nil {
		_, _, err = s.Get(ctx, group)
	}
	require.Error(t, err)

	srv.Start() // empty: no persistence
	require.Eventually(t, func() bool {
		_, _, err := s.Get(t.Context(), group)
		return errors.Is(err, session.ErrNotFound)
	}, 10*time.Second, 20*time.Millisecond, "Get works again once Redis is back")
	v2, err := s.Put(t.Context(), group, []byte("after"), 0)
	require.NoError(t, err)
	assert.Greater(t, v2, v, "versions stay above those issued before the outage")
	got, _, err := s.Get(t.Context(), group)
	require.NoError(t, err)
	assert.Equal(t, "after", string(got))
}

// TestDeadlineDuringCall checks that a context deadline bounds a call to a
// server that accepts connections but never answers, and that the error
// wraps context.DeadlineExceeded.
func TestDeadlineDuringCall(t *testing.T) {
	t.Parallel()
	srv := testutil.StartRedis(t)
	client := srv.Client(t)
	s := newStore(t, client, nil)
	require.NoError(t, client.Do(t.Context(), "CLIENT", "PAUSE", "2000", "ALL").Err(), "the server stops answering")

	ctx, cancel := context.WithTimeout(t.Context(), 200*time.Millisecond)
	defer cancel()
	start := time.Now()
	_, _, err := s.Get(ctx, "g1")
	elapsed := time.Since(start)
	require.Error(t, err)
	assert.ErrorIs(t, err, context.DeadlineExceeded)
	assert.Less(t, elapsed, time.Second, "the deadline, not the read timeout, ends the call")
}

func TestClosedClient(t *testing.T) {
	t.Parallel()
	srv := testutil.StartRedis(t)
	client := redis.NewClient(&redis.Options{Addr: srv.Addr()})
	s := newStore(t, client, nil)
	require.NoError(t, client.Close())

	_, _, err := s.Get(t.Context(), "g1")
	assert.ErrorIs(t, err, session.ErrClosed)
	_, err = s.Put(t.Context(), "g1", []byte("x"), 0)
	assert.ErrorIs(t, err, session.ErrClosed)
	assert.ErrorIs(t, s.Delete(t.Context(), "g1"), session.ErrClosed)
}

// newStore returns a Store over client, failing the test on error.
func newStore(t *testing.T, client redis.UniversalClient, opts *redisstore.Options) *redisstore.Store {
	t.Helper()
	s, err := redisstore.New(client, opts)
	require.NoError(t, err)
	return s
}
