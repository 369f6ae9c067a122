package push

import (
	"net/http"
	"strings"
	"testing"
	"time"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"
	"go.uber.org/goleak"

	"github.com/lvtgo/livetemplate"
	"github.com/lvtgo/livetemplate/auth"
	"github.com/lvtgo/livetemplate/livetest"
)

func TestMain(m *testing.M) { goleak.VerifyTestMain(m) }

var byHeader = auth.AuthenticatorFunc(func(_ http.ResponseWriter, r *http.Request) (auth.Identity, error) {
	v := r.Header.Get("X-User")
	u, _, _ := strings.Cut(v, "/")
	return auth.Identity{UserID: u, GroupID: v}, nil
})

const wait = 2 * time.Second

func TestPushes(t *testing.T) {
	prices := &Prices{m: map[string]string{"ACME": "1.00"}}
	app, err := livetemplate.NewApp(livetemplate.WithAuthenticator(byHeader))
	require.NoError(t, err)
	h, err := NewHandler(app, prices)
	require.NoError(t, err)
	srv := livetest.Start(t, h)
	as := func(who string) *livetest.Page {
		return srv.NewBrowser(&livetest.BrowserOptions{Header: http.Header{"X-User": {who}}}).Open("/")
	}
	phone, laptop, bob := as("ann/phone"), as("ann/laptop"), as("bob/pc")

	require.NoError(t, StartClock(app, 10*time.Millisecond))
	require.NoError(t, bob.WaitFor(func(string) bool { return bob.Text("#now") != "" }, wait))

	// A page cannot send the server's action.
	assert.Error(t, bob.Send("clock.tick", map[string]any{"now": "never"}))

	require.NoError(t, Notify(t.Context(), app, "ann", "hello"))
	require.NoError(t, phone.WaitText("#inbox li", "hello", wait))
	require.NoError(t, laptop.WaitText("#inbox li", "hello", wait))
	assert.Zero(t, bob.Count("#inbox li"))

	// Users: state changes with no page open; the next page shows it.
	require.NoError(t, Notify(t.Context(), app, "cid", "welcome"))
	assert.Equal(t, "welcome", as("cid/pc").Text("#inbox li"))

	r, err := app.Broadcast(t.Context(), livetemplate.Users("ann"), "inbox.notify", map[string]any{"text": "again"})
	require.NoError(t, err)
	assert.Equal(t, livetemplate.Reach{States: 1, Pages: 2}, r, "one user's state, two pages")
	r, err = h.Broadcast(t.Context(), livetemplate.Users("ann"), "inbox.notify", map[string]any{"text": "once more"})
	require.NoError(t, err)
	assert.Equal(t, livetemplate.Reach{States: 1, Pages: 2}, r, "the handler's pages: the same here")

	require.NoError(t, SetPrice(t.Context(), app, prices, "ACME", "2.50"))
	require.NoError(t, bob.WaitText("#price", "ACME 2.50", wait))

	_, err = app.Broadcast(t.Context(), livetemplate.All(), "inbox.nope", nil)
	assert.ErrorIs(t, err, livetemplate.ErrUnknownAction)
	_, err = app.Broadcast(t.Context(), livetemplate.All(), "nope.tick", nil)
	assert.ErrorIs(t, err, livetemplate.ErrUnknownAction)

	require.NoError(t, app.Close()) // and the clock stopped: goleak checks
	assert.ErrorIs(t, StartClock(app, time.Second), livetemplate.ErrClosed)
	_, err = app.Refresh(t.Context(), livetemplate.All())
	assert.ErrorIs(t, err, livetemplate.ErrClosed)
	_, err = h.Refresh(t.Context(), livetemplate.All())
	assert.ErrorIs(t, err, livetemplate.ErrClosed)
}
