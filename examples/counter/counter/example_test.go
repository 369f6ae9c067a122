package counter_test

import (
	"fmt"
	"net/http"
	"net/http/httptest"
	"testing"

	"go.uber.org/goleak"

	"github.com/lvtgo/livetemplate"
	"github.com/lvtgo/livetemplate/examples/counter/counter"
)

func TestMain(m *testing.M) { goleak.VerifyTestMain(m) }

func ExampleNewHandler() {
	app, err := livetemplate.NewApp()
	if err != nil {
		panic(err)
	}
	defer app.Close()
	h, err := counter.NewHandler(app)
	if err != nil {
		panic(err)
	}
	srv := httptest.NewServer(h) // in main: livetemplate.Serve(ctx, livetemplate.NewServer(addr, h), app)
	defer srv.Close()
	resp, err := http.Get(srv.URL)
	if err != nil {
		panic(err)
	}
	resp.Body.Close()
	fmt.Println(resp.Status)
	// Output: 200 OK
}
