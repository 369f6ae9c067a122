package protocol_test

import (
	"encoding/json"
	"fmt"
	"net/http"
	"net/http/httptest"
	"strings"
	"testing"
	"testing/synctest"
	"time"

	"github.com/coder/websocket"
	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"

	"github.com/lvtgo/livetemplate/internal/runtime"
)

// apply applies the JSON answer of a POST to the tab.
func (c *tab) answer(res response) msg {
	c.tb.Helper()
	require.Equal(c.tb, http.StatusOK, res.status, res.body)
	require.Equal(c.tb, "application/json", res.header.Get("Content-Type"))
	return c.apply([]byte(res.body))
}

func TestHTTPSession(t *testing.T) {
	t.Parallel()
	s := newServer(t, serverOptions{})
	token := s.load(t, "/", "ada")
	c := &tab{tb: t}

	m := c.answer(s.post(t, "/", "ada", fmt.Sprintf(`{"t":"join","token":%q}`, token)))
	assert.Equal(t, "tree", m.T)
	assert.Empty(t, m.Token, "the page the client loaded")
	assert.Equal(t, "<html><body><p>0</p></body></html>", c.html())

	m = c.answer(s.post(t, "/", "ada", fmt.Sprintf(`{"t":"action","ref":1,"name":"counter.inc","token":%q}`, token)))
	assert.Equal(t, "reply", m.T)
	assert.EqualValues(t, 1, m.Ref)
	assert.Equal(t, "<html><body><p>1</p></body></html>", c.html(), "the reply carries the patch")

	res := s.post(t, "/", "ada", fmt.Sprintf(`{"t":"action","ref":2,"name":"counter.fail","token":%q}`, token))
	assert.Equal(t, http.StatusOK, res.status, "the action's own outcome is delivered")
	assert.JSONEq(t, `{"t":"reply","ref":2,"error":{"code":"failed","message":"Not now."}}`, res.body)

	m = c.answer(s.post(t, "/", "ada", fmt.Sprintf(`{"t":"sync","token":%q}`, token)))
	assert.Equal(t, "tree", m.T)

	m = c.answer(s.post(t, "/", "ada", fmt.Sprintf(`{"t":"poll","token":%q,"seq":%d}`, token, c.seq-1)))
	assert.Equal(t, "tree", m.T, "a poll from a client that missed a message gets a full tree")

	res = s.post(t, "/", "ada", `{"t":"action","ref":3,"name":"counter.inc","token":"unknown"}`)
	assert.Equal(t, http.StatusOK, res.status)
	assert.JSONEq(t, `{"t":"reply","ref":3,"error":{"code":"bad_request","message":"The page is not connected; try again."}}`, res.body, "not applied")

	res = s.post(t, "/", "ada", `{"t":"navigate","ref":4,"token":"unknown"}`)
	assert.Equal(t, http.StatusOK, res.status)
	assert.JSONEq(t, `{"t":"reply","ref":4,"error":{"code":"unknown_page","message":"Unknown page."}}`, res.body)

	nav := s.do(t, http.MethodGet, "/other", "ada", http.Header{"Lvt-Navigate": {token}}, "")
	var page struct{ Token string }
	require.NoError(t, json.Unmarshal([]byte(nav.body), &page))
	m = c.answer(s.post(t, "/other", "ada", fmt.Sprintf(`{"t":"navigate","ref":5,"token":%q}`, page.Token)))
	assert.Equal(t, "tree", m.T)
	assert.EqualValues(t, 5, m.Ref)
	assert.Equal(t, "<html><body><h1>other 1 false</h1></body></html>", c.html())
}

func TestHTTPJoinMakesAPageForAnUnknownToken(t *testing.T) {
	t.Parallel()
	s := newServer(t, serverOptions{})
	c := &tab{tb: t}
	m := c.answer(s.post(t, "/", "ada", `{"t":"join"}`))
	assert.Equal(t, "tree", m.T)
	require.NotEmpty(t, m.Token, "the client sends it from now on")
	m = c.answer(s.post(t, "/", "ada", fmt.Sprintf(`{"t":"action","ref":1,"name":"counter.inc","token":%q}`, m.Token)))
	assert.Equal(t, "<html><body><p>1</p></body></html>", c.html())

	res := s.post(t, "/", "bob", `{"t":"poll","token":"before-a-restart","seq":9}`)
	assert.JSONEq(t, `{"t":"reload","reason":"state_lost"}`, res.body)
}

// A poll waits for a change of its page: here another tab's action.
func TestPollIsWokenByAChange(t *testing.T) {
	t.Parallel()
	s := newServer(t, serverOptions{})
	token := s.load(t, "/", "ada")
	c := &tab{tb: t}
	c.answer(s.post(t, "/", "ada", fmt.Sprintf(`{"t":"join","token":%q}`, token)))

	polled := make(chan response, 1)
	go func() {
		polled <- s.post(t, "/", "ada", fmt.Sprintf(`{"t":"poll","token":%q,"seq":%d}`, token, c.seq))
	}()
	other := s.join(t, "/", "ada")
	other.send(`{"t":"action","ref":1,"name":"counter.inc"}`)
	other.read()

	m := c.answer(<-polled)
	assert.Equal(t, "patch", m.T)
	assert.Equal(t, c.seq, m.Seq)
	assert.Equal(t, "<html><body><p>1</p></body></html>", c.html())
}

// serve answers one request with a recorder, as user.
func serve(s *server, method, target, user, body string) *httptest.ResponseRecorder {
	r := httptest.NewRequest(method, target, strings.NewReader(body))
	r.Header.Set("X-User", user)
	if method == http.MethodPost {
		r.Header.Set("Content-Type", "application/json")
	}
	w := httptest.NewRecorder()
	s.serve(w, r)
	return w
}

func TestPollAnswers204WhenNothingChanges(t *testing.T) {
	t.Parallel()
	synctest.Test(t, func(t *testing.T) {
		s := build(t, serverOptions{})
		w := serve(s, http.MethodPost, "/", "ada", `{"t":"join"}`)
		require.Equal(t, http.StatusOK, w.Code)
		c := &tab{tb: t}
		m := c.apply(w.Body.Bytes())
		poll := fmt.Sprintf(`{"t":"poll","token":%q,"seq":%d}`, m.Token, c.seq)

		start := time.Now()
		w = serve(s, http.MethodPost, "/", "ada", poll)
		assert.Equal(t, http.StatusNoContent, w.Code)
		assert.Empty(t, w.Body.String())
		assert.Equal(t, runtime.PollTimeout, time.Since(start), "it waited runtime.PollTimeout (fake time)")

		done := make(chan *httptest.ResponseRecorder)
		go func() { done <- serve(s, http.MethodPost, "/", "ada", poll) }()
		synctest.Wait()
		s.rt.Stop() // the server shuts down while the poll waits
		w = <-done
		assert.Equal(t, http.StatusServiceUnavailable, w.Code)
		assert.Equal(t, "5", w.Header().Get("Retry-After"))
		assert.JSONEq(t, `{"t":"reply","error":{"code":"shutting_down","message":"The server is shutting down."}}`, w.Body.String())
	})
}

func TestPostRefusals(t *testing.T) {
	t.Parallel()
	s := newServer(t, serverOptions{limits: func(l *runtime.Limits) { l.MaxMessageBytes = 256 }})
	tests := []struct {
		name   string
		header http.Header
		body   string
		status int
		want   string
	}{
		{name: "not JSON", body: `{"t":"action","ref":4,"name":`, status: 400, want: `{"t":"reply","ref":4,"error":{"code":"bad_request","message":"Malformed message."}}`},
		{name: "empty", body: ``, status: 400, want: `{"t":"reply","error":{"code":"bad_request","message":"empty message"}}`},
		{name: "too large", body: `{"t":"join","data":{"v":"` + strings.Repeat("a", 300) + `"}}`, status: 413, want: `{"t":"reply","error":{"code":"too_large","message":"message too large"}}`},
		{name: "a form", header: http.Header{"Content-Type": {"application/x-www-form-urlencoded"}}, body: `a=b`, status: 415, want: `{"t":"reply","error":{"code":"unsupported_media_type","message":"Content-Type must be application/json"}}`},
		{name: "cross-site", header: http.Header{"Origin": {"https://evil.example"}}, body: `{"t":"join"}`, status: 403, want: `{"t":"reply","error":{"code":"forbidden","message":"cross-origin request refused"}}`},
	}
	for _, tc := range tests {
		t.Run(tc.name, func(t *testing.T) {
			t.Parallel()
			res := s.do(t, http.MethodPost, "/", "ada", tc.header, tc.body)
			assert.Equal(t, tc.status, res.status)
			assert.Equal(t, "application/json", res.header.Get("Content-Type"))
			assert.JSONEq(t, tc.want, res.body)
		})
	}
}

// A page served by a WebSocket that its client now reaches over HTTP (the
// socket broke, but the server does not know yet) moves to HTTP.
func TestAPageMovesFromItsWebSocketToHTTP(t *testing.T) {
	t.Parallel()
	s := newServer(t, serverOptions{})
	token := s.load(t, "/", "ada")
	w := s.dial(t, "/", "ada", nil)
	w.send(fmt.Sprintf(`{"t":"join","token":%q}`, token))
	w.read()
	status := make(chan websocket.StatusCode, 1)
	go func() { status <- w.closed() }()

	c := &tab{tb: t}
	m := c.answer(s.post(t, "/", "ada", fmt.Sprintf(`{"t":"join","token":%q}`, token)))
	assert.Equal(t, "tree", m.T)
	assert.Empty(t, m.Token, "the same page")
	assert.Equal(t, websocket.StatusNormalClosure, <-status)
	m = c.answer(s.post(t, "/", "ada", fmt.Sprintf(`{"t":"action","ref":1,"name":"counter.inc","token":%q}`, token)))
	assert.Equal(t, "<html><body><p>1</p></body></html>", c.html())
}

// Every action gets exactly one reply with its ref (docs/protocol.md §3.3).
// Over WebSocket a message over the limit is answered with the ref found in
// what was read; over HTTP too.
func TestATooLargeHTTPActionIsAnsweredWithItsRef(t *testing.T) {
	t.Parallel()
	s := newServer(t, serverOptions{limits: func(l *runtime.Limits) { l.MaxMessageBytes = 256 }})
	res := s.post(t, "/", "ada", `{"t":"action","ref":5,"name":"x","data":{"v":"`+strings.Repeat("a", 300)+`"}}`)
	assert.Equal(t, http.StatusRequestEntityTooLarge, res.status)
	assert.JSONEq(t, `{"t":"reply","ref":5,"error":{"code":"too_large","message":"message too large"}}`, res.body)
}
