package login_test

import (
	"bytes"
	"context"
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

// signIn posts name (and team) to the form and returns the cookie it set.
func signIn(t *testing.T, lg *login.Login, name, team string) *http.Cookie {
	t.Helper()
	resp := post(lg, login.Path, url.Values{"name": {name}, "team": {team}})
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
}

func TestFormSignsIn(t *testing.T) {
	lg := newLogin(t, login.Options{Title: "Chat"})
	resp := get(lg, login.Path)
	assert.Equal(t, http.StatusOK, resp.StatusCode)
	page := body(t, resp)
	assert.Contains(t, page, `<form id="login" method="post">`)
	assert.Contains(t, page, `<input name="name"`)
	assert.NotContains(t, page, `name="team"`, "no team without Options.Team")
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
	lg := newLogin(t, login.Options{Team: true})
	tests := []struct {
		name, user, team, want string
	}{
		{name: "empty", user: "  ", want: "Please enter a name."},
		{name: "too long", user: strings.Repeat("a", 33), want: "Keep it to 32 characters."},
		{name: "markup", user: "<b>ann</b>", want: "Use only letters"},
		{name: "space", user: "ann smith", want: "Use only letters"},
		{name: "bad team", user: "ann", team: "red team", want: "Team: Use only letters"},
	}
	for _, tc := range tests {
		t.Run(tc.name, func(t *testing.T) {
			resp := post(lg, login.Path, url.Values{"name": {tc.user}, "team": {tc.team}})
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

func TestTeamIsTheGroup(t *testing.T) {
	lg := newLogin(t, login.Options{Team: true})
	assert.Contains(t, body(t, get(lg, login.Path)), `<input name="team"`)
	user, group, err := identify(t, lg, signIn(t, lg, "ann", "red"))
	require.NoError(t, err)
	assert.Equal(t, "ann", user)
	assert.Equal(t, "red", group)
	_, group, err = identify(t, lg, signIn(t, lg, "bob", ""))
	require.NoError(t, err)
	assert.Equal(t, "bob", group, "no team: a group of one")
}

func TestRedirectsOnlyWithinTheSite(t *testing.T) {
	lg := newLogin(t, login.Options{})
	for next, want := range map[string]string{
		"/?room=dev":           "/?room=dev",
		"//evil.example/":      "/",
		"https://evil.example": "/",
		`/\evil.example`:       "/",
		"":                     "/",
	} {
		resp := post(lg, login.Path+"?next="+url.QueryEscape(next), url.Values{"name": {"ann"}})
		assert.Equal(t, want, resp.Header.Get("Location"), next)
	}
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

	ann, root := signIn(t, lg, "ann", ""), signIn(t, lg, "root", "")
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
	ann := signIn(t, lg, "ann", "")
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
