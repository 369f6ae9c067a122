package jwtauth_test

import (
	"errors"
	"fmt"
	"net/http"
	"net/http/httptest"
	"time"

	"github.com/lvtgo/livetemplate/auth"
	"github.com/lvtgo/livetemplate/auth/jwtauth"
)

// A login handler issues a token cookie; every later request of the
// browser, WebSocket handshakes included, carries it back to Identify.
func Example() {
	key := []byte("0123456789abcdef0123456789abcdef") // load it from a secret store
	a, err := jwtauth.New(jwtauth.Options{
		Method:     "HS256",
		Key:        key,
		SigningKey: key,
		Issuer:     "https://example.com",
		GroupClaim: "team",
	})
	if err != nil {
		panic(err) // only invalid options fail
	}

	// In the login handler, once the password is checked:
	w := httptest.NewRecorder()
	login := httptest.NewRequest(http.MethodPost, "https://example.com/login", nil)
	_, err = a.Issue(w, login, "alice", time.Hour, map[string]any{"team": "red"})
	fmt.Println("issue:", err)
	cookie := w.Result().Cookies()[0]
	fmt.Println(cookie.Name, cookie.HttpOnly, cookie.Secure, cookie.SameSite == http.SameSiteLaxMode)

	// On the page:
	r := httptest.NewRequest(http.MethodGet, "https://example.com/", nil)
	r.AddCookie(cookie)
	id, err := a.Identify(nil, r)
	fmt.Println(id.UserID, id.GroupID, time.Until(id.Expires).Round(time.Minute), err)

	// A token signed with another key is refused; the error never shows it.
	other, _ := jwtauth.New(jwtauth.Options{Method: "HS256", Key: []byte("another key, also 32 bytes long!"), SigningKey: []byte("another key, also 32 bytes long!")})
	forged, _ := other.Issue(nil, nil, "alice", time.Hour, nil)
	r = httptest.NewRequest(http.MethodGet, "https://example.com/", nil)
	r.Header.Set("Authorization", "Bearer "+forged)
	_, err = a.Identify(nil, r)
	fmt.Println(errors.Is(err, auth.ErrUnauthenticated), err)
	// Output:
	// issue: <nil>
	// __Host-lvt-token true true true
	// alice red 1h0m0s <nil>
	// true jwtauth: invalid signature
}

// New checks the whole configuration at once and reports every problem.
func ExampleNew() {
	_, err := jwtauth.New(jwtauth.Options{Method: "HS512", Key: []byte("too short"), CookieName: "__Host-token"})
	fmt.Println(err)
	// Output:
	// jwtauth: Key for HS512 is 9 bytes, want at least 64
	// jwtauth: CookieName "__Host-token" must not carry a cookie prefix; "__Host-" is added over HTTPS
}

// A logout handler expires the cookie. The token itself stays valid until
// its exp, so keep lifetimes short.
func ExampleAuthenticator_Clear() {
	key := []byte("0123456789abcdef0123456789abcdef")
	a, _ := jwtauth.New(jwtauth.Options{Method: "HS256", Key: key})

	w := httptest.NewRecorder()
	a.Clear(w, httptest.NewRequest(http.MethodPost, "/logout", nil))
	fmt.Println(w.Header().Get("Set-Cookie"))
	// Output:
	// lvt-token=; Path=/; Max-Age=0; HttpOnly; SameSite=Lax
}

// To rotate a key without signing anyone out, the new key first verifies
// beside the old one, then signs, with the old one still verifying; once
// the old key's tokens have expired it is dropped.
func ExampleNew_rotation() {
	oldKey := []byte("the old key, 32 bytes or longer!") // load both from a secret store
	newKey := []byte("the new key, 32 bytes or longer!")
	before, _ := jwtauth.New(jwtauth.Options{Method: "HS256", Key: oldKey, SigningKey: oldKey})
	during, err := jwtauth.New(jwtauth.Options{Method: "HS256", Key: newKey, SigningKey: newKey, PreviousKeys: []any{oldKey}})
	fmt.Println(err)
	after, _ := jwtauth.New(jwtauth.Options{Method: "HS256", Key: newKey, SigningKey: newKey})

	old, _ := before.Issue(nil, nil, "alice", time.Hour, nil) // a tab open since before the rotation
	fresh, _ := during.Issue(nil, nil, "bob", time.Hour, nil) // signed with the new key
	for _, token := range []string{old, fresh} {
		r := httptest.NewRequest(http.MethodGet, "/", nil)
		r.Header.Set("Authorization", "Bearer "+token)
		id, errDuring := during.Identify(nil, r)
		_, errAfter := after.Identify(nil, r)
		fmt.Println(id.UserID, errDuring, errAfter)
	}
	// Output:
	// <nil>
	// alice <nil> jwtauth: invalid signature
	// bob <nil> <nil>
}
