package protocol_test

import (
	"context"
	"encoding/json"
	"fmt"
	"net/http"
	"strings"
	"testing"
	"time"

	"github.com/coder/websocket"
	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"

	"github.com/lvtgo/livetemplate/internal/runtime"
)

// join loads path as user, connects its WebSocket and joins the page.
func (s *server) join(tb testing.TB, path, user string) *ws {
	tb.Helper()
	token := s.load(tb, path, user)
	w := s.dial(tb, path, user, nil)
	w.send(fmt.Sprintf(`{"t":"join","token":%q}`, token))
	m := w.read()
	require.Equal(tb, "tree", m.T)
	require.Empty(tb, m.Token, "a page loaded here: the client has its token")
	return w
}

func TestWebSocketSession(t *testing.T) {
	t.Parallel()
	s := newServer(t, serverOptions{})
	token := s.load(t, "/", "ada")
	w := s.dial(t, "/", "ada", nil)

	// Before the join, only errors.
	w.send(`{"t":"action","ref":1,"name":"inc"}`)
	m := w.read()
	assert.Equal(t, "reply", m.T)
	assert.EqualValues(t, 1, m.Ref)
	require.NotNil(t, m.Error)
	assert.Equal(t, "bad_request", m.Error.Code)
	assert.Equal(t, "Join first.", m.Error.Message)

	w.send(fmt.Sprintf(`{"t":"join","token":%q,"seq":0}`, token))
	m = w.read()
	assert.Equal(t, "tree", m.T)
	assert.EqualValues(t, 1, m.Seq)
	assert.Equal(t, "<html><body><p>0</p></body></html>", w.html(), "the tree covers the whole document")

	w.send(`{"t":"action","ref":2,"name":"counter.inc"}`)
	m = w.read()
	assert.Equal(t, "reply", m.T)
	assert.EqualValues(t, 2, m.Ref)
	assert.Nil(t, m.Error)
	assert.Equal(t, "<html><body><p>1</p></body></html>", w.html(), "the reply carries the patch")

	w.send(`{"t":"action","ref":3,"name":"counter.fail"}`)
	m = w.read()
	require.NotNil(t, m.Error)
	assert.Equal(t, "failed", m.Error.Code)
	assert.Equal(t, "Not now.", m.Error.Message)

	w.send(`{"t":"action","ref":4,"name":"cart.add"}`)
	m = w.read()
	require.NotNil(t, m.Error)
	assert.Equal(t, "unknown_action", m.Error.Code)

	w.send(`{"t":"sync"}`)
	m = w.read()
	assert.Equal(t, "tree", m.T, "a sync gets a full tree")
	assert.Equal(t, "<html><body><p>1</p></body></html>", w.html())

	tests := []struct {
		name    string
		send    string
		ref     int64
		message string
	}{
		{name: "a second join", send: fmt.Sprintf(`{"t":"join","ref":5,"token":%q}`, token), ref: 5, message: "Already joined."},
		{name: "a poll", send: `{"t":"poll","ref":6}`, ref: 6, message: "Unsupported message."},
		{name: "not JSON, its ref found anyway", send: `{"t":"action","ref":7,"name":`, ref: 7, message: "Malformed message."},
		{name: "an unknown type", send: `{"t":"dance"}`, message: "Malformed message."},
	}
	for _, tc := range tests {
		w.send(tc.send)
		m := w.read()
		assert.Equal(t, "reply", m.T, tc.name)
		assert.Equal(t, tc.ref, m.Ref, tc.name)
		if assert.NotNil(t, m.Error, tc.name) {
			assert.Equal(t, "bad_request", m.Error.Code, tc.name)
			assert.Equal(t, tc.message, m.Error.Message, tc.name)
		}
	}

	w.send(`{"t":"action","ref":8,"name":"counter.go"}`)
	m = w.read()
	assert.Equal(t, "/other", m.Redirect, "the reply says where the action sends the client")
}

func TestTabsOfOneGroupSeeEachOther(t *testing.T) {
	t.Parallel()
	s := newServer(t, serverOptions{})
	first, second := s.join(t, "/", "ada"), s.join(t, "/", "ada")
	other := s.join(t, "/other", "ada") // another page of the app, the same store

	first.send(`{"t":"action","ref":1,"name":"counter.inc"}`)
	assert.Equal(t, "reply", first.read().T)
	m := second.read()
	assert.Equal(t, "patch", m.T)
	assert.Equal(t, "<html><body><p>1</p></body></html>", second.html())
	other.read()
	assert.Equal(t, "<html><body><h1>other 1 false</h1></body></html>", other.html())
}

func TestJoinWithAnUnknownToken(t *testing.T) {
	t.Parallel()
	s := newServer(t, serverOptions{})

	t.Run("a new page, whose token the first tree tells", func(t *testing.T) {
		t.Parallel()
		w := s.dial(t, "/other?open", "ada", nil)
		w.send(`{"t":"join","token":"from-another-server"}`)
		m := w.read()
		assert.Equal(t, "tree", m.T)
		assert.NotEmpty(t, m.Token)
		assert.NotEqual(t, "from-another-server", m.Token)
		assert.Equal(t, "<html><body><h1>other 0 true</h1></body></html>", w.html(), "mounted with the upgrade request")
	})

	t.Run("a client that holds a state this server lost", func(t *testing.T) {
		t.Parallel()
		w := s.dial(t, "/", "bob", nil)
		w.send(`{"t":"join","token":"from-before-a-restart","seq":12}`)
		m := w.read()
		assert.Equal(t, "reload", m.T)
		assert.Equal(t, "state_lost", m.Reason)
		assert.Equal(t, websocket.StatusNormalClosure, w.closed())
	})

	t.Run("a token of another group", func(t *testing.T) {
		t.Parallel()
		token := s.load(t, "/", "cy")
		w := s.dial(t, "/", "dan", nil)
		w.send(fmt.Sprintf(`{"t":"join","token":%q}`, token))
		m := w.read()
		assert.NotEmpty(t, m.Token, "not cy's page: a new one")
		assert.NotEqual(t, token, m.Token)
	})
}

// A live navigation moves the page on the same WebSocket: a navigation GET
// makes the next page, and a navigate message moves the connection to it.
func TestNavigate(t *testing.T) {
	t.Parallel()
	s := newServer(t, serverOptions{})
	w := s.join(t, "/", "ada")

	w.send(`{"t":"navigate","ref":5,"token":"not-a-page-of-this-app"}`)
	m := w.read()
	assert.Equal(t, "reply", m.T)
	assert.EqualValues(t, 5, m.Ref)
	require.NotNil(t, m.Error)
	assert.Equal(t, "unknown_page", m.Error.Code, "the client loads the URL in full")

	res := s.do(t, http.MethodGet, "/other?open", "ada", http.Header{"Lvt-Navigate": {""}}, "")
	require.Equal(t, http.StatusOK, res.status)
	var page struct{ Token string }
	require.NoError(t, json.Unmarshal([]byte(res.body), &page))

	w.send(fmt.Sprintf(`{"t":"navigate","ref":6,"token":%q}`, page.Token))
	m = w.read()
	assert.Equal(t, "tree", m.T)
	assert.EqualValues(t, 6, m.Ref, "the tree answers the navigate message")
	assert.Equal(t, "<html><body><h1>other 0 true</h1></body></html>", w.html())

	w.send(`{"t":"action","ref":7,"name":"gate.open"}`)
	m = w.read()
	assert.Equal(t, "reply", m.T)
	assert.Nil(t, m.Error, "actions now go to the new page")

	w.send(fmt.Sprintf(`{"t":"navigate","ref":8,"token":%q}`, page.Token))
	m = w.read()
	require.NotNil(t, m.Error, "the page it is on")
	assert.Equal(t, "unknown_page", m.Error.Code)
}

// A socket that never joins is closed with 4008 after the join timeout.
func TestJoinTimeout(t *testing.T) {
	t.Parallel()
	s := newServer(t, serverOptions{limits: func(l *runtime.Limits) { l.JoinTimeout = 50 * time.Millisecond }})
	w := s.dial(t, "/", "ada", nil)
	assert.Equal(t, websocket.StatusCode(4008), w.closed())

	joined := s.join(t, "/", "ada")
	joined.send(`{"t":"sync"}`)
	assert.Equal(t, "tree", joined.read().T, "a joined socket stays")
}

func TestConnectionLimits(t *testing.T) {
	t.Parallel()
	tests := []struct {
		name   string
		limits func(*runtime.Limits)
		addrs  []string
		want   websocket.StatusCode
	}{
		{name: "per address", limits: func(l *runtime.Limits) { l.MaxConnsPerAddress = 1 }, addrs: []string{"10.0.0.1", "10.0.0.1"}, want: 4029},
		{name: "sockets that have not joined", limits: func(l *runtime.Limits) { l.MaxUnjoined = 1 }, addrs: []string{"10.0.0.1", "10.0.0.2"}, want: websocket.StatusTryAgainLater},
	}
	for _, tc := range tests {
		t.Run(tc.name, func(t *testing.T) {
			t.Parallel()
			s := newServer(t, serverOptions{limits: tc.limits})
			first := s.dial(t, "/", "ada", http.Header{"X-Addr": {tc.addrs[0]}})
			// The server counts a socket once it has opened its session
			// (after the handshake): an answer says it has.
			first.send(`{"t":"sync"}`)
			require.NotNil(t, first.read().Error, "not joined yet")
			second := s.dial(t, "/", "bob", http.Header{"X-Addr": {tc.addrs[1]}})
			assert.Equal(t, tc.want, second.closed())
		})
	}
}

func TestUpgradeRefusals(t *testing.T) {
	t.Parallel()
	s := newServer(t, serverOptions{})
	for _, tc := range []struct {
		name   string
		user   string
		header http.Header
		status int
	}{
		{name: "unauthenticated", status: http.StatusUnauthorized},
		{name: "cross-site", user: "ada", header: http.Header{"Origin": {"https://evil.example"}}, status: http.StatusForbidden},
	} {
		t.Run(tc.name, func(t *testing.T) {
			t.Parallel()
			h := http.Header{}
			for k, v := range tc.header {
				h[k] = v
			}
			if tc.user != "" {
				h.Set("X-User", tc.user)
			}
			_, res, err := websocket.Dial(t.Context(), "ws"+s.url[4:]+"/", &websocket.DialOptions{HTTPHeader: h})
			require.Error(t, err)
			require.NotNil(t, res)
			assert.Equal(t, tc.status, res.StatusCode)
		})
	}
}

func TestShutdownClosesSocketsGoingAway(t *testing.T) {
	t.Parallel()
	s := newServer(t, serverOptions{})
	w := s.join(t, "/", "ada")
	status := make(chan websocket.StatusCode, 1)
	go func() { status <- w.closed() }() // a client reads, and answers the close
	ctx, cancel := context.WithTimeout(t.Context(), 10*time.Second)
	defer cancel()
	require.NoError(t, s.srv.Shutdown(ctx))
	assert.Equal(t, websocket.StatusGoingAway, <-status)
}

func TestATooLargeMessageIsAnsweredAndTheSocketStays(t *testing.T) {
	t.Parallel()
	s := newServer(t, serverOptions{limits: func(l *runtime.Limits) { l.MaxMessageBytes = 256 }})
	w := s.join(t, "/", "ada")
	w.send(`{"t":"action","ref":9,"name":"counter.inc","data":{"v":"` + strings.Repeat("a", 300) + `"}}`)
	m := w.read()
	assert.EqualValues(t, 9, m.Ref, "the ref is found in what was read")
	require.NotNil(t, m.Error)
	assert.Equal(t, "too_large", m.Error.Code)
	w.send(`{"t":"action","ref":10,"name":"counter.inc"}`)
	m = w.read()
	assert.Nil(t, m.Error)
	assert.Equal(t, "<html><body><p>1</p></body></html>", w.html())
}

// A join that cannot be served closes the socket with a code the client
// acts on.
func TestRefusedJoins(t *testing.T) {
	t.Parallel()
	t.Run("the group is full", func(t *testing.T) {
		t.Parallel()
		s := newServer(t, serverOptions{limits: func(l *runtime.Limits) { l.MaxConnsPerGroup = 1 }})
		s.join(t, "/", "ada")
		token := s.load(t, "/", "ada")
		w := s.dial(t, "/", "ada", nil)
		w.send(fmt.Sprintf(`{"t":"join","token":%q}`, token))
		assert.Equal(t, websocket.StatusCode(4029), w.closed())
	})
	t.Run("the Mount refuses", func(t *testing.T) {
		t.Parallel()
		s := newServer(t, serverOptions{})
		w := s.dial(t, "/other?refuse", "ada", nil)
		w.send(`{"t":"join"}`)
		_, err := w.next()
		assert.Equal(t, websocket.StatusPolicyViolation, websocket.CloseStatus(err))
		var ce websocket.CloseError
		require.ErrorAs(t, err, &ce)
		assert.Equal(t, "Members only.", ce.Reason)
	})
}

func TestASocketClosesWhenItsCredentialsExpire(t *testing.T) {
	t.Parallel()
	s := newServer(t, serverOptions{})
	w := s.join(t, "/", "brief")
	_, err := w.next()
	assert.Equal(t, websocket.StatusCode(4001), websocket.CloseStatus(err))
	var ce websocket.CloseError
	require.ErrorAs(t, err, &ce)
	assert.Equal(t, "session expired", ce.Reason)
}
