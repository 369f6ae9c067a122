package widgets_test

import (
	"net"
	"net/http/httptest"
	"sync"
	"sync/atomic"
	"testing"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"

	"github.com/lvtgo/livetemplate"
	"github.com/lvtgo/livetemplate/e2e/internal/browsertest"
	"github.com/lvtgo/livetemplate/livetest"
)

// blackhole is a TCP proxy whose connections can be frozen: a frozen
// connection stays open but carries nothing more, either way, like a
// socket that died while a laptop slept. New connections work.
type blackhole struct {
	ln      net.Listener
	backend string
	wg      sync.WaitGroup

	mu    sync.Mutex
	conns []*frozenConn
}

type frozenConn struct {
	a, b   net.Conn
	frozen atomic.Bool
}

func newBlackhole(t *testing.T, backend string) *blackhole {
	t.Helper()
	ln, err := net.Listen("tcp", "127.0.0.1:0")
	require.NoError(t, err)
	h := &blackhole{ln: ln, backend: backend}
	h.wg.Go(h.accept)
	t.Cleanup(func() {
		_ = ln.Close()
		h.mu.Lock()
		for _, c := range h.conns {
			_ = c.a.Close()
			_ = c.b.Close()
		}
		h.mu.Unlock()
		h.wg.Wait()
	})
	return h
}

func (h *blackhole) accept() {
	for {
		a, err := h.ln.Accept()
		if err != nil {
			return
		}
		b, err := net.Dial("tcp", h.backend)
		if err != nil {
			_ = a.Close()
			continue
		}
		c := &frozenConn{a: a, b: b}
		h.mu.Lock()
		h.conns = append(h.conns, c)
		h.mu.Unlock()
		h.wg.Go(func() { c.pipe(a, b) })
		h.wg.Go(func() { c.pipe(b, a) })
	}
}

// pipe copies from src to dst until either ends; frozen, what it reads is
// dropped.
func (c *frozenConn) pipe(dst, src net.Conn) {
	defer func() { _ = dst.Close(); _ = src.Close() }()
	buf := make([]byte, 32<<10)
	for {
		n, err := src.Read(buf)
		if n > 0 && !c.frozen.Load() {
			if _, werr := dst.Write(buf[:n]); werr != nil {
				return
			}
		}
		if err != nil { // io.EOF or a closed connection
			return
		}
	}
}

// freeze freezes every connection open now.
func (h *blackhole) freeze() {
	h.mu.Lock()
	defer h.mu.Unlock()
	for _, c := range h.conns {
		c.frozen.Store(true)
	}
}

func TestE2EWakingUpReplacesASocketThatDiedUnseen(t *testing.T) {
	tmpl, err := livetemplate.New("page", livetemplate.WithText(page))
	require.NoError(t, err)
	srv := httptest.NewServer(livetest.App(t).Handle(tmpl, &Board{}))
	t.Cleanup(srv.Close)
	proxy := newBlackhole(t, srv.Listener.Addr().String())

	tab := browsertest.New(t).Tab(t)
	tab.OnNewDocument(visibility)
	open(tab, "http://"+proxy.ln.Addr().String()+"/")
	tab.Click("#menu-btn")
	tab.Click("#inc")
	tab.WaitTextIs("#count", "1")

	// Hidden, its socket dies without a word (nothing closes it).
	browsertest.Eval[bool](tab, "(window.setVisible(false), true)")
	proxy.freeze()
	browsertest.Eval[bool](tab, "(window.connectedAt = 0, window.setVisible(true), true)")
	tab.WaitJS(`() => window.connectedAt > 0`)
	ms := browsertest.Eval[float64](tab, "window.connectedAt - window.wokeAt")
	t.Logf("from visibilitychange to a working page when the socket had died unseen: %.0f ms (the ping's deadline is 1 s)", ms)
	assert.GreaterOrEqual(t, ms, 1000.0, "it waited for the pong")
	assert.Less(t, ms, 2000.0, "then reconnected at once")
	tab.Click("#menu-btn")
	tab.Click("#inc")
	tab.WaitTextIs("#count", "2")
}
