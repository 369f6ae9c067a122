package serve

import (
	"errors"
	"fmt"
	"net"
	"os"
	"testing"
	"time"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"
	"go.uber.org/goleak"

	"github.com/lvtgo/livetemplate"
)

func TestMain(m *testing.M) { goleak.VerifyTestMain(m) }

type nop struct{}

func (*nop) Change(*livetemplate.ActionContext) error { return nil }

func TestRunReportsListenErrors(t *testing.T) {
	h := livetemplate.Must(livetemplate.New("p", livetemplate.WithText("<body></body>"))).Handle(&nop{})
	defer h.Close()
	err := Run("127.0.0.1:-1", h)
	require.Error(t, err)
}

// A request whose body trickles in is cut off by ReadTimeout instead of
// holding a connection for as long as the client likes.
func TestSlowBodiesAreCut(t *testing.T) {
	h := livetemplate.Must(livetemplate.New("p", livetemplate.WithText("<body></body>"))).Handle(&nop{})
	defer h.Close()
	srv := NewServer("127.0.0.1:0", h)
	srv.ReadTimeout = 300 * time.Millisecond
	ln, err := net.Listen("tcp", "127.0.0.1:0")
	require.NoError(t, err)
	done := make(chan error, 1)
	go func() { done <- srv.Serve(ln) }()
	defer func() {
		require.NoError(t, srv.Close())
		<-done
	}()
	c, err := net.Dial("tcp", ln.Addr().String())
	require.NoError(t, err)
	defer c.Close()
	_, err = fmt.Fprintf(c, "POST / HTTP/1.1\r\nHost: x\r\nContent-Type: application/json\r\nContent-Length: 100\r\n\r\n{")
	require.NoError(t, err)
	start := time.Now()
	closed := false
	for range 20 { // a byte every 100 ms would take 10 s
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
	assert.True(t, closed, "the slow body was cut off (after %v)", time.Since(start))
	assert.Greater(t, NewServer("", h).ReadHeaderTimeout, time.Duration(0))
	assert.Greater(t, NewServer("", h).IdleTimeout, time.Duration(0))
}

func TestPortOf(t *testing.T) {
	assert.Equal(t, ":8080", portOf(":8080"))
	assert.Equal(t, ":9", portOf("127.0.0.1:9"))
	assert.Equal(t, "", portOf("nohost"))
}
