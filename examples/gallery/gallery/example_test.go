package gallery_test

import (
	"fmt"
	"net/http"
	"net/http/httptest"
	"os"
	"testing"

	"go.uber.org/goleak"

	"github.com/lvtgo/livetemplate"
	"github.com/lvtgo/livetemplate/examples/gallery/gallery"
)

func TestMain(m *testing.M) { goleak.VerifyTestMain(m) }

func ExampleNewHandler() {
	dir, _ := os.MkdirTemp("", "gallery")
	defer os.RemoveAll(dir)
	st, err := gallery.Storage(dir)
	if err != nil {
		panic(err)
	}
	app, err := livetemplate.NewApp(livetemplate.WithUploads(st, nil))
	if err != nil {
		panic(err)
	}
	defer app.Close()
	h, err := gallery.NewHandler(app, st)
	if err != nil {
		panic(err)
	}
	srv := httptest.NewServer(h) // in main: livetemplate.Serve(ctx, livetemplate.NewServer(addr, h), app)
	defer srv.Close()
	resp, err := http.Get(srv.URL + "/photos/0123456789abcdef0123456789abcdef.png")
	if err != nil {
		panic(err)
	}
	resp.Body.Close()
	fmt.Println(resp.StatusCode)
	// Output: 404
}
