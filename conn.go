package livetemplate

import (
	"container/list"
	"context"
	"errors"
	"net/http"
	"sync"
	"sync/atomic"
	"time"

	"github.com/lvtgo/livetemplate/auth"
	"github.com/lvtgo/livetemplate/diff"
	"github.com/lvtgo/livetemplate/internal/wire"
	"github.com/lvtgo/livetemplate/transport"
)

// conn is one page on this server: what its client holds (the tree it was
// last sent and that message's seq), the stores private to it, and how to
// reach it: a WebSocket, HTTP polls, or nothing (a rendered page waiting for
// its connection, or a page whose connection ended, kept for a while so it
// can resume).
//
// A conn owns what it has sent: advance is the only place that moves last
// and seq. It never blocks on the network: a WebSocket's writer pulls
// messages with next, and a client that falls behind gets one patch from
// the tree it holds to the newest one (conflation), never a queue of stale
// patches.
//
// A page renders lazily: a change of a scope it shows only marks it dirty
// and wakes its transport; the render happens when a message is due, from
// the scopes' current states, so a page that falls behind is rendered once
// for many changes.
//
// Locking: mu guards every field below it. A scope's lock, when both are
// needed, is taken first; mu is never held across I/O or while waiting.
type conn struct {
	h     *Handler
	id    auth.Identity
	addr  string // client address, for per-address limits
	token string // secret: names the page; never logged
	logID string // for logs

	seen atomic.Int64 // unix nanoseconds of the last sign of life
	cost atomic.Int64 // bytes of a kept first render, counted in the handler's budget

	keys []scopeKey // the shared states the page shows, fixed when it is made

	mu       sync.Mutex
	scopes   []*scope           // by keys' order, while the page is live; else nil
	req      *http.Request      // the WebSocket upgrade, for ActionContext.Request
	private  []Store            // by spec index; nil for shared specs
	privGen  uint64             // counts changes of private stores
	stream   diff.Stream        // the tree the client holds and the statics it received
	seq      uint64             // seq of the last message that changed what it holds
	target   *diff.Tree         // the newest render for this page
	targetOf string             // the view target was rendered from
	dirty    bool               // target may be out of date: render before sending
	failed   string             // the view whose render failed (logged once)
	endLife  context.CancelFunc // ends the Context Watcher.Connected got
	full     bool               // the next message must be a full tree
	ack      bool               // the next message is due even if nothing changed (a resume)
	newToken bool               // that tree carries the token (the page is new to its client)
	out      []outgoing         // replies waiting for the WebSocket's writer
	space    chan struct{}      // signalled when out shrinks
	ws       *transport.Conn
	polling  bool          // served by HTTP polls
	notify   chan struct{} // signalled when target changes (HTTP polls)

	// Guarded by the handler's pages lock:
	elem *list.Element // place in a list of pages without a live connection
	list *list.List    // which list, nil while live
	gone bool          // forgotten: its token names nothing any more
}

// outgoing is one reply waiting for the writer: a ready message (an error
// reply), or, when msg is nil, the successful reply to action ref, whose
// patch is computed when it is written.
type outgoing struct {
	ref   int64
	msg   []byte
	ready bool // false while the action is being applied: hold the output
}

// maxOutgoing bounds the replies a WebSocket page may have waiting; past
// it, the page's next action waits (and its socket is not read meanwhile),
// so a client that does not read slows itself down, not the server.
const maxOutgoing = 32

func (c *conn) touch() { c.seen.Store(time.Now().UnixNano()) }

func (c *conn) lastSeen() time.Time { return time.Unix(0, c.seen.Load()) }

// markDirty tells the page that a state it shows changed, and wakes its
// transport.
func (c *conn) markDirty() {
	c.mu.Lock()
	c.dirty = true
	c.wakeLocked()
	c.mu.Unlock()
}

// refresh renders the page again if something it shows changed since its
// target was rendered. A render that fails leaves the target as it was and
// is logged once per view. c.mu is held.
func (c *conn) refresh() {
	if !c.dirty && c.target != nil {
		return
	}
	if t := c.quick(); t != nil {
		c.target, c.targetOf, c.dirty = t, "", false
		return
	}
	t, v, err := c.render()
	if err != nil {
		if c.failed != v {
			c.failed = v
			c.h.log.Error("render failed", "conn", c.logID, "err", err)
		}
		return
	}
	c.target, c.targetOf, c.dirty = t, v, false
	c.remember(t)
}

// wakeLocked tells the page's transport that there is something to send.
// c.mu is held.
func (c *conn) wakeLocked() {
	switch {
	case c.ws != nil:
		c.ws.Wake()
	case c.notify != nil:
		select {
		case c.notify <- struct{}{}:
		default:
		}
	}
}

// advance moves what the client holds to the newest render and returns the
// seq and patch for the message that does it. With force, a message is due
// even when nothing changed (a reply always carries a seq); otherwise patch
// is nil when there is nothing to send. c.mu is held.
func (c *conn) advance(force bool) (uint64, []byte) {
	c.refresh()
	var patch []byte
	if last := c.stream.Last(); c.target != nil && c.target != last {
		if p := c.patch(last, c.target); p.Empty() && last != nil {
			c.stream.Advance(p) // same HTML: hold the new tree, send nothing
		} else {
			patch = c.stream.Advance(p)
		}
	}
	if patch == nil {
		if !force {
			return 0, nil
		}
		patch = emptyPatch
	}
	c.seq++
	return c.seq, patch
}

var emptyPatch = []byte("{}")

// errNoRender: the page could not be rendered (the error was logged).
var errNoRender = errors.New("livetemplate: page does not render")

// patch returns the patch from one tree to another; the pages of a scope
// that hold the same tree share it (and, through their Streams, its
// bytes). c.mu is held.
func (c *conn) patch(from, to *diff.Tree) *diff.Patch {
	if len(c.scopes) > 0 {
		return c.scopes[0].patches.get(from, to)
	}
	return diff.Diff(from, to)
}

// treeMessage makes the newest render what the client holds and returns the
// full tree message. c.mu is held.
func (c *conn) treeMessage() ([]byte, error) {
	c.refresh()
	if c.target == nil {
		return nil, errNoRender
	}
	js := c.stream.Full(c.target)
	c.full = false
	c.seq++
	if c.newToken {
		c.newToken = false
		return wire.AppendTreeToken(nil, c.seq, js, c.token), nil
	}
	return wire.AppendTree(nil, c.seq, js), nil
}

// next returns the next message for the WebSocket tc, or nil when there is
// nothing to send: replies first, in order, then a full tree if one is due,
// then one patch to the newest render. It runs on tc's writer.
func (c *conn) next(tc *transport.Conn) []byte {
	c.mu.Lock()
	defer c.mu.Unlock()
	if c.ws != tc {
		return nil // the page has moved on
	}
	if len(c.out) > 0 {
		o := c.out[0]
		if !o.ready {
			return nil // the action is still running; its reply comes first
		}
		c.out[0] = outgoing{}
		c.out = c.out[1:]
		if len(c.out) == 0 {
			c.out = nil
		}
		select {
		case c.space <- struct{}{}:
		default:
		}
		if o.msg != nil {
			return o.msg
		}
		if c.full {
			// A sync is under way: the tree that follows covers this
			// action; the reply only settles it.
			return wire.AppendReply(nil, o.ref, c.seq, emptyPatch)
		}
		seq, patch := c.advance(true)
		return wire.AppendReply(nil, o.ref, seq, patch)
	}
	if c.full {
		msg, err := c.treeMessage()
		if err != nil {
			return nil // logged by refresh; the next change tries again
		}
		return msg
	}
	ack := c.ack
	c.ack = false
	if seq, patch := c.advance(ack); patch != nil {
		return wire.AppendPatch(nil, seq, patch)
	}
	return nil
}

// reserve holds a place for the reply to action ref on the WebSocket tc:
// output waits for it until settle, so that the reply carries the action's
// patch. It waits while maxOutgoing replies are already waiting (the
// socket is not read meanwhile: a client that does not read slows itself
// down), until ctx ends; ok is false if no place was reserved (the page
// moved on, or ctx ended).
func (c *conn) reserve(ctx context.Context, tc *transport.Conn, ref int64) bool {
	for {
		c.mu.Lock()
		if c.ws != tc {
			c.mu.Unlock()
			return false
		}
		if len(c.out) < maxOutgoing {
			c.out = append(c.out, outgoing{ref: ref})
			c.mu.Unlock()
			return true
		}
		space := c.space
		c.mu.Unlock()
		select {
		case <-space:
		case <-ctx.Done():
			return false
		}
	}
}

// settle completes the reply reserved for action ref: msg is an error
// reply, or nil for success (the reply then carries the patch to the newest
// render when it is written).
func (c *conn) settle(tc *transport.Conn, ref int64, msg []byte) {
	c.mu.Lock()
	defer c.mu.Unlock()
	if c.ws != tc {
		return
	}
	for i := range c.out {
		if c.out[i].ref == ref && !c.out[i].ready {
			c.out[i].msg, c.out[i].ready = msg, true
			break
		}
	}
	tc.Wake()
}

// push queues a ready message (an error reply) for the WebSocket tc,
// dropping it if maxOutgoing replies already wait (error replies are
// answers to messages the client should not have sent so fast).
func (c *conn) push(tc *transport.Conn, msg []byte) {
	c.mu.Lock()
	defer c.mu.Unlock()
	if c.ws != tc || len(c.out) >= maxOutgoing {
		return
	}
	c.out = append(c.out, outgoing{msg: msg, ready: true})
	tc.Wake()
}
