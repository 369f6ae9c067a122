package auth_test

import (
	"bytes"
	"errors"
	"io"
	"log/slog"
	"net/http"
	"net/http/cookiejar"
	"net/http/httptest"
	"net/url"
	"strings"
	"testing"
	"time"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"

	"github.com/lvtgo/livetemplate/auth"
)

// byHeader identifies requests by their X-User header, with a challenge
// when there is none, as a real authenticator would.
func byHeader(w http.ResponseWriter, r *http.Request) (auth.Identity, error) {
	user := r.Header.Get("X-User")
	switch user {
	case "":
		if w != nil {
			w.Header().Set("WWW-Authenticate", `Bearer realm="test"`)
		}
		return auth.Identity{}, auth.ErrUnauthenticated
	case "expired":
		return auth.Identity{UserID: user, GroupID: user, Expires: time.Now().Add(-time.Second)}, nil
	case "broken":
		return auth.Identity{}, errors.New("the session database is down")
	}
	return auth.Identity{UserID: user, GroupID: user, Expires: time.Now().Add(time.Hour)}, nil
}

// inside answers what the guard let through.
func inside() http.Handler {
	return http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) { _, _ = io.WriteString(w, "inside") })
}

func newSignIn(tb testing.TB, loginURL string, opts *auth.SignInOptions) *auth.SignIn {
	tb.Helper()
	s, err := auth.NewSignIn(auth.AuthenticatorFunc(byHeader), loginURL, opts)
	require.NoError(tb, err)
	return s
}

// guarded is one request of the tests: method, target and headers (name,
// value, …).
func guarded(method, target string, header ...string) *http.Request {
	r := httptest.NewRequest(method, target, nil)
	for i := 0; i+1 < len(header); i += 2 {
		r.Header.Set(header[i], header[i+1])
	}
	return r
}

func TestSignInAnswersEachKindOfRequest(t *testing.T) {
	t.Parallel()

	upgrade := []string{"Connection", "Upgrade", "Upgrade", "websocket"}
	tests := []struct {
		name      string
		r         *http.Request
		status    int
		location  string
		challenge string
	}{
		{name: "page load", r: guarded(http.MethodGet, "/?room=dev"), status: http.StatusSeeOther, location: "/login?next=%2F%3Froom%3Ddev"},
		{name: "head", r: guarded(http.MethodHead, "/docs/a"), status: http.StatusSeeOther, location: "/login?next=%2Fdocs%2Fa"},
		{name: "live navigation", r: guarded(http.MethodGet, "/admin", "Lvt-Navigate", "tok"), status: http.StatusSeeOther, location: "/login?next=%2Fadmin"},
		{name: "expired identity", r: guarded(http.MethodGet, "/", "X-User", "expired"), status: http.StatusSeeOther, location: "/login?next=%2F"},
		{name: "websocket upgrade", r: guarded(http.MethodGet, "/", upgrade...), status: http.StatusUnauthorized, challenge: `Bearer realm="test"`},
		{name: "any upgrade", r: guarded(http.MethodGet, "/", "Upgrade", "h2c"), status: http.StatusUnauthorized, challenge: `Bearer realm="test"`},
		{name: "post", r: guarded(http.MethodPost, "/"), status: http.StatusUnauthorized, challenge: `Bearer realm="test"`},
		{name: "put", r: guarded(http.MethodPut, "/"), status: http.StatusUnauthorized, challenge: `Bearer realm="test"`},
		{name: "expired post", r: guarded(http.MethodPost, "/", "X-User", "expired"), status: http.StatusUnauthorized},
		{name: "signed in", r: guarded(http.MethodGet, "/", "X-User", "ann"), status: http.StatusOK},
		{name: "signed in, websocket", r: guarded(http.MethodGet, "/", append([]string{"X-User", "ann"}, upgrade...)...), status: http.StatusOK},
		{name: "signed in, post", r: guarded(http.MethodPost, "/", "X-User", "ann"), status: http.StatusOK},
	}
	guard := newSignIn(t, "/login", nil).Require(inside())
	for _, tc := range tests {
		t.Run(tc.name, func(t *testing.T) {
			t.Parallel()

			w := httptest.NewRecorder()
			guard.ServeHTTP(w, tc.r)
			assert.Equal(t, tc.status, w.Code)
			assert.Equal(t, tc.location, w.Header().Get("Location"))
			assert.Equal(t, tc.challenge, w.Header().Get("WWW-Authenticate"))
			if tc.status == http.StatusOK {
				assert.Equal(t, "inside", w.Body.String())
				return
			}
			assert.NotContains(t, w.Body.String(), "inside")
			assert.Equal(t, "no-store", w.Header().Get("Cache-Control"))
		})
	}
}

func TestSignInKeepsTheLoginURLsQuery(t *testing.T) {
	t.Parallel()

	w := httptest.NewRecorder()
	newSignIn(t, "/auth/login?app=chat#form", nil).Require(inside()).ServeHTTP(w, guarded(http.MethodGet, "/rooms/7?x=1"))
	assert.Equal(t, "/auth/login?app=chat&next=%2Frooms%2F7%3Fx%3D1#form", w.Header().Get("Location"))
}

func TestSignInRestrict(t *testing.T) {
	t.Parallel()

	admin := newSignIn(t, "/login", nil).Restrict(func(id auth.Identity) bool { return id.UserID == "root" }, inside())
	for _, r := range []*http.Request{
		guarded(http.MethodGet, "/admin", "X-User", "ann"),
		guarded(http.MethodPost, "/admin", "X-User", "ann"),
		guarded(http.MethodGet, "/admin", "X-User", "ann", "Connection", "Upgrade", "Upgrade", "websocket"),
		guarded(http.MethodGet, "/admin", "X-User", "ann", "Lvt-Navigate", "tok"),
	} {
		w := httptest.NewRecorder()
		admin.ServeHTTP(w, r)
		assert.Equal(t, http.StatusForbidden, w.Code, "%s %v", r.Method, r.Header)
	}
	w := httptest.NewRecorder()
	admin.ServeHTTP(w, guarded(http.MethodGet, "/admin", "X-User", "root"))
	assert.Equal(t, "inside", w.Body.String())
	w = httptest.NewRecorder()
	admin.ServeHTTP(w, guarded(http.MethodGet, "/admin"))
	assert.Equal(t, http.StatusSeeOther, w.Code, "signed out: to the sign-in page first")
}

func TestSignInAuthenticatorFailure(t *testing.T) {
	t.Parallel()

	var logs bytes.Buffer
	guard := newSignIn(t, "/login", &auth.SignInOptions{Logger: slog.New(slog.NewTextHandler(&logs, nil))}).Require(inside())
	w := httptest.NewRecorder()
	guard.ServeHTTP(w, guarded(http.MethodGet, "/", "X-User", "broken"))
	assert.Equal(t, http.StatusInternalServerError, w.Code)
	assert.NotContains(t, w.Body.String(), "database", "the cause stays in the logs")
	assert.Contains(t, logs.String(), "the session database is down")
	assert.Contains(t, logs.String(), "level=ERROR")
}

func TestNewSignInRefuses(t *testing.T) {
	t.Parallel()

	for _, login := range []string{"", "login", "//evil.example/login", "https://evil.example/login", "/%09/login", `/\login`} {
		_, err := auth.NewSignIn(auth.AuthenticatorFunc(byHeader), login, nil)
		assert.ErrorContains(t, err, "is not a path of this site", "%q", login)
	}
	_, err := auth.NewSignIn(nil, "https://x", nil)
	assert.ErrorContains(t, err, "auth: sign-in: no Authenticator")
	assert.ErrorContains(t, err, `auth: sign-in: login URL "https://x" is not a path of this site`)
}

// A browser (a cookie jar) on a real server: a signed-out visit goes to the
// sign-in page, which brings it back to the page it asked for.
func TestSignInRoundTrip(t *testing.T) {
	t.Parallel()

	byCookie := auth.AuthenticatorFunc(func(w http.ResponseWriter, r *http.Request) (auth.Identity, error) {
		c, err := r.Cookie("user")
		if err != nil {
			return auth.Identity{}, auth.ErrUnauthenticated
		}
		return auth.Identity{UserID: c.Value, GroupID: c.Value}, nil
	})
	s, err := auth.NewSignIn(byCookie, "/login", nil)
	require.NoError(t, err)
	mux := http.NewServeMux()
	mux.HandleFunc("/login", func(w http.ResponseWriter, r *http.Request) {
		http.SetCookie(w, &http.Cookie{Name: "user", Value: "ann", Path: "/"}) // the password check goes here
		signInRedirect(w, r)
	})
	mux.Handle("/", s.Require(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		_, _ = io.WriteString(w, "hello from "+r.URL.RequestURI())
	})))
	srv := httptest.NewServer(mux)
	t.Cleanup(srv.Close)
	jar, err := cookiejar.New(nil)
	require.NoError(t, err)
	var hops []string
	client := srv.Client()
	client.Jar = jar
	client.CheckRedirect = func(r *http.Request, _ []*http.Request) error {
		hops = append(hops, r.URL.RequestURI())
		return nil
	}

	resp, err := client.Get(srv.URL + "/rooms/7?tab=people")
	require.NoError(t, err)
	body, err := io.ReadAll(resp.Body)
	require.NoError(t, err)
	require.NoError(t, resp.Body.Close())
	assert.Equal(t, "hello from /rooms/7?tab=people", string(body))
	assert.Equal(t, []string{"/login?next=%2Frooms%2F7%3Ftab%3Dpeople", "/rooms/7?tab=people"}, hops)

	// A link that names another site as next lands at home instead.
	hops = nil
	resp, err = client.Get(srv.URL + "/login?next=" + url.QueryEscape("/\t/evil.example"))
	require.NoError(t, err)
	require.NoError(t, resp.Body.Close())
	assert.Equal(t, []string{"/"}, hops)
	assert.True(t, strings.HasPrefix(resp.Request.URL.String(), srv.URL+"/"), resp.Request.URL.String())
}
