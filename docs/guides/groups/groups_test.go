package groups

import (
	"net/http"
	"net/url"
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

// byHeader names user/device: user "ann", group "ann/phone".
var byHeader = auth.AuthenticatorFunc(func(_ http.ResponseWriter, r *http.Request) (auth.Identity, error) {
	v := r.Header.Get("X-User")
	u, _, _ := strings.Cut(v, "/")
	return auth.Identity{UserID: u, GroupID: v}, nil
})

func browser(srv *livetest.Server, who string) *livetest.Browser {
	return srv.NewBrowser(&livetest.BrowserOptions{Header: http.Header{"X-User": {who}}})
}

const wait = 2 * time.Second

func TestScopes(t *testing.T) {
	mux, err := NewMux(livetest.App(t, livetemplate.WithAuthenticator(byHeader)))
	require.NoError(t, err)
	srv := livetest.Start(t, mux)

	phone := browser(srv, "ann/phone").Open("/?room=general")
	phone2 := phone.Tab("/?room=general")
	laptop := browser(srv, "ann/laptop").Open("/?room=general")
	bob := browser(srv, "bob/pc").Open("/?room=general")
	other := browser(srv, "cid/pc").Open("/?room=random")
	require.NoError(t, bob.WaitText("#online", "2 online", wait))
	assert.Equal(t, "#general", phone.Text("h1"))
	assert.Equal(t, "#random", other.Text("h1"))

	// Scoped: the room.
	require.NoError(t, bob.Submit("#say", url.Values{"text": {"hi"}}))
	require.NoError(t, phone.WaitText("#messages li", "bob: hi", wait))
	assert.Equal(t, "bob (you): hi", bob.Text("#messages li"))
	assert.Zero(t, other.Count("#messages li"))

	// PerUser: both of ann's devices, not bob.
	require.NoError(t, phone.Click("#mute"))
	require.NoError(t, laptop.WaitText("#mute", "Unmute sounds", wait))
	assert.Equal(t, "Mute sounds", bob.Text("#mute"))

	// The group: the phone's tabs, not the laptop.
	require.NoError(t, phone.Click("#compact"))
	require.NoError(t, phone2.WaitFor(func(html string) bool { return strings.Contains(html, `<body class="compact">`) }, wait))
	assert.NotContains(t, laptop.HTML(), `class="compact"`)

	// PerConnection: one tab.
	require.NoError(t, phone.Input("#say input", "draft"))
	assert.Contains(t, phone.HTML(), `value="draft"`)
	assert.NotContains(t, phone2.HTML(), `value="draft"`)
	require.NoError(t, phone.Submit("#say", url.Values{"text": {"draft"}}))
	assert.NotContains(t, phone.HTML(), `value="draft"`)

	// Another page of the app, showing the same PerUser and group stores:
	// a change on either page shows on the other, both ways.
	settings := phone.Tab("/settings")
	assert.Equal(t, "Unmute sounds", settings.Text("#mute"), "a new page shows the state as it is")
	require.NoError(t, settings.Click("#mute"))
	require.NoError(t, phone.WaitText("#mute", "Mute sounds", wait))
	require.NoError(t, laptop.WaitText("#mute", "Mute sounds", wait))
	require.NoError(t, phone2.Click("#compact"))
	require.NoError(t, settings.WaitFor(func(html string) bool { return !strings.Contains(html, `class="compact"`) }, wait))
	require.NoError(t, settings.Follow("#back")) // lvt-navigate: the same connection, another page
	assert.Equal(t, "#general", settings.Text("h1"))
	assert.Equal(t, "Mute sounds", settings.Text("#mute"))

	// Watcher: bob leaves.
	bob.Close()
	require.NoError(t, phone.WaitText("#online", "1 online", wait))
}

// A page that declares a shared store of the app differently (here the
// group's prefs instead of the user's) is refused when it is mounted.
func TestASharedStoreMeansOneStore(t *testing.T) {
	app := livetest.App(t)
	_, err := NewHandler(app)
	require.NoError(t, err)
	tmpl, err := livetemplate.New("settings.html", livetemplate.WithFS(files, "settings.html"))
	require.NoError(t, err)
	_, err = app.Mount(tmpl, livetemplate.Named("prefs", &Prefs{}), livetemplate.Named("layout", &Layout{}))
	require.Error(t, err)
	assert.Contains(t, err.Error(), `store "prefs" is shared by the session group here but by the user on another page of the app`)
	_, err = app.Mount(tmpl, livetemplate.Named("prefs", livetemplate.PerUser(&Prefs{Muted: true})), livetemplate.Named("layout", &Layout{}))
	require.Error(t, err)
	assert.Contains(t, err.Error(), `store "prefs" starts as {"Muted":true} here but as {"Muted":false} on another page of the app`)
}
