package livetemplate_test

import (
	"context"
	"errors"
	"fmt"
	"html/template"
	"io"
	"log/slog"
	"net/http"
	"net/http/httptest"
	"strings"
	"sync"
	"sync/atomic"
	"testing"
	"time"

	"github.com/coder/websocket"
	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"

	"github.com/lvtgo/livetemplate"
)

type counter struct {
	Count int
	Title string
}

func (c *counter) Change(ctx *livetemplate.ActionContext) error {
	switch ctx.Action() {
	case "increment":
		by := 1
		if ctx.Has("by") {
			n, err := ctx.GetInt("by")
			if err != nil {
				return err
			}
			by = n
		}
		c.Count += by
	case "rename":
		title := ctx.GetString("title")
		if strings.TrimSpace(title) == "" {
			return livetemplate.FieldError{Field: "title", Message: "Title is required"}
		}
		c.Title = title
	case "fail":
		c.Count = -100 // must be rolled back
		return errors.New("database exploded: secret detail")
	case "refuse":
		c.Count = -100
		return livetemplate.UserErrorf("not allowed at count %d", c.Count)
	case "panic":
		c.Count = -100
		panic("boom")
	default:
		return livetemplate.ErrUnknownAction
	}
	return nil
}

const counterPage = `<!DOCTYPE html><html><head><title>{{.Title}}</title></head><body><h1>{{.Title}}</h1><p id="count">Count: {{.Count}}</p></body></html>`

// quietLogger keeps expected errors out of test output.
func quietLogger() *slog.Logger { return slog.New(slog.NewTextHandler(io.Discard, nil)) }

func serve(t *testing.T, h *livetemplate.Handler) *httptest.Server {
	t.Helper()
	srv := httptest.NewServer(h)
	t.Cleanup(func() {
		require.NoError(t, h.Close())
		srv.Close()
	})
	return srv
}

func newCounterServer(t *testing.T, opts ...livetemplate.Option) *httptest.Server {
	t.Helper()
	tmpl, err := livetemplate.New("counter", livetemplate.WithText(counterPage))
	require.NoError(t, err)
	app := on(t, append([]livetemplate.Option{livetemplate.WithLogger(quietLogger())}, opts...)...)
	return serve(t, app.Handle(tmpl, &counter{Title: "Counter"}))
}

func TestPageRendersWithScript(t *testing.T) {
	srv := newCounterServer(t)
	body, token := newBrowser(t, srv).get("/")
	assert.Contains(t, body, `<p id="count">Count: 0</p>`)
	assert.Regexp(t, `<script src="\?lvt-client=[0-9a-f]+" data-lvt-token="[^"]+" defer></script></body>`, body)
	assert.GreaterOrEqual(t, len(token), 22, "token of at least 128 bits")

	// The script is served by the page's own URL, cached for a long time.
	src := strings.Split(strings.Split(body, `<script src="`)[1], `"`)[0]
	resp, err := http.Get(srv.URL + "/" + src)
	require.NoError(t, err)
	defer resp.Body.Close()
	assert.Equal(t, http.StatusOK, resp.StatusCode)
	assert.Contains(t, resp.Header.Get("Cache-Control"), "immutable")
	assert.Contains(t, resp.Header.Get("Content-Type"), "javascript")
}

func TestCounterOverWebSocket(t *testing.T) {
	srv := newCounterServer(t)
	p := newBrowser(t, srv).open("/")
	assert.Contains(t, p.html(), "Count: 0")
	r := p.act("increment", nil)
	require.Nil(t, r.Error)
	assert.Contains(t, p.html(), "Count: 1")
	assert.NotContains(t, string(r.Patch), `"p"`, "statics never travel again for a text change")
	r = p.act("increment", map[string]any{"by": "5"})
	require.Nil(t, r.Error)
	assert.Contains(t, p.html(), "Count: 6")
}

func TestTabsOfOneBrowserShareState(t *testing.T) {
	srv := newCounterServer(t)
	b := newBrowser(t, srv)
	tab1, tab2 := b.open("/"), b.open("/")
	tab1.act("increment", nil)
	m := tab2.read()
	assert.Equal(t, "patch", m.T)
	assert.Contains(t, tab2.html(), "Count: 1")
	// A new tab starts from the group's current state.
	tab3 := b.open("/")
	assert.Contains(t, tab3.html(), "Count: 1")
}

func TestBrowsersAreIsolated(t *testing.T) {
	srv := newCounterServer(t)
	alice, bob := newBrowser(t, srv).open("/"), newBrowser(t, srv).open("/")
	alice.act("increment", nil)
	assert.Contains(t, alice.html(), "Count: 1")
	bob.expectNothing(200 * time.Millisecond)
	bob2 := newBrowser(t, srv).open("/")
	assert.Contains(t, bob2.html(), "Count: 0")
}

func TestActionErrors(t *testing.T) {
	srv := newCounterServer(t)
	p := newBrowser(t, srv).open("/")
	p.act("increment", nil)
	tests := []struct {
		name, action string
		data         map[string]any
		code, msg    string
		fields       map[string]string
	}{
		{name: "field error", action: "rename", data: map[string]any{"title": " "}, code: "invalid", msg: "Title is required",
			fields: map[string]string{"title": "Title is required"}},
		{name: "typed getter", action: "increment", data: map[string]any{"by": "x"}, code: "invalid",
			fields: map[string]string{"by": "must be a whole number"}},
		{name: "internal error is not leaked", action: "fail", code: "internal", msg: "Something went wrong. Please try again."},
		{name: "user error", action: "refuse", code: "failed", msg: "not allowed at count -100"},
		{name: "panic is recovered", action: "panic", code: "internal"},
		{name: "unknown action", action: "nope", code: "unknown_action"},
		{name: "unknown store", action: "other.increment", code: "internal"},
	}
	for _, tc := range tests {
		t.Run(tc.name, func(t *testing.T) {
			r := p.act(tc.action, tc.data)
			require.NotNil(t, r.Error)
			if tc.name == "unknown store" {
				// "other.increment" is not a store: the whole name is the action.
				assert.Equal(t, "unknown_action", r.Error.Code)
				return
			}
			assert.Equal(t, tc.code, r.Error.Code)
			if tc.msg != "" {
				assert.Equal(t, tc.msg, r.Error.Message)
			}
			assert.NotContains(t, r.Error.Message, "secret")
			assert.Equal(t, tc.fields, r.Fields)
		})
	}
	// Nothing changed, and the connection still works.
	r := p.act("increment", nil)
	require.Nil(t, r.Error)
	assert.Contains(t, p.html(), "Count: 2")
}

func TestMalformedAndOversizedMessages(t *testing.T) {
	srv := newCounterServer(t, livetemplate.WithLimits(livetemplate.Limits{MaxMessageBytes: 1024}))
	p := newBrowser(t, srv).open("/")
	p.sendRaw([]byte(`{"t":"action","ref":`))
	m := p.read()
	require.NotNil(t, m.Error)
	assert.Equal(t, "bad_request", m.Error.Code)

	p.sendRaw([]byte(`{"t":"action","ref":77,"name":"increment","data":{"x":"` + strings.Repeat("a", 4000) + `"}}`))
	m = p.read()
	require.NotNil(t, m.Error)
	assert.Equal(t, "too_large", m.Error.Code)
	assert.Equal(t, int64(77), m.Ref, "the reply names the action")

	r := p.act("increment", nil)
	require.Nil(t, r.Error)
	assert.Contains(t, p.html(), "Count: 1")
}

func TestRateLimit(t *testing.T) {
	srv := newCounterServer(t, livetemplate.WithLimits(livetemplate.Limits{ActionsPerSecond: 0.001, ActionBurst: 3}))
	p := newBrowser(t, srv).open("/")
	codes := []string{}
	for range 5 {
		r := p.act("increment", nil)
		if r.Error != nil {
			codes = append(codes, r.Error.Code)
		}
	}
	assert.Equal(t, []string{"rate_limited", "rate_limited"}, codes)
	assert.Contains(t, p.html(), "Count: 3")
}

func TestCrossOriginUpgradeRefused(t *testing.T) {
	srv := newCounterServer(t)
	ctx, cancel := context.WithTimeout(context.Background(), 5*time.Second)
	defer cancel()
	_, resp, err := websocket.Dial(ctx, "ws"+strings.TrimPrefix(srv.URL, "http"), &websocket.DialOptions{
		HTTPHeader: http.Header{"Origin": {"https://evil.example"}}})
	require.Error(t, err)
	require.NotNil(t, resp)
	assert.Equal(t, http.StatusForbidden, resp.StatusCode)
}

func TestAllowedOrigins(t *testing.T) {
	srv := newCounterServer(t, livetemplate.WithAllowedOrigins("*.example.com"))
	ctx, cancel := context.WithTimeout(context.Background(), 5*time.Second)
	defer cancel()
	ws, _, err := websocket.Dial(ctx, "ws"+strings.TrimPrefix(srv.URL, "http"), &websocket.DialOptions{
		HTTPHeader: http.Header{"Origin": {"https://app.example.com"}}})
	require.NoError(t, err)
	ws.CloseNow()
}

func TestHTTPActions(t *testing.T) {
	srv := newCounterServer(t)
	b := newBrowser(t, srv)
	_, token := b.get("/")
	post := func(body string, hdr map[string]string) (*http.Response, serverMsg) {
		t.Helper()
		req, err := http.NewRequest(http.MethodPost, srv.URL+"/", strings.NewReader(body))
		require.NoError(t, err)
		req.Header.Set("Content-Type", "application/json")
		for k, v := range hdr {
			req.Header.Set(k, v)
		}
		resp, err := b.hc.Do(req)
		require.NoError(t, err)
		defer resp.Body.Close()
		var m serverMsg
		data, _ := io.ReadAll(resp.Body)
		if len(data) > 0 {
			require.NoError(t, jsonUnmarshal(data, &m), string(data))
		}
		return resp, m
	}
	resp, m := post(`{"t":"action","ref":1,"name":"increment","token":"`+token+`"}`, nil)
	require.Equal(t, http.StatusOK, resp.StatusCode)
	require.Nil(t, m.Error)
	assert.Equal(t, "reply", m.T)
	assert.Equal(t, uint64(1), m.Seq)
	// The first reply carries everything: the client held no tree yet.
	tree, err := applyFirst(m.Patch)
	require.NoError(t, err)
	assert.Contains(t, tree, "Count: 1")

	resp, m = post(`{"t":"action","ref":2,"name":"increment","token":"`+token+`","seq":1}`, nil)
	require.Equal(t, http.StatusOK, resp.StatusCode)
	assert.Equal(t, uint64(2), m.Seq)
	assert.NotContains(t, string(m.Patch), `"s"`)

	resp, m = post(`{"t":"action","ref":3,"name":"increment","token":"`+token+`"}`, map[string]string{"Sec-Fetch-Site": "cross-site"})
	assert.Equal(t, http.StatusForbidden, resp.StatusCode)
	require.NotNil(t, m.Error)

	resp, _ = post(`not json`, nil)
	assert.Equal(t, http.StatusBadRequest, resp.StatusCode)
}

func TestHTTPPollWakesOnChange(t *testing.T) {
	srv := newCounterServer(t)
	b := newBrowser(t, srv)
	_, token := b.get("/")
	poll := func(seq uint64) (int, serverMsg) {
		req, _ := http.NewRequest(http.MethodPost, srv.URL+"/", strings.NewReader(fmt.Sprintf(`{"t":"poll","token":%q,"seq":%d}`, token, seq)))
		req.Header.Set("Content-Type", "application/json")
		resp, err := b.hc.Do(req)
		require.NoError(t, err)
		defer resp.Body.Close()
		var m serverMsg
		data, _ := io.ReadAll(resp.Body)
		if len(data) > 0 {
			require.NoError(t, jsonUnmarshal(data, &m))
		}
		return resp.StatusCode, m
	}
	code, m := poll(0) // holds nothing: answered at once with the tree
	require.Equal(t, http.StatusOK, code)
	require.Equal(t, "tree", m.T)
	done := make(chan serverMsg, 1)
	go func() {
		_, m := poll(m.Seq)
		done <- m
	}()
	time.Sleep(100 * time.Millisecond) // let the poll start waiting
	other := b.open("/")
	other.act("increment", nil)
	select {
	case m := <-done:
		assert.Equal(t, "patch", m.T)
		assert.Equal(t, uint64(2), m.Seq)
	case <-time.After(5 * time.Second):
		t.Fatal("poll was not woken")
	}
}

type draft struct{ Text string }

func (d *draft) Change(ctx *livetemplate.ActionContext) error {
	d.Text = ctx.GetString("text")
	return nil
}

func TestPerConnectionStores(t *testing.T) {
	tmpl, err := livetemplate.New("p", livetemplate.WithText(`<body>{{.counter.Count}}|{{.draft.Text}}</body>`))
	require.NoError(t, err)
	srv := serve(t, on(t, livetemplate.WithLogger(quietLogger())).Handle(tmpl, &counter{}, livetemplate.PerConnection(&draft{})))
	b := newBrowser(t, srv)
	tab1, tab2 := b.open("/"), b.open("/")
	r := tab1.act("draft.set", map[string]any{"text": "hello"})
	require.Nil(t, r.Error)
	assert.Contains(t, tab1.html(), "0|hello")
	tab1.act("counter.increment", nil)
	assert.Contains(t, tab1.html(), "1|hello")
	tab2.read()
	assert.Contains(t, tab2.html(), "1|", "shared state reaches the other tab")
	assert.NotContains(t, tab2.html(), "hello", "the draft stays in its tab")
}

func TestFirstLoadRendersOnce(t *testing.T) {
	var renders atomic.Int64
	tmpl, err := livetemplate.New("p", livetemplate.WithFuncs(template.FuncMap{"tick": func() string { renders.Add(1); return "" }}), livetemplate.WithText(`<body>{{tick}}{{.Count}}</body>`))
	require.NoError(t, err)
	srv := serve(t, on(t, livetemplate.WithLogger(quietLogger())).Handle(tmpl, &counter{}))
	p := newBrowser(t, srv).open("/")
	assert.Equal(t, int64(1), renders.Load(), "the join reused the page's render")
	p.act("increment", nil)
	assert.Equal(t, int64(2), renders.Load())
}

func TestUpdateBetweenLoadAndJoinIsNotLost(t *testing.T) {
	srv := newCounterServer(t)
	b := newBrowser(t, srv)
	_, token := b.get("/")
	other := b.open("/")
	other.act("increment", nil)
	p := b.dial("/", token)
	assert.Contains(t, p.html(), "Count: 1")
}

func TestReconnectResumes(t *testing.T) {
	srv := newCounterServer(t)
	b := newBrowser(t, srv)
	_, token := b.get("/")
	p := b.dial("/", token)
	p.act("increment", nil)
	seq := p.seq
	require.NoError(t, p.ws.Close(websocket.StatusNormalClosure, ""))
	// The server notices the close asynchronously; rejoin until it has.
	var m serverMsg
	require.Eventually(t, func() bool {
		q := b.dialRaw("/")
		q.send(map[string]any{"t": "join", "token": token, "seq": seq})
		m = q.readMsg()
		q.ws.CloseNow()
		return m.T == "patch"
	}, 5*time.Second, 50*time.Millisecond)
	assert.Equal(t, seq+1, m.Seq)
}

func TestShutdownClosesConnections(t *testing.T) {
	tmpl, err := livetemplate.New("p", livetemplate.WithText(counterPage))
	require.NoError(t, err)
	h := on(t, livetemplate.WithLogger(quietLogger())).Handle(tmpl, &counter{})
	srv := httptest.NewServer(h)
	defer srv.Close()
	p := newBrowser(t, srv).open("/")
	ctx, cancel := context.WithTimeout(context.Background(), 5*time.Second)
	defer cancel()
	closed := make(chan error, 1)
	go func() { // a client reads, and so answers the close handshake
		_, _, err := p.ws.Read(ctx)
		closed <- err
	}()
	require.NoError(t, h.Shutdown(ctx))
	assert.Equal(t, websocket.StatusServiceRestart, websocket.CloseStatus(<-closed))
	require.NoError(t, h.Close(), "idempotent")
}

func TestGroupsRunInParallelAndSerialiseWithin(t *testing.T) {
	srv := newCounterServer(t, livetemplate.WithLimits(livetemplate.Limits{ActionsPerSecond: -1}))
	b := newBrowser(t, srv)
	tabs := []*page{b.open("/"), b.open("/"), b.open("/")}
	var wg sync.WaitGroup
	for _, tab := range tabs {
		wg.Go(func() {
			for range 20 {
				tab.act("increment", nil)
			}
		})
	}
	wg.Wait()
	fresh := b.open("/")
	assert.Contains(t, fresh.html(), "Count: 60", "no lost update")
}

func TestNewErrors(t *testing.T) {
	_, err := livetemplate.New("x", livetemplate.WithText("{{.Broken"))
	assert.Error(t, err)
	_, err = livetemplate.New("x", livetemplate.WithText("a"), livetemplate.WithFiles("b"))
	assert.ErrorContains(t, err, "only one")
	_, err = livetemplate.NewApp(livetemplate.WithAllowedOrigins("[bad"))
	assert.Error(t, err)
	_, err = livetemplate.New("missing-file.tmpl")
	assert.Error(t, err)
	assert.Panics(t, func() {
		livetemplate.Must(livetemplate.New("x", livetemplate.WithText("a"))).Handle(valueStore{})
	}, "a store must be a pointer")
	assert.Panics(t, func() {
		livetemplate.Must(livetemplate.New("x", livetemplate.WithText("a"))).Handle(&counter{}, &counter{})
	}, "two stores with one name")
}

type valueStore struct{}

func (valueStore) Change(*livetemplate.ActionContext) error { return nil }

type board struct{ Posts []string }

func (b *board) Change(ctx *livetemplate.ActionContext) error {
	d, _ := ctx.Store("draft").(*draft)
	if d == nil {
		return errors.New("no draft store")
	}
	text := d.Text
	d.Text = "" // the post leaves the draft
	if text == "" {
		return livetemplate.FieldError{Field: "text", Message: "empty"}
	}
	if text == "fail" {
		return errors.New("refused")
	}
	b.Posts = append(b.Posts, text)
	return nil
}

func TestActionReachesOwnPerConnectionStore(t *testing.T) {
	tmpl, err := livetemplate.New("p", livetemplate.WithText(`<body>{{range .board.Posts}}[{{.}}]{{end}}|{{.draft.Text}}</body>`))
	require.NoError(t, err)
	srv := serve(t, on(t, livetemplate.WithLogger(quietLogger())).Handle(tmpl, &board{}, livetemplate.PerConnection(&draft{})))
	b := newBrowser(t, srv)
	tab1, tab2 := b.open("/"), b.open("/")
	tab2.act("draft.set", map[string]any{"text": "mine"})

	tab1.act("draft.set", map[string]any{"text": "fail"})
	r := tab1.act("board.post", nil)
	require.NotNil(t, r.Error)
	assert.Contains(t, tab1.html(), "|fail", "the draft change is rolled back with the failed action")

	tab1.act("draft.set", map[string]any{"text": "hello"})
	r = tab1.act("board.post", nil)
	require.Nil(t, r.Error)
	assert.Contains(t, tab1.html(), "[hello]|<", "posted and the draft cleared")
	tab2.read()
	assert.Contains(t, tab2.html(), "[hello]|mine", "the other tab's draft is its own")
}

func TestHTTPTakesOverFromAWebSocket(t *testing.T) {
	srv := newCounterServer(t)
	b := newBrowser(t, srv)
	_, token := b.get("/")
	p := b.dial("/", token)
	p.act("increment", nil)

	// The page falls back to HTTP with the same token and what it holds.
	polled := make(chan serverMsg, 1)
	go func() {
		req, _ := http.NewRequest(http.MethodPost, srv.URL+"/", strings.NewReader(fmt.Sprintf(`{"t":"poll","token":%q,"seq":%d}`, token, p.seq)))
		req.Header.Set("Content-Type", "application/json")
		resp, err := b.hc.Do(req)
		if err != nil {
			polled <- serverMsg{T: err.Error()}
			return
		}
		defer resp.Body.Close()
		var m serverMsg
		data, _ := io.ReadAll(resp.Body)
		_ = jsonUnmarshal(data, &m)
		polled <- m
	}()
	// Its old socket is closed by the server...
	ctx, cancel := context.WithTimeout(context.Background(), 5*time.Second)
	defer cancel()
	for {
		if _, _, err := p.ws.Read(ctx); err != nil {
			break
		}
	}
	// ...and the poll waits for a change instead of answering at once.
	select {
	case m := <-polled:
		t.Fatalf("poll answered before any change: %+v", m)
	case <-time.After(300 * time.Millisecond):
	}
	b.open("/").act("increment", nil)
	select {
	case m := <-polled:
		assert.Equal(t, "patch", m.T)
	case <-time.After(5 * time.Second):
		t.Fatal("poll was not woken")
	}
}

func TestIdlePagesAreForgotten(t *testing.T) {
	tmpl, err := livetemplate.New("p", livetemplate.WithText(`<body>{{.Count}}</body>`))
	require.NoError(t, err)
	srv := serve(t, on(t, livetemplate.WithLogger(quietLogger()), livetemplate.WithIdleTimeout(time.Second)).Handle(tmpl, &counter{}))
	b := newBrowser(t, srv)
	p := b.open("/")
	p.ws.CloseNow()
	rejoin := func() string {
		q := b.dialRaw("/")
		defer q.ws.CloseNow()
		q.send(map[string]any{"t": "join", "token": p.token, "seq": p.seq})
		return q.readMsg().T
	}
	// The server may not have seen the first connection end yet: until it
	// has, the page is taken and a rejoin is told to reload.
	require.Eventually(t, func() bool { return rejoin() == "patch" }, 900*time.Millisecond, 10*time.Millisecond,
		"a page kept after its connection ended resumes")
	require.Eventually(t, func() bool {
		// Once the page is forgotten, its token (checked: this app made
		// it) opens the page afresh; its client held a state the server
		// never stored, so it is told to reload.
		return rejoin() == "reload"
	}, 15*time.Second, 1500*time.Millisecond, "each rejoin keeps the page a while longer: they are further apart than its idle timeout")
}
