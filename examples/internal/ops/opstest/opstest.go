package opstest

import (
	"context"
	"encoding/json"
	"flag"
	"io"
	"log/slog"
	"net"
	"net/http"
	"strings"
	"testing"
	"time"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"

	"github.com/lvtgo/livetemplate/examples/internal/ops"
	"github.com/lvtgo/livetemplate/internal/testutil"
)

// Case is an example to check.
type Case struct {
	// Run is the example's run: it serves on addr until ctx ends.
	Run func(ctx context.Context, addr string, of *ops.Flags, logger *slog.Logger) error
	// Path is a page of the example that a GET without credentials gets
	// with 200.
	Path string
	// Live says that Path is a live page, so that /metrics counts its load.
	Live bool
}

// Run starts c.Run on free ports with -ops-addr, -drain 1s and
// -log-format json, and checks that: /healthz and /readyz answer 200; a
// GET of c.Path is served, and /metrics then counts it (if c.Live); once
// the context ends, /readyz answers 503 while the app drains; Run returns
// nil, and so stops the operations server; and every log line is a JSON
// object.
func Run(t *testing.T, c Case) {
	t.Helper()
	addr, opsAddr := freeAddr(t), freeAddr(t)
	fs := flag.NewFlagSet("example", flag.ContinueOnError)
	of := ops.Register(fs)
	require.NoError(t, fs.Parse([]string{"-ops-addr", opsAddr, "-drain", "1s", "-log-format", "json"}))
	var logs testutil.Logs
	logger, err := of.Logger(&logs)
	require.NoError(t, err)

	ctx, cancel := context.WithCancel(t.Context())
	defer cancel()
	done := make(chan error, 1)
	go func() { done <- c.Run(ctx, addr, of, logger) }()

	ops := "http://" + opsAddr
	require.Eventually(t, func() bool { return status(ops+"/healthz") == http.StatusOK }, 10*time.Second, 10*time.Millisecond, "the operations server answers")
	require.Eventually(t, func() bool { return status("http://"+addr+c.Path) == http.StatusOK }, 10*time.Second, 10*time.Millisecond, "the example serves %s", c.Path)
	assert.Equal(t, http.StatusOK, status(ops+"/readyz"))
	metrics := body(t, ops+"/metrics")
	assert.Contains(t, metrics, "# TYPE livetemplate_connections gauge\n")
	if c.Live {
		assert.Contains(t, metrics, `livetemplate_page_loads_total{outcome="ok"} 1`+"\n")
	}

	cancel()
	require.Eventually(t, func() bool { return status(ops+"/readyz") == http.StatusServiceUnavailable }, 900*time.Millisecond, 10*time.Millisecond,
		"/readyz fails during the drain")
	assert.Equal(t, http.StatusOK, status(ops+"/healthz"), "the process still serves")
	select {
	case err := <-done:
		require.NoError(t, err)
	case <-time.After(15 * time.Second):
		t.Fatal("run did not return")
	}
	assert.Zero(t, status(ops+"/healthz"), "the operations server stopped with the app")
	for line := range strings.Lines(logs.String()) {
		assert.True(t, json.Valid([]byte(line)), "a log line that is not JSON: %s", line)
	}
}

// freeAddr returns a loopback address with a port free right now.
func freeAddr(t *testing.T) string {
	t.Helper()
	ln, err := net.Listen("tcp", "127.0.0.1:0")
	require.NoError(t, err)
	addr := ln.Addr().String()
	require.NoError(t, ln.Close())
	return addr
}

var client = &http.Client{Timeout: 5 * time.Second, Transport: &http.Transport{DisableKeepAlives: true}}

// status returns the status of a GET of url, or 0 when it failed.
func status(url string) int {
	resp, err := client.Get(url)
	if err != nil {
		return 0
	}
	_, _ = io.Copy(io.Discard, resp.Body)
	_ = resp.Body.Close()
	return resp.StatusCode
}

func body(t *testing.T, url string) string {
	t.Helper()
	resp, err := client.Get(url)
	require.NoError(t, err)
	defer resp.Body.Close()
	b, err := io.ReadAll(resp.Body)
	require.NoError(t, err)
	return string(b)
}
