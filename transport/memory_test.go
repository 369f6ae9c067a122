package transport_test

import (
	"bufio"
	"context"
	"fmt"
	"io"
	"log/slog"
	"net/http"
	"net/http/httptest"
	"os"
	"os/exec"
	"runtime"
	"runtime/pprof"
	"strconv"
	"testing"
	"time"

	"github.com/coder/websocket"
	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"

	"github.com/lvtgo/livetemplate/transport"
)

// Environment of the client process started by TestIdleConnectionCost.
const (
	envClientURL = "TRANSPORT_TEST_CLIENT_URL"
	envClientN   = "TRANSPORT_TEST_CLIENT_N"
)

// idle is a Session that never has anything to say.
type idle struct{}

func (idle) Handle(context.Context, []byte)   {}
func (idle) TooLarge(context.Context, []byte) {}
func (idle) Next() []byte                     { return nil }
func (idle) Closed(error)                     {}

// runClients is the client process: it opens the connections, prints
// "ready", keeps them (answering pings) until stdin ends, then exits.
func runClients(url string, n int) {
	ctx := context.Background()
	conns := make([]*websocket.Conn, 0, n)
	for range n {
		c, _, err := websocket.Dial(ctx, url, nil)
		if err != nil {
			fmt.Println("dial:", err)
			os.Exit(1)
		}
		c.SetReadLimit(-1)
		go func() {
			for {
				if _, _, err := c.Read(ctx); err != nil {
					return
				}
			}
		}()
		conns = append(conns, c)
	}
	fmt.Println("ready")
	_, _ = io.Copy(io.Discard, os.Stdin)
	for _, c := range conns {
		_ = c.CloseNow()
	}
	os.Exit(0)
}

// serverMemory returns the heap and stack in use after two collections.
func serverMemory() (heap, stack uint64, goroutines int) {
	runtime.GC()
	runtime.GC()
	var ms runtime.MemStats
	runtime.ReadMemStats(&ms)
	return ms.HeapInuse, ms.StackInuse, runtime.NumGoroutine()
}

// TestIdleConnectionCost measures what an idle connection costs the
// server: its clients live in another process, so everything measured here
// is the server's. It reports KiB per connection (run it without -race for
// real numbers; TRANSPORT_TEST_HEAPPROFILE=file writes a heap profile) and
// checks that an idle connection keeps a single goroutine, its reader.
func TestIdleConnectionCost(t *testing.T) {
	if testing.Short() {
		t.Skip("opens hundreds of connections")
	}
	const n = 500
	if os.Getenv("TRANSPORT_TEST_HEAPPROFILE") != "" {
		runtime.MemProfileRate = 1
	}
	ws := transport.NewWebSocket(&transport.WebSocketOptions{Logger: slog.New(slog.DiscardHandler)})
	srv := httptest.NewServer(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		ws.Serve(w, r, func(*transport.Conn) (transport.Session, error) { return idle{}, nil })
	}))
	t.Cleanup(srv.Close)
	t.Cleanup(func() { _ = ws.Close() })

	heap0, stack0, g0 := serverMemory()

	cmd := exec.Command(os.Args[0], "-test.run=^$")
	cmd.Env = append(os.Environ(), envClientURL+"="+srv.URL, envClientN+"="+strconv.Itoa(n))
	stdin, err := cmd.StdinPipe()
	require.NoError(t, err)
	stdout, err := cmd.StdoutPipe()
	require.NoError(t, err)
	cmd.Stderr = os.Stderr
	require.NoError(t, cmd.Start())
	t.Cleanup(func() {
		_ = stdin.Close()
		_ = cmd.Wait()
	})
	line, err := bufio.NewReader(stdout).ReadString('\n')
	require.NoError(t, err)
	require.Equal(t, "ready\n", line)
	require.Eventually(t, func() bool { return ws.Len() == n }, wait, time.Millisecond)
	// Let the handlers' goroutines return (each returns once its
	// connection has started); an idle connection then keeps its reader.
	// (Polled here: assert.Eventually runs goroutines of its own.)
	for start := time.Now(); runtime.NumGoroutine()-g0 > n && time.Since(start) < wait; {
		time.Sleep(time.Millisecond)
	}

	heap1, stack1, g1 := serverMemory()
	if f := os.Getenv("TRANSPORT_TEST_HEAPPROFILE"); f != "" {
		out, err := os.Create(f)
		require.NoError(t, err)
		require.NoError(t, pprof.WriteHeapProfile(out))
		require.NoError(t, out.Close())
	}
	perConn := func(a, b uint64) float64 { return (float64(b) - float64(a)) / n / 1024 }
	assert.Equal(t, n, g1-g0, "one goroutine (the reader) per idle connection")
	t.Logf("%d idle connections: %.1f KiB each (heap %.1f KiB, stacks %.1f KiB), %.2f goroutines each",
		n, perConn(heap0+stack0, heap1+stack1), perConn(heap0, heap1), perConn(stack0, stack1), float64(g1-g0)/n)
}
