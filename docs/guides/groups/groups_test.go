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
	h, err := NewHandler(livetemplate.WithAuthenticator(byHeader))
	require.NoError(t, err)
	t.Cleanup(func() { _ = h.Close() })
	srv := livetest.Start(t, h)

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

	// Watcher: bob leaves.
	bob.Close()
	require.NoError(t, phone.WaitText("#online", "1 online", wait))
}
