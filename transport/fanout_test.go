package transport_test

import (
	"context"
	"fmt"
	"log/slog"
	"net/http"
	"net/http/httptest"
	"slices"
	"sync"
	"sync/atomic"
	"testing"
	"time"

	"github.com/coder/websocket"
	"github.com/stretchr/testify/require"

	"github.com/lvtgo/livetemplate/transport"
)

// latest is a Session that writes the newest broadcast message once; the
// message slice is shared by every connection.
type latest struct {
	c    *transport.Conn
	cur  *atomic.Pointer[[]byte]
	sent *[]byte // only Next uses it: Next is never concurrent with itself
}

func (l *latest) Next() []byte {
	m := l.cur.Load()
	if m == nil || m == l.sent {
		return nil
	}
	l.sent = m
	return *m
}

func (l *latest) Handle(context.Context, []byte)   {}
func (l *latest) TooLarge(context.Context, []byte) {}
func (l *latest) Closed(error)                     {}

// BenchmarkFanOut measures one change sent to n connections: the time
// until every client has it, and the latency per client (p50, p99). The
// clients run in this process, so they compete with the server for CPU.
func BenchmarkFanOut(b *testing.B) {
	for _, n := range []int{100, 1000} {
		b.Run(fmt.Sprint(n), func(b *testing.B) { benchmarkFanOut(b, n) })
	}
}

func benchmarkFanOut(b *testing.B, n int) {
	var cur atomic.Pointer[[]byte]
	var mu sync.Mutex
	var sessions []*latest
	ws := transport.NewWebSocket(&transport.WebSocketOptions{Logger: slog.New(slog.DiscardHandler)})
	srv := httptest.NewServer(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		ws.Serve(w, r, func(c *transport.Conn) (transport.Session, error) {
			s := &latest{c: c, cur: &cur}
			mu.Lock()
			sessions = append(sessions, s)
			mu.Unlock()
			return s, nil
		})
	}))
	b.Cleanup(srv.Close)
	b.Cleanup(func() { _ = ws.Close() })

	recv := make(chan time.Time, n)
	var wg sync.WaitGroup
	b.Cleanup(wg.Wait)
	for range n {
		c, _, err := websocket.Dial(b.Context(), srv.URL, &websocket.DialOptions{HTTPClient: srv.Client()})
		require.NoError(b, err)
		b.Cleanup(func() { _ = c.CloseNow() })
		wg.Go(func() {
			for {
				if _, _, err := c.Read(context.Background()); err != nil {
					return
				}
				recv <- time.Now()
			}
		})
	}
	require.Eventually(b, func() bool { return ws.Len() == n }, wait, time.Millisecond)

	payload := make([]byte, 200)
	var lat []time.Duration
	b.ReportAllocs()
	for i := 0; b.Loop(); i++ {
		msg := append(fmt.Appendf(nil, `{"t":"patch","seq":%d,"d":"`, i), payload...)
		msg = append(msg, `"}`...)
		start := time.Now()
		cur.Store(&msg)
		for _, s := range sessions {
			s.c.Wake()
		}
		for range n {
			select {
			case at := <-recv:
				lat = append(lat, at.Sub(start))
			case <-time.After(wait):
				b.Fatal("a client never got the change")
			}
		}
	}
	slices.Sort(lat)
	ms := func(q float64) float64 { return float64(lat[int(q*float64(len(lat)-1))]) / 1e6 }
	b.ReportMetric(ms(0.5), "p50-ms")
	b.ReportMetric(ms(0.99), "p99-ms")
	b.ReportMetric(ms(1), "max-ms")
}
