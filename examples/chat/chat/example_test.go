package chat_test

import (
	"fmt"
	"net/http"
	"net/http/httptest"

	"github.com/lvtgo/livetemplate"
	"github.com/lvtgo/livetemplate/examples/chat/chat"
	"github.com/lvtgo/livetemplate/examples/login"
)

// The chat on an App, behind its sign-in: a visitor who has not signed in
// is sent to the form.
func ExampleNewHandler() {
	lg, err := login.New(login.Options{Key: []byte("an example key of at least 32 bytes")})
	if err != nil {
		panic(err)
	}
	app, err := livetemplate.NewApp(livetemplate.WithAuthenticator(lg.Authenticator()))
	if err != nil {
		panic(err)
	}
	defer app.Close()
	h, err := chat.NewHandler(app, lg, "admin")
	if err != nil {
		panic(err)
	}
	srv := httptest.NewServer(h) // in main: livetemplate.Serve(ctx, livetemplate.NewServer(addr, h), app)
	defer srv.Close()
	client := &http.Client{CheckRedirect: func(*http.Request, []*http.Request) error { return http.ErrUseLastResponse }}
	resp, err := client.Get(srv.URL + "/?room=dev")
	if err != nil {
		panic(err)
	}
	resp.Body.Close()
	fmt.Println(resp.Status, resp.Header.Get("Location"))
	// Output: 303 See Other /login?next=%2F%3Froom%3Ddev
}
