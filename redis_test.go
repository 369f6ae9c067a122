package livetemplate_test

import (
	"context"
	"fmt"
	"log/slog"
	"net/http/httptest"
	"sort"
	"strings"
	"sync"
	"testing"
	"time"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"

	"github.com/lvtgo/livetemplate"
	"github.com/lvtgo/livetemplate/auth"
	"github.com/lvtgo/livetemplate/broadcast/redisbus"
	"github.com/lvtgo/livetemplate/internal/testutil"
	"github.com/lvtgo/livetemplate/session/redisstore"
)

// redisInstance is one server instance of the counter page sharing rdb's
// Redis with the others.
type redisInstance struct {
	h   *livetemplate.Handler
	srv *httptest.Server
}

func newRedisInstance(t *testing.T, rdb *testutil.Redis, id *auth.Anonymous, log *slog.Logger, extra ...livetemplate.Option) redisInstance {
	t.Helper()
	client := rdb.Client(t)
	store, err := redisstore.New(client, nil)
	require.NoError(t, err)
	bus, err := redisbus.New(client, &redisbus.Options{Logger: log})
	require.NoError(t, err)
	t.Cleanup(func() { _ = bus.Close() })
	opts := append([]livetemplate.Option{livetemplate.WithLogger(log),
		livetemplate.WithAuthenticator(id), livetemplate.WithSessionStore(store), livetemplate.WithBus(bus),
		livetemplate.WithLimits(livetemplate.Limits{ActionsPerSecond: -1, AddressActionsPerSecond: -1})}, extra...)
	h := on(t, opts...).Handle(livetemplate.Must(livetemplate.New("counter", livetemplate.WithText(counterPage))), &counter{})
	return redisInstance{h: h, srv: serve(t, h)}
}

// Two instances on a real Redis: one browser's tabs on both are one group;
// a change on one reaches the other quickly; 2 x 500 concurrent increments
// end at exactly 1000 on both.
func TestRedisTwoInstancesNoLostUpdate(t *testing.T) {
	rdb := testutil.StartRedis(t)
	id := sharedAuth(t)
	logs := slog.New(slog.NewTextHandler(t.Output(), &slog.HandlerOptions{Level: slog.LevelWarn}))
	a := newRedisInstance(t, rdb, id, logs)
	b := newRedisInstance(t, rdb, id, logs)
	browser := newBrowser(t, a.srv)
	onA := browser.open("/")
	onB := browser.on(b.srv).open("/")

	// Propagation A -> B, measured (the target is 100 ms; not asserted).
	var worst time.Duration
	for i := 1; i <= 20; i++ {
		start := time.Now()
		require.Nil(t, onA.act("increment", nil).Error)
		waitHTML(t, onB, fmt.Sprintf("Count: %d", i))
		worst = max(worst, time.Since(start))
	}
	t.Logf("a change on instance A reached a tab on instance B within %v (worst of 20)", worst)

	const n = 500
	var wg sync.WaitGroup
	for _, p := range []*page{onA, onB} {
		wg.Go(func() {
			for range n {
				if r := p.act("increment", nil); r.Error != nil {
					t.Errorf("increment: %s: %s", r.Error.Code, r.Error.Message)
				}
			}
		})
	}
	wg.Wait()
	want := fmt.Sprintf("Count: %d", 20+2*n)
	waitHTML(t, onA, want)
	waitHTML(t, onB, want)
}

// A push to every page applies once per group, with the group's pages on
// two instances and the push made on each instance at once.
func TestRedisPushAppliesOncePerGroup(t *testing.T) {
	rdb := testutil.StartRedis(t)
	id := sharedAuth(t)
	a := newRedisInstance(t, rdb, id, quietLogger())
	b := newRedisInstance(t, rdb, id, quietLogger())
	browsers := make([]*browser, 3)
	var onA, onB []*page
	for i := range browsers {
		browsers[i] = newBrowser(t, a.srv)
		onA = append(onA, browsers[i].open("/"))
		onB = append(onB, browsers[i].on(b.srv).open("/"))
	}
	var wg sync.WaitGroup
	for _, in := range []redisInstance{a, b} {
		wg.Go(func() {
			_, err := in.h.Broadcast(t.Context(), livetemplate.All(), "increment", map[string]any{"by": 1})
			assert.NoError(t, err)
		})
	}
	wg.Wait()
	// Each of the two pushes applies once to each group: 2, never 3 or 4.
	for _, p := range append(onA, onB...) {
		waitHTML(t, p, "Count: 2")
	}
	time.Sleep(200 * time.Millisecond) // a late duplicate would show by now
	require.Nil(t, onA[0].act("increment", nil).Error)
	waitHTML(t, onB[0], "Count: 3")
}

// Redis stops mid-run: actions get a clear error and change nothing, the
// outage is logged once, and everything recovers by itself.
func TestRedisOutage(t *testing.T) {
	rdb := testutil.StartRedis(t)
	id := sharedAuth(t)
	rec := &logCounter{}
	a := newRedisInstance(t, rdb, id, slog.New(rec))
	b := newRedisInstance(t, rdb, id, quietLogger())
	browser := newBrowser(t, a.srv)
	onA := browser.open("/")
	onB := browser.on(b.srv).open("/")
	require.Nil(t, onA.act("increment", nil).Error)
	waitHTML(t, onB, "Count: 1")

	rdb.Stop()
	codes := map[string]int{}
	for range 5 {
		r := onA.act("increment", nil)
		require.NotNil(t, r.Error, "nothing can be stored")
		codes[r.Error.Code]++
		assert.NotContains(t, r.Error.Message, "redis")
		assert.Contains(t, r.Error.Message, "cannot be saved")
	}
	assert.Equal(t, map[string]int{"unavailable": 5}, codes)
	assert.Contains(t, onA.html(), "Count: 1", "nothing half-applied")

	rdb.Start()
	require.Eventually(t, func() bool {
		r := onA.act("increment", nil)
		return r.Error == nil
	}, 15*time.Second, 100*time.Millisecond, "actions work again once Redis is back")
	waitHTML(t, onA, "Count: 2")
	waitHTML(t, onB, "Count: 2") // the bus came back too (or B resynced)
	failing := rec.count("session store failing")
	assert.Equal(t, 1, failing, "the outage is logged once, not per action: %v", rec.all())
	assert.Zero(t, rec.count("action failed"), "refused actions are not logged one by one: %v", rec.all())
	assert.Equal(t, 1, rec.count("session store recovered"))
}

// logCounter is a slog.Handler that counts records by message.
type logCounter struct {
	mu   sync.Mutex
	msgs map[string]int
}

func (l *logCounter) Enabled(context.Context, slog.Level) bool { return true }

func (l *logCounter) Handle(_ context.Context, r slog.Record) error {
	l.mu.Lock()
	defer l.mu.Unlock()
	if l.msgs == nil {
		l.msgs = map[string]int{}
	}
	l.msgs[r.Message]++
	return nil
}

func (l *logCounter) WithAttrs([]slog.Attr) slog.Handler { return l }
func (l *logCounter) WithGroup(string) slog.Handler      { return l }

func (l *logCounter) count(prefix string) int {
	l.mu.Lock()
	defer l.mu.Unlock()
	n := 0
	for m, c := range l.msgs {
		if strings.HasPrefix(m, prefix) {
			n += c
		}
	}
	return n
}

func (l *logCounter) all() []string {
	l.mu.Lock()
	defer l.mu.Unlock()
	var out []string
	for m, c := range l.msgs {
		out = append(out, fmt.Sprintf("%s x%d", m, c))
	}
	sort.Strings(out)
	return out
}
