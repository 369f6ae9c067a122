package transport_test

import (
	"bytes"
	"context"
	"errors"
	"fmt"
	"io"
	"log/slog"
	"net/http"
	"net/http/httptest"
	"runtime"
	"strconv"
	"strings"
	"sync"
	"sync/atomic"
	"testing"
	"time"

	"github.com/coder/websocket"
	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"

	"github.com/lvtgo/livetemplate/transport"
)

// wait bounds every wait in these tests; nothing should come close to it.
const wait = 10 * time.Second

// session is an echo Session that records what it is given. Its outbox
// is an unbounded queue, which Next pops.
type session struct {
	c      *transport.Conn
	closed chan struct{} // closed by the first Closed call

	mu       sync.Mutex
	msgs     []string
	tooLarge [][]byte
	outbox   [][]byte
	closes   int
	err      error
}

// send queues msg and wakes the writer.
func (s *session) send(msg []byte) {
	s.mu.Lock()
	s.outbox = append(s.outbox, msg)
	s.mu.Unlock()
	s.c.Wake()
}

func (s *session) Next() []byte {
	s.mu.Lock()
	defer s.mu.Unlock()
	if len(s.outbox) == 0 {
		return nil
	}
	msg := s.outbox[0]
	s.outbox = s.outbox[1:]
	return msg
}

func newSession(c *transport.Conn) *session {
	return &session{c: c, closed: make(chan struct{})}
}

func (s *session) Handle(_ context.Context, msg []byte) {
	s.mu.Lock()
	s.msgs = append(s.msgs, string(msg))
	s.mu.Unlock()
	s.send(msg)
}

func (s *session) TooLarge(_ context.Context, prefix []byte) {
	s.mu.Lock()
	s.tooLarge = append(s.tooLarge, prefix)
	s.mu.Unlock()
	s.send([]byte("too large"))
}

func (s *session) Closed(err error) {
	s.mu.Lock()
	defer s.mu.Unlock()
	s.closes++
	s.err = err
	if s.closes == 1 {
		close(s.closed)
	}
}

// waitClosed waits for Closed and returns its error and the number of calls.
func (s *session) waitClosed(tb testing.TB) (error, int) {
	tb.Helper()
	select {
	case <-s.closed:
	case <-time.After(wait):
		tb.Fatal("Session.Closed not called")
	}
	s.mu.Lock()
	defer s.mu.Unlock()
	return s.err, s.closes
}

// server is a WebSocket behind an httptest server, opening echo sessions.
type server struct {
	ws       *transport.WebSocket
	srv      *httptest.Server
	sessions chan *session
	opened   atomic.Int32
}

func newServer(tb testing.TB, opts *transport.WebSocketOptions) *server {
	tb.Helper()
	if opts == nil {
		opts = &transport.WebSocketOptions{}
	}
	if opts.Logger == nil {
		opts.Logger = slog.New(slog.DiscardHandler)
	}
	s := &server{ws: transport.NewWebSocket(opts), sessions: make(chan *session, 16)}
	s.srv = httptest.NewServer(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		s.ws.Serve(w, r, func(c *transport.Conn) (transport.Session, error) {
			s.opened.Add(1)
			sess := newSession(c)
			s.sessions <- sess
			return sess, nil
		})
	}))
	tb.Cleanup(s.srv.Close)
	tb.Cleanup(func() { assert.NoError(tb, s.ws.Close()) })
	return s
}

// dial connects a client; header may be nil.
func (s *server) dial(tb testing.TB, header http.Header) (*websocket.Conn, *http.Response, error) {
	tb.Helper()
	c, resp, err := websocket.Dial(tb.Context(), s.srv.URL, &websocket.DialOptions{
		HTTPClient: s.srv.Client(),
		HTTPHeader: header,
	})
	if err == nil {
		tb.Cleanup(func() { _ = c.CloseNow() })
	}
	return c, resp, err
}

// connect dials and returns the client and the server's session for it.
func (s *server) connect(tb testing.TB) (*websocket.Conn, *session) {
	tb.Helper()
	c, _, err := s.dial(tb, nil)
	require.NoError(tb, err)
	return c, s.session(tb)
}

func (s *server) session(tb testing.TB) *session {
	tb.Helper()
	select {
	case sess := <-s.sessions:
		return sess
	case <-time.After(wait):
		tb.Fatal("no session opened")
		return nil
	}
}

func write(tb testing.TB, c *websocket.Conn, msg string) {
	tb.Helper()
	ctx, cancel := context.WithTimeout(tb.Context(), wait)
	defer cancel()
	require.NoError(tb, c.Write(ctx, websocket.MessageText, []byte(msg)))
}

func read(tb testing.TB, c *websocket.Conn) string {
	tb.Helper()
	ctx, cancel := context.WithTimeout(tb.Context(), wait)
	defer cancel()
	typ, b, err := c.Read(ctx)
	require.NoError(tb, err)
	require.Equal(tb, websocket.MessageText, typ)
	return string(b)
}

// readClose reads until the connection ends and returns the close error.
func readClose(tb testing.TB, c *websocket.Conn) websocket.CloseError {
	tb.Helper()
	ctx, cancel := context.WithTimeout(tb.Context(), wait)
	defer cancel()
	for {
		_, _, err := c.Read(ctx)
		if err == nil {
			continue
		}
		var ce websocket.CloseError
		require.ErrorAs(tb, err, &ce)
		return ce
	}
}

// closeStatus reads until the connection ends and returns its close status
// (-1 if it ended without one). Unlike readClose it may run in any goroutine.
func closeStatus(c *websocket.Conn) websocket.StatusCode {
	ctx, cancel := context.WithTimeout(context.Background(), wait)
	defer cancel()
	for {
		if _, _, err := c.Read(ctx); err != nil {
			return websocket.CloseStatus(err)
		}
	}
}

func TestEcho(t *testing.T) {
	t.Parallel()
	s := newServer(t, nil)
	c, sess := s.connect(t)
	assert.Equal(t, 1, s.ws.Len())
	assert.Len(t, sess.c.ID(), 16)

	write(t, c, `{"t":"sync"}`)
	assert.Equal(t, `{"t":"sync"}`, read(t, c))

	require.NoError(t, c.Close(websocket.StatusNormalClosure, ""))
	err, n := sess.waitClosed(t)
	assert.NoError(t, err)
	assert.Equal(t, 1, n)
	assert.Error(t, sess.c.Context().Err(), "the connection's context ends with it")
	assert.ErrorIs(t, sess.c.Close(transport.CloseNormal, "late"), transport.ErrClosed)
	sess.c.Wake() // does nothing
}

// A server's ReadTimeout and WriteTimeout bound requests, not the live
// connections upgraded from them.
func TestServerTimeoutsDoNotEndConnections(t *testing.T) {
	t.Parallel()
	s := newServer(t, nil)
	s.srv.Close()
	s.srv = httptest.NewUnstartedServer(s.srv.Config.Handler)
	s.srv.Config.ReadTimeout = 100 * time.Millisecond
	s.srv.Config.WriteTimeout = 100 * time.Millisecond
	s.srv.Start()
	t.Cleanup(s.srv.Close)
	c, _ := s.connect(t)
	time.Sleep(400 * time.Millisecond) // past both timeouts
	write(t, c, `{"t":"sync"}`)
	assert.Equal(t, `{"t":"sync"}`, read(t, c))
}

func TestMessagesInOrder(t *testing.T) {
	t.Parallel()
	// The client reads only after writing everything.
	s := newServer(t, nil)
	c, sess := s.connect(t)
	const n = 200
	want := make([]string, n)
	for i := range n {
		want[i] = fmt.Sprintf(`{"ref":%d}`, i)
		write(t, c, want[i])
	}
	for i := range n {
		require.Equal(t, want[i], read(t, c))
	}
	sess.mu.Lock()
	defer sess.mu.Unlock()
	assert.Equal(t, want, sess.msgs)
}

func TestReadLimitCallsTooLarge(t *testing.T) {
	t.Parallel()
	s := newServer(t, &transport.WebSocketOptions{ReadLimit: 16, HardLimit: 1024})
	c, sess := s.connect(t)

	big := `{"t":"action","ref":7,"name":"save","data":{"text":"` + string(bytes.Repeat([]byte("x"), 500)) + `"}}`
	write(t, c, big)
	assert.Equal(t, "too large", read(t, c))
	sess.mu.Lock()
	require.Len(t, sess.tooLarge, 1)
	assert.Equal(t, big[:16], string(sess.tooLarge[0]))
	assert.Empty(t, sess.msgs)
	sess.mu.Unlock()

	exact := string(bytes.Repeat([]byte("y"), 16))
	write(t, c, exact)
	assert.Equal(t, exact, read(t, c), "a message of exactly ReadLimit bytes is handled")
	write(t, c, "next")
	assert.Equal(t, "next", read(t, c), "the connection survives")
}

func TestHardLimitCloses(t *testing.T) {
	t.Parallel()
	s := newServer(t, &transport.WebSocketOptions{ReadLimit: 16, HardLimit: 64})
	c, sess := s.connect(t)

	write(t, c, string(bytes.Repeat([]byte("x"), 100)))
	assert.Equal(t, websocket.StatusMessageTooBig, readClose(t, c).Code)
	err, n := sess.waitClosed(t)
	assert.ErrorIs(t, err, websocket.ErrMessageTooBig)
	assert.Equal(t, 1, n)
	sess.mu.Lock()
	defer sess.mu.Unlock()
	assert.Empty(t, sess.tooLarge)
}

func TestBinaryMessageCloses(t *testing.T) {
	t.Parallel()
	s := newServer(t, nil)
	c, sess := s.connect(t)

	ctx, cancel := context.WithTimeout(t.Context(), wait)
	defer cancel()
	require.NoError(t, c.Write(ctx, websocket.MessageBinary, []byte{1, 2, 3}))
	assert.Equal(t, websocket.StatusUnsupportedData, readClose(t, c).Code)
	err, _ := sess.waitClosed(t)
	assert.Error(t, err)
}

func TestOpenError(t *testing.T) {
	t.Parallel()
	tests := []struct {
		name   string
		err    error
		code   websocket.StatusCode
		reason string
	}{
		{name: "plain error", err: errors.New("not allowed"), code: websocket.StatusPolicyViolation, reason: "not allowed"},
		{name: "close error", err: &transport.CloseError{Code: 4001, Reason: "stale session"}, code: 4001, reason: "stale session"},
		{name: "wrapped close error", err: fmt.Errorf("join: %w", &transport.CloseError{Code: 4002, Reason: "expired"}), code: 4002, reason: "expired"},
		{name: "invalid code", err: &transport.CloseError{Code: 1005, Reason: "x"}, code: websocket.StatusInternalError, reason: "internal error"},
	}
	for _, tc := range tests {
		t.Run(tc.name, func(t *testing.T) {
			t.Parallel()
			ws := transport.NewWebSocket(&transport.WebSocketOptions{Logger: slog.New(slog.DiscardHandler)})
			srv := httptest.NewServer(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
				ws.Serve(w, r, func(c *transport.Conn) (transport.Session, error) {
					c.Wake() // nothing to write, and no Session to ask
					return nil, tc.err
				})
			}))
			t.Cleanup(srv.Close)
			t.Cleanup(func() { assert.NoError(t, ws.Close()) })

			c, _, err := websocket.Dial(t.Context(), srv.URL, &websocket.DialOptions{HTTPClient: srv.Client()})
			require.NoError(t, err)
			t.Cleanup(func() { _ = c.CloseNow() })
			ce := readClose(t, c)
			assert.Equal(t, tc.code, ce.Code)
			assert.Equal(t, tc.reason, ce.Reason)
		})
	}
}

// open may wake the writer and close: the writer starts when open has
// returned, writes what Next returns, then closes.
func TestOpenWakesAndCloses(t *testing.T) {
	t.Parallel()
	ws := transport.NewWebSocket(&transport.WebSocketOptions{Logger: slog.New(slog.DiscardHandler)})
	closed := make(chan error, 1)
	srv := httptest.NewServer(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		ws.Serve(w, r, func(c *transport.Conn) (transport.Session, error) {
			s := &scripted{msgs: [][]byte{[]byte(`{"t":"reload"}`)}, closed: closed}
			c.Wake()
			assert.NoError(t, c.Close(4001, "stale session"))
			s.mu.Lock() // Next must not run before open returns
			defer s.mu.Unlock()
			s.opened = true
			return s, nil
		})
	}))
	t.Cleanup(srv.Close)
	t.Cleanup(func() { assert.NoError(t, ws.Close()) })

	c, _, err := websocket.Dial(t.Context(), srv.URL, &websocket.DialOptions{HTTPClient: srv.Client()})
	require.NoError(t, err)
	t.Cleanup(func() { _ = c.CloseNow() })
	assert.Equal(t, `{"t":"reload"}`, read(t, c))
	ce := readClose(t, c)
	assert.Equal(t, websocket.StatusCode(4001), ce.Code)
	assert.Equal(t, "stale session", ce.Reason)
	assert.NoError(t, <-closed)
}

// scripted is a Session whose Next returns msgs, then nil.
type scripted struct {
	closed chan error

	mu     sync.Mutex
	opened bool // open has returned
	msgs   [][]byte
}

func (s *scripted) Next() []byte {
	s.mu.Lock()
	defer s.mu.Unlock()
	if !s.opened {
		panic("Next called before open returned")
	}
	if len(s.msgs) == 0 {
		return nil
	}
	msg := s.msgs[0]
	s.msgs = s.msgs[1:]
	return msg
}

func (s *scripted) Handle(context.Context, []byte)   {}
func (s *scripted) TooLarge(context.Context, []byte) {}
func (s *scripted) Closed(err error)                 { s.closed <- err }

// A panic in a Session method ends that connection, not the server.
func TestSessionPanicEndsConnection(t *testing.T) {
	t.Parallel()
	ws := transport.NewWebSocket(&transport.WebSocketOptions{Logger: slog.New(slog.DiscardHandler)})
	closed := make(chan error, 1)
	srv := httptest.NewServer(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		ws.Serve(w, r, func(c *transport.Conn) (transport.Session, error) {
			return &panicky{c: c, closed: closed}, nil
		})
	}))
	t.Cleanup(srv.Close)
	t.Cleanup(func() { assert.NoError(t, ws.Close()) })

	for _, what := range []string{"handle", "next"} {
		c, _, err := websocket.Dial(t.Context(), srv.URL, &websocket.DialOptions{HTTPClient: srv.Client()})
		require.NoError(t, err)
		t.Cleanup(func() { _ = c.CloseNow() })
		write(t, c, what)
		assert.Error(t, <-closed, what)
		assert.Equal(t, websocket.StatusCode(-1), closeStatus(c), "the connection is cut")
	}
}

// panicky panics in Handle or, after a Wake, in Next.
type panicky struct {
	c      *transport.Conn
	closed chan error
}

func (p *panicky) Handle(_ context.Context, msg []byte) {
	if string(msg) == "handle" {
		panic("boom in Handle")
	}
	p.c.Wake()
}
func (p *panicky) Next() []byte                     { panic("boom in Next") }
func (p *panicky) TooLarge(context.Context, []byte) {}
func (p *panicky) Closed(err error)                 { p.closed <- err }

func TestConnClose(t *testing.T) {
	t.Parallel()
	s := newServer(t, nil)
	c, sess := s.connect(t)

	for i := range 3 {
		sess.send(fmt.Appendf(nil, "m%d", i))
	}
	require.NoError(t, sess.c.Close(4001, "bye"))
	assert.ErrorIs(t, sess.c.Close(transport.CloseNormal, "again"), transport.ErrClosed)

	for i := range 3 {
		assert.Equal(t, fmt.Sprintf("m%d", i), read(t, c), "what Next returns is written first")
	}
	ce := readClose(t, c)
	assert.Equal(t, websocket.StatusCode(4001), ce.Code)
	assert.Equal(t, "bye", ce.Reason)
	err, n := sess.waitClosed(t)
	assert.NoError(t, err)
	assert.Equal(t, 1, n)
}

func TestCloseReason(t *testing.T) {
	t.Parallel()
	tests := []struct {
		name   string
		code   int
		reason string
		want   websocket.StatusCode
		wantR  string
	}{
		{name: "try again later", code: transport.CloseTryAgainLater, reason: "busy", want: websocket.StatusTryAgainLater, wantR: "busy"},
		{name: "policy", code: transport.ClosePolicy, reason: "expired", want: websocket.StatusPolicyViolation, wantR: "expired"},
		{name: "long reason cut on a rune", code: 4000, reason: strings.Repeat("é", 100), want: 4000, wantR: strings.Repeat("é", 61)},
		{name: "invalid code", code: 1005, reason: "x", want: websocket.StatusInternalError, wantR: "internal error"},
	}
	for _, tc := range tests {
		t.Run(tc.name, func(t *testing.T) {
			t.Parallel()
			s := newServer(t, nil)
			c, sess := s.connect(t)
			require.NoError(t, sess.c.Close(tc.code, tc.reason))
			ce := readClose(t, c)
			assert.Equal(t, tc.want, ce.Code)
			assert.Equal(t, tc.wantR, ce.Reason)
		})
	}
}

// conflating is a Session whose state is a counter: updates bump it, and
// Next sends the latest value once however many updates came meanwhile.
type conflating struct {
	c      *transport.Conn
	closed chan error

	mu      sync.Mutex
	state   int
	sent    int
	payload []byte
}

func (s *conflating) update() {
	s.mu.Lock()
	s.state++
	s.mu.Unlock()
	s.c.Wake()
}

func (s *conflating) Next() []byte {
	s.mu.Lock()
	defer s.mu.Unlock()
	if s.sent == s.state {
		return nil
	}
	s.sent = s.state
	return append(fmt.Appendf(nil, "%08d", s.state), s.payload...)
}

func (s *conflating) Handle(context.Context, []byte)   {}
func (s *conflating) TooLarge(context.Context, []byte) {}
func (s *conflating) Closed(err error)                 { s.closed <- err }

// conflatingServer serves conflating sessions with payloads of size bytes.
func conflatingServer(tb testing.TB, opts *transport.WebSocketOptions, size int) (*httptest.Server, chan *conflating) {
	tb.Helper()
	opts.Logger = slog.New(slog.DiscardHandler)
	ws := transport.NewWebSocket(opts)
	sessions := make(chan *conflating, 16)
	srv := httptest.NewServer(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		ws.Serve(w, r, func(c *transport.Conn) (transport.Session, error) {
			s := &conflating{c: c, closed: make(chan error, 1), payload: bytes.Repeat([]byte("x"), size)}
			sessions <- s
			return s, nil
		})
	}))
	tb.Cleanup(srv.Close)
	tb.Cleanup(func() { assert.NoError(tb, ws.Close()) })
	return srv, sessions
}

// A burst of updates to a client that reads slowly costs a few conflated
// messages, not a disconnect, and the last state arrives.
func TestBurstConflated(t *testing.T) {
	t.Parallel()
	srv, sessions := conflatingServer(t, &transport.WebSocketOptions{}, 16<<10)
	const clients, updates = 5, 400
	var wg sync.WaitGroup
	for range clients {
		c, _, err := websocket.Dial(t.Context(), srv.URL, &websocket.DialOptions{HTTPClient: srv.Client()})
		require.NoError(t, err)
		t.Cleanup(func() { _ = c.CloseNow() })
		c.SetReadLimit(1 << 20)
		sess := <-sessions
		wg.Go(func() {
			for range updates {
				sess.update()
				time.Sleep(10 * time.Microsecond) // a burst, not one step
			}
		})
		got, msgs := 0, 0
		for got < updates {
			time.Sleep(time.Millisecond) // a slow reader
			msg := read(t, c)
			msgs++
			n, err := strconv.Atoi(msg[:8])
			require.NoError(t, err)
			require.Greater(t, n, got, "states arrive in order")
			got = n
		}
		assert.Equal(t, updates, got)
		t.Logf("%d updates arrived in %d messages", updates, msgs)
		select {
		case err := <-sess.closed:
			t.Fatalf("connection closed: %v", err)
		default:
		}
	}
	wg.Wait()
}

// A client that stops reading is cut after WriteTimeout with ErrStalled;
// another client of the same server keeps receiving.
func TestStalledClientDropped(t *testing.T) {
	t.Parallel()
	srv, sessions := conflatingServer(t, &transport.WebSocketOptions{WriteTimeout: time.Second, PingInterval: -1}, 256<<10)
	dial := func() (*websocket.Conn, *conflating) {
		c, _, err := websocket.Dial(t.Context(), srv.URL, &websocket.DialOptions{HTTPClient: srv.Client()})
		require.NoError(t, err)
		t.Cleanup(func() { _ = c.CloseNow() })
		c.SetReadLimit(1 << 20)
		return c, <-sessions
	}
	fast, fastSess := dial()
	_, slowSess := dial() // never reads

	deadline := time.After(wait)
	for i := 1; ; i++ {
		slowSess.update()
		fastSess.update()
		n, err := strconv.Atoi(read(t, fast)[:8])
		require.NoError(t, err)
		require.Equal(t, i, n, "the reading client gets every state")
		select {
		case err := <-slowSess.closed:
			assert.ErrorIs(t, err, transport.ErrStalled)
			fastSess.update()
			assert.Equal(t, fmt.Sprintf("%08d", i+1), read(t, fast)[:8])
			return
		case <-deadline:
			t.Fatal("the stalled client was never dropped")
		default:
		}
	}
}

// Many goroutines update while the writer keeps starting and stopping;
// no Wake is lost, so the last state always arrives.
func TestWakeRace(t *testing.T) {
	t.Parallel()
	srv, sessions := conflatingServer(t, &transport.WebSocketOptions{}, 0)
	c, _, err := websocket.Dial(t.Context(), srv.URL, &websocket.DialOptions{HTTPClient: srv.Client()})
	require.NoError(t, err)
	t.Cleanup(func() { _ = c.CloseNow() })
	sess := <-sessions
	const rounds, wakers, each = 50, 8, 5
	got := 0
	for round := 1; round <= rounds; round++ {
		var wg sync.WaitGroup
		for range wakers {
			wg.Go(func() {
				for range each {
					sess.update()
					runtime.Gosched()
				}
			})
		}
		wg.Wait()
		// Every update of this round must show up without another Wake.
		for got < round*wakers*each {
			n, err := strconv.Atoi(read(t, c))
			require.NoError(t, err)
			require.Greater(t, n, got)
			got = n
		}
	}
}

func TestShutdown(t *testing.T) {
	t.Parallel()
	s := newServer(t, nil)
	const n = 3
	clients := make([]*websocket.Conn, n)
	sessions := make([]*session, n)
	for i := range n {
		clients[i], sessions[i] = s.connect(t)
	}
	require.Equal(t, n, s.ws.Len())

	codes := make([]websocket.StatusCode, n)
	var wg sync.WaitGroup
	for i, c := range clients {
		wg.Go(func() { codes[i] = closeStatus(c) })
	}
	ctx, cancel := context.WithTimeout(t.Context(), wait)
	defer cancel()
	require.NoError(t, s.ws.Shutdown(ctx))
	wg.Wait()

	for i := range n {
		assert.Equal(t, websocket.StatusGoingAway, codes[i])
		select {
		case <-sessions[i].closed: // Shutdown waits for Closed
		default:
			t.Fatal("Shutdown returned before Session.Closed")
		}
		err, calls := sessions[i].waitClosed(t)
		assert.NoError(t, err)
		assert.Equal(t, 1, calls)
	}
	assert.Zero(t, s.ws.Len())
	assert.NoError(t, s.ws.Shutdown(ctx), "idempotent")

	_, resp, err := s.dial(t, nil)
	require.Error(t, err)
	require.NotNil(t, resp)
	assert.Equal(t, http.StatusServiceUnavailable, resp.StatusCode)
}

func TestShutdownDeadlineCutsConnections(t *testing.T) {
	t.Parallel()
	s := newServer(t, &transport.WebSocketOptions{PingInterval: -1})
	_, sess := s.connect(t) // never reads, so never answers the close frame

	ctx, cancel := context.WithTimeout(t.Context(), 100*time.Millisecond)
	defer cancel()
	assert.ErrorIs(t, s.ws.Shutdown(ctx), context.DeadlineExceeded)
	err, n := sess.waitClosed(t)
	assert.NoError(t, err, "a shutdown is a clean end")
	assert.Equal(t, 1, n)
	assert.Error(t, sess.c.Context().Err())
}

func TestPingKeepsIdleConnectionAlive(t *testing.T) {
	t.Parallel()
	s := newServer(t, &transport.WebSocketOptions{PingInterval: 5 * time.Millisecond, WriteTimeout: time.Second})
	var pings atomic.Int32
	c, _, err := websocket.Dial(t.Context(), s.srv.URL, &websocket.DialOptions{
		HTTPClient: s.srv.Client(),
		OnPingReceived: func(context.Context, []byte) bool {
			pings.Add(1)
			return true
		},
	})
	require.NoError(t, err)
	t.Cleanup(func() { _ = c.CloseNow() })
	sess := s.session(t)

	// A client answers pings only while it reads.
	msgs := make(chan string, 16)
	var wg sync.WaitGroup
	t.Cleanup(wg.Wait)
	t.Cleanup(func() { _ = c.CloseNow() })
	wg.Go(func() {
		defer close(msgs)
		for {
			_, b, err := c.Read(context.Background())
			if err != nil {
				return
			}
			msgs <- string(b)
		}
	})
	require.Eventually(t, func() bool { return pings.Load() >= 10 }, wait, time.Millisecond)
	write(t, c, "still here")
	assert.Equal(t, "still here", <-msgs)
	select {
	case <-sess.closed:
		t.Fatal("an idle connection answering pings was dropped")
	default:
	}
	require.NoError(t, c.Close(websocket.StatusNormalClosure, ""))
}

func TestPingTimeoutDropsSilentClient(t *testing.T) {
	t.Parallel()
	s := newServer(t, &transport.WebSocketOptions{PingInterval: 10 * time.Millisecond, WriteTimeout: 100 * time.Millisecond})
	_, sess := s.connect(t) // never reads, so never answers pings

	err, n := sess.waitClosed(t)
	assert.ErrorContains(t, err, "ping")
	assert.Equal(t, 1, n)
}

func TestIsUpgrade(t *testing.T) {
	t.Parallel()
	tests := []struct {
		name       string
		connection []string
		upgrade    string
		want       bool
	}{
		{name: "browser", connection: []string{"Upgrade"}, upgrade: "websocket", want: true},
		{name: "token list", connection: []string{"keep-alive, Upgrade"}, upgrade: "WebSocket", want: true},
		{name: "repeated header", connection: []string{"keep-alive", "upgrade"}, upgrade: "websocket", want: true},
		{name: "no connection upgrade", connection: []string{"keep-alive"}, upgrade: "websocket"},
		{name: "other protocol", connection: []string{"Upgrade"}, upgrade: "h2c"},
		{name: "plain GET"},
	}
	for _, tc := range tests {
		t.Run(tc.name, func(t *testing.T) {
			t.Parallel()
			r := httptest.NewRequest(http.MethodGet, "/", nil)
			for _, v := range tc.connection {
				r.Header.Add("Connection", v)
			}
			if tc.upgrade != "" {
				r.Header.Set("Upgrade", tc.upgrade)
			}
			assert.Equal(t, tc.want, transport.IsUpgrade(r))
		})
	}
}

// Close on a WebSocket nobody used returns at once, twice.
func TestCloseUnused(t *testing.T) {
	t.Parallel()
	ws := transport.NewWebSocket(nil)
	assert.NoError(t, ws.Close())
	assert.NoError(t, ws.Close())
	assert.Zero(t, ws.Len())
}

var _ io.Closer = (*transport.WebSocket)(nil)
