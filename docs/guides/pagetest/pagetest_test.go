package pagetest

import (
	"errors"
	"fmt"
	"net/http"
	"net/url"
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

// quote:tabs
func TestTwoTabsShareTheCount(t *testing.T) {
	app := livetest.App(t) // shut down when the test ends; its log goes to the test's output
	h, err := NewHandler(app)
	require.NoError(t, err)

	srv := livetest.Start(t, h)
	tabA := srv.Open("/") // a new browser: its own cookies, so its own session group
	tabB := tabA.Tab("/") // a second tab of the same browser

	require.NoError(t, tabA.Click("#inc")) // returns once the reply is applied
	assert.Equal(t, "1", tabA.Text("#count"))
	require.NoError(t, tabB.WaitText("#count", "1", time.Second)) // pushed to the other tab

	other := srv.Open("/") // another browser
	assert.Equal(t, "0", other.Text("#count"))
}

// quote:end

// quote:app
func TestPagesOfOneApp(t *testing.T) {
	app := livetest.App(t, livetemplate.WithAuthenticator(byName)) // the app's options, as in main
	counter, err := NewHandler(app)
	require.NoError(t, err)
	todos, err := NewTodosHandler(app)
	require.NoError(t, err)
	mux := http.NewServeMux()
	mux.Handle("/{$}", counter)
	mux.Handle("/todos", todos)

	srv := livetest.Start(t, mux)
	ann := srv.NewBrowser(&livetest.BrowserOptions{Header: livetest.BasicAuth("ann", "secret")})
	list := ann.Open("/todos")
	assert.Equal(t, "ann's list", list.Text("h1"))
	require.NoError(t, list.Submit("#add", url.Values{"title": {"Buy milk"}}))
	assert.Equal(t, "Added.", list.Text("#flash"))
	assert.Equal(t, "0", list.Tab("/").Text("#count"))
}

// quote:end

// byName takes the user name of basic authentication as it comes (a
// stand-in for a real authenticator).
var byName = auth.AuthenticatorFunc(func(_ http.ResponseWriter, r *http.Request) (auth.Identity, error) {
	if user, _, ok := r.BasicAuth(); ok {
		return auth.Identity{UserID: user, GroupID: user}, nil
	}
	if c, err := r.Cookie("session"); err == nil {
		return auth.Identity{UserID: "session " + c.Value, GroupID: c.Value}, nil
	}
	return auth.Identity{}, fmt.Errorf("who are you? %w", auth.ErrUnauthenticated)
})

func TestRefusedForm(t *testing.T) {
	h, err := NewTodosHandler(livetest.App(t, livetemplate.WithAuthenticator(byName)))
	require.NoError(t, err)
	p := livetest.Start(t, h).NewBrowser(&livetest.BrowserOptions{Header: livetest.BasicAuth("ann", "secret")}).Open("/")
	// quote:refused
	err = p.Submit("#add", url.Values{"title": {"  "}})
	var refused *livetest.ActionError
	require.ErrorAs(t, err, &refused)
	assert.Equal(t, "invalid", refused.Code)
	assert.Equal(t, "Please enter a title.", p.FieldError("title")) // shown next to the field
	require.NoError(t, p.Submit("#add", url.Values{"title": {"Buy milk"}}))
	assert.Empty(t, p.FieldError("title")) // a success clears its form's errors
	// quote:end
}

func TestIdentityAndTransport(t *testing.T) {
	h, err := NewTodosHandler(livetest.App(t, livetemplate.WithAuthenticator(byName)))
	require.NoError(t, err)
	srv := livetest.Start(t, h)
	token := "s3cr3t"
	// quote:identity
	ann := srv.NewBrowser(&livetest.BrowserOptions{
		Header: livetest.BasicAuth("ann", "secret"), // or http.Header{"Authorization": {"Bearer " + jwt}}
	}).Open("/")

	signedIn := srv.NewBrowser(&livetest.BrowserOptions{
		Cookies: []*http.Cookie{{Name: "session", Value: token}},
	}).Open("/")

	polling := srv.NewBrowser(&livetest.BrowserOptions{
		Header:    livetest.BasicAuth("ann", "secret"),
		Transport: livetest.HTTP, // POSTs and a long poll instead of a WebSocket
	}).Open("/")
	// quote:end
	assert.Equal(t, "ann's list", ann.Text("h1"))
	assert.Equal(t, "session s3cr3t's list", signedIn.Text("h1"))
	require.NoError(t, polling.Submit("#add", url.Values{"title": {"by HTTP"}}))
	require.NoError(t, ann.WaitText("#items li", "by HTTP", time.Second))
}

// quote:unit
func TestAddRefusesAnEmptyTitle(t *testing.T) {
	todos := &Todos{}
	actx, err := livetemplate.NewActionContext(t.Context(), livetemplate.ActionInput{
		Action: "add",
		Data:   map[string]any{"title": "  "},
	})
	require.NoError(t, err)

	err = todos.Change(actx)
	assert.Equal(t, map[string]string{"title": "Please enter a title."}, livetemplate.FieldErrors(err))
	assert.Empty(t, todos.Items)
	assert.Empty(t, actx.Flashed())
}

func TestAddSaysSo(t *testing.T) {
	todos := &Todos{}
	actx, err := livetemplate.NewActionContext(t.Context(), livetemplate.ActionInput{
		Action: "add",
		Data:   map[string]any{"title": "Buy milk"},
	})
	require.NoError(t, err)

	require.NoError(t, todos.Change(actx))
	assert.Equal(t, []string{"Buy milk"}, todos.Items)
	assert.Equal(t, "Added.", actx.Flashed().Get("info")) // what the page would show once
	assert.Empty(t, actx.Redirected())                    // it stays on the page
}

// quote:end

// An unknown action is refused by the server, and the refusal is an
// *ActionError with its code.
func TestUnknownAction(t *testing.T) {
	h, err := NewHandler(livetest.App(t))
	require.NoError(t, err)
	p := livetest.Start(t, h).Open("/")
	err = p.Send("decrement", nil)
	var refused *livetest.ActionError
	require.True(t, errors.As(err, &refused))
	assert.Equal(t, "unknown_action", refused.Code)
}
