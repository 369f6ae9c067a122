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
		done <- serve.Run(ctx, srv, 5*time.Second, func(context.Context) error { shut.Add(1); return nil })
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
	err = serve.Run(context.Background(), &http.Server{Addr: ln.Addr().String()}, time.Second,
		func(context.Context) error { called = true; return nil })
	require.Error(t, err, "the address is taken")
	assert.False(t, called, "nothing is shut down when nothing was served")

	ctx, cancel := context.WithCancel(context.Background())
	cancel()
	boom := errors.New("boom")
	err = serve.Run(ctx, &http.Server{Addr: "127.0.0.1:0"}, time.Second, func(context.Context) error { return boom })
	assert.ErrorIs(t, err, boom)
}

func ExampleRun() {
	ctx, cancel := context.WithCancel(context.Background())
	cancel() // a server told to stop at once
	err := serve.Run(ctx, &http.Server{Addr: "127.0.0.1:0"}, time.Second, func(context.Context) error {
		fmt.Println("live connections closed")
		return nil
	})
	fmt.Println(err)
	// Output:
	// live connections closed
	// <nil>
}
