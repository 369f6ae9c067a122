package transport

import (
	"bufio"
	"context"
	"errors"
	"log/slog"
	"net"
	"net/http"
	"path"
	"strings"
	"sync"
	"time"

	"github.com/coder/websocket"
)

// Session receives what one client connection sends. The facade implements
// it; [WebSocket.Serve] gets one from its open callback per connection.
//
// All three methods are called from the connection's read loop, one at a
// time, so a Session needs no locking of its own for them. While Handle or
// TooLarge runs no further message is read, so they should return promptly
// (keepalive pings are not judged while they run).
type Session interface {
	// Handle is called for each complete text message, one at a time, in
	// order. msg belongs to the Session (it may keep it). ctx is the
	// connection's context ([Conn.Context]): derived from the WebSocket's
	// lifetime, not from the HTTP request, and cancelled when the connection
	// ends.
	Handle(ctx context.Context, msg []byte)
	// TooLarge is called instead of Handle for a message longer than
	// ReadLimit. prefix is its first ReadLimit bytes (the rest was read and
	// discarded), so the Session can still find the action's ref and answer.
	// The connection stays open. A message longer than HardLimit closes the
	// connection with status 1009 (message too big) instead.
	TooLarge(ctx context.Context, prefix []byte)
	// Closed is called exactly once, after the connection has ended and its
	// writer has stopped. err says why: nil for a clean close by either side
	// or a shutdown, [ErrSlowConsumer], or a read, write or ping failure.
	Closed(err error)
}

// WebSocketOptions tunes a [WebSocket]. The zero value (or nil) gives the
// defaults documented on each field.
type WebSocketOptions struct {
	// OriginPatterns lists extra origins allowed to upgrade, as host
	// patterns matched with path.Match ("example.com", "*.example.com", or
	// "https://example.com" to match the scheme too). Same-origin upgrades
	// are always allowed. Malformed patterns are logged and ignored.
	OriginPatterns []string
	// InsecureSkipOriginCheck accepts upgrades from any origin, which lets
	// any web page drive a connection with the visitor's cookies.
	InsecureSkipOriginCheck bool
	// ReadLimit is the longest message handed to Session.Handle; longer ones
	// go to Session.TooLarge. Default 64 KiB.
	ReadLimit int64
	// HardLimit is the longest message read at all; a longer one closes the
	// connection with status 1009. Default 1 MiB, and never below ReadLimit.
	HardLimit int64
	// PingInterval is the keepalive ping period; a pong missing for
	// WriteTimeout drops the connection. Default 30s; negative disables.
	PingInterval time.Duration
	// WriteTimeout bounds each message write and each ping's round trip, and
	// the flush of queued messages when closing. Default 10s.
	WriteTimeout time.Duration
	// SendQueue is how many messages may wait for the writer before the
	// connection is dropped as a slow consumer. Default 64.
	SendQueue int
	// Logger receives connection events. Default slog.Default().
	Logger *slog.Logger
}

// Defaults of WebSocketOptions.
const (
	defaultReadLimit    = 64 << 10
	defaultHardLimit    = 1 << 20
	defaultPingInterval = 30 * time.Second
	defaultWriteTimeout = 10 * time.Second
	defaultSendQueue    = 64
	// closeTimeout bounds WebSocket.Close.
	closeTimeout = 5 * time.Second
	// Close reasons sent by the transport itself.
	reasonShutdown = "server shutting down"
	reasonSlow     = "slow consumer"
	reasonBinary   = "binary messages are not supported"
	reasonInternal = "internal error"
)

// WebSocket upgrades requests and runs their connections: one read loop in
// the Serve call, one writer goroutine and one pinger per connection, all
// stopped by [WebSocket.Shutdown]. It is safe for concurrent use.
type WebSocket struct {
	readLimit    int64
	hardLimit    int64
	pingInterval time.Duration
	writeTimeout time.Duration
	sendQueue    int
	accept       websocket.AcceptOptions
	log          *slog.Logger

	ctx    context.Context // lifetime: parent of every Conn's context
	cancel context.CancelFunc

	mu     sync.Mutex
	conns  map[*Conn]struct{}
	active int           // Serve calls admitted and not yet returned
	closed bool          // Shutdown was called
	idle   chan struct{} // closed once closed && active == 0
}

// NewWebSocket returns a WebSocket with opts applied; nil means all
// defaults (see [WebSocketOptions]). It starts no goroutine; its lifetime
// context ends in [WebSocket.Shutdown].
func NewWebSocket(opts *WebSocketOptions) *WebSocket {
	var o WebSocketOptions
	if opts != nil {
		o = *opts
	}
	ws := &WebSocket{
		readLimit:    o.ReadLimit,
		hardLimit:    o.HardLimit,
		pingInterval: o.PingInterval,
		writeTimeout: o.WriteTimeout,
		sendQueue:    o.SendQueue,
		log:          o.Logger,
		conns:        make(map[*Conn]struct{}),
		idle:         make(chan struct{}),
	}
	if ws.readLimit <= 0 {
		ws.readLimit = defaultReadLimit
	}
	if ws.hardLimit <= 0 {
		ws.hardLimit = defaultHardLimit
	}
	ws.hardLimit = max(ws.hardLimit, ws.readLimit)
	if ws.pingInterval == 0 {
		ws.pingInterval = defaultPingInterval
	}
	if ws.writeTimeout <= 0 {
		ws.writeTimeout = defaultWriteTimeout
	}
	if ws.sendQueue <= 0 {
		ws.sendQueue = defaultSendQueue
	}
	if ws.log == nil {
		ws.log = slog.Default()
	}
	ws.accept = websocket.AcceptOptions{
		InsecureSkipVerify: o.InsecureSkipOriginCheck,
		CompressionMode:    websocket.CompressionDisabled,
	}
	for _, p := range o.OriginPatterns {
		// Accept reports a bad pattern through the global logger on every
		// request; check once here and keep only good ones (fail closed).
		if _, err := path.Match(p, ""); err != nil {
			ws.log.Error("transport: ignoring malformed origin pattern", "pattern", p, "err", err)
			continue
		}
		ws.accept.OriginPatterns = append(ws.accept.OriginPatterns, p)
	}
	ws.ctx, ws.cancel = context.WithCancel(context.Background())
	return ws
}

// IsUpgrade reports whether r asks for a WebSocket upgrade: its Connection
// header lists "upgrade" and its Upgrade header lists "websocket" (both
// case-insensitive).
func IsUpgrade(r *http.Request) bool {
	return hasToken(r.Header, "Connection", "upgrade") && hasToken(r.Header, "Upgrade", "websocket")
}

// hasToken reports whether the comma-separated values of header key contain
// token, ignoring case.
func hasToken(h http.Header, key, token string) bool {
	for _, v := range h.Values(key) {
		for t := range strings.SplitSeq(v, ",") {
			if strings.EqualFold(strings.TrimSpace(t), token) {
				return true
			}
		}
	}
	return false
}

// Serve upgrades r and runs the connection until it ends; call it from an
// http.Handler. A cross-origin upgrade gets 403 and a request arriving after
// Shutdown gets 503; open is not called then. Otherwise open is called with
// the new [Conn] (which can already Send), and the returned Session receives
// the client's messages from this goroutine until the connection ends, then
// Closed. If open returns an error, the connection is closed with status
// 1008 (policy violation) and the error's message as reason, or with the
// code and reason of a [*CloseError]; the message must be safe for the
// client. Serve returns once the connection's goroutines have stopped.
func (ws *WebSocket) Serve(w http.ResponseWriter, r *http.Request, open func(c *Conn) (Session, error)) {
	if !ws.enter() {
		http.Error(w, "service unavailable: shutting down", http.StatusServiceUnavailable)
		return
	}
	defer ws.leave()

	rec := &hijackRecorder{ResponseWriter: w}
	wsc, err := websocket.Accept(rec, r, &ws.accept)
	if err != nil {
		// Accept has written the response (403 for a foreign origin).
		ws.log.Debug("transport: upgrade refused", "err", err)
		return
	}
	c := ws.newConn(wsc, rec.conn)
	shutting := ws.register(c)
	defer ws.unregister(c)
	c.start()
	c.log.Debug("transport: connection opened")

	var sess Session
	var readErr error
	finished := false
	defer func() {
		if !finished {
			readErr = errPanic // open or the Session panicked; let it propagate
		}
		cause := c.end(readErr)
		c.log.Debug("transport: connection ended", "err", cause)
		if sess != nil {
			sess.Closed(cause)
		}
	}()

	if shutting {
		c.closeWith(websocket.StatusGoingAway, reasonShutdown, false, nil)
	} else {
		sess = c.open(open)
	}
	readErr = c.readLoop(sess)
	finished = true
}

// Shutdown stops accepting upgrades (they get 503), closes every connection
// with status 1001 (going away) after flushing its queued messages, and
// waits until all their goroutines have stopped and every Session.Closed has
// returned. If ctx ends first, it cancels every connection's context,
// closes the remaining network connections at once, and returns ctx.Err()
// without waiting further. Shutdown is idempotent and safe for concurrent
// use; http.Server.Shutdown does not close hijacked connections, so call
// this too.
func (ws *WebSocket) Shutdown(ctx context.Context) error {
	ws.mu.Lock()
	if !ws.closed {
		ws.closed = true
		if ws.active == 0 {
			close(ws.idle)
		}
	}
	conns := make([]*Conn, 0, len(ws.conns))
	for c := range ws.conns {
		conns = append(conns, c)
	}
	ws.mu.Unlock()

	for _, c := range conns {
		c.closeWith(websocket.StatusGoingAway, reasonShutdown, true, nil)
	}
	select {
	case <-ws.idle:
		ws.cancel()
		return nil
	case <-ctx.Done():
	}
	ws.cancel()
	ws.mu.Lock()
	for c := range ws.conns {
		c.abort(nil)
	}
	ws.mu.Unlock()
	return ctx.Err()
}

// Close is Shutdown bounded by a short internal timeout (5s). It is
// idempotent and returns Shutdown's error.
func (ws *WebSocket) Close() error {
	ctx, cancel := context.WithTimeout(context.Background(), closeTimeout)
	defer cancel()
	return ws.Shutdown(ctx)
}

// Len returns the number of open connections. It is safe for concurrent use.
func (ws *WebSocket) Len() int {
	ws.mu.Lock()
	defer ws.mu.Unlock()
	return len(ws.conns)
}

// enter admits a Serve call unless Shutdown has begun.
func (ws *WebSocket) enter() bool {
	ws.mu.Lock()
	defer ws.mu.Unlock()
	if ws.closed {
		return false
	}
	ws.active++
	return true
}

// leave ends a Serve call admitted by enter.
func (ws *WebSocket) leave() {
	ws.mu.Lock()
	defer ws.mu.Unlock()
	ws.active--
	if ws.closed && ws.active == 0 {
		close(ws.idle)
	}
}

// register tracks c and reports whether Shutdown has begun, in which case
// c must be closed rather than opened. Shutdown waits for c either way,
// because c's Serve call was admitted by enter.
func (ws *WebSocket) register(c *Conn) (shutting bool) {
	ws.mu.Lock()
	defer ws.mu.Unlock()
	ws.conns[c] = struct{}{}
	return ws.closed
}

func (ws *WebSocket) unregister(c *Conn) {
	ws.mu.Lock()
	defer ws.mu.Unlock()
	delete(ws.conns, c)
}

// hijackRecorder keeps the network connection that Accept hijacks, so that
// the transport can always cut it: coder/websocket's CloseNow does nothing
// while a close handshake is already running.
type hijackRecorder struct {
	http.ResponseWriter
	conn net.Conn
}

// Hijack implements http.Hijacker for websocket.Accept.
func (h *hijackRecorder) Hijack() (net.Conn, *bufio.ReadWriter, error) {
	nc, brw, err := http.NewResponseController(h.ResponseWriter).Hijack()
	if err != nil {
		return nil, nil, err
	}
	h.conn = nc
	return nc, brw, nil
}

// Unwrap lets http.ResponseController reach the underlying writer.
func (h *hijackRecorder) Unwrap() http.ResponseWriter { return h.ResponseWriter }

// closeCode maps open's error to a close status and a reason.
func closeCode(err error) (websocket.StatusCode, string) {
	var ce *CloseError
	if errors.As(err, &ce) {
		return websocket.StatusCode(ce.Code), ce.Reason
	}
	return websocket.StatusPolicyViolation, err.Error()
}
