package client_test

import (
	"fmt"
	"io"
	"net/http"
	"net/http/httptest"

	"github.com/lvtgo/livetemplate/client"
)

// The bundle is served at its content-addressed path.
func ExampleHandler() {
	mux := http.NewServeMux()
	mux.Handle(client.Path(), client.Handler())
	srv := httptest.NewServer(mux)
	defer srv.Close()

	res, err := http.Get(srv.URL + client.Path())
	if err != nil {
		fmt.Println(err)
		return
	}
	defer res.Body.Close()
	body, _ := io.ReadAll(res.Body)
	http.DefaultClient.CloseIdleConnections()

	fmt.Println(res.StatusCode, res.Header.Get("Content-Type"))
	fmt.Println(res.Header.Get("Cache-Control"))
	fmt.Println(len(body) == len(client.Script()))
	// Output:
	// 200 text/javascript; charset=utf-8
	// public, max-age=31536000, immutable
	// true
}
