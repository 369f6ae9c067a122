package security

import (
	"encoding/json"
	"fmt"
	"io"
	"log/slog"
	"net/http"
	"net/http/httptest"
	"regexp"
	"strings"
	"testing"
	"time"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"

	"github.com/lvtgo/livetemplate"
	"github.com/lvtgo/livetemplate/auth"
	"github.com/lvtgo/livetemplate/auth/jwtauth"
	"github.com/lvtgo/livetemplate/broadcast/redisbus"
	"github.com/lvtgo/livetemplate/internal/testutil"
	"github.com/lvtgo/livetemplate/livetest"
	"github.com/lvtgo/livetemplate/session/redisstore"
)

// quote:keys
// Keys is one secret being rotated: Current signs, Previous only check.
// Load them when the process starts, from where you keep secrets; each is
// at least 32 random bytes. Rotate each secret of an application on its
// own: the app's, the anonymous cookies' if you make your own Anonymous,
// the JWTs'.
type Keys struct {
	Current  []byte
	Previous [][]byte
}

// AppOption signs the app's page tokens with the keys and, when the app
// has no authenticator of your own, its anonymous visitors' cookies with
// keys derived from them.
func (k Keys) AppOption() livetemplate.Option {
	return livetemplate.WithSecret(k.Current, k.Previous...)
}

// Anonymous is an anonymous authenticator of your own whose cookies are
// signed with the keys.
func (k Keys) Anonymous() (*auth.Anonymous, error) {
	return auth.NewAnonymous(&auth.AnonymousOptions{Key: k.Current, PreviousKeys: k.Previous})
}

// JWT checks tokens signed with any of the keys and signs new ones with
// the current key.
func (k Keys) JWT() (*jwtauth.Authenticator, error) {
	previous := make([]any, len(k.Previous))
	for i, p := range k.Previous {
		previous[i] = p
	}
	return jwtauth.New(jwtauth.Options{Method: "HS256", Key: k.Current, SigningKey: k.Current, PreviousKeys: previous})
}

// quote:end

// rotation runs instances of the note page on one Redis server, each with
// its own keys, as a rolling deployment would.
type rotation struct {
	t   *testing.T
	rdb *testutil.Redis
}

// instance starts an instance whose app secret is keys.
func (r rotation) instance(keys Keys) *livetest.Server {
	r.t.Helper()
	client := r.rdb.Client(r.t)
	store, err := redisstore.New(client, nil)
	require.NoError(r.t, err)
	bus, err := redisbus.New(client, &redisbus.Options{Logger: slog.New(slog.DiscardHandler)})
	require.NoError(r.t, err)
	r.t.Cleanup(func() { _ = bus.Close() }) // after the app's Close
	app, err := livetemplate.NewApp(keys.AppOption(), livetemplate.WithSessionStore(store), livetemplate.WithBus(bus),
		livetemplate.WithLogger(slog.New(slog.DiscardHandler)))
	require.NoError(r.t, err)
	r.t.Cleanup(func() { _ = app.Close() })
	h, err := NewHandler(app)
	require.NoError(r.t, err)
	return livetest.Start(r.t, h)
}

// note opens the page on srv in a browser with cookies and returns the
// note it shows and the browser's cookies afterwards.
func note(t *testing.T, srv *livetest.Server, cookies []*http.Cookie) (string, []*http.Cookie) {
	t.Helper()
	p := srv.NewBrowser(&livetest.BrowserOptions{Cookies: cookies}).Open("/")
	defer p.Close()
	return p.Text("#text"), p.Browser().Cookies()
}

// A rotation of the app's secret in three rolling steps signs nobody out:
// a visitor keeps their identity (and so their state) on every instance at
// every step, and a tab opened before the rotation keeps its page.
func TestRotationSignsNobodyOut(t *testing.T) {
	r := rotation{t: t, rdb: testutil.StartRedis(t)}
	oldKey, newKey := []byte(strings.Repeat("o", 32)), []byte(strings.Repeat("n", 32))

	// Before: every instance signs with the old key.
	before := r.instance(Keys{Current: oldKey})
	tab := before.Open("/")
	require.NoError(t, tab.Send("save", map[string]any{"text": "kept"}))
	signedOld := tab.Browser().Cookies()
	token := pageToken(t, before, signedOld)

	// 1. The new key is deployed everywhere, as a previous key only.
	deployed := r.instance(Keys{Current: oldKey, Previous: [][]byte{newKey}})
	text, _ := note(t, deployed, signedOld)
	assert.Equal(t, "kept", text)

	// 2. The new key signs, the old one still checks: the visitor's cookie
	// is signed again with the new key, which the instances still in step 1
	// accept, and a tab made under the old key keeps its page.
	switched := r.instance(Keys{Current: newKey, Previous: [][]byte{oldKey}})
	text, signedNew := note(t, switched, signedOld)
	assert.Equal(t, "kept", text)
	text, _ = note(t, deployed, signedNew)
	assert.Equal(t, "kept", text, "an instance that deployed the new key first")
	text, _ = note(t, before, signedNew)
	assert.Empty(t, text, "an instance that skipped step 1 sees a stranger")
	assert.False(t, syncGetsNewPage(t, switched, signedOld, token), "the old tab's page opens on a switched instance")

	// 3. Once nothing signed with the old key is in use, it is dropped.
	dropped := r.instance(Keys{Current: newKey})
	text, _ = note(t, dropped, signedNew)
	assert.Equal(t, "kept", text, "a visitor who came back during the rotation")
	text, _ = note(t, dropped, signedOld)
	assert.Empty(t, text, "a cookie the old key signed, not seen since: a new visitor")
	assert.True(t, syncGetsNewPage(t, dropped, signedNew, token), "a page token the old key signed: a page made afresh")
}

// client is an HTTP client for one test: its connections end with it.
func client(t *testing.T) *http.Client {
	c := &http.Client{Transport: &http.Transport{}}
	t.Cleanup(c.CloseIdleConnections)
	return c
}

// pageToken loads the page on srv with cookies and returns its token.
func pageToken(t *testing.T, srv *livetest.Server, cookies []*http.Cookie) string {
	t.Helper()
	req, err := http.NewRequestWithContext(t.Context(), http.MethodGet, srv.URL+"/", nil)
	require.NoError(t, err)
	for _, c := range cookies {
		req.AddCookie(c)
	}
	resp, err := client(t).Do(req)
	require.NoError(t, err)
	defer resp.Body.Close()
	b, err := io.ReadAll(resp.Body)
	require.NoError(t, err)
	m := regexp.MustCompile(`data-lvt-token="([^"]+)"`).FindSubmatch(b)
	require.NotNil(t, m)
	return string(m[1])
}

// syncGetsNewPage posts a sync for token to srv with cookies, as a tab on
// the HTTP fallback does, and reports whether the server made a new page
// (its tree names a new token) instead of opening the token's page.
func syncGetsNewPage(t *testing.T, srv *livetest.Server, cookies []*http.Cookie, token string) bool {
	t.Helper()
	req, err := http.NewRequestWithContext(t.Context(), http.MethodPost, srv.URL+"/", strings.NewReader(fmt.Sprintf(`{"t":"sync","token":%q,"seq":0}`, token)))
	require.NoError(t, err)
	req.Header.Set("Content-Type", "application/json")
	req.Header.Set("Sec-Fetch-Site", "same-origin")
	for _, c := range cookies {
		req.AddCookie(c)
	}
	resp, err := client(t).Do(req)
	require.NoError(t, err)
	defer resp.Body.Close()
	require.Equal(t, http.StatusOK, resp.StatusCode)
	var m struct {
		T     string `json:"t"`
		Token string `json:"token"`
	}
	require.NoError(t, json.NewDecoder(resp.Body).Decode(&m))
	require.Equal(t, "tree", m.T)
	return m.Token != "" && m.Token != token
}

// The same three steps rotate the keys of a JWT or of an Anonymous of
// your own: what the old key signed is accepted until the key is dropped.
func TestKeysRotateTheAuthenticators(t *testing.T) {
	oldKey, newKey := []byte(strings.Repeat("o", 32)), []byte(strings.Repeat("n", 32))
	steps := []Keys{
		{Current: oldKey, Previous: [][]byte{newKey}},
		{Current: newKey, Previous: [][]byte{oldKey}},
		{Current: newKey},
	}
	accepted := func(a auth.Authenticator, r *http.Request) bool {
		_, err := a.Identify(nil, r)
		return err == nil
	}

	before, err := Keys{Current: oldKey}.JWT()
	require.NoError(t, err)
	token, err := before.Issue(nil, nil, "ann", time.Hour, nil)
	require.NoError(t, err)
	anonBefore, err := Keys{Current: oldKey}.Anonymous()
	require.NoError(t, err)
	w := httptest.NewRecorder()
	_, err = anonBefore.Identify(w, httptest.NewRequest(http.MethodGet, "/", nil))
	require.NoError(t, err)
	cookie := w.Result().Cookies()[0]

	for i, k := range steps {
		jwt, err := k.JWT()
		require.NoError(t, err)
		r := httptest.NewRequest(http.MethodGet, "/", nil)
		r.Header.Set("Authorization", "Bearer "+token)
		assert.Equal(t, i < 2, accepted(jwt, r), "JWT, step %d", i+1)

		anon, err := k.Anonymous()
		require.NoError(t, err)
		r = httptest.NewRequest(http.MethodGet, "/", nil)
		r.AddCookie(cookie)
		assert.Equal(t, i < 2, accepted(anon, r), "anonymous cookie, step %d", i+1)
	}
}
