package authn

import (
	"errors"
	"io"
	"net/http"
	"net/url"
	"strings"
	"testing"
	"time"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"

	"github.com/lvtgo/livetemplate"
	"github.com/lvtgo/livetemplate/auth"
	"github.com/lvtgo/livetemplate/auth/jwtauth"
	"github.com/lvtgo/livetemplate/livetest"
)

// quote:jwt
// NewSite serves the notes at / to users signed in at /login, and signs
// them out at POST /logout. key is a secret of at least 32 bytes that every
// instance shares.
func NewSite(key []byte) (http.Handler, *livetemplate.App, error) {
	jwt, err := jwtauth.New(jwtauth.Options{
		Method:     "HS256",
		Key:        key, // verifies tokens
		SigningKey: key, // signs them, in Issue
		Issuer:     "notes",
		GroupClaim: "org", // the session group; without it, each user has their own
	})
	if err != nil {
		return nil, nil, err
	}
	app, err := livetemplate.NewApp(livetemplate.WithAuthenticator(jwt))
	if err != nil {
		return nil, nil, err
	}
	notes, err := newHandler(app)
	if err != nil {
		return nil, nil, errors.Join(err, app.Close())
	}
	// Signed out: a page load goes to /login?next=<the page>, a live
	// connection or action gets 401.
	signIn, err := auth.NewSignIn(jwt, "/login", nil)
	if err != nil {
		return nil, nil, errors.Join(err, app.Close())
	}
	mux := http.NewServeMux()
	mux.HandleFunc("GET /login", func(w http.ResponseWriter, r *http.Request) {
		// The form posts to this URL, next parameter included.
		_, _ = io.WriteString(w, `<form method="post"><input name="user"><button>Sign in</button></form>`)
	})
	mux.HandleFunc("POST /login", func(w http.ResponseWriter, r *http.Request) {
		user := r.PostFormValue("user")
		// ... check the password (or let an identity provider do it) ...
		if _, err := jwt.Issue(w, r, user, 15*time.Minute, map[string]any{"org": "acme"}); err != nil {
			http.Error(w, "cannot sign in", http.StatusInternalServerError)
			return
		}
		// Back to the page, if next names one of this site; else home.
		http.Redirect(w, r, auth.SafeNext(r.URL.Query().Get(auth.NextParam)), http.StatusSeeOther)
	})
	mux.HandleFunc("POST /logout", func(w http.ResponseWriter, r *http.Request) {
		id, err := jwt.Identify(nil, r)
		jwt.Clear(w, r) // the cookie goes ...
		if err == nil { // ... and so do the user's live pages, every page of the app, on every instance
			_, _ = app.Disconnect(r.Context(), livetemplate.Users(id.UserID))
		}
		http.Redirect(w, r, "/", http.StatusSeeOther)
	})
	mux.Handle("/{$}", signIn.Require(notes))
	// Refuse cross-site POSTs to /login and /logout (the page's own are refused already).
	return http.NewCrossOriginProtection().Handler(mux), app, nil
}

// quote:end

func TestJWT(t *testing.T) {
	key := []byte("0123456789abcdef0123456789abcdef")
	site, app, err := NewSite(key)
	require.NoError(t, err)
	t.Cleanup(func() { _ = app.Close() })
	srv := livetest.Start(t, site)

	noRedirect := &http.Client{CheckRedirect: func(*http.Request, []*http.Request) error { return http.ErrUseLastResponse }}
	login := func(user string) []*http.Cookie {
		resp, err := noRedirect.PostForm(srv.URL+"/login", url.Values{"user": {user}})
		require.NoError(t, err)
		resp.Body.Close()
		require.Equal(t, http.StatusSeeOther, resp.StatusCode)
		return resp.Cookies()
	}
	annCookies := login("ann")
	require.Len(t, annCookies, 1)
	assert.Equal(t, jwtauth.DefaultCookieName, annCookies[0].Name)
	ann := srv.NewBrowser(&livetest.BrowserOptions{Cookies: annCookies}).Open("/")
	bob := srv.NewBrowser(&livetest.BrowserOptions{Cookies: login("bob")}).Open("/")
	require.NoError(t, ann.Submit("#add", url.Values{"text": {"hi"}}))
	require.NoError(t, bob.WaitText("#notes li", "ann: hi", time.Second), "one org, one group")

	req, _ := http.NewRequest(http.MethodPost, srv.URL+"/logout", nil)
	for _, c := range annCookies {
		req.AddCookie(c)
	}
	resp, err := noRedirect.Do(req)
	require.NoError(t, err)
	resp.Body.Close()
	require.Equal(t, http.StatusSeeOther, resp.StatusCode)
	require.Len(t, resp.Cookies(), 1)
	assert.Negative(t, resp.Cookies()[0].MaxAge, "the cookie is cleared")
	assert.Eventually(t, func() bool { return ann.Send("add", map[string]any{"text": "x"}) != nil },
		2*time.Second, 20*time.Millisecond, "ann's page was disconnected")
	require.NoError(t, bob.Submit("#add", url.Values{"text": {"still here"}}))

	// No cookie: a page load goes to the sign-in page, an action gets 401.
	resp, err = noRedirect.Get(srv.URL + "/")
	require.NoError(t, err)
	resp.Body.Close()
	assert.Equal(t, http.StatusSeeOther, resp.StatusCode)
	assert.Equal(t, "/login?next=%2F", resp.Header.Get("Location"))
	resp, err = noRedirect.Post(srv.URL+"/", "application/json", strings.NewReader(`{"t":"sync"}`))
	require.NoError(t, err)
	resp.Body.Close()
	assert.Equal(t, http.StatusUnauthorized, resp.StatusCode)

	// Signing in leads back to a page of the site, never elsewhere.
	for next, want := range map[string]string{"/": "/", "/%09/evil.example": "/", "//evil.example": "/"} {
		resp, err := noRedirect.PostForm(srv.URL+"/login?next="+url.QueryEscape(next), url.Values{"user": {"ann"}})
		require.NoError(t, err)
		resp.Body.Close()
		assert.Equal(t, want, resp.Header.Get("Location"), next)
	}
}
