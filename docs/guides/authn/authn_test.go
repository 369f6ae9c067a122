package authn

import (
	"net/http"
	"net/url"
	"testing"
	"time"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"
	"go.uber.org/goleak"

	"github.com/lvtgo/livetemplate/livetest"
)

func TestMain(m *testing.M) { goleak.VerifyTestMain(m) }

func TestBasicSharesATeam(t *testing.T) {
	app, err := NewBasicApp(map[string]string{"ann": "a-pass", "bob": "b-pass"})
	require.NoError(t, err)
	t.Cleanup(func() { _ = app.Close() })
	h, err := newHandler(app)
	require.NoError(t, err)
	srv := livetest.Start(t, h)
	ann := srv.NewBrowser(&livetest.BrowserOptions{Header: livetest.BasicAuth("ann", "a-pass")}).Open("/")
	bob := srv.NewBrowser(&livetest.BrowserOptions{Header: livetest.BasicAuth("bob", "b-pass")}).Open("/")
	require.NoError(t, ann.Submit("#add", url.Values{"text": {"hi"}}))
	require.NoError(t, bob.WaitText("#notes li", "ann: hi", time.Second))

	resp, err := http.Get(srv.URL + "/")
	require.NoError(t, err)
	resp.Body.Close()
	assert.Equal(t, http.StatusUnauthorized, resp.StatusCode)
	assert.Contains(t, resp.Header.Get("WWW-Authenticate"), `Basic realm="notes"`)
}

func TestOwnSessions(t *testing.T) {
	s := &Sessions{m: map[string]Session{
		"s1": {User: "ann", Org: "acme", Expires: time.Now().Add(time.Hour)},
		"s2": {User: "cid", Org: "acme", Expires: time.Now().Add(time.Hour)},
	}}
	app, err := newOwnApp(s)
	require.NoError(t, err)
	t.Cleanup(func() { _ = app.Close() })
	h, err := newHandler(app)
	require.NoError(t, err)
	srv := livetest.Start(t, h)
	ann := srv.NewBrowser(&livetest.BrowserOptions{Cookies: []*http.Cookie{{Name: "sid", Value: "s1"}}}).Open("/")
	cid := srv.NewBrowser(&livetest.BrowserOptions{Cookies: []*http.Cookie{{Name: "sid", Value: "s2"}}}).Open("/")
	require.NoError(t, cid.Submit("#add", url.Values{"text": {"hello"}}))
	require.NoError(t, ann.WaitText("#notes li", "cid: hello", time.Second))

	resp, err := http.Get(srv.URL + "/")
	require.NoError(t, err)
	resp.Body.Close()
	assert.Equal(t, http.StatusUnauthorized, resp.StatusCode)
}
