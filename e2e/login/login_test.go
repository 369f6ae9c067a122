package login_test

import (
	"io"
	"net/http"
	"net/http/httptest"
	"net/url"
	"os"
	"path/filepath"
	"strings"
	"testing"
	"time"

	"github.com/chromedp/cdproto/network"
	"github.com/chromedp/chromedp"
	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"

	"github.com/lvtgo/livetemplate/e2e/internal/browsertest"
	"github.com/lvtgo/livetemplate/examples/login"
)

// start serves the sign-in and, behind it, a page that names the path it
// was asked for, until the test ends; it returns the server's URL.
func start(t *testing.T) *url.URL {
	t.Helper()
	lg, err := login.New(login.Options{Key: []byte("0123456789abcdef0123456789abcdef"), Title: "Sign-in test"})
	require.NoError(t, err)
	mux := http.NewServeMux()
	mux.Handle(login.Path, lg)
	mux.HandleFunc("/favicon.ico", http.NotFound)
	mux.Handle("/", lg.RequireLogin(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		w.Header().Set("Content-Type", "text/html; charset=utf-8")
		_, _ = io.WriteString(w, `<!DOCTYPE html><title>page</title><p id="page">signed in</p>`)
	})))
	srv := httptest.NewServer(mux)
	t.Cleanup(srv.Close)
	u, err := url.Parse(srv.URL)
	require.NoError(t, err)
	return u
}

// followed records where the tab goes after each redirect: the URL of
// every page Chromium requests because of a redirect, as it requests it,
// before any DNS lookup, so a request to another host is seen even though
// that host does not exist.
func followed(t *testing.T, tab *browsertest.Tab) <-chan string {
	t.Helper()
	urls := make(chan string, 1024)
	require.NoError(t, chromedp.Listen(tab.Context(), func(ev any) {
		if e, ok := ev.(*network.EventRequestWillBeSent); ok && e.RedirectResponse != nil && e.Type == network.ResourceTypeDocument {
			select {
			case urls <- e.Request.URL:
			default: // the test reads far fewer than the buffer holds
			}
		}
	}))
	return urls
}

// signInWith opens the sign-in form with next as the raw value of its next
// parameter, signs in, and returns the URL the browser was redirected to,
// once it has loaded it if it is a page of the site.
func signInWith(t *testing.T, tab *browsertest.Tab, base *url.URL, redirects <-chan string, next string) string {
	t.Helper()
	tab.Navigate(base.String() + login.Path + "?next=" + next)
	tab.Fill("#login input[name=name]", "ann")
	tab.Click("#login button")
	select {
	case to := <-redirects:
		if u, err := url.Parse(to); err == nil && u.Host == base.Host {
			tab.WaitText("#page", "signed in")
		}
		return to
	case <-time.After(browsertest.Timeout):
		t.Errorf("next=%s: no redirect after signing in", next)
		return ""
	}
}

// The attacker's link of the issue: next=/%09/evil.example used to send
// "Location: /\t/evil.example", which Chromium reads as //evil.example.
func TestE2ESignInStaysOnTheSite(t *testing.T) {
	base := start(t)
	tab := browsertest.New(t).Tab(t)
	redirects := followed(t, tab)

	to := signInWith(t, tab, base, redirects, "/%09/evil.example")
	assert.Equal(t, base.String()+"/", to)
	assert.Equal(t, base.Host, browsertest.Eval[string](tab, "location.host"))
	assert.Equal(t, "/", browsertest.Eval[string](tab, "location.pathname"))

	// A page of the site is where the sign-in leads back to.
	to = signInWith(t, tab, base, redirects, url.QueryEscape("/rooms/7?tab=people"))
	assert.Equal(t, base.String()+"/rooms/7?tab=people", to)
}

// The open-redirect payloads of auth's tests (auth/testdata), as an
// attacker writes them after "next=" in a link to the sign-in page: none
// takes Chromium off the site.
func TestE2ERedirectCorpusStaysOnTheSite(t *testing.T) {
	base := start(t)
	tab := browsertest.New(t).Tab(t)
	redirects := followed(t, tab)
	b, err := os.ReadFile(filepath.Join("..", "..", "auth", "testdata", "open-redirects.txt"))
	require.NoError(t, err)
	for next := range strings.Lines(string(b)) {
		next = strings.TrimRight(next, "\n")
		if next == "" || strings.HasPrefix(next, "#") {
			continue
		}
		to := signInWith(t, tab, base, redirects, next)
		u, err := url.Parse(to)
		if assert.NoError(t, err, "next=%s", next) {
			assert.Equal(t, base.Host, u.Host, "next=%s sent Chromium to %s", next, to)
		}
	}
}
