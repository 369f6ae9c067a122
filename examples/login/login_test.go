package login_test

import (
	"bytes"
	"context"
	"encoding/base64"
	"io"
	"log/slog"
	"net/http"
	"net/http/httptest"
	"net/url"
	"strings"
	"sync"
	"testing"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"
	"go.uber.org/goleak"

	"github.com/lvtgo/livetemplate"
	"github.com/lvtgo/livetemplate/auth"
	"github.com/lvtgo/livetemplate/examples/login"
)

func TestMain(m *testing.M) { goleak.VerifyTestMain(m) }

var testKey = []byte("0123456789abcdef0123456789abcdef")

func newLogin(t *testing.T, opts login.Options) *login.Login {
	t.Helper()
	if opts.Key == nil {
		opts.Key = testKey
	}
	lg, err := login.New(opts)
	require.NoError(t, err)
	return lg
}

// post posts form to path on h as a browser of the same origin would, and
// returns the response.
func post(h http.Handler, path string, form url.Values, cookies ...*http.Cookie) *http.Response {
	r := httptest.NewRequest(http.MethodPost, path, strings.NewReader(form.Encode()))
	r.Header.Set("Content-Type", "application/x-www-form-urlencoded")
	r.Header.Set("Sec-Fetch-Site", "same-origin")
	for _, c := range cookies {
		r.AddCookie(c)
	}
	w := httptest.NewRecorder()
	h.ServeHTTP(w, r)
	return w.Result()
}

func get(h http.Handler, path string, cookies ...*http.Cookie) *http.Response {
	r := httptest.NewRequest(http.MethodGet, path, nil)
	for _, c := range cookies {
		r.AddCookie(c)
	}
	w := httptest.NewRecorder()
	h.ServeHTTP(w, r)
	return w.Result()
}

func body(t *testing.T, resp *http.Response) string {
	t.Helper()
	b, err := io.ReadAll(resp.Body)
	require.NoError(t, err)
	return string(b)
}

// signIn posts name to the form and returns the cookie it set.
func signIn(t *testing.T, lg *login.Login, name string) *http.Cookie {
	t.Helper()
	resp := post(lg, login.Path, url.Values{"name": {name}})
	require.Equal(t, http.StatusSeeOther, resp.StatusCode, body(t, resp))
	require.Len(t, resp.Cookies(), 1)
	return resp.Cookies()[0]
}

func identify(t *testing.T, lg *login.Login, c *http.Cookie) (string, string, error) {
	t.Helper()
	r := httptest.NewRequest(http.MethodGet, "/", nil)
	r.AddCookie(c)
	id, err := lg.Authenticator().Identify(nil, r)
	return id.UserID, id.GroupID, err
}

func TestKey(t *testing.T) {
	var logs bytes.Buffer
	logger := slog.New(slog.NewTextHandler(&logs, nil))
	k1, err := login.Key("", logger)
	require.NoError(t, err)
	k2, err := login.Key("", logger)
	require.NoError(t, err)
	assert.Len(t, k1, login.MinKeySize)
	assert.NotEqual(t, k1, k2, "random")
	assert.Contains(t, logs.String(), "level=WARN")
	assert.Contains(t, logs.String(), "several instances need the same -secret")

	_, err = login.Key("too short", logger)
	assert.ErrorContains(t, err, "at least 32 bytes")
	k, err := login.Key(string(testKey), logger)
	require.NoError(t, err)
	assert.Equal(t, testKey, k)

	_, err = login.New(login.Options{Key: []byte("short")})
	assert.ErrorContains(t, err, "at least 32 bytes")
	_, err = login.New(login.Options{Key: testKey, PreviousKeys: [][]byte{[]byte("short")}})
	assert.ErrorContains(t, err, "at least 32 bytes")
}

func TestFormSignsIn(t *testing.T) {
	lg := newLogin(t, login.Options{Title: "Chat"})
	resp := get(lg, login.Path)
	assert.Equal(t, http.StatusOK, resp.StatusCode)
	page := body(t, resp)
	assert.Contains(t, page, `<form id="login" method="post">`)
	assert.Contains(t, page, `<input name="name"`)
	assert.NotContains(t, page, `name="team"`, "nobody chooses their group")
	assert.Contains(t, page, "<h1>Chat</h1>")

	resp = post(lg, login.Path, url.Values{"name": {"ann"}})
	assert.Equal(t, http.StatusSeeOther, resp.StatusCode)
	assert.Equal(t, "/", resp.Header.Get("Location"))
	require.Len(t, resp.Cookies(), 1)
	c := resp.Cookies()[0]
	assert.True(t, c.HttpOnly)
	user, group, err := identify(t, lg, c)
	require.NoError(t, err)
	assert.Equal(t, "ann", user)
	assert.Equal(t, "ann", group, "without teams a user is a group of their own")
}

func TestFormRefusesBadNames(t *testing.T) {
	lg := newLogin(t, login.Options{})
	tests := []struct {
		name, user, want string
	}{
		{name: "empty", user: "  ", want: "Please enter a name."},
		{name: "too long", user: strings.Repeat("a", 33), want: "Keep it to 32 characters."},
		{name: "markup", user: "<b>ann</b>", want: "Use only letters"},
		{name: "space", user: "ann smith", want: "Use only letters"},
	}
	for _, tc := range tests {
		t.Run(tc.name, func(t *testing.T) {
			resp := post(lg, login.Path, url.Values{"name": {tc.user}})
			assert.Equal(t, http.StatusUnprocessableEntity, resp.StatusCode)
			assert.Empty(t, resp.Cookies())
			page := body(t, resp)
			assert.Contains(t, page, `class="error"`)
			assert.Contains(t, page, tc.want)
			assert.NotContains(t, page, "<b>ann</b>", "what the user typed is escaped")
		})
	}
	for _, ok := range []string{"ann", "Ann.Smith", "x_1-2", "José", strings.Repeat("a", 32)} {
		assert.NoError(t, login.ValidName("name", ok), ok)
	}
	assert.Equal(t, map[string]string{"target": "Please enter a name."}, livetemplate.FieldErrors(login.ValidName("target", "")))
}

// A user's group comes from the server (Options.GroupOf), in the signed
// token: not from the form, the query or an edited cookie.
func TestGroupComesFromTheServer(t *testing.T) {
	teams := map[string]string{"ann": "red", "bob": "blue"}
	lg := newLogin(t, login.Options{GroupOf: func(name string) string { return teams[name] }})
	_, group, err := identify(t, lg, signIn(t, lg, "ann"))
	require.NoError(t, err)
	assert.Equal(t, "red", group)
	_, group, err = identify(t, lg, signIn(t, lg, "cid"))
	require.NoError(t, err)
	assert.Equal(t, "cid", group, "not in the table: a group of one")

	// Asking for another group, in the form or in the query, changes nothing.
	resp := post(lg, login.Path+"?team=blue&"+login.GroupClaim+"=blue",
		url.Values{"name": {"ann"}, "team": {"blue"}, login.GroupClaim: {"blue"}})
	require.Equal(t, http.StatusSeeOther, resp.StatusCode)
	ann := resp.Cookies()[0]
	_, group, err = identify(t, lg, ann)
	require.NoError(t, err)
	assert.Equal(t, "red", group)

	// Nor does editing the token in the cookie: its signature no longer
	// holds, and the pages send the user to sign in again.
	parts := strings.Split(ann.Value, ".")
	require.Len(t, parts, 3)
	claims, err := base64.RawURLEncoding.DecodeString(parts[1])
	require.NoError(t, err)
	edited := *ann
	edited.Value = parts[0] + "." + base64.RawURLEncoding.EncodeToString(bytes.Replace(claims, []byte(`"red"`), []byte(`"blue"`), 1)) + "." + parts[2]
	_, _, err = identify(t, lg, &edited)
	require.ErrorIs(t, err, auth.ErrUnauthenticated)
	page := lg.RequireLogin(http.HandlerFunc(func(http.ResponseWriter, *http.Request) { t.Error("let in with an edited token") }))
	assert.Equal(t, http.StatusSeeOther, get(page, "/", &edited).StatusCode)
}

// After signing in, the user goes back to the page they came from, if it
// is a page of this site, and home otherwise.
func TestRedirectsOnlyWithinTheSite(t *testing.T) {
	lg := newLogin(t, login.Options{})
	for next, want := range map[string]string{
		"/?room=dev":           "/?room=dev",
		"/admin#top":           "/admin#top",
		"//evil.example/":      "/",
		"https://evil.example": "/",
		`/\evil.example`:       "/",
		"/%5Cevil.example":     "/",
		"/\t/evil.example":     "/",
		"/%09/evil.example":    "/",
		"/%2F%2Fevil.example":  "/",
		"javascript:alert(1)":  "/",
		"/\r\nSet-Cookie: a=b": "/",
		"":                     "/",
	} {
		resp := post(lg, login.Path+"?next="+url.QueryEscape(next), url.Values{"name": {"ann"}})
		assert.Equal(t, want, resp.Header.Get("Location"), next)
	}
}

// A key rotation signs nobody out: a sign-in made under the old key is
// still valid once the new key signs.
func TestPreviousKeysKeepSignIns(t *testing.T) {
	ann := signIn(t, newLogin(t, login.Options{}), "ann")
	newKey := []byte("fedcba9876543210fedcba9876543210")
	rotated := newLogin(t, login.Options{Key: newKey, PreviousKeys: [][]byte{testKey}})
	user, _, err := identify(t, rotated, ann)
	require.NoError(t, err)
	assert.Equal(t, "ann", user)
	_, _, err = identify(t, newLogin(t, login.Options{Key: newKey}), ann)
	assert.ErrorIs(t, err, auth.ErrUnauthenticated, "once the old key is dropped")
}

func TestCrossOriginPostsAreRefused(t *testing.T) {
	lg := newLogin(t, login.Options{})
	r := httptest.NewRequest(http.MethodPost, login.Path, strings.NewReader("name=ann"))
	r.Header.Set("Content-Type", "application/x-www-form-urlencoded")
	r.Header.Set("Sec-Fetch-Site", "cross-site")
	w := httptest.NewRecorder()
	lg.ServeHTTP(w, r)
	assert.Equal(t, http.StatusForbidden, w.Code)
	assert.Empty(t, w.Result().Cookies())

	w = httptest.NewRecorder()
	r = httptest.NewRequest(http.MethodPost, "/logout", nil)
	r.Header.Set("Sec-Fetch-Site", "cross-site")
	lg.Logout().ServeHTTP(w, r)
	assert.Equal(t, http.StatusForbidden, w.Code)
}

func TestRequireLoginAndRestrict(t *testing.T) {
	lg := newLogin(t, login.Options{})
	ok := http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) { _, _ = io.WriteString(w, "in") })
	page := lg.RequireLogin(ok)
	admin := lg.Restrict(func(id auth.Identity) bool { return id.UserID == "root" }, ok)

	resp := get(page, "/?room=dev")
	assert.Equal(t, http.StatusSeeOther, resp.StatusCode)
	assert.Equal(t, "/login?next=%2F%3Froom%3Ddev", resp.Header.Get("Location"))

	up := httptest.NewRequest(http.MethodGet, "/", nil)
	up.Header.Set("Connection", "Upgrade")
	up.Header.Set("Upgrade", "websocket")
	w := httptest.NewRecorder()
	page.ServeHTTP(w, up)
	assert.Equal(t, http.StatusUnauthorized, w.Code, "a WebSocket is not redirected")
	assert.Equal(t, http.StatusUnauthorized, post(page, "/", nil).StatusCode)

	ann, root := signIn(t, lg, "ann"), signIn(t, lg, "root")
	assert.Equal(t, "in", body(t, get(page, "/", ann)))
	assert.Equal(t, http.StatusForbidden, get(admin, "/admin", ann).StatusCode)
	assert.Equal(t, http.StatusForbidden, post(admin, "/admin", nil, ann).StatusCode)
	w = httptest.NewRecorder()
	up.AddCookie(ann)
	admin.ServeHTTP(w, up)
	assert.Equal(t, http.StatusForbidden, w.Code, "nor is a WebSocket let through")
	assert.Equal(t, "in", body(t, get(admin, "/admin", root)))

	bad := *ann
	bad.Value += "x"
	assert.Equal(t, http.StatusSeeOther, get(page, "/", &bad).StatusCode, "a forged token is no sign-in")
}

// pages records what Logout asks of the live pages.
type pages struct {
	mu      sync.Mutex
	targets []livetemplate.Target
}

func (p *pages) Disconnect(_ context.Context, t livetemplate.Target) (livetemplate.Reach, error) {
	p.mu.Lock()
	defer p.mu.Unlock()
	p.targets = append(p.targets, t)
	return livetemplate.Reach{}, nil
}

func TestLogoutClearsTheCookieAndClosesThePages(t *testing.T) {
	lg := newLogin(t, login.Options{})
	var chat, board pages
	out := lg.Logout(&chat, &board)
	ann := signIn(t, lg, "ann")
	resp := post(out, "/logout", nil, ann)
	assert.Equal(t, http.StatusSeeOther, resp.StatusCode)
	assert.Equal(t, login.Path, resp.Header.Get("Location"))
	require.Len(t, resp.Cookies(), 1)
	assert.Equal(t, ann.Name, resp.Cookies()[0].Name)
	assert.Negative(t, resp.Cookies()[0].MaxAge, "the cookie is deleted")
	for _, p := range []*pages{&chat, &board} {
		assert.Equal(t, []livetemplate.Target{livetemplate.Users("ann")}, p.targets)
	}

	// Signed out already: nothing to close, and still a redirect.
	resp = post(out, "/logout", nil)
	assert.Equal(t, http.StatusSeeOther, resp.StatusCode)
	assert.Len(t, chat.targets, 1)
	assert.Equal(t, http.StatusMethodNotAllowed, get(out, "/logout").StatusCode)
}
