package transport_test

import (
	"context"
	"errors"
	"net"
	"net/http"
	"sync"
	"testing"
	"testing/synctest"
	"time"

	"github.com/coder/websocket"
	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"

	"github.com/lvtgo/livetemplate/transport"
)

// pipeListener hands the server the server's ends of net.Pipe connections,
// so that a test runs in a synctest bubble (pipes block durably; sockets
// do not).
type pipeListener struct {
	conns  chan net.Conn
	closed chan struct{}
	once   sync.Once
}

func newPipeListener() *pipeListener {
	return &pipeListener{conns: make(chan net.Conn), closed: make(chan struct{})}
}

func (l *pipeListener) Accept() (net.Conn, error) {
	select {
	case c := <-l.conns:
		return c, nil
	case <-l.closed:
		return nil, net.ErrClosed
	}
}

func (l *pipeListener) Close() error {
	l.once.Do(func() { close(l.closed) })
	return nil
}

func (l *pipeListener) Addr() net.Addr { return &net.TCPAddr{IP: net.IPv4(127, 0, 0, 1), Port: 80} }

// dial opens a client end.
func (l *pipeListener) dial(ctx context.Context, _, _ string) (net.Conn, error) {
	c, s := net.Pipe()
	select {
	case l.conns <- s:
		return c, nil
	case <-ctx.Done():
		return nil, ctx.Err()
	}
}

// pipeServer serves ws over pipes in the current bubble until the test
// ends; it returns how to dial it.
func pipeServer(t *testing.T, ws *transport.WebSocket) func() *websocket.Conn {
	t.Helper()
	ln := newPipeListener()
	srv := &http.Server{Handler: http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		ws.Serve(w, r, func(*transport.Conn) (transport.Session, error) { return idle{}, nil })
	})}
	served := make(chan struct{})
	go func() {
		defer close(served)
		_ = srv.Serve(ln)
	}()
	hc := &http.Client{Transport: &http.Transport{DialContext: ln.dial}}
	t.Cleanup(func() {
		require.NoError(t, ws.Close())
		_ = srv.Close()
		<-served
		hc.CloseIdleConnections()
	})
	return func() *websocket.Conn {
		c, _, err := websocket.Dial(t.Context(), "ws://example.test/", &websocket.DialOptions{HTTPClient: hc})
		require.NoError(t, err)
		return c
	}
}

// closedAt reads c until it is closed, and reports when and with what.
func closedAt(c *websocket.Conn, start time.Time, out chan<- [2]int64) {
	_, _, err := c.Read(context.Background())
	out <- [2]int64{int64(time.Since(start)), int64(websocket.CloseStatus(err))}
}

// Drain closes connections in batches spread evenly over the period, the
// last when it ends, with the code it is given; a connection opened during
// the drain is closed at once.
func TestDrainClosesInBatchesOverThePeriod(t *testing.T) {
	synctest.Test(t, func(t *testing.T) {
		ws := transport.NewWebSocket(&transport.WebSocketOptions{PingInterval: -1})
		dial := pipeServer(t, ws)
		const n = 4
		clients := make([]*websocket.Conn, n)
		for i := range clients {
			clients[i] = dial()
		}
		synctest.Wait()
		require.Equal(t, n, ws.Len())

		start := time.Now()
		closes := make(chan [2]int64, n+1)
		for _, c := range clients {
			go closedAt(c, start, closes)
		}
		drained := make(chan error)
		go func() {
			drained <- ws.Drain(t.Context(), time.Second, transport.CloseServiceRestart, "server restarting")
		}()

		time.Sleep(100 * time.Millisecond)
		late := dial() // during the drain
		go closedAt(late, start, closes)
		got := map[int64]int{}
		for range n + 1 {
			c := <-closes
			assert.Equal(t, int64(transport.CloseServiceRestart), c[1])
			got[c[0]]++
		}
		assert.Equal(t, map[int64]int{
			int64(100 * time.Millisecond): 1, // the late one, at once
			int64(250 * time.Millisecond): 1, int64(500 * time.Millisecond): 1,
			int64(750 * time.Millisecond): 1, int64(time.Second): 1,
		}, got, "4 batches of one over 1s")
		require.NoError(t, <-drained)
		assert.Equal(t, time.Second, time.Since(start), "Drain returns when the period has passed")
	})
}

// With more connections than 100 ms steps, batches hold several; with no
// period they all close together; with no connection Drain still waits the
// period (the balancer keeps sending new clients until it notices).
func TestDrainBatchSizes(t *testing.T) {
	for _, tc := range []struct {
		name   string
		conns  int
		period time.Duration
		want   map[int64]int // close time → connections
	}{
		{name: "several per batch", conns: 6, period: 300 * time.Millisecond,
			want: map[int64]int{int64(100 * time.Millisecond): 2, int64(200 * time.Millisecond): 2, int64(300 * time.Millisecond): 2}},
		{name: "no period", conns: 3, period: 0, want: map[int64]int{0: 3}},
		{name: "no connection", conns: 0, period: 500 * time.Millisecond, want: map[int64]int{}},
	} {
		t.Run(tc.name, func(t *testing.T) {
			synctest.Test(t, func(t *testing.T) {
				ws := transport.NewWebSocket(&transport.WebSocketOptions{PingInterval: -1})
				dial := pipeServer(t, ws)
				start := time.Now()
				closes := make(chan [2]int64, tc.conns)
				for range tc.conns {
					go closedAt(dial(), start, closes)
				}
				synctest.Wait()
				require.NoError(t, ws.Drain(t.Context(), tc.period, transport.CloseServiceRestart, ""))
				assert.Equal(t, tc.period, time.Since(start))
				got := map[int64]int{}
				for range tc.conns {
					got[(<-closes)[0]]++
				}
				assert.Equal(t, tc.want, got)
			})
		})
	}
}

// A context that ends during the drain closes the rest at once.
func TestDrainGivesUpWithItsContext(t *testing.T) {
	synctest.Test(t, func(t *testing.T) {
		ws := transport.NewWebSocket(&transport.WebSocketOptions{PingInterval: -1})
		dial := pipeServer(t, ws)
		start := time.Now()
		closes := make(chan [2]int64, 3)
		for range 3 {
			go closedAt(dial(), start, closes)
		}
		synctest.Wait()
		ctx, cancel := context.WithTimeout(t.Context(), 400*time.Millisecond)
		defer cancel()
		err := ws.Drain(ctx, 3*time.Second, transport.CloseServiceRestart, "")
		assert.True(t, errors.Is(err, context.DeadlineExceeded), "%v", err)
		got := map[int64]int{}
		for range 3 {
			got[(<-closes)[0]]++
		}
		assert.Equal(t, map[int64]int{int64(400 * time.Millisecond): 3}, got, "the first batch was due at 1s: all closed when the context ended")
		assert.NoError(t, ws.Drain(t.Context(), time.Second, 1000, ""), "a second Drain does nothing")
		assert.Equal(t, 400*time.Millisecond, time.Since(start))
	})
}

// Refused is told of the upgrades refused before open: a cross-origin
// one (403) and one after Shutdown (503).
func TestRefusedIsToldOfRefusedUpgrades(t *testing.T) {
	var mu sync.Mutex
	var statuses []int
	s := newServer(t, &transport.WebSocketOptions{Refused: func(_ *http.Request, status int) {
		mu.Lock()
		statuses = append(statuses, status)
		mu.Unlock()
	}})
	_, resp, err := s.dial(t, http.Header{"Origin": {"https://evil.example"}})
	require.Error(t, err)
	assert.Equal(t, http.StatusForbidden, resp.StatusCode)
	require.NoError(t, s.ws.Close())
	_, resp, err = s.dial(t, nil)
	require.Error(t, err)
	assert.Equal(t, http.StatusServiceUnavailable, resp.StatusCode)
	mu.Lock()
	defer mu.Unlock()
	assert.Equal(t, []int{http.StatusForbidden, http.StatusServiceUnavailable}, statuses)
}
