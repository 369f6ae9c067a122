package auth_test

import (
	"errors"
	"fmt"
	"net/http"
	"net/http/httptest"
	"net/url"

	"github.com/lvtgo/livetemplate/auth"
)

// Anonymous gives a new browser a signed cookie; later requests from any of
// its tabs carry the cookie back and land in the same group.
func ExampleAnonymous() {
	a, err := auth.NewAnonymous(nil)
	if err != nil {
		panic(err) // only invalid options fail
	}

	w := httptest.NewRecorder()
	first, _ := a.Identify(w, httptest.NewRequest(http.MethodGet, "/", nil))
	cookie := w.Result().Cookies()[0]
	fmt.Println(cookie.Name, cookie.HttpOnly, cookie.SameSite == http.SameSiteLaxMode)

	r := httptest.NewRequest(http.MethodGet, "/", nil)
	r.AddCookie(cookie)
	again, _ := a.Identify(httptest.NewRecorder(), r)
	fmt.Println(again.GroupID == first.GroupID, len(again.GroupID))
	// Output:
	// livetemplate-id true true
	// true 32
}

// Several instances share one key, loaded from wherever the deployment keeps
// secrets, so each accepts the others' cookies. To rotate it, move the old
// key to PreviousKeys: its cookies keep their identities and are signed
// again with the new key.
func ExampleNewAnonymous() {
	oldKey, newKey := auth.NewAnonymousKey(), auth.NewAnonymousKey() // normally loaded, not generated

	before, _ := auth.NewAnonymous(&auth.AnonymousOptions{Key: oldKey})
	after, err := auth.NewAnonymous(&auth.AnonymousOptions{Key: newKey, PreviousKeys: [][]byte{oldKey}})
	fmt.Println(err)

	w := httptest.NewRecorder()
	id, _ := before.Identify(w, httptest.NewRequest(http.MethodGet, "https://example.com/", nil))
	cookie := w.Result().Cookies()[0]
	fmt.Println(cookie.Name, cookie.Secure)

	r := httptest.NewRequest(http.MethodGet, "https://example.com/", nil)
	r.AddCookie(cookie)
	w = httptest.NewRecorder()
	again, _ := after.Identify(w, r)
	fmt.Println(again == id, len(w.Result().Cookies()), "re-signed cookie")

	_, err = auth.NewAnonymous(&auth.AnonymousOptions{Key: []byte("too short")})
	fmt.Println(err)
	// Output:
	// <nil>
	// __Host-livetemplate-id true
	// true 1 re-signed cookie
	// auth: anonymous: Key is 9 bytes, want at least 32
}

func ExampleBasic() {
	b := auth.NewBasic("admin", map[string]string{"alice": "wonderland"}, nil)

	r := httptest.NewRequest(http.MethodGet, "/", nil)
	r.SetBasicAuth("alice", "wonderland")
	id, err := b.Identify(httptest.NewRecorder(), r)
	fmt.Println(id.UserID, id.GroupID, err)

	w := httptest.NewRecorder()
	r.SetBasicAuth("alice", "guess")
	_, err = b.Identify(w, r)
	fmt.Println(errors.Is(err, auth.ErrUnauthenticated), w.Header().Get("WWW-Authenticate"))
	// Output:
	// alice alice <nil>
	// true Basic realm="admin", charset="UTF-8"
}

// A one-off Authenticator trusts a header set by an authenticating proxy.
func ExampleAuthenticatorFunc() {
	var a auth.Authenticator = auth.AuthenticatorFunc(func(w http.ResponseWriter, r *http.Request) (auth.Identity, error) {
		user := r.Header.Get("X-Proxy-User")
		if user == "" {
			return auth.Identity{}, auth.ErrUnauthenticated
		}
		return auth.Identity{UserID: user, GroupID: "staff"}, nil
	})

	r := httptest.NewRequest(http.MethodGet, "/", nil)
	r.Header.Set("X-Proxy-User", "alice")
	id, err := a.Identify(httptest.NewRecorder(), r)
	fmt.Println(id.UserID, id.GroupID, err)
	// Output:
	// alice staff <nil>
}

// A page behind a sign-in: a signed-out page load is sent to the login
// page with the page in "next", a POST (a live page's action) gets 401,
// and the login handler sends the user back with SafeNext.
func ExampleSignIn() {
	a := auth.AuthenticatorFunc(func(w http.ResponseWriter, r *http.Request) (auth.Identity, error) {
		if c, err := r.Cookie("user"); err == nil { // in an application: jwtauth, or your sessions
			return auth.Identity{UserID: c.Value, GroupID: c.Value}, nil
		}
		return auth.Identity{}, auth.ErrUnauthenticated
	})
	signIn, err := auth.NewSignIn(a, "/login", nil)
	if err != nil {
		panic(err) // only a nil authenticator or a login URL off the site fail
	}
	mux := http.NewServeMux()
	mux.Handle("/{$}", signIn.Require(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		fmt.Fprint(w, "the page") // in an application: app.Mount(…)
	})))
	mux.HandleFunc("POST /login", func(w http.ResponseWriter, r *http.Request) {
		// ... check the password, set the cookie ...
		http.Redirect(w, r, auth.SafeNext(r.URL.Query().Get(auth.NextParam)), http.StatusSeeOther)
	})

	for _, method := range []string{http.MethodGet, http.MethodPost} {
		w := httptest.NewRecorder()
		mux.ServeHTTP(w, httptest.NewRequest(method, "/?room=dev", nil))
		fmt.Printf("%s %d %q\n", method, w.Code, w.Header().Get("Location"))
	}
	for _, next := range []string{"/?room=dev", "/\t/evil.example"} {
		w := httptest.NewRecorder()
		mux.ServeHTTP(w, httptest.NewRequest(http.MethodPost, "/login?next="+url.QueryEscape(next), nil))
		fmt.Printf("next=%q: %d %s\n", next, w.Code, w.Header().Get("Location"))
	}
	// Output:
	// GET 303 "/login?next=%2F%3Froom%3Ddev"
	// POST 401 ""
	// next="/?room=dev": 303 /?room=dev
	// next="/\t/evil.example": 303 /
}

// LocalPath accepts what can only be a page of this site, and says no to
// anything a browser could read as another host.
func ExampleLocalPath() {
	for _, ref := range []string{"/orders/7?tab=items#top", "/café", "//evil.example", "/%2F%2Fevil.example", "/%09/evil.example", `/\evil.example`, "https://evil.example/"} {
		p, ok := auth.LocalPath(ref)
		fmt.Printf("%-25q %-5t %q\n", ref, ok, p)
	}
	// Output:
	// "/orders/7?tab=items#top" true  "/orders/7?tab=items#top"
	// "/café"                   true  "/caf%C3%A9"
	// "//evil.example"          false ""
	// "/%2F%2Fevil.example"     false ""
	// "/%09/evil.example"       false ""
	// "/\\evil.example"         false ""
	// "https://evil.example/"   false ""
}
