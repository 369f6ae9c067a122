package persistence

import (
	"net/http"
	"net/http/httptest"
	"testing"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"
	"go.uber.org/goleak"

	"github.com/lvtgo/livetemplate"
	"github.com/lvtgo/livetemplate/auth"
	"github.com/lvtgo/livetemplate/internal/testutil"
	"github.com/lvtgo/livetemplate/livetest"
)

func TestMain(m *testing.M) { goleak.VerifyTestMain(m) }

// A restart with Redis and a fixed cookie key keeps the cart; the default
// memory store does not.
func TestRestart(t *testing.T) {
	rdb := testutil.StartRedis(t)
	store, client, err := OpenRedis(t.Context(), rdb.URL())
	require.NoError(t, err)
	t.Cleanup(func() { _ = client.Close() })
	key := auth.NewAnonymousKey()
	anon := func() livetemplate.Option {
		a, err := auth.NewAnonymous(&auth.AnonymousOptions{Key: key})
		require.NoError(t, err)
		return livetemplate.WithAuthenticator(a)
	}
	serve := func(opts ...livetemplate.Option) (*livetemplate.App, *livetest.Server) {
		app, err := livetemplate.NewApp(opts...)
		require.NoError(t, err)
		t.Cleanup(func() { _ = app.Close() })
		h, err := NewHandler(app)
		require.NoError(t, err)
		return app, livetest.Start(t, h)
	}

	before, srv := serve(livetemplate.WithSessionStore(store), anon())
	p := srv.Open("/")
	require.NoError(t, p.Click("#add"))
	require.NoError(t, p.Click("#add"))
	cookies := p.Browser().Cookies()
	require.NoError(t, before.Close()) // the process stops

	_, srv = serve(livetemplate.WithSessionStore(store), anon()) // and starts again
	q := srv.NewBrowser(&livetest.BrowserOptions{Cookies: cookies}).Open("/")
	assert.Equal(t, "2 items", q.Text("#n"))

	state, _, err := store.Get(t.Context(), "g:"+groupOf(t, key, cookies))
	require.NoError(t, err)
	assert.JSONEq(t, `{"cart":{"Items":["007","007"]}}`, string(state))

	_, srv = serve(anon())
	r := srv.NewBrowser(&livetest.BrowserOptions{Cookies: cookies}).Open("/")
	assert.Equal(t, "0 items", r.Text("#n"), "the default store is in memory")
}

// groupOf is the group the cookies name.
func groupOf(t *testing.T, key []byte, cookies []*http.Cookie) string {
	a, err := auth.NewAnonymous(&auth.AnonymousOptions{Key: key})
	require.NoError(t, err)
	r := httptest.NewRequest(http.MethodGet, "/", nil)
	for _, c := range cookies {
		r.AddCookie(c)
	}
	id, err := a.Identify(httptest.NewRecorder(), r)
	require.NoError(t, err)
	return id.GroupID
}
