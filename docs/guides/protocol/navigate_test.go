package protocol_test

import (
	"context"
	"encoding/json"
	"fmt"
	"io"
	"net/http"
	"net/http/cookiejar"
	"net/http/httptest"
	"regexp"
	"strings"

	"github.com/coder/websocket"

	"github.com/lvtgo/livetemplate"
	"github.com/lvtgo/livetemplate/diff"
)

// quote:navigate
// Moving one live connection from page /a to page /b of the same app, by
// hand (docs/protocol.md §3.5): a GET of /b with the header Lvt-Navigate
// names the new page, and a navigate message on the same WebSocket brings
// its tree.
func Example_navigate() {
	app, err := livetemplate.NewApp()
	if err != nil {
		panic(err)
	}
	defer app.Close()
	mux := http.NewServeMux()
	a := livetemplate.Must(livetemplate.New("a", livetemplate.WithText(`<body><h1>A</h1><p>{{.Count}}</p></body>`)))
	b := livetemplate.Must(livetemplate.New("b", livetemplate.WithText(`<body><h1>B</h1><p>{{.Count}}</p></body>`)))
	mux.Handle("/a", app.Handle(a, &Counter{}))
	mux.Handle("/b", app.Handle(b, &Counter{}))
	srv := httptest.NewServer(mux)
	defer srv.Close()
	ctx := context.Background()
	jar, _ := cookiejar.New(nil)
	client := &http.Client{Jar: jar}

	// 1. Load /a and join it, as in Example_webSocket.
	resp, err := client.Get(srv.URL + "/a")
	if err != nil {
		panic(err)
	}
	page, _ := io.ReadAll(resp.Body)
	resp.Body.Close()
	token := regexp.MustCompile(`data-lvt-token="([^"]+)"`).FindSubmatch(page)[1]
	ws, _, err := websocket.Dial(ctx, "ws"+strings.TrimPrefix(srv.URL, "http")+"/a", &websocket.DialOptions{HTTPClient: client})
	if err != nil {
		panic(err)
	}
	defer ws.CloseNow()
	type message struct {
		T     string          `json:"t"`
		Seq   int             `json:"seq"`
		Ref   int             `json:"ref"`
		Token string          `json:"token"`
		Tree  json.RawMessage `json:"tree"`
	}
	read := func() message {
		_, b, err := ws.Read(ctx)
		if err != nil {
			panic(err)
		}
		var m message
		_ = json.Unmarshal(b, &m)
		return m
	}
	_ = ws.Write(ctx, websocket.MessageText, fmt.Appendf(nil, `{"t":"join","token":%q,"seq":0}`, token))
	fmt.Println(read().T)

	// 2. GET /b with Lvt-Navigate: a live page of the same app answers with
	// the token of the page it made (anything else: load /b in full).
	req, _ := http.NewRequest(http.MethodGet, srv.URL+"/b", nil)
	req.Header.Set("Lvt-Navigate", string(token))
	resp, err = client.Do(req)
	if err != nil {
		panic(err)
	}
	var answer message
	_ = json.NewDecoder(resp.Body).Decode(&answer)
	resp.Body.Close()
	fmt.Println(resp.Header.Get("Content-Type"), answer.T)

	// 3. Navigate on the same socket: the tree of /b answers, with the ref.
	_ = ws.Write(ctx, websocket.MessageText, fmt.Appendf(nil, `{"t":"navigate","ref":1,"token":%q}`, answer.Token))
	m := read()
	tree, err := diff.ParseTree(m.Tree)
	if err != nil {
		panic(err)
	}
	fmt.Println(m.T, m.Ref, m.Seq, tree.HTML())
	// Output:
	// tree
	// application/json page
	// tree 1 1 <body><h1>B</h1><p>0</p></body>
}

// quote:end
