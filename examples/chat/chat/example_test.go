package chat_test

import (
	"fmt"
	"net/http"
	"net/http/httptest"

	"github.com/lvtgo/livetemplate"
	"github.com/lvtgo/livetemplate/examples/chat/chat"
	"github.com/lvtgo/livetemplate/examples/login"
)

// The chat behind its sign-in: a visitor who has not signed in is sent to
// the form.
func ExampleRoutes() {
	lg, err := login.New(login.Options{Key: []byte("an example key of at least 32 bytes")})
	if err != nil {
		panic(err)
	}
	h, err := chat.NewHandler(livetemplate.WithAuthenticator(lg.Authenticator()))
	if err != nil {
		panic(err)
	}
	defer h.Close()
	srv := httptest.NewServer(chat.Routes(h, lg)) // in main: livetemplate.Serve(ctx, livetemplate.NewServer(addr, chat.Routes(h, lg)), h)
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
