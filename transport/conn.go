package transport

import (
	"context"
	"crypto/rand"
	"encoding/hex"
	"errors"
	"fmt"
	"io"
	"log/slog"
	"net"
	"sync"
	"sync/atomic"
	"time"
	"unicode/utf8"

	"github.com/coder/websocket"
)

// Conn is one WebSocket connection. [WebSocket.Serve] owns its goroutines:
// the read loop runs in the Serve call, one writer goroutine drains the
// bounded send queue, and one pinger sends keepalive pings.
//
// Send, Close, Context and ID are safe for concurrent use and never block.
type Conn struct {
	ws     *WebSocket
	wsc    *websocket.Conn
	nc     net.Conn // the hijacked network connection, cut by abort
	id     string
	log    *slog.Logger
	ctx    context.Context
	cancel context.CancelFunc
	queue  chan []byte
	stop   chan struct{}  // closed when closing starts
	wg     sync.WaitGroup // the writer and the pinger
	gen    atomic.Uint64  // odd while open or the Session runs

	mu      sync.Mutex // guards the fields below and sends on queue
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
		log:    ws.log.With("conn", id),
		ctx:    ctx,
		cancel: cancel,
		queue:  make(chan []byte, ws.sendQueue),
		stop:   make(chan struct{}),
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

// Send queues msg as one text message and returns at once; the writer
// goroutine writes it later. msg is kept until written, so the caller must
// not modify it afterwards (one slice may be sent to many connections).
// If the queue is full, Send drops the connection (close status 1013, "slow
// consumer", queued messages discarded) and returns [ErrSlowConsumer]; once
// the connection is closing it returns [ErrClosed]. A stalled client thus
// never slows the caller.
func (c *Conn) Send(msg []byte) error {
	c.mu.Lock()
	if c.closing {
		c.mu.Unlock()
		return ErrClosed
	}
	select {
	case c.queue <- msg:
		c.mu.Unlock()
		return nil
	default:
	}
	c.closeLocked(websocket.StatusTryAgainLater, reasonSlow, false, ErrSlowConsumer)
	c.mu.Unlock()
	c.log.Warn("transport: dropping slow consumer", "queue", cap(c.queue))
	return ErrSlowConsumer
}

// Close starts a normal closure (status 1000) with reason, which must be
// safe for the client and is cut to 123 bytes. Messages already queued are
// written first, within WriteTimeout. Close returns at once; Context is done
// when the connection has ended. It returns [ErrClosed] if the connection
// was already closing.
func (c *Conn) Close(reason string) error {
	if !c.closeWith(websocket.StatusNormalClosure, reason, true, nil) {
		return ErrClosed
	}
	return nil
}

// closeWith starts closing once: later calls return false and change
// nothing. The writer flushes the queue if flush is set, then runs the close
// handshake with code and reason; cause is what Session.Closed receives.
func (c *Conn) closeWith(code websocket.StatusCode, reason string, flush bool, cause error) bool {
	c.mu.Lock()
	defer c.mu.Unlock()
	if c.closing {
		return false
	}
	c.closeLocked(code, reason, flush, cause)
	return true
}

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
	close(c.stop)
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

// stopping reports whether closing has started.
func (c *Conn) stopping() bool {
	select {
	case <-c.stop:
		return true
	default:
		return false
	}
}

// start launches the writer and the pinger; end waits for them.
func (c *Conn) start() {
	c.wg.Go(c.writeLoop)
	if c.ws.pingInterval > 0 {
		c.wg.Go(c.pingLoop)
	}
}

// open runs the caller's open callback and turns its failure into a close.
func (c *Conn) open(open func(*Conn) (Session, error)) Session {
	c.gen.Add(1)
	s, err := open(c)
	c.gen.Add(1)
	switch {
	case err != nil:
		c.log.Debug("transport: connection refused", "err", err)
		code, reason := closeCode(err)
		c.closeWith(code, reason, true, nil)
		return nil
	case s == nil:
		c.log.Error("transport: open returned neither a Session nor an error")
		c.closeWith(websocket.StatusInternalError, reasonInternal, false, nil)
		return nil
	}
	return s
}

// readLoop is the connection's only reader. It reads with the connection's
// context and no per-read timeout (coder/websocket closes the connection
// when a read's context ends) until the connection ends, and returns the
// error that ended it. Once closing has started, messages are discarded.
func (c *Conn) readLoop(s Session) error {
	limit := c.ws.readLimit
	for {
		typ, r, err := c.wsc.Reader(c.ctx)
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
		if s == nil || c.stopping() {
			continue
		}
		c.gen.Add(1)
		if tooLarge {
			s.TooLarge(c.ctx, msg)
		} else {
			s.Handle(c.ctx, msg)
		}
		c.gen.Add(1)
	}
}

// writeLoop is the connection's only writer of data messages; it owns the
// close handshake too.
func (c *Conn) writeLoop() {
	for {
		select {
		case <-c.stop:
			c.finish(nil)
			return
		case msg := <-c.queue:
			if c.stopping() {
				c.finish(msg)
				return
			}
			ctx, cancel := context.WithTimeout(c.ctx, c.ws.writeTimeout)
			err := c.wsc.Write(ctx, websocket.MessageText, msg)
			cancel()
			if err != nil {
				c.abort(fmt.Errorf("transport: write: %w", err))
				return
			}
		}
	}
}

// finish flushes the queue (with pending first) if asked, then runs the
// close handshake, which coder/websocket bounds by its own timeouts and
// abort can cut short.
func (c *Conn) finish(pending []byte) {
	c.mu.Lock()
	code, reason, flush := c.code, c.reason, c.flush
	c.mu.Unlock()
	if flush {
		ctx, cancel := context.WithTimeout(c.ctx, c.ws.writeTimeout)
		err := c.flushQueue(ctx, pending)
		cancel()
		if err != nil {
			c.log.Debug("transport: flush before close failed", "err", err)
		}
	}
	if err := c.wsc.Close(code, reason); err != nil {
		c.log.Debug("transport: close handshake failed", "err", err)
	}
	c.cancel()
}

// flushQueue writes pending and then what the queue holds. No message can
// be queued meanwhile, because closing has started.
func (c *Conn) flushQueue(ctx context.Context, pending []byte) error {
	if pending != nil {
		if err := c.wsc.Write(ctx, websocket.MessageText, pending); err != nil {
			return err
		}
	}
	for {
		select {
		case msg := <-c.queue:
			if err := c.wsc.Write(ctx, websocket.MessageText, msg); err != nil {
				return err
			}
		default:
			return nil
		}
	}
}

// pingLoop sends a ping every PingInterval and drops the connection when a
// pong does not come back within WriteTimeout. A ping is not judged while the
// Session runs, because the read loop cannot read the pong then.
func (c *Conn) pingLoop() {
	t := time.NewTicker(c.ws.pingInterval)
	defer t.Stop()
	for {
		select {
		case <-c.stop:
			return
		case <-t.C:
		}
		gen := c.gen.Load()
		if gen%2 == 1 {
			continue
		}
		ctx, cancel := context.WithTimeout(c.ctx, c.ws.writeTimeout)
		err := c.wsc.Ping(ctx)
		cancel()
		if err == nil || c.gen.Load() != gen || c.stopping() {
			continue
		}
		c.log.Info("transport: no pong, dropping connection", "err", err)
		c.abort(fmt.Errorf("%w: %w", errPingTimeout, err))
		return
	}
}

// end runs after the read loop has returned readErr: it makes sure closing
// has started, cuts a broken connection, waits for the writer and the
// pinger, releases the connection and returns the cause for Session.Closed.
func (c *Conn) end(readErr error) error {
	status := websocket.CloseStatus(readErr)
	peerClosed := status != -1
	tooBig := errors.Is(readErr, websocket.ErrMessageTooBig)
	c.mu.Lock()
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
	cause := c.cause
	c.mu.Unlock()
	if !peerClosed && !tooBig {
		// Not a close handshake: the connection is broken or already closed.
		// (After a too-big message the writer's Close reads the client's
		// answer to the close frame coder/websocket has sent.)
		c.abort(nil)
	}
	c.wg.Wait()
	_ = c.wsc.CloseNow()
	c.cancel()
	return cause
}
