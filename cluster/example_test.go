package cluster_test

import (
	"context"
	"fmt"
	"log"
	"net/http"
	"net/http/httptest"

	"github.com/lvtgo/livetemplate"
	"github.com/lvtgo/livetemplate/cluster"
	"github.com/lvtgo/livetemplate/internal/testutil"
)

// Every instance of an application runs the same code: one call connects
// it to the Redis server the instances share. Here two instances share the
// example's own redis-server, and a visitor of one is known to the other.
func Example() {
	srv, stop := testutil.ExampleRedis()
	defer stop()
	url := srv.URL() // yours is, say, "redis://redis.internal:6379/0"
	ctx := context.Background()
	instance := func() (*livetemplate.App, func()) {
		c, err := cluster.Open(ctx, url, &cluster.Options{
			Secret:         []byte("an example secret of 32 bytes or more, from a vault"),
			TrustedProxies: []string{"10.0.0.0/8"}, // the load balancer's network
		})
		if err != nil {
			log.Fatal(err)
		}
		app, err := livetemplate.NewApp(c.Options()...)
		if err != nil {
			log.Fatal(err)
		}
		return app, func() { _ = app.Close(); _ = c.Close() } // the app first
	}
	one, closeOne := instance()
	defer closeOne()
	two, closeTwo := instance()
	defer closeTwo()

	tmpl := livetemplate.Must(livetemplate.New("hits", livetemplate.WithText(`<p>{{.N}}</p>`)))
	onOne := one.Handle(tmpl, &hits{})
	onTwo := two.Handle(tmpl, &hits{})

	// A new visitor on the first instance gets a cookie; the second knows
	// the visitor by it, and sets none.
	rec := httptest.NewRecorder()
	onOne.ServeHTTP(rec, httptest.NewRequest(http.MethodGet, "/", nil))
	cookies := rec.Result().Cookies()
	fmt.Println("cookies set by one:", len(cookies))
	r := httptest.NewRequest(http.MethodGet, "/", nil)
	r.AddCookie(cookies[0])
	rec = httptest.NewRecorder()
	onTwo.ServeHTTP(rec, r)
	fmt.Println("cookies set by two:", len(rec.Result().Cookies()))
	// Output:
	// cookies set by one: 1
	// cookies set by two: 0
}

// hits counts a visitor's hits.
type hits struct{ N int }

func (h *hits) Change(*livetemplate.ActionContext) error { h.N++; return nil }

// A URL that does not parse is never repeated in the error: it may hold a
// password.
func ExampleOpen_malformedURL() {
	_, err := cluster.Open(context.Background(), "redis://app:pa%zzword@redis.internal:6379/0", nil)
	fmt.Println(err)
	// Output:
	// cluster: the Redis URL is malformed (check its %-escapes, host and port; it is not quoted here, as it may hold a password)
}
