package livetemplate

import (
	"math"
	"net/http"
	"sync"
	"sync/atomic"
	"time"

	"github.com/lvtgo/livetemplate/auth"
	"github.com/lvtgo/livetemplate/diff"
	"github.com/lvtgo/livetemplate/transport"
)

// conn is the server side of one page: what its client holds, and how to
// reach it (a WebSocket, or polls over HTTP). The fields under "g.mu" are
// guarded by the group's mutex.
type conn struct {
	h       *handler
	g       *group
	id      auth.Identity
	token   string // secret: names the page; never logged
	logID   string // for logs
	req     *http.Request
	limiter *limiter

	attached  atomic.Bool  // a WebSocket serves the page now
	contacted atomic.Bool  // the page has joined or sent a message
	lastSeen  atomic.Int64 // unix nanoseconds of the last sign of life

	// g.mu:
	private    []Store    // by spec index; nil for shared specs
	last       *diff.Tree // the tree the client holds; nil before the first
	seq        uint64     // seq of the last message that changed last
	initial    *diff.Tree // the page render, reused when the client joins
	initialVer uint64     // the group version initial was rendered from
	ws         *transport.Conn
	polling    bool          // registered to be woken for HTTP polls
	notify     chan struct{} // signalled when the group changed (HTTP polls)
}

func (c *conn) touch() { c.lastSeen.Store(time.Now().UnixNano()) }

func (c *conn) seen() time.Time { return time.Unix(0, c.lastSeen.Load()) }

// wake tells a waiting HTTP poll that something changed. g.mu is held.
func (c *conn) wake() {
	if c.notify == nil {
		return
	}
	select {
	case c.notify <- struct{}{}:
	default:
	}
}

// limiter is a token bucket: rate tokens a second, at most burst.
type limiter struct {
	mu     sync.Mutex
	rate   float64
	burst  float64
	tokens float64
	last   time.Time
}

func newLimiter(rate float64, burst int) *limiter {
	if rate < 0 || burst < 0 {
		return &limiter{rate: math.Inf(1)}
	}
	return &limiter{rate: rate, burst: float64(burst), tokens: float64(burst)}
}

// allow takes one token if there is one.
func (l *limiter) allow(now time.Time) bool {
	if math.IsInf(l.rate, 1) {
		return true
	}
	l.mu.Lock()
	defer l.mu.Unlock()
	if !l.last.IsZero() {
		l.tokens = min(l.burst, l.tokens+now.Sub(l.last).Seconds()*l.rate)
	}
	l.last = now
	if l.tokens < 1 {
		return false
	}
	l.tokens--
	return true
}
