package main

import (
	"io"
	"log/slog"
	"net/http"
	"net/url"
	"slices"
	"strings"
	"testing"

	"github.com/stretchr/testify/require"
	"go.uber.org/goleak"

	"github.com/lvtgo/livetemplate"
	"github.com/lvtgo/livetemplate/examples/dashboard/dashboard"
	"github.com/lvtgo/livetemplate/examples/login"
	"github.com/lvtgo/livetemplate/livetest"
)

// The browser tests of this page are in the module e2e (e2e/dashboard).

// TestMain checks for leaked goroutines.
func TestMain(m *testing.M) { goleak.VerifyTestMain(m) }

// testKey signs the tests' sign-ins.
var testKey = []byte("0123456789abcdef0123456789abcdef")

// admin is the administrator's name in the tests.
const admin = "boss"

// teams is the tests' table of teams: the server's, which no user can
// change.
const teams = "ann=red,bob=red,cid=blue,eve=blue"

// app is the dashboard served for one test.
type app struct {
	srv *livetest.Server
	app *livetemplate.App
}

// start serves the dashboard (sign-in, pages, logout) on an app made for
// one test, configured by opts.
func start(t *testing.T, opts ...livetemplate.Option) *app {
	t.Helper()
	table, err := dashboard.ParseTeams(teams)
	require.NoError(t, err)
	lg, err := login.New(login.Options{Key: testKey, Title: "Dashboard", GroupOf: table.Of, Logger: slog.New(slog.NewTextHandler(t.Output(), nil))})
	require.NoError(t, err)
	// The sign-in's authenticator comes last: it replaces the anonymous one
	// of instances.Redis.
	a := livetest.App(t, append(slices.Clone(opts), livetemplate.WithAuthenticator(lg.Authenticator()))...)
	h, err := dashboard.NewHandler(a, lg, admin)
	require.NoError(t, err)
	return &app{srv: livetest.Start(t, h), app: a}
}

// noRedirects is an HTTP client that shows redirects instead of following
// them.
var noRedirects = &http.Client{CheckRedirect: func(*http.Request, []*http.Request) error { return http.ErrUseLastResponse }}

// signIn posts name to the sign-in form, as a browser would, and returns
// the cookie the answer sets. The user's team comes from the table teams.
func (a *app) signIn(t *testing.T, name string) []*http.Cookie {
	t.Helper()
	resp, err := noRedirects.PostForm(a.srv.URL+login.Path, url.Values{"name": {name}})
	require.NoError(t, err)
	defer resp.Body.Close()
	_, _ = io.Copy(io.Discard, resp.Body)
	require.Equal(t, http.StatusSeeOther, resp.StatusCode)
	require.NotEmpty(t, resp.Cookies())
	return resp.Cookies()
}

// browser is a new browser signed in as name.
func (a *app) browser(t *testing.T, name string) *livetest.Browser {
	t.Helper()
	return a.srv.NewBrowser(&livetest.BrowserOptions{Cookies: a.signIn(t, name)})
}

// do sends a request with cookies and headers (name, value, …), without
// following redirects, and returns the response and its body.
func (a *app) do(t *testing.T, method, path string, cookies []*http.Cookie, header ...string) (*http.Response, string) {
	t.Helper()
	req, err := http.NewRequestWithContext(t.Context(), method, a.srv.URL+path, nil)
	require.NoError(t, err)
	for _, c := range cookies {
		req.AddCookie(c)
	}
	for i := 0; i+1 < len(header); i += 2 {
		req.Header.Set(header[i], header[i+1])
	}
	resp, err := noRedirects.Do(req)
	require.NoError(t, err)
	defer resp.Body.Close()
	var b strings.Builder
	_, err = io.Copy(&b, resp.Body)
	require.NoError(t, err)
	return resp, b.String()
}
