package push

import (
	"net/http"
	"testing"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"

	"github.com/lvtgo/livetemplate"
	"github.com/lvtgo/livetemplate/livetest"
)

// A handler's pushes target that page's tabs; the state they change shows
// on every page of the app. The app's pushes target every page.
func TestHandlerAndAppPushes(t *testing.T) {
	app := livetest.App(t, livetemplate.WithAuthenticator(byHeader))
	prices := &Prices{m: map[string]string{"ACME": "1.00"}}
	dash, err := NewHandler(app, prices)
	require.NoError(t, err)
	inboxTmpl, err := livetemplate.New("inbox", livetemplate.WithText(
		`<body><ul id="inbox">{{range .Notes}}<li>{{.}}</li>{{end}}</ul><p id="price">ACME {{price "ACME"}}</p></body>`),
		livetemplate.WithFuncs(map[string]any{"price": prices.Get}))
	require.NoError(t, err)
	inbox, err := app.Mount(inboxTmpl, livetemplate.Named("inbox", livetemplate.PerUser(&Inbox{})))
	require.NoError(t, err)
	mux := http.NewServeMux()
	mux.Handle("/{$}", dash)
	mux.Handle("/inbox", inbox)
	srv := livetest.Start(t, mux)
	ann := srv.NewBrowser(&livetest.BrowserOptions{Header: http.Header{"X-User": {"ann/pc"}}})
	onDash, onInbox := ann.Open("/"), ann.Open("/inbox")

	r, err := dash.Broadcast(t.Context(), livetemplate.All(), "inbox.notify", map[string]any{"text": "from the dashboard's handler"})
	require.NoError(t, err)
	assert.Equal(t, livetemplate.Reach{States: 1, Pages: 2}, r, "ann's inbox, shown by both pages")
	require.NoError(t, onInbox.WaitText("#inbox li", "from the dashboard's handler", wait))

	r, err = app.Broadcast(t.Context(), livetemplate.All(), "inbox.notify", map[string]any{"text": "from the app"})
	require.NoError(t, err)
	assert.Equal(t, livetemplate.Reach{States: 1, Pages: 2}, r)
	require.NoError(t, onDash.WaitText("#inbox li:last-child", "from the app", wait))
	// Both pages render the change before the price changes: a render still
	// to come would show the new price without a refresh.
	require.NoError(t, onInbox.WaitText("#inbox li:last-child", "from the app", wait))

	prices.Set("ACME", "3.00")
	r, err = dash.Refresh(t.Context(), livetemplate.All())
	require.NoError(t, err)
	assert.Equal(t, livetemplate.Reach{Pages: 1}, r)
	require.NoError(t, onDash.WaitText("#price", "ACME 3.00", wait))
	assert.Equal(t, "ACME 1.00", onInbox.Text("#price"), "the handler refreshes its own page only")
	r, err = app.Refresh(t.Context(), livetemplate.All())
	require.NoError(t, err)
	assert.Equal(t, livetemplate.Reach{Pages: 2}, r)
	require.NoError(t, onInbox.WaitText("#price", "ACME 3.00", wait))
}
