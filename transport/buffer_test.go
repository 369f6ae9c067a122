package transport_test

import (
	"bufio"
	"bytes"
	"io"
	"net"
	"net/http"
	"net/http/httptest"
	"strings"
	"sync/atomic"
	"testing"
	"time"

	"github.com/coder/websocket"
	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"

	"github.com/lvtgo/livetemplate/transport"
)

// countingListener counts the writes made on the connections it accepts.
type countingListener struct {
	net.Listener
	writes atomic.Int64
}

func (l *countingListener) Accept() (net.Conn, error) {
	c, err := l.Listener.Accept()
	if err != nil {
		return nil, err
	}
	return &countingConn{Conn: c, writes: &l.writes}, nil
}

type countingConn struct {
	net.Conn
	writes *atomic.Int64
}

func (c *countingConn) Write(p []byte) (int, error) {
	c.writes.Add(1)
	return c.Conn.Write(p)
}

// A small message leaves in one write (one syscall); a large one in two,
// however small the connection's write buffer.
func TestWritesPerMessage(t *testing.T) {
	t.Parallel()
	var sessions = make(chan *session, 1)
	ws := transport.NewWebSocket(&transport.WebSocketOptions{PingInterval: -1})
	srv := httptest.NewUnstartedServer(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		ws.Serve(w, r, func(c *transport.Conn) (transport.Session, error) {
			s := newSession(c)
			sessions <- s
			return s, nil
		})
	}))
	l := &countingListener{Listener: srv.Listener}
	srv.Listener = l
	srv.Start()
	t.Cleanup(srv.Close)
	t.Cleanup(func() { assert.NoError(t, ws.Close()) })

	c, _, err := websocket.Dial(t.Context(), srv.URL, &websocket.DialOptions{HTTPClient: srv.Client()})
	require.NoError(t, err)
	t.Cleanup(func() { _ = c.CloseNow() })
	c.SetReadLimit(1 << 20)
	sess := <-sessions

	tests := []struct {
		size   int
		writes int64
	}{
		{size: 10, writes: 1},
		{size: 400, writes: 1}, // a typical patch: one write
		{size: 1000, writes: 2},
		{size: 2000, writes: 2},
		{size: 64 << 10, writes: 2},
		{size: 1 << 20, writes: 2},
	}
	for _, tc := range tests {
		msg := bytes.Repeat([]byte("x"), tc.size)
		before := l.writes.Load()
		sess.send(msg)
		require.Equal(t, string(msg), read(t, c))
		assert.Equal(t, tc.writes, l.writes.Load()-before, "writes for a message of %d bytes", tc.size)
	}
}

// A client may send its first message right behind the upgrade request,
// before the 101 response: net/http has then read it already, and it must
// reach the Session all the same.
func TestMessageRightBehindUpgrade(t *testing.T) {
	t.Parallel()
	s := newServer(t, nil)
	nc, err := net.Dial("tcp", strings.TrimPrefix(s.srv.URL, "http://"))
	require.NoError(t, err)
	t.Cleanup(func() { _ = nc.Close() })
	require.NoError(t, nc.SetDeadline(time.Now().Add(wait)))

	payload := []byte(`{"t":"sync"}`)
	frame := []byte{0x81, 0x80 | byte(len(payload)), 1, 2, 3, 4} // FIN text, masked
	for i, b := range payload {
		frame = append(frame, b^frame[2+i%4])
	}
	req := "GET / HTTP/1.1\r\nHost: " + nc.RemoteAddr().String() + "\r\n" +
		"Connection: Upgrade\r\nUpgrade: websocket\r\nSec-WebSocket-Version: 13\r\n" +
		"Sec-WebSocket-Key: dGhlIHNhbXBsZSBub25jZQ==\r\n\r\n"
	_, err = nc.Write(append([]byte(req), frame...)) // one write: both arrive together
	require.NoError(t, err)

	br := bufio.NewReader(nc)
	resp, err := http.ReadResponse(br, nil)
	require.NoError(t, err)
	require.Equal(t, http.StatusSwitchingProtocols, resp.StatusCode)
	s.session(t)

	hdr := make([]byte, 2)
	_, err = io.ReadFull(br, hdr)
	require.NoError(t, err)
	assert.Equal(t, []byte{0x81, byte(len(payload))}, hdr, "an unmasked text frame")
	got := make([]byte, len(payload))
	_, err = io.ReadFull(br, got)
	require.NoError(t, err)
	assert.Equal(t, string(payload), string(got), "the echo of the early message")
}
