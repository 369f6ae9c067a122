package transport

import (
	"bufio"
	"bytes"
	"context"
	"errors"
	"io"
	"log/slog"
	"net"
	"net/http"
	"runtime/debug"
	"strings"
	"sync"
	"time"

	"github.com/coder/websocket"
)

// Session is one connection's side of the application: the facade
// implements it, and [WebSocket.Serve] gets one from its open callback per
// connection. The transport reads messages into Handle and TooLarge, pulls
// the messages to write from Next, and reports the end to Closed.
//
// Handle, TooLarge and Closed are called from the connection's reader
// goroutine, one at a time. Next is called from the connection's writer, never
// concurrently with itself, but possibly concurrently with Handle or
// TooLarge.
type Session interface {
	// Handle is called for each complete text message, one at a time, in
	// order. msg belongs to the Session (it may keep it). ctx is the
	// connection's context ([Conn.Context]): derived from the WebSocket's
	// lifetime, not from the HTTP request, and cancelled when the
	// connection ends.
	//
	// Handle may block, for example while the Session has too much to
	// write: the writer keeps running meanwhile, and the connection simply
	// reads nothing more (the client then feels TCP backpressure;
	// keepalive pings are not judged meanwhile). It must return once ctx
	// is done.
	Handle(ctx context.Context, msg []byte)
	// TooLarge is called instead of Handle for a message longer than
	// ReadLimit. prefix is its first ReadLimit bytes (the rest was read and
	// discarded), so the Session can still find the action's ref and answer.
	// The connection stays open. A message longer than HardLimit closes the
	// connection with CloseTooBig instead.
	TooLarge(ctx context.Context, prefix []byte)
	// Next returns the next message to write, or nil when there is nothing
	// to write now. After [Conn.Wake], the transport's writer calls Next
	// repeatedly until it returns nil, writing each message as one text
	// message; so a Session that has fallen behind can return one message
	// that covers all it has to say (conflation) instead of queueing stale
	// ones. Next is never called before the open callback has returned,
	// never concurrently with itself, and must not block. The transport
	// neither modifies nor keeps the slice after writing it, so one slice
	// may be returned to many connections.
	Next() []byte
	// Closed is called exactly once, after the connection has ended and its
	// writer has stopped. err says why: nil for a clean close by either side
	// or a shutdown, [ErrStalled], or a read, write or ping failure.
	Closed(err error)
}

// WebSocketOptions tunes a [WebSocket]. The zero value (or nil) gives the
// defaults documented on each field.
type WebSocketOptions struct {
	// Origins lists the other origins allowed to open a connection (see
	// [ParseOrigins]); same-origin requests are always allowed. Default nil:
	// same origin only.
	Origins *Origins
	// InsecureSkipOriginCheck accepts upgrades from any origin, which lets
	// any web page drive a connection with the visitor's cookies.
	InsecureSkipOriginCheck bool
	// ReadLimit is the longest message handed to Session.Handle; longer ones
	// go to Session.TooLarge. Default 64 KiB.
	ReadLimit int64
	// HardLimit is the longest message read at all; a longer one closes the
	// connection with CloseTooBig. Default 1 MiB, and never below ReadLimit.
	HardLimit int64
	// PingInterval is the keepalive ping period; a pong missing for
	// WriteTimeout drops the connection. Default 30s; negative disables.
	PingInterval time.Duration
	// WriteTimeout bounds each message write: a client that does not take
	// a message within it has stalled and is dropped ([ErrStalled]). It
	// also bounds each ping's round trip, and the writing of what
	// Session.Next still returns when closing. Default 10s.
	WriteTimeout time.Duration
	// Logger receives connection events, one line per event (opened and
	// ended at Debug, stalled or no pong at Info), never message contents.
	// Default slog.Default().
	Logger *slog.Logger
	// Refused, if set, is told of every upgrade refused before open is
	// called, with the status it got: 403 for an origin that is not
	// allowed, 503 after Shutdown began. It runs on the handler's
	// goroutine and must not block.
	Refused func(r *http.Request, status int)
}

// Defaults of WebSocketOptions.
const (
	defaultReadLimit    = 64 << 10
	defaultHardLimit    = 1 << 20
	defaultPingInterval = 30 * time.Second
	defaultWriteTimeout = 10 * time.Second
	// closeTimeout bounds WebSocket.Close.
	closeTimeout = 5 * time.Second
	// Close reasons sent by the transport itself.
	reasonShutdown = "server shutting down"
	reasonBinary   = "binary messages are not supported"
	reasonInternal = "internal error"
)

// WebSocket upgrades requests and runs their connections: one reader
// goroutine each, plus a writer goroutine while a connection has something
// to write; [WebSocket.Shutdown] stops them all. It is safe for concurrent
// use.
type WebSocket struct {
	readLimit    int64
	hardLimit    int64
	pingInterval time.Duration
	writeTimeout time.Duration
	origins      *Origins
	anyOrigin    bool // InsecureSkipOriginCheck
	log          *slog.Logger
	refused      func(*http.Request, int)

	ctx    context.Context // lifetime: parent of every Conn's context
	cancel context.CancelFunc

	mu     sync.Mutex
	conns  map[*Conn]struct{}
	active int           // Serve calls admitted, until their reader has ended
	closed bool          // Shutdown was called
	idle   chan struct{} // closed once closed && active == 0
	drain  *closing      // set by Drain: how new connections are closed
}

// closing is how Drain closes connections.
type closing struct {
	code   websocket.StatusCode
	reason string
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
		origins:      o.Origins,
		anyOrigin:    o.InsecureSkipOriginCheck,
		log:          o.Logger,
		refused:      o.Refused,
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
	if ws.log == nil {
		ws.log = slog.Default()
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

// Serve upgrades r, calls open, and returns; call it from an
// http.Handler. The connection then runs on its own goroutine, its reader,
// owned by the WebSocket ([WebSocket.Shutdown] waits for it), so that the
// handler's goroutine and net/http's buffers are not kept for the
// connection's lifetime.
//
// An upgrade from an origin that Origins does not allow gets 403 and a
// request arriving after Shutdown gets 503; open is not called then.
// Otherwise open is called, on the caller's goroutine while r is still
// live, with the new [Conn], and the returned Session receives the
// client's messages on the reader until the connection ends, then Closed.
// open may call [Conn.Wake] (the writer starts when open has returned) and
// [Conn.Close]. If open returns an error, the connection is closed with
// [ClosePolicy] and the error's message as reason, or with the code and
// reason of a [*CloseError]; the message must be safe for the client. (To
// send messages before refusing, return a Session and call Wake and Close
// before returning.)
//
// A panic in open propagates to the caller after the connection has been
// cut. A panic in a Session method is recovered and logged, and ends the
// connection (Closed receives an error).
func (ws *WebSocket) Serve(w http.ResponseWriter, r *http.Request, open func(c *Conn) (Session, error)) {
	if !ws.enter() {
		ws.refuse(r, http.StatusServiceUnavailable)
		http.Error(w, "service unavailable: shutting down", http.StatusServiceUnavailable)
		return
	}
	running := false
	defer func() {
		if !running {
			ws.leave()
		}
	}()

	if !ws.anyOrigin && !ws.origins.Allowed(r) {
		ws.refuse(r, http.StatusForbidden)
		http.Error(w, "forbidden: cross-origin upgrade", http.StatusForbidden)
		ws.log.Debug("transport: cross-origin upgrade refused")
		return
	}
	rec := &hijackRecorder{ResponseWriter: w}
	wsc, err := websocket.Accept(rec, r, &websocket.AcceptOptions{
		InsecureSkipVerify: true, // checked above, with the same rules as HTTP
		CompressionMode:    websocket.CompressionDisabled,
	})
	if err != nil {
		// Accept has written the response.
		ws.log.Debug("transport: upgrade refused", "err", err)
		return
	}
	c := ws.newConn(wsc, rec.conn)
	shut := ws.register(c)
	c.start()
	c.ws.log.Debug("transport: connection opened", "conn", c.id)
	defer func() {
		if !running { // open panicked
			c.ws.log.Debug("transport: connection ended", "conn", c.id, "err", c.end(errPanic))
			ws.unregister(c)
		}
	}()

	var sess Session
	if shut != nil {
		c.closeWith(shut.code, shut.reason, false, nil)
		c.opened(nil)
	} else {
		sess = c.open(open)
	}
	running = true
	go ws.run(c, sess) // owned: Shutdown waits until run has called leave
}

// run is a connection's reader goroutine: the read loop, then the end.
func (ws *WebSocket) run(c *Conn, s Session) {
	defer ws.leave()
	defer ws.unregister(c)
	var readErr error
	c.recovering(func() { readErr = c.readLoop(s) }, func() { readErr = errPanic })
	cause := c.end(readErr)
	c.ws.log.Debug("transport: connection ended", "conn", c.id, "err", cause)
	if s != nil {
		c.recovering(func() { s.Closed(cause) }, nil)
	}
}

// recovering runs f; if a Session method called by f panics, it logs the
// panic with its stack and runs then (if not nil).
func (c *Conn) recovering(f, then func()) {
	defer func() {
		if p := recover(); p != nil {
			c.ws.log.Error("transport: session panicked", "conn", c.id, "panic", p, "stack", string(debug.Stack()))
			if then != nil {
				then()
			}
		}
	}()
	f()
}

// Shutdown stops accepting upgrades (they get 503), closes every connection
// with [CloseGoingAway] after writing what its Session.Next still returns
// (within WriteTimeout), and waits until all their goroutines have stopped
// and every Session.Closed has returned. If ctx ends first, it cancels every connection's context,
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

// drainStep is the shortest time between two batches of Drain.
const drainStep = 100 * time.Millisecond

// Drain closes every connection with status code and reason (after what
// its Session.Next still returns), in batches spread evenly over period:
// with n connections, in min(n, period/100ms) batches, the last when
// period ends, so that clients told to reconnect do not all come back at
// once. Connections upgraded meanwhile are closed at once with the same
// code, without calling open. Drain returns when period has passed (at
// once when it is 0 or less: every connection is closed together), or
// when ctx ends, after closing the rest at once, with ctx's error. It does
// not wait for the connections to end: Shutdown does. Drain does nothing
// after Drain or Shutdown has begun.
func (ws *WebSocket) Drain(ctx context.Context, period time.Duration, code int, reason string) error {
	ws.mu.Lock()
	if ws.closed || ws.drain != nil {
		ws.mu.Unlock()
		return nil
	}
	ws.drain = &closing{websocket.StatusCode(code), reason}
	conns := make([]*Conn, 0, len(ws.conns))
	for c := range ws.conns {
		conns = append(conns, c)
	}
	ws.mu.Unlock()

	start := time.Now()
	n := len(conns)
	batches := 1
	if period > 0 {
		batches = max(1, min(n, int(period/drainStep)))
	}
	var t *time.Timer
	for i := 1; i <= batches; i++ {
		if period > 0 {
			if wait := time.Until(start.Add(period * time.Duration(i) / time.Duration(batches))); wait > 0 {
				if t == nil {
					t = time.NewTimer(wait)
					defer t.Stop()
				} else {
					t.Reset(wait)
				}
				select {
				case <-t.C:
				case <-ctx.Done():
					for _, c := range conns[(i-1)*n/batches:] {
						c.closeWith(websocket.StatusCode(code), reason, true, nil)
					}
					return ctx.Err()
				}
			}
		}
		for _, c := range conns[(i-1)*n/batches : i*n/batches] {
			c.closeWith(websocket.StatusCode(code), reason, true, nil)
		}
	}
	return nil
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

// leave ends a Serve call admitted by enter: when Serve returns early, or
// when the connection's reader has ended.
func (ws *WebSocket) leave() {
	ws.mu.Lock()
	defer ws.mu.Unlock()
	ws.active--
	if ws.closed && ws.active == 0 {
		close(ws.idle)
	}
}

// register tracks c and returns how to close it instead of opening it
// once Drain or Shutdown has begun (nil before). Shutdown waits for c
// either way, because c's Serve call was admitted by enter (and leave
// waits for c's reader).
func (ws *WebSocket) register(c *Conn) *closing {
	ws.mu.Lock()
	defer ws.mu.Unlock()
	ws.conns[c] = struct{}{}
	if ws.closed {
		return &closing{websocket.StatusGoingAway, reasonShutdown}
	}
	return ws.drain
}

// refuse tells Refused of an upgrade refused with status.
func (ws *WebSocket) refuse(r *http.Request, status int) {
	if ws.refused != nil {
		ws.refused(r, status)
	}
}

func (ws *WebSocket) unregister(c *Conn) {
	ws.mu.Lock()
	defer ws.mu.Unlock()
	delete(ws.conns, c)
}

// hijackRecorder keeps the network connection that Accept hijacks, so that
// the transport can always cut it (coder/websocket's CloseNow does nothing
// while a close handshake is already running), and hands Accept smaller
// buffers than net/http's 4 KiB ones, which coder/websocket would keep for
// the connection's lifetime.
type hijackRecorder struct {
	http.ResponseWriter
	conn net.Conn
}

// Buffer sizes of a connection after the upgrade. coder/websocket writes a
// frame's header and payload into the writer and flushes once per message:
// a message up to writeBufferSize minus its header (2–10 bytes) leaves in
// one write, a longer one in two (the buffer, then the rest of the payload
// straight from the message). The reader holds what one read returns;
// client messages (actions) are small. With 10,000 idle connections every
// KiB here is 10 MiB: 512 bytes hold a typical patch (a counter's is under
// 100 bytes, one list item's a few hundred) in one write.
const (
	readBufferSize  = 512
	writeBufferSize = 512
)

// Hijack implements http.Hijacker for websocket.Accept. Bytes net/http has
// already read past the request are carried over into the new reader,
// where Accept looks for them.
func (h *hijackRecorder) Hijack() (net.Conn, *bufio.ReadWriter, error) {
	nc, brw, err := http.NewResponseController(h.ResponseWriter).Hijack()
	if err != nil {
		return nil, nil, err
	}
	h.conn = nc
	var br *bufio.Reader
	if n := brw.Reader.Buffered(); n == 0 {
		br = bufio.NewReaderSize(nc, readBufferSize)
	} else {
		early, _ := brw.Reader.Peek(n) // cannot fail: n bytes are buffered
		br = bufio.NewReaderSize(io.MultiReader(bytes.NewReader(early), nc), max(readBufferSize, n))
		if _, err := br.Peek(n); err != nil { // cannot fail: reads early only
			_ = nc.Close()
			return nil, nil, err
		}
	}
	return nc, bufio.NewReadWriter(br, bufio.NewWriterSize(nc, writeBufferSize)), nil
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
