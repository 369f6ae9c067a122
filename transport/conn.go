package transport

import (
	"context"
	"crypto/rand"
	"encoding/hex"
	"errors"
	"fmt"
	"io"
	"net"
	"os"
	"runtime/debug"
	"sync"
	"sync/atomic"
	"time"
	"unicode/utf8"

	"github.com/coder/websocket"
)

// Conn is one WebSocket connection. Its [WebSocket] owns its goroutines:
// one reader for the connection's lifetime; a writer goroutine exists only
// while there is something to write (see [Conn.Wake]); a keepalive ping
// runs on a timer's goroutine and only while it waits for its pong.
//
// Wake, Close, Context and ID are safe for concurrent use and never block.
type Conn struct {
	ws     *WebSocket
	wsc    *websocket.Conn
	nc     net.Conn // the hijacked network connection, cut by abort
	id     string
	ctx    context.Context
	cancel context.CancelFunc
	wg     sync.WaitGroup // the writer and a ping in progress

	// pending is set by Wake and cleared by the writer before it asks
	// Session.Next, so a Wake that races with the writer's exit is seen.
	pending atomic.Bool
	// running is set while a writer runs or is being started. It stays set
	// once a writer has closed or cut the connection, so none starts again.
	running atomic.Bool
	// stopped mirrors closing, for the writer's loop.
	stopped atomic.Bool
	// reading is odd while open or a Session method called by the read
	// loop runs, writing while a data message is written: a ping is not
	// judged across either.
	reading atomic.Uint64
	writing atomic.Uint64

	mu      sync.Mutex // guards the fields below
	sess    Session    // the writer's Session, set when open returns
	ready   bool       // open has returned: a writer may start
	ended   bool       // end is waiting for the goroutines: none may start
	ping    *time.Timer
	closing bool
	code    websocket.StatusCode
	reason  string
	flush   bool
	cause   error // handed to Session.Closed
}

// maxReason is the longest close reason a close frame can carry.
const maxReason = 123

func (ws *WebSocket) newConn(wsc *websocket.Conn, nc net.Conn) *Conn {
	wsc.SetReadLimit(ws.hardLimit)
	id := newID()
	ctx, cancel := context.WithCancel(ws.ctx)
	return &Conn{
		ws:     ws,
		wsc:    wsc,
		nc:     nc,
		id:     id,
		ctx:    ctx,
		cancel: cancel,
	}
}

// newID returns 16 random hex digits.
func newID() string {
	var b [8]byte
	_, _ = rand.Read(b[:]) // never fails (crypto/rand)
	return hex.EncodeToString(b[:])
}

// ID returns a random identifier of the connection for logs. It is not a
// secret and not an authenticator.
func (c *Conn) ID() string { return c.id }

// Context returns the connection's context: a child of the WebSocket's
// lifetime context (not of the HTTP request), cancelled when the connection
// has ended or the WebSocket shuts down.
func (c *Conn) Context() context.Context { return c.ctx }

// Wake tells the connection that [Session.Next] has something to write. It
// never blocks and is safe for concurrent use: if no writer goroutine runs,
// Wake starts one, which calls Next and writes what it returns until Next
// returns nil, then exits; if one runs, Wake only makes sure it asks Next
// once more before exiting, so no Wake is lost. Calling Wake often is cheap.
//
// Wake may be called from the open callback of [WebSocket.Serve]; the
// writer then starts when open has returned the Session (Next is never
// called before). Once the connection is closing, the writer asks Next
// only while it flushes before the close handshake (see [Conn.Close]).
func (c *Conn) Wake() {
	if c.pending.Swap(true) {
		return // a writer has yet to clear it, or none may run now
	}
	if c.running.CompareAndSwap(false, true) {
		c.startWriter()
	}
}

// startWriter starts the writer; the caller has set running. Before open
// has returned it clears running again: opened re-checks pending.
func (c *Conn) startWriter() {
	c.mu.Lock()
	defer c.mu.Unlock()
	switch {
	case c.ended:
		// Leave running set: no writer may start any more.
	case !c.ready:
		c.running.Store(false)
	default:
		s := c.sess
		c.wg.Go(func() { c.writer(s) })
	}
}

// Close starts closing the connection with status code and reason and
// returns at once: the writer first writes what [Session.Next] still
// returns (for at most WriteTimeout), then runs the close handshake.
// Context is done when the connection has ended. code should be one of the
// Close constants or 4000–4999 (see [CloseError] for the rule); reason must
// be safe for the client and is cut to 123 bytes on a UTF-8 boundary. Close
// returns [ErrClosed] if the connection was already closing.
func (c *Conn) Close(code int, reason string) error {
	if !c.closeWith(websocket.StatusCode(code), reason, true, nil) {
		return ErrClosed
	}
	return nil
}

// closeWith starts closing once: later calls return false and change
// nothing. The writer writes what Next returns if flush is set, then runs
// the close handshake with code and reason; cause is what Session.Closed
// receives.
func (c *Conn) closeWith(code websocket.StatusCode, reason string, flush bool, cause error) bool {
	c.mu.Lock()
	if c.closing {
		c.mu.Unlock()
		return false
	}
	c.closeLocked(code, reason, flush, cause)
	c.mu.Unlock()
	c.Wake() // the writer runs the close handshake
	return true
}

// closeLocked records how to close and stops the pings. The caller holds
// c.mu and wakes the writer unless it cuts the connection.
func (c *Conn) closeLocked(code websocket.StatusCode, reason string, flush bool, cause error) {
	if !validCode(code) {
		code, reason = websocket.StatusInternalError, reasonInternal
	}
	if len(reason) > maxReason {
		reason = reason[:maxReason]
		for !utf8.ValidString(reason) {
			reason = reason[:len(reason)-1]
		}
	}
	c.closing, c.code, c.reason, c.flush, c.cause = true, code, reason, flush, cause
	c.stopped.Store(true)
	if c.ping != nil {
		c.ping.Stop()
	}
}

// validCode reports whether code may be sent in a close frame.
func validCode(code websocket.StatusCode) bool {
	switch {
	case code >= 3000 && code <= 4999:
		return true
	case code < websocket.StatusNormalClosure || code > websocket.StatusBadGateway:
		return false
	}
	return code != websocket.StatusNoStatusRcvd && code != websocket.StatusAbnormalClosure &&
		code != 1004 // reserved
}

// abort cuts the network connection at once, unblocking every read and
// write, and cancels the connection's context. It never blocks.
func (c *Conn) abort(cause error) {
	c.mu.Lock()
	if !c.closing {
		c.closeLocked(websocket.StatusInternalError, "", false, cause)
	}
	c.mu.Unlock()
	c.cancel()
	if c.nc != nil {
		_ = c.nc.Close()
	}
}

// start arms the first keepalive ping.
func (c *Conn) start() {
	if c.ws.pingInterval <= 0 {
		return
	}
	c.mu.Lock()
	defer c.mu.Unlock()
	c.ping = time.AfterFunc(c.ws.pingInterval, c.pingFired)
}

// open runs the caller's open callback, turns its failure into a close,
// and lets the writer start.
func (c *Conn) open(open func(*Conn) (Session, error)) Session {
	c.reading.Add(1)
	s, err := open(c)
	c.reading.Add(1)
	switch {
	case err != nil:
		c.ws.log.Debug("transport: connection refused", "conn", c.id, "err", err)
		code, reason := closeCode(err)
		c.closeWith(code, reason, true, nil)
		s = nil
	case s == nil:
		c.ws.log.Error("transport: open returned neither a Session nor an error", "conn", c.id)
		c.closeWith(websocket.StatusInternalError, reasonInternal, false, nil)
	}
	c.opened(s)
	return s
}

// opened lets the writer start with s (nil when open failed) and starts it
// if Wake or a close came first.
func (c *Conn) opened(s Session) {
	c.mu.Lock()
	c.sess, c.ready = s, true
	c.mu.Unlock()
	if c.pending.Load() {
		c.kick()
	}
}

// kick is Wake without its shortcut, for when pending may have been left
// set by a Wake that could not start a writer yet.
func (c *Conn) kick() {
	c.pending.Store(true)
	if c.running.CompareAndSwap(false, true) {
		c.startWriter()
	}
}

// readLoop is the connection's only reader. It reads until the connection
// ends, and returns the error that ended it. Once closing has started,
// messages are discarded. Reads carry no context: a read that waits is
// ended by the close handshake or by abort, which closes the network
// connection; a context would cost every idle connection a registered
// callback and a channel (about 0.7 KiB) for nothing.
func (c *Conn) readLoop(s Session) error {
	limit := c.ws.readLimit
	for {
		typ, r, err := c.wsc.Reader(context.Background())
		if err != nil {
			return err
		}
		if typ != websocket.MessageText {
			if _, err := io.Copy(io.Discard, r); err != nil {
				return err
			}
			c.closeWith(websocket.StatusUnsupportedData, reasonBinary, false, errBinary)
			continue
		}
		msg, err := io.ReadAll(io.LimitReader(r, limit+1))
		if err != nil {
			return err
		}
		tooLarge := int64(len(msg)) > limit
		if tooLarge {
			msg = msg[:limit:limit]
			// Read the rest (up to HardLimit) so the next message can follow.
			if _, err := io.Copy(io.Discard, r); err != nil {
				return err
			}
		}
		if s == nil || c.stopped.Load() {
			continue
		}
		c.reading.Add(1)
		if tooLarge {
			shallow(func() { s.TooLarge(c.ctx, msg) })
		} else {
			shallow(func() { s.Handle(c.ctx, msg) })
		}
		c.reading.Add(1)
	}
}

// writer is the writer goroutine: writeLoop, with a panic in Next cutting
// the connection.
func (c *Conn) writer(s Session) {
	c.recovering(func() { c.writeLoop(s) }, func() { c.abort(errPanic) })
}

// writeLoop writes what s.Next returns until it returns
// nil, then exits unless a Wake came meanwhile. Once closing has started it
// runs the close handshake and leaves running set, so no writer follows.
func (c *Conn) writeLoop(s Session) {
	for {
		c.pending.Store(false)
		if c.stopped.Load() {
			c.finish(s)
			return
		}
		if !c.drain(s) {
			return // the connection was cut
		}
		if c.stopped.Load() {
			continue
		}
		c.running.Store(false)
		// A Wake between the last Next and the Store above saw running
		// set and left the work to this writer: look again.
		if !c.pending.Load() || !c.running.CompareAndSwap(false, true) {
			return
		}
	}
}

// drain writes what s.Next returns until it returns nil or closing starts.
// A write that fails cuts the connection; drain then returns false.
func (c *Conn) drain(s Session) bool {
	if s == nil {
		return true
	}
	for !c.stopped.Load() {
		msg := s.Next()
		if msg == nil {
			return true
		}
		err := c.write(msg, time.Now().Add(c.ws.writeTimeout))
		switch {
		case err == nil:
			continue
		case c.ctx.Err() != nil || errors.Is(err, net.ErrClosed):
			// Cut by abort, or closed by coder/websocket on a read
			// error: whoever did it holds the cause.
		case errors.Is(err, os.ErrDeadlineExceeded):
			c.ws.log.Info("transport: client stalled, dropping connection", "conn", c.id, "timeout", c.ws.writeTimeout)
			c.abort(fmt.Errorf("%w: no progress within %v", ErrStalled, c.ws.writeTimeout))
		default:
			c.abort(fmt.Errorf("transport: write: %w", err))
		}
		return false
	}
	return true
}

// write writes msg as one text message. The network writes must be done
// by deadline: it is set on the network connection rather than through a
// context, because coder/websocket closes the connection itself when a
// write's context ends, and the read loop could then report the end first.
// (No context at all also spares coder/websocket a context.AfterFunc per
// frame; abort cuts a write by closing the network connection.)
func (c *Conn) write(msg []byte, deadline time.Time) error {
	c.writing.Add(1)
	defer c.writing.Add(1)
	_ = c.nc.SetWriteDeadline(deadline)
	err := c.wsc.Write(context.Background(), websocket.MessageText, msg)
	_ = c.nc.SetWriteDeadline(time.Time{})
	return err
}

// finish writes what s.Next still returns if asked, within one
// WriteTimeout, then runs the close handshake, which coder/websocket bounds
// by its own timeouts and abort can cut short.
func (c *Conn) finish(s Session) {
	c.mu.Lock()
	code, reason, flush := c.code, c.reason, c.flush
	c.mu.Unlock()
	if flush && s != nil {
		deadline := time.Now().Add(c.ws.writeTimeout)
		for msg := s.Next(); msg != nil && time.Now().Before(deadline); msg = s.Next() {
			if err := c.write(msg, deadline); err != nil {
				break // the handshake below fails at once
			}
		}
	}
	_ = c.wsc.Close(code, reason) // fails only for a broken connection
	c.cancel()
}

// pingFired runs on the ping timer's goroutine: it sends a ping, waits for
// its pong (which the read loop reads) and arms the timer again. end stops
// the timer and waits for a ping in progress.
func (c *Conn) pingFired() {
	c.mu.Lock()
	if c.closing || c.ended {
		c.mu.Unlock()
		return
	}
	c.wg.Add(1) // never concurrent with end's Wait: ended is not set
	c.mu.Unlock()
	defer c.wg.Done()
	if !c.pingOnce() {
		return
	}
	c.mu.Lock()
	if !c.closing {
		c.ping.Reset(c.ws.pingInterval)
	}
	c.mu.Unlock()
}

// pingOnce sends one ping and cuts the connection, returning false, when
// its pong does not come back within WriteTimeout. A ping is not judged
// while the Session runs on the reader (which cannot read the pong then)
// or while a data message is being written (WriteTimeout judges that).
func (c *Conn) pingOnce() bool {
	reading, writing := c.reading.Load(), c.writing.Load()
	if reading%2 == 1 {
		return true
	}
	ctx, cancel := context.WithTimeout(c.ctx, c.ws.writeTimeout)
	err := c.wsc.Ping(ctx)
	cancel()
	if err == nil || c.stopped.Load() || writing%2 == 1 ||
		c.reading.Load() != reading || c.writing.Load() != writing {
		return true
	}
	c.ws.log.Info("transport: no pong, dropping connection", "conn", c.id, "err", err)
	c.abort(fmt.Errorf("%w: %w", errPingTimeout, err))
	return false
}

// end runs after the read loop has returned readErr: it makes sure closing
// has started, cuts a broken connection, waits for the writer and a ping in
// progress, releases the connection and returns the cause for
// Session.Closed.
func (c *Conn) end(readErr error) error {
	status := websocket.CloseStatus(readErr)
	peerClosed := status != -1
	tooBig := errors.Is(readErr, websocket.ErrMessageTooBig)
	c.mu.Lock()
	c.ready = true // in case open panicked: the writer must still close
	if !c.closing {
		var cause error
		code := websocket.StatusNormalClosure
		switch {
		case status == websocket.StatusNormalClosure || status == websocket.StatusGoingAway ||
			status == websocket.StatusNoStatusRcvd:
			// A clean close by the client.
		case tooBig:
			code = websocket.StatusMessageTooBig
			cause = fmt.Errorf("transport: message above hard limit: %w", readErr)
		default:
			cause = fmt.Errorf("transport: read: %w", readErr)
		}
		c.closeLocked(code, "", false, cause)
	}
	c.mu.Unlock()
	if peerClosed || tooBig {
		// The writer runs the close handshake (or has). After a too-big
		// message its Close reads the client's answer to the close frame
		// coder/websocket has sent.
		c.kick()
	} else {
		// Not a close handshake: the connection is broken or already closed.
		c.abort(nil)
	}
	c.mu.Lock()
	c.ended = true
	cause := c.cause
	c.mu.Unlock()
	c.wg.Wait()
	_ = c.wsc.CloseNow()
	c.cancel()
	return cause
}

// shallow runs f on a goroutine of its own and waits for it, passing on its
// panic. The reader of an idle connection then keeps the small stack its
// read needs: what a Session does with a message (render a page, say) may
// need a deep stack, which would otherwise stay with the connection for as
// long as it lives (about 8 KiB for each of 10,000 idle connections).
func shallow(f func()) {
	var p any
	done := make(chan struct{})
	go func() {
		defer close(done)
		defer func() {
			if r := recover(); r != nil {
				p = fmt.Sprintf("%v\n%s", r, debug.Stack())
			}
		}()
		f()
	}()
	<-done
	if p != nil {
		panic(p)
	}
}
