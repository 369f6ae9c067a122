package login_test

import (
	"fmt"
	"io"
	"net/http"
	"net/http/cookiejar"
	"net/http/httptest"
	"net/url"

	"github.com/lvtgo/livetemplate/examples/login"
)

// A page behind the sign-in: a signed-out visitor is sent to the form,
// and posting a name there signs in and comes back.
func ExampleLogin_RequireLogin() {
	lg, err := login.New(login.Options{Key: []byte("an example key of at least 32 bytes")})
	if err != nil {
		panic(err)
	}
	hello := http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		id, _ := lg.Authenticator().Identify(nil, r)
		fmt.Fprintf(w, "hello %s", id.UserID)
	})
	mux := http.NewServeMux()
	mux.Handle(login.Path, lg)
	mux.Handle("/{$}", lg.RequireLogin(hello)) // in the examples: lg.RequireLogin(app.Handle(page, store))
	srv := httptest.NewServer(mux)
	defer srv.Close()

	jar, _ := cookiejar.New(nil)
	browser := &http.Client{Jar: jar}
	resp, err := browser.Get(srv.URL + "/")
	if err != nil {
		panic(err)
	}
	resp.Body.Close()
	fmt.Println(resp.Request.URL.RequestURI()) // where the redirect led

	resp, err = browser.PostForm(srv.URL+resp.Request.URL.RequestURI(), url.Values{"name": {"ann"}})
	if err != nil {
		panic(err)
	}
	body, _ := io.ReadAll(resp.Body)
	resp.Body.Close()
	fmt.Println(string(body))
	// Output:
	// /login?next=%2F
	// hello ann
}
