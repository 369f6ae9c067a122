package protocol_test

import (
	"fmt"
	"html/template"
	"io"
	"net/http"
	"net/http/httptest"
	"strings"
	"time"

	"github.com/lvtgo/livetemplate/auth"
	"github.com/lvtgo/livetemplate/diff"
	"github.com/lvtgo/livetemplate/internal/protocol"
	"github.com/lvtgo/livetemplate/internal/runtime"
	"github.com/lvtgo/livetemplate/session"
)

// A page over plain HTTP: load it, join its live page, act.
func ExampleServer() {
	mem := session.NewMemory(nil)
	defer mem.Close()
	rt := runtime.New(runtime.Options{Sessions: mem, Limits: runtime.Limits{}.WithDefaults(), IdleTimeout: time.Minute, Hooks: hooks()})
	defer rt.Close()
	srv, _ := protocol.New(rt, protocol.Options{Auth: auth.AuthenticatorFunc(identify), ClientAddr: clientAddr})
	tmpl, _ := diff.Compile(template.Must(template.New("counter").Parse(`<p>{{.N}}</p>`)))
	v, _ := rt.Mount("counter", tmpl, []runtime.Slot{{Decl: counterDecl}}, runtime.Shape{}, nil)
	hs := httptest.NewServer(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) { srv.Serve(w, r, v) }))
	defer hs.Close()

	send := func(method, body string) (*http.Response, string) {
		req, _ := http.NewRequest(method, hs.URL, strings.NewReader(body))
		req.Header.Set("X-User", "ada") // who the test's authenticator says it is
		req.Header.Set("Content-Type", "application/json")
		res, err := http.DefaultClient.Do(req)
		if err != nil {
			panic(err)
		}
		defer res.Body.Close()
		b, _ := io.ReadAll(res.Body)
		return res, string(b)
	}

	res, html := send(http.MethodGet, "")
	token := tokenAttr.FindStringSubmatch(html)[1]
	fmt.Println(res.StatusCode, res.Header.Get("Content-Type"), strings.HasPrefix(html, "<p>0</p><script"))

	_, tree := send(http.MethodPost, `{"t":"join","token":"`+token+`"}`)
	fmt.Println(tree)
	_, reply := send(http.MethodPost, `{"t":"action","ref":1,"name":"inc","token":"`+token+`"}`)
	fmt.Println(reply)
	// Output:
	// 200 text/html; charset=utf-8 true
	// {"t":"tree","seq":1,"tree":{"p":{"0":["<p>","</p>"]},"s":0,"0":"0"}}
	// {"t":"reply","ref":1,"seq":2,"patch":{"0":"1"}}
}
