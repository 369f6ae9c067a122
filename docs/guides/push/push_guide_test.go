package push

import (
	"net/http"
	"strings"
	"sync"
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
	h, err := NewHandler(prices, livetemplate.WithAuthenticator(byHeader))
	require.NoError(t, err)
	srv := livetest.Start(t, h)
	as := func(who string) *livetest.Page {
		return srv.NewBrowser(&livetest.BrowserOptions{Header: http.Header{"X-User": {who}}}).Open("/")
	}
	phone, laptop, bob := as("ann/phone"), as("ann/laptop"), as("bob/pc")

	var wg sync.WaitGroup
	wg.Go(func() { RunClock(h, 10*time.Millisecond) })
	require.NoError(t, bob.WaitFor(func(string) bool { return bob.Text("#now") != "" }, wait))

	// A page cannot send the server's action.
	assert.Error(t, bob.Send("clock.tick", map[string]any{"now": "never"}))

	require.NoError(t, Notify(t.Context(), h, "ann", "hello"))
	require.NoError(t, phone.WaitText("#inbox li", "hello", wait))
	require.NoError(t, laptop.WaitText("#inbox li", "hello", wait))
	assert.Zero(t, bob.Count("#inbox li"))

	// Users: state changes with no page open; the next page shows it.
	require.NoError(t, Notify(t.Context(), h, "cid", "welcome"))
	assert.Equal(t, "welcome", as("cid/pc").Text("#inbox li"))

	r, err := h.Broadcast(t.Context(), livetemplate.Users("ann"), "inbox.notify", map[string]any{"text": "again"})
	require.NoError(t, err)
	assert.Equal(t, livetemplate.Reach{States: 1, Pages: 2}, r, "one user's state, two pages")

	require.NoError(t, SetPrice(t.Context(), h, prices, "ACME", "2.50"))
	require.NoError(t, bob.WaitText("#price", "ACME 2.50", wait))

	_, err = h.Broadcast(t.Context(), livetemplate.All(), "inbox.nope", nil)
	assert.ErrorIs(t, err, livetemplate.ErrUnknownAction)

	require.NoError(t, h.Close())
	wg.Wait() // RunClock returned: Broadcast said ErrClosed
	_, err = h.Refresh(t.Context(), livetemplate.All())
	assert.ErrorIs(t, err, livetemplate.ErrClosed)
}
