package serve_test

import (
	"context"
	"errors"
	"fmt"
	"net"
	"net/http"
	"sync/atomic"
	"testing"
	"time"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"
	"go.uber.org/goleak"

	"github.com/lvtgo/livetemplate/internal/serve"
)

func TestMain(m *testing.M) { goleak.VerifyTestMain(m) }

func TestRunServesUntilTheContextEnds(t *testing.T) {
	var shut atomic.Int64
	ready := make(chan string, 1)
	srv := &http.Server{Addr: "127.0.0.1:0", Handler: http.HandlerFunc(func(w http.ResponseWriter, _ *http.Request) {
		_, _ = w.Write([]byte("ok"))
	})}
	srv.BaseContext = func(ln net.Listener) context.Context {
		ready <- ln.Addr().String()
		return context.Background()
	}
	ctx, cancel := context.WithCancel(context.Background())
	done := make(chan error, 1)
	go func() {
		done <- serve.Run(ctx, srv, 0, 5*time.Second, func(context.Context) error { shut.Add(1); return nil })
	}()
	addr := <-ready
	resp, err := http.Get("http://" + addr)
	require.NoError(t, err)
	resp.Body.Close()
	assert.Equal(t, http.StatusOK, resp.StatusCode)
	cancel()
	require.NoError(t, <-done)
	assert.EqualValues(t, 1, shut.Load(), "the shutdown ran with the server's")
}

func TestRunReturnsListenErrorsAndShutdownErrors(t *testing.T) {
	ln, err := net.Listen("tcp", "127.0.0.1:0")
	require.NoError(t, err)
	defer ln.Close()
	called := false
	err = serve.Run(context.Background(), &http.Server{Addr: ln.Addr().String()}, 0, time.Second,
		func(context.Context) error { called = true; return nil })
	require.Error(t, err, "the address is taken")
	assert.False(t, called, "nothing is shut down when nothing was served")

	ctx, cancel := context.WithCancel(context.Background())
	cancel()
	boom := errors.New("boom")
	err = serve.Run(ctx, &http.Server{Addr: "127.0.0.1:0"}, 0, time.Second, func(context.Context) error { return boom })
	assert.ErrorIs(t, err, boom)
}

// serveAsync runs Run with drain and shutdown until the test's cancel,
// returning the server's address and Run's result.
func serveAsync(t *testing.T, drain time.Duration, shutdown func(context.Context) error) (string, context.CancelFunc, <-chan error) {
	t.Helper()
	ready := make(chan string, 1)
	srv := &http.Server{Addr: "127.0.0.1:0", Handler: http.HandlerFunc(func(w http.ResponseWriter, _ *http.Request) {
		_, _ = w.Write([]byte("ok"))
	})}
	srv.BaseContext = func(ln net.Listener) context.Context {
		ready <- ln.Addr().String()
		return context.Background()
	}
	ctx, cancel := context.WithCancel(context.Background())
	done := make(chan error, 1)
	go func() { done <- serve.Run(ctx, srv, drain, 5*time.Second, shutdown) }()
	return <-ready, cancel, done
}

func get(addr string) error {
	c := &http.Client{Timeout: time.Second, Transport: &http.Transport{DisableKeepAlives: true}}
	resp, err := c.Get("http://" + addr)
	if err != nil {
		return err
	}
	return resp.Body.Close()
}

// While the apps drain the server goes on serving, and it shuts down as
// soon as they all stopped, without waiting for the rest of the drain.
func TestRunServesWhileTheAppsDrain(t *testing.T) {
	var addr string
	var during error
	addr, cancel, done := serveAsync(t, time.Minute, func(context.Context) error {
		during = get(addr)
		return nil
	})
	start := time.Now()
	cancel()
	require.NoError(t, <-done)
	assert.NoError(t, during, "a request during the drain is served")
	assert.Less(t, time.Since(start), 10*time.Second, "the server shut down once the app stopped, before the drain's end")
	assert.Error(t, get(addr), "the server is shut down")
}

// When the drain has passed the server shuts down, even if an app still
// has work to finish.
func TestRunShutsTheServerDownWhenTheDrainEnds(t *testing.T) {
	var addr string
	var refused atomic.Bool
	addr, cancel, done := serveAsync(t, 100*time.Millisecond, func(ctx context.Context) error {
		for ctx.Err() == nil && get(addr) == nil {
			time.Sleep(10 * time.Millisecond)
		}
		refused.Store(ctx.Err() == nil)
		return nil
	})
	cancel()
	require.NoError(t, <-done)
	assert.True(t, refused.Load(), "the server stopped taking requests while the app still shut down")
}

func ExampleRun() {
	ctx, cancel := context.WithCancel(context.Background())
	cancel() // a server told to stop at once
	err := serve.Run(ctx, &http.Server{Addr: "127.0.0.1:0"}, 0, time.Second, func(context.Context) error {
		fmt.Println("live connections closed")
		return nil
	})
	fmt.Println(err)
	// Output:
	// live connections closed
	// <nil>
}
