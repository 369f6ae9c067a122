package cluster_test

import (
	"bytes"
	"context"
	"log/slog"
	"net/http"
	"net/http/httptest"
	"strings"
	"testing"
	"time"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"

	"github.com/lvtgo/livetemplate"
	"github.com/lvtgo/livetemplate/broadcast/redisbus"
	"github.com/lvtgo/livetemplate/cluster"
	"github.com/lvtgo/livetemplate/internal/testutil"
	"github.com/lvtgo/livetemplate/livetest"
	"github.com/lvtgo/livetemplate/session/redisstore"
)

var secret = []byte("0123456789abcdef0123456789abcdef")

// Two instances wired by Open, mounted side by side, serve one browser's
// tabs as one group: a click on one shows on the other.
func TestTwoInstancesOneGroup(t *testing.T) {
	rdb := testutil.StartRedis(t)
	for _, tc := range []struct {
		name string
		o    *cluster.Options
	}{
		{name: "keys in Redis"},
		{name: "secret", o: &cluster.Options{Secret: secret}},
	} {
		t.Run(tc.name, func(t *testing.T) {
			handler := func() *livetemplate.Handler {
				c, err := cluster.Open(t.Context(), rdb.URL(), tc.o)
				require.NoError(t, err)
				t.Cleanup(func() { assert.NoError(t, c.Close()) }) // after the app's own cleanup
				return livetest.App(t, append(c.Options(), livetemplate.WithLogger(slog.New(slog.DiscardHandler)))...).Handle(page, &counter{})
			}
			mux := http.NewServeMux()
			mux.Handle("/a/", handler())
			mux.Handle("/b/", handler())
			srv := livetest.Start(t, mux)
			onA := srv.Open("/a/")
			onB := onA.Tab("/b/") // same cookies: the instances share the keys
			require.NoError(t, onA.Click("#inc"))
			require.NoError(t, onB.WaitText("#n", "1", 5*time.Second))
			require.NoError(t, onB.Click("#inc"))
			require.NoError(t, onA.WaitText("#n", "2", 5*time.Second))
			assert.Equal(t, "0", srv.Open("/b/").Text("#n"), "another browser is another group")
		})
	}
}

// With a secret, a wipe of Redis and restarts in any order keep a
// browser's identity (its cookie stays valid: no new one is set) and its
// page token (an HTTP action with it is applied by another instance than
// the one that made the page, after both restarted).
func TestASecretSurvivesAWipeAndRestarts(t *testing.T) {
	rdb := testutil.StartRedis(t)
	o := &cluster.Options{Secret: secret}
	a, b := start(t, rdb.URL(), o), start(t, rdb.URL(), o)
	v := newVisitor(t)
	token, _ := v.load(a)
	code, _ := v.act(b, token)
	require.Empty(t, code, "the token made on A is good on B")

	a.stop()
	b.stop()
	require.NoError(t, rdb.Client(t).FlushAll(t.Context()).Err())
	b = start(t, rdb.URL(), o) // B first this time
	a = start(t, rdb.URL(), o)

	code, cookie := v.act(b, token)
	assert.Empty(t, code, "the page token made before the wipe is good after it, on the other instance")
	assert.False(t, cookie, "the identity holds: no new cookie")
	_, cookie = v.load(a)
	assert.False(t, cookie, "on either instance")
}

// Without a secret the keys live in Redis: every instance shares them
// (a token made by one is good on another), restarts keep them, and a wipe
// loses them: every visitor is then a stranger with a stale page.
func TestWithoutASecretTheKeysLiveInRedis(t *testing.T) {
	rdb := testutil.StartRedis(t)
	a, b := start(t, rdb.URL(), nil), start(t, rdb.URL(), nil)
	v := newVisitor(t)
	token, _ := v.load(a)
	code, _ := v.act(b, token)
	require.Empty(t, code, "the token made on A is good on B: no affinity needed")

	b.stop()
	b = start(t, rdb.URL(), nil)
	code, cookie := v.act(b, token)
	assert.Empty(t, code, "a restart keeps the keys")
	assert.False(t, cookie)

	a.stop()
	b.stop()
	require.NoError(t, rdb.Client(t).FlushAll(t.Context()).Err())
	a = start(t, rdb.URL(), nil)
	code, cookie = v.act(a, token)
	assert.NotEmpty(t, code, "after a wipe the page is unknown")
	assert.True(t, cookie, "and the visitor gets a new identity")
}

// Behind a trusted proxy that says the client used HTTPS, the anonymous
// cookie is Secure and __Host- prefixed, with or without a secret; the
// same header from another peer is ignored.
func TestTrustedProxiesMakeSecureCookies(t *testing.T) {
	rdb := testutil.StartRedis(t)
	for _, tc := range []struct {
		name    string
		o       cluster.Options
		proxied bool
	}{
		{name: "keys in Redis", o: cluster.Options{TrustedProxies: []string{"192.0.2.0/24"}}, proxied: true},
		{name: "secret", o: cluster.Options{Secret: secret, TrustedProxies: []string{"192.0.2.0/24"}}, proxied: true},
		{name: "untrusted peer", o: cluster.Options{TrustedProxies: []string{"10.0.0.0/8"}}},
		{name: "no proxies", o: cluster.Options{}},
	} {
		t.Run(tc.name, func(t *testing.T) {
			in := start(t, rdb.URL(), &tc.o)
			rec := httptest.NewRecorder()
			r := httptest.NewRequest(http.MethodGet, "/", nil) // from 192.0.2.1
			r.Header.Set("X-Forwarded-Proto", "https")
			in.srv.Config.Handler.ServeHTTP(rec, r)
			require.Equal(t, http.StatusOK, rec.Code)
			cookies := rec.Result().Cookies()
			require.Len(t, cookies, 1)
			assert.Equal(t, tc.proxied, cookies[0].Secure)
			assert.Equal(t, tc.proxied, strings.HasPrefix(cookies[0].Name, "__Host-"), cookies[0].Name)
		})
	}
}

// Bad options are reported before anything connects, all at once.
func TestOpenChecksItsOptions(t *testing.T) {
	_, err := cluster.Open(t.Context(), "redis://127.0.0.1:1/0", &cluster.Options{
		Secret:          []byte("short"),
		PreviousSecrets: [][]byte{[]byte("old")},
		TrustedProxies:  []string{"10.0.0.0/33"},
		Timeout:         -time.Second,
	})
	require.Error(t, err)
	for _, want := range []string{"the secret has 5 bytes, want at least 32", "previous secret 0 has 3 bytes",
		`trusted proxies: "10.0.0.0/33"`, "negative timeout"} {
		assert.ErrorContains(t, err, want)
	}
	assert.NotContains(t, err.Error(), "dial", "nothing was dialled")

	_, err = cluster.Open(t.Context(), "redis://127.0.0.1:1/0", &cluster.Options{PreviousSecrets: [][]byte{secret}})
	assert.ErrorContains(t, err, "previous secrets need a current one")

	ctx, cancel := context.WithTimeout(t.Context(), 5*time.Second)
	defer cancel()
	_, err = cluster.Open(ctx, "redis://127.0.0.1:1/0", nil)
	assert.ErrorContains(t, err, "cluster: redis at 127.0.0.1:1: ", "nothing listens there")
}

// Open passes the store's and the bus's options on, and the accessors
// return what the app uses; Close is idempotent.
func TestOptionsAndAccessors(t *testing.T) {
	rdb := testutil.StartRedis(t)
	var logs bytes.Buffer
	c, err := cluster.Open(t.Context(), rdb.URL(), &cluster.Options{
		Store:  &redisstore.Options{Prefix: "myapp:session:"},
		Bus:    &redisbus.Options{Channel: "myapp"},
		Logger: slog.New(slog.NewTextHandler(&logs, nil)),
	})
	require.NoError(t, err)
	require.NoError(t, c.Client().Ping(t.Context()).Err())
	_, err = c.Store().Put(t.Context(), "g1", []byte(`{}`), 0)
	require.NoError(t, err)
	keys, err := c.Client().Keys(t.Context(), "myapp:session:*").Result()
	require.NoError(t, err)
	assert.NotEmpty(t, keys, "the store's prefix")
	assert.Len(t, c.Options(), 4, "store, bus, token key, anonymous authenticator")
	assert.NoError(t, c.Close())
	assert.NoError(t, c.Close(), "again")
	assert.Error(t, c.Client().Ping(context.Background()).Err(), "the client is closed")
}
