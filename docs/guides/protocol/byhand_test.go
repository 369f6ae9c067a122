package protocol_test

import (
	"bytes"
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

type Counter struct{ Count int }

func (c *Counter) Change(ctx *livetemplate.ActionContext) error {
	c.Count++
	return nil
}

// quote:example
// A client written from docs/protocol.md alone: load the page, join over a
// WebSocket, send one action, and rebuild the HTML from the tree and the
// patch with the reference client in package diff.
func Example_webSocket() {
	tmpl := livetemplate.Must(livetemplate.New("counter", livetemplate.WithText(
		`<body><p>{{.Count}}</p><button lvt-click="increment">+1</button></body>`)))
	h := tmpl.Handle(&Counter{})
	defer h.Close()
	srv := httptest.NewServer(h)
	defer srv.Close()
	ctx := context.Background()

	// 1. GET the page, keeping its cookie (the session group) and its
	// handoff token (§3.1).
	jar, _ := cookiejar.New(nil)
	client := &http.Client{Jar: jar}
	resp, err := client.Get(srv.URL)
	if err != nil {
		panic(err)
	}
	page, _ := io.ReadAll(resp.Body)
	resp.Body.Close()
	token := regexp.MustCompile(`data-lvt-token="([^"]+)"`).FindSubmatch(page)[1]

	// 2. Open a WebSocket on the same URL, with the same cookie, and join.
	ws, _, err := websocket.Dial(ctx, "ws"+strings.TrimPrefix(srv.URL, "http"), &websocket.DialOptions{HTTPClient: client})
	if err != nil {
		panic(err)
	}
	defer ws.CloseNow()
	send := func(msg string) {
		if err := ws.Write(ctx, websocket.MessageText, []byte(msg)); err != nil {
			panic(err)
		}
	}
	type message struct {
		T     string          `json:"t"`
		Seq   int             `json:"seq"`
		Ref   int             `json:"ref"`
		Tree  json.RawMessage `json:"tree"`
		Patch json.RawMessage `json:"patch"`
	}
	read := func() message {
		_, b, err := ws.Read(ctx)
		if err != nil {
			panic(err)
		}
		var m message
		if err := json.Unmarshal(b, &m); err != nil {
			panic(err)
		}
		return m
	}
	send(fmt.Sprintf(`{"t":"join","token":%q,"seq":0}`, token))

	// 3. The server answers with the full tree (§1, §3.3).
	m := read()
	tree, err := diff.ParseTree(m.Tree)
	if err != nil {
		panic(err)
	}
	fmt.Println(m.T, m.Seq, tree.HTML())

	// 4. An action gets exactly one reply, here with the patch (§2, §3.2).
	send(`{"t":"action","ref":1,"name":"increment","data":{}}`)
	m = read()
	if tree, err = tree.Apply(m.Patch); err != nil {
		panic(err)
	}
	fmt.Println(m.T, m.Ref, m.Seq, string(m.Patch))
	fmt.Println(tree.HTML())
	// Output:
	// tree 1 <body><p>0</p><button lvt-click="increment">+1</button></body>
	// reply 1 2 {"0":"1"}
	// <body><p>1</p><button lvt-click="increment">+1</button></body>
}

// quote:end

// quote:http
// The same over plain HTTP: every message is a POST to the page's URL that
// carries the token; the response body is one server message.
func Example_http() {
	tmpl := livetemplate.Must(livetemplate.New("counter", livetemplate.WithText(`<body><p>{{.Count}}</p></body>`)))
	h := tmpl.Handle(&Counter{})
	defer h.Close()
	srv := httptest.NewServer(h)
	defer srv.Close()

	jar, _ := cookiejar.New(nil)
	client := &http.Client{Jar: jar}
	resp, err := client.Get(srv.URL)
	if err != nil {
		panic(err)
	}
	page, _ := io.ReadAll(resp.Body)
	resp.Body.Close()
	token := regexp.MustCompile(`data-lvt-token="([^"]+)"`).FindSubmatch(page)[1]

	post := func(msg string) string {
		resp, err := client.Post(srv.URL, "application/json", bytes.NewReader([]byte(msg)))
		if err != nil {
			panic(err)
		}
		defer resp.Body.Close()
		b, _ := io.ReadAll(resp.Body)
		var m struct {
			T   string `json:"t"`
			Seq int    `json:"seq"`
		}
		_ = json.Unmarshal(b, &m)
		return fmt.Sprint(resp.StatusCode, " ", m.T, " ", m.Seq)
	}
	fmt.Println(post(fmt.Sprintf(`{"t":"sync","token":%q,"seq":0}`, token)))
	fmt.Println(post(fmt.Sprintf(`{"t":"action","token":%q,"seq":1,"ref":1,"name":"increment","data":{}}`, token)))
	// Output:
	// 200 tree 1
	// 200 reply 2
}

// quote:end
