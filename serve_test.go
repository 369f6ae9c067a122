package livetemplate_test

import (
	"context"
	"errors"
	"fmt"
	"io"
	"net"
	"net/http"
	"os"
	"strings"
	"sync"
	"sync/atomic"
	"syscall"
	"testing"
	"time"

	"github.com/coder/websocket"
	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"

	"github.com/lvtgo/livetemplate"
)

type nopStore struct{}

func (*nopStore) Change(*livetemplate.ActionContext) error { return nil }

// nopPage returns a live handler of an empty page, closed when the test ends.
func nopPage(t *testing.T) *livetemplate.Handler {
	t.Helper()
	h := livetemplate.Must(livetemplate.New("p", livetemplate.WithText("<body></body>"))).Handle(&nopStore{})
	t.Cleanup(func() { assert.NoError(t, h.Close()) })
	return h
}

// fakeLive is a Shutdowner that counts its shutdowns.
type fakeLive struct {
	http.Handler
	shutdowns atomic.Int64
}

func (f *fakeLive) Shutdown(context.Context) error {
	f.shutdowns.Add(1)
	return nil
}

func (f *fakeLive) Close() error { return f.Shutdown(context.Background()) }

// serveInBackground runs Serve with srv on a free port of 127.0.0.1 and
// returns the server's URL and stop, which ends Serve's context and returns
// its result (stop runs in t.Cleanup too).
func serveInBackground(t *testing.T, srv *http.Server, live ...livetemplate.Shutdowner) (url string, stop func() error) {
	t.Helper()
	srv.Addr = "127.0.0.1:0"
	addrs := make(chan net.Addr, 1)
	srv.BaseContext = func(ln net.Listener) context.Context {
		addrs <- ln.Addr()
		return context.Background()
	}
	ctx, cancel := context.WithCancel(t.Context())
	done := make(chan error, 1)
	go func() { done <- livetemplate.Serve(ctx, srv, live...) }()
	stop = sync.OnceValue(func() error {
		cancel()
		return <-done
	})
	t.Cleanup(func() { _ = stop() })
	select {
	case a := <-addrs:
		return "http://" + a.String() + "/", stop
	case err := <-done:
		t.Fatalf("Serve: %v", err)
		return "", nil
	}
}

func TestServeShutsTheServerAndTheLiveHandlersDown(t *testing.T) {
	h := nopPage(t)
	other := &fakeLive{Handler: http.NotFoundHandler()}
	url, stop := serveInBackground(t, livetemplate.NewServer("", h), h, other)

	resp, err := http.Get(url)
	require.NoError(t, err)
	body, err := io.ReadAll(resp.Body)
	resp.Body.Close()
	require.NoError(t, err)
	require.Equal(t, http.StatusOK, resp.StatusCode)

	// A live page: http.Server.Shutdown alone would neither close its
	// WebSocket nor wait for it.
	m := tokenRE.FindStringSubmatch(string(body))
	require.NotNil(t, m, "no token in the page")
	ctx, cancel := context.WithTimeout(t.Context(), 10*time.Second)
	defer cancel()
	ws, _, err := websocket.Dial(ctx, "ws"+strings.TrimPrefix(url, "http"), nil)
	require.NoError(t, err)
	defer ws.CloseNow()
	require.NoError(t, ws.Write(ctx, websocket.MessageText, []byte(`{"t":"join","token":"`+m[1]+`","seq":0}`)))
	_, msg, err := ws.Read(ctx)
	require.NoError(t, err)
	require.Contains(t, string(msg), `"t":"tree"`)

	require.NoError(t, stop())
	_, _, err = ws.Read(ctx)
	assert.Equal(t, websocket.StatusServiceRestart, websocket.CloseStatus(err), "the live handler closed its WebSocket: %v", err)
	assert.Equal(t, int64(1), other.shutdowns.Load())
	_, err = http.Get(url)
	assert.Error(t, err, "the server is closed")
}

func TestServeReturnsListenErrorsAtOnce(t *testing.T) {
	ln, err := net.Listen("tcp", "127.0.0.1:0")
	require.NoError(t, err)
	defer ln.Close()
	live := &fakeLive{Handler: http.NotFoundHandler()}
	err = livetemplate.Serve(t.Context(), livetemplate.NewServer(ln.Addr().String(), live), live) // a context that does not end
	require.Error(t, err)
	assert.True(t, errors.Is(err, syscall.EADDRINUSE), "%v", err)
	assert.Zero(t, live.shutdowns.Load(), "nothing was served: the live handlers are left as they are")
}

func TestNewServerSetsTimeouts(t *testing.T) {
	srv := livetemplate.NewServer(":8080", http.NotFoundHandler())
	assert.Equal(t, ":8080", srv.Addr)
	assert.Equal(t, 5*time.Second, srv.ReadHeaderTimeout)
	assert.Equal(t, 15*time.Second, srv.ReadTimeout)
	assert.Equal(t, 2*time.Minute, srv.IdleTimeout)
	assert.Equal(t, 64<<10, srv.MaxHeaderBytes)
	assert.Zero(t, srv.WriteTimeout, "a WriteTimeout would cut long polls short")
}

// A request whose body trickles in is cut off by ReadTimeout instead of
// holding a connection for as long as the client likes.
func TestServerCutsSlowBodies(t *testing.T) {
	srv := livetemplate.NewServer("", nopPage(t))
	srv.ReadTimeout = 300 * time.Millisecond
	url, _ := serveInBackground(t, srv)
	c, err := net.Dial("tcp", url[len("http://"):len(url)-1])
	require.NoError(t, err)
	defer c.Close()
	_, err = fmt.Fprintf(c, "POST / HTTP/1.1\r\nHost: x\r\nContent-Type: application/json\r\nContent-Length: 100\r\n\r\n{")
	require.NoError(t, err)
	closed := false
	for range 100 { // a byte every 100 ms would take 10 s
		time.Sleep(100 * time.Millisecond)
		if _, err := c.Write([]byte(" ")); err != nil {
			closed = true
			break
		}
		_ = c.SetReadDeadline(time.Now().Add(time.Millisecond))
		var b [1]byte
		if _, err := c.Read(b[:]); err != nil && !errors.Is(err, os.ErrDeadlineExceeded) {
			closed = true
			break
		}
	}
	assert.True(t, closed, "the slow body was cut off")
}

func ExampleServe() {
	tmpl := livetemplate.Must(livetemplate.New("clicks", livetemplate.WithText(`<body>{{.N}}</body>`)))
	h := tmpl.Handle(&Clicks{})
	// In main: ctx, stop := signal.NotifyContext(context.Background(), os.Interrupt, syscall.SIGTERM)
	ctx, stop := context.WithTimeout(context.Background(), 100*time.Millisecond)
	defer stop()
	err := livetemplate.Serve(ctx, livetemplate.NewServer("127.0.0.1:0", h), h)
	fmt.Println("stopped:", err)
	// Output: stopped: <nil>
}
