package dashboard_test

import (
	"fmt"
	"net/http"
	"net/http/httptest"
	"net/url"

	"github.com/lvtgo/livetemplate"
	"github.com/lvtgo/livetemplate/examples/dashboard/dashboard"
	"github.com/lvtgo/livetemplate/examples/login"
)

// The dashboard's pages on one App, behind their sign-in: /admin is for
// the administrator only. Teams come from the server's table.
func ExampleNewHandler() {
	teams, err := dashboard.ParseTeams(dashboard.DefaultTeams)
	if err != nil {
		panic(err)
	}
	lg, err := login.New(login.Options{Key: []byte("an example key of at least 32 bytes"), GroupOf: teams.Of})
	if err != nil {
		panic(err)
	}
	app, err := livetemplate.NewApp(livetemplate.WithAuthenticator(lg.Authenticator()))
	if err != nil {
		panic(err)
	}
	defer app.Close()
	h, err := dashboard.NewHandler(app, lg, "admin")
	if err != nil {
		panic(err)
	}
	srv := httptest.NewServer(h) // in main: livetemplate.Serve(ctx, livetemplate.NewServer(addr, h), app)
	defer srv.Close()
	client := &http.Client{CheckRedirect: func(*http.Request, []*http.Request) error { return http.ErrUseLastResponse }}
	for _, name := range []string{"ann", "admin"} {
		resp, err := client.PostForm(srv.URL+login.Path, url.Values{"name": {name}})
		if err != nil {
			panic(err)
		}
		resp.Body.Close()
		req, _ := http.NewRequest(http.MethodGet, srv.URL+"/admin", nil)
		for _, c := range resp.Cookies() {
			req.AddCookie(c)
		}
		resp, err = client.Do(req)
		if err != nil {
			panic(err)
		}
		resp.Body.Close()
		fmt.Println(name, resp.Status)
	}
	// Output:
	// ann 403 Forbidden
	// admin 200 OK
}
