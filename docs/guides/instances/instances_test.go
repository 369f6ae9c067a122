package instances

import (
	"context"
	"log/slog"
	"net"
	"net/http"
	"net/http/httputil"
	"net/url"
	"testing"
	"time"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"
	"go.uber.org/goleak"

	"github.com/lvtgo/livetemplate/internal/testutil"
	"github.com/lvtgo/livetemplate/livetest"
)

func TestMain(m *testing.M) { goleak.VerifyTestMain(m) }

// Two instances run by run, one Redis, no sticky sessions: a browser whose
// requests land on either sees one count. Each instance is reached through
// a proxy of its own that keeps Host (httputil.ReverseProxy) and is no
// trusted proxy: its X-Forwarded-For is ignored.
func TestTwoInstances(t *testing.T) {
	t.Setenv("LIVETEMPLATE_SECRET", "0123456789abcdef0123456789abcdef")
	rdb := testutil.StartRedis(t)
	instance := func() *livetest.Server {
		ln, err := net.Listen("tcp", "127.0.0.1:0")
		require.NoError(t, err)
		addr := ln.Addr().String()
		require.NoError(t, ln.Close()) // run listens on it again
		ctx, cancel := context.WithCancel(t.Context())
		done := make(chan error, 1)
		go func() { done <- run(ctx, addr, rdb.URL(), slog.New(slog.DiscardHandler)) }()
		t.Cleanup(func() {
			cancel()
			assert.NoError(t, <-done)
		})
		require.Eventually(t, func() bool {
			res, err := http.Get("http://" + addr + "/")
			if err == nil {
				res.Body.Close()
			}
			return err == nil
		}, 5*time.Second, 10*time.Millisecond)
		u, err := url.Parse("http://" + addr)
		require.NoError(t, err)
		return livetest.Start(t, httputil.NewSingleHostReverseProxy(u)) // a proxy that keeps Host
	}
	a, b := instance(), instance()
	onA := a.Open("/")
	onB := b.NewBrowser(&livetest.BrowserOptions{Cookies: onA.Browser().Cookies()}).Open("/")

	require.NoError(t, onA.Click("#inc"))
	require.NoError(t, onB.WaitText("#n", "1", 2*time.Second))
	require.NoError(t, onB.Click("#inc"))
	require.NoError(t, onA.WaitText("#n", "2", 2*time.Second))
	assert.Equal(t, "0", b.Open("/").Text("#n"), "another browser")
}
