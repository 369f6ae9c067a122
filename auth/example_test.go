package auth_test

import (
	"errors"
	"fmt"
	"net/http"
	"net/http/httptest"

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
