package page

import (
	"context"
	"errors"

	"github.com/lvtgo/livetemplate/diff"
	"github.com/lvtgo/livetemplate/internal/wire"
)

// A page owns what its client holds: the tree it was last sent (its
// Stream) and the seq of that message. Only the functions of this file move
// them forward, and only while a message that carries the change is being
// made for the client. A client that falls behind gets one patch from the
// tree it holds to the newest render, never a queue of stale patches.

// outgoing is one reply waiting for the socket's writer: a ready message (an
// error reply), or, when msg is nil, the successful reply to action ref,
// whose patch is made when it is written.
type outgoing struct {
	ref      int64
	msg      []byte
	redirect string
	ready    bool // false while the action runs: hold the output
	sent     Sent // told once the reply is made, or dropped
}

// Sent is told the sizes of an action's reply, once it is made: the whole
// message and the patch it carries (0, 0 when the reply was dropped, its
// connection having ended). It is called without the page's locks.
type Sent func(replyBytes, patchBytes int)

// MaxOutgoing bounds the replies a WebSocket page may have waiting; past
// it, the page's next action waits (and its socket is not read meanwhile),
// so a client that does not read slows itself down, not the server.
const MaxOutgoing = 32

var emptyPatch = []byte("{}")

// ErrNoRender means the page could not be rendered (the view logged why).
var ErrNoRender = errors.New("page: the page does not render")

// due reports whether the page has a message to send now. p.mu is held.
func (p *Page) due() bool {
	if len(p.out) > 0 && (p.out[0].ready || p.held) {
		return p.out[0].ready
	}
	return p.full || p.ack || len(p.events) > 0 || p.stale()
}

// Hold holds the page's output for the reply of the action in flight: the
// action is about to publish what it changed, which its reply carries.
// Until then (while the action runs user code or waits on the session
// store) the page's other changes go out as usual.
// Over HTTP polls (the action came as a POST, whose answer is its reply)
// the polls wait instead, until Reply.
func (p *Page) Hold() {
	p.mu.Lock()
	if p.polling || (len(p.out) > 0 && !p.out[len(p.out)-1].ready) {
		p.held = true
	}
	p.mu.Unlock()
}

// stale reports whether the page's newest render is out of date and
// worth rendering again. p.mu is held.
func (p *Page) stale() bool {
	return (p.target == nil || p.targetGen != p.gen) && p.failedGen != p.gen
}

// renderLocked renders the page again, without p.mu while the view runs
// (templates are user code), and keeps the render if nothing newer was
// kept meanwhile. p.mu is held, and released meanwhile.
func (p *Page) renderLocked() {
	g := p.gen
	p.mu.Unlock()
	t, err := p.View.Render(p)
	p.mu.Lock()
	switch {
	case err != nil:
		p.failedGen = g
	case p.target == nil || g >= p.targetGen:
		p.target, p.targetGen = t, g
	}
}

// Render renders the page if what it shows changed since its newest render,
// so that a message made next is up to date.
func (p *Page) Render() {
	p.mu.Lock()
	if p.stale() {
		p.renderLocked()
	}
	p.mu.Unlock()
}

// advanceLocked moves what the client holds to the newest render and
// returns the seq and patch of the message that does it. With force a
// message is due even when nothing changed (a reply always carries a seq);
// otherwise patch is nil when there is nothing to send. p.mu is held.
func (p *Page) advanceLocked(force bool) (uint64, []byte) {
	var patch []byte
	if last := p.stream.Last(); p.target != nil && p.target != last {
		if d := p.View.Patch(last, p.target); d.Empty() && last != nil {
			p.stream.Advance(d) // same HTML: hold the new tree, send nothing
		} else {
			patch = p.stream.Advance(d)
		}
	}
	if patch == nil {
		if !force {
			return 0, nil
		}
		patch = emptyPatch
	}
	p.seq++
	return p.seq, patch
}

// treeLocked makes the newest render what the client holds and returns
// the full tree message. p.mu is held.
func (p *Page) treeLocked() ([]byte, error) {
	if p.target == nil {
		return nil, ErrNoRender
	}
	js := p.stream.Full(p.target)
	p.full = false
	p.seq++
	token := ""
	if p.newToken {
		token, p.newToken = p.Token, false
	}
	ref := p.navRef
	p.navRef = 0
	return p.takeEventsLocked(wire.AppendTree(nil, p.seq, js, token, ref)), nil
}

// Next returns the next message for the page's WebSocket sock, or nil when
// there is nothing to send: replies first, in order, then a full tree if
// one is due, then one patch to the newest render. It runs on sock's writer
// and renders first if the page changed.
func (p *Page) Next(sock Socket) (msg []byte) {
	var sent Sent
	patchBytes := 0
	defer func() { // after the unlock below
		if sent != nil {
			sent(len(msg), patchBytes)
		}
	}()
	p.mu.Lock()
	defer p.mu.Unlock()
	if p.sock != sock || !p.due() {
		return nil
	}
	if p.stale() {
		p.renderLocked()
		if p.sock != sock {
			return nil // the page moved on while it rendered
		}
	}
	if len(p.out) > 0 && (p.out[0].ready || p.held) {
		o := p.out[0]
		if !o.ready {
			return nil // an action came in meanwhile; its reply comes first
		}
		p.out[0] = outgoing{}
		p.out = p.out[1:]
		if len(p.out) == 0 {
			p.out = nil
		}
		select {
		case p.space <- struct{}{}:
		default:
		}
		sent = o.sent
		if o.msg != nil {
			return o.msg
		}
		if p.full {
			// A tree is due: it covers this action; the reply only
			// settles it.
			patchBytes = len(emptyPatch)
			return wire.AppendReply(nil, o.ref, p.seq, emptyPatch, o.redirect)
		}
		seq, patch := p.advanceLocked(true)
		patchBytes = len(patch)
		return p.takeEventsLocked(wire.AppendReply(nil, o.ref, seq, patch, o.redirect))
	}
	if p.full {
		msg, err := p.treeLocked()
		if err != nil {
			return nil // the view logged it; the next change tries again
		}
		return msg
	}
	ack := p.ack || len(p.events) > 0
	p.ack = false
	if seq, patch := p.advanceLocked(ack); patch != nil {
		return p.takeEventsLocked(wire.AppendPatch(nil, seq, patch))
	}
	return nil
}

// Reserve holds a place for the reply to action ref on the socket sock:
// output waits for it until Settle, so that the reply carries the action's
// patch. It waits while MaxOutgoing replies already wait (the socket is
// not read meanwhile: a client that does not read slows itself down), until
// ctx ends; it reports false if no place was reserved (the page moved on,
// or ctx ended).
func (p *Page) Reserve(ctx context.Context, sock Socket, ref int64) bool {
	for {
		p.mu.Lock()
		if p.sock != sock {
			p.mu.Unlock()
			return false
		}
		if len(p.out) < MaxOutgoing {
			p.out = append(p.out, outgoing{ref: ref})
			p.mu.Unlock()
			return true
		}
		space := p.space
		p.mu.Unlock()
		select {
		case <-space:
		case <-ctx.Done():
			return false
		}
	}
}

// Settle completes the reply reserved for action ref: msg is an error
// reply, or nil for success; the reply then carries the patch to the newest
// render when it is written, and redirect. sent (nil: none) is told the
// reply's size once it is made, or 0, 0 if it never is.
func (p *Page) Settle(sock Socket, ref int64, msg []byte, redirect string, sent Sent) {
	p.mu.Lock()
	if p.sock != sock {
		p.mu.Unlock()
		if sent != nil {
			sent(0, 0)
		}
		return
	}
	for i := range p.out {
		if p.out[i].ref == ref && !p.out[i].ready {
			p.out[i].msg, p.out[i].redirect, p.out[i].ready, p.out[i].sent = msg, redirect, true, sent
			sent = nil
			break
		}
	}
	p.held = false
	sock.Wake()
	p.mu.Unlock()
	if sent != nil { // no place was reserved
		sent(0, 0)
	}
}

// Push queues a ready message (an error reply) for the socket sock,
// dropping it if MaxOutgoing replies already wait (error replies answer
// messages the client should not have sent so fast).
func (p *Page) Push(sock Socket, msg []byte) {
	p.mu.Lock()
	defer p.mu.Unlock()
	if p.sock != sock || len(p.out) >= MaxOutgoing {
		return
	}
	p.out = append(p.out, outgoing{msg: msg, ready: true})
	sock.Wake()
}

// Resync makes the next message a full tree (the client asked for one),
// answering navigate message ref when ref is not 0.
func (p *Page) Resync(ref int64) {
	p.mu.Lock()
	p.full = true
	if ref != 0 {
		p.navRef = ref
	}
	p.wakeLocked()
	p.mu.Unlock()
}

// Reply makes the reply to an action sent over HTTP: the patch from what
// the client holds to the newest render. sent (nil: none) is told its size.
func (p *Page) Reply(ref int64, redirect string, sent Sent) []byte {
	p.Render()
	p.mu.Lock()
	seq, patch := p.advanceLocked(true)
	if p.held && p.polling {
		p.held = false
		p.wakeLocked() // a poll held for this reply looks again
	}
	msg := p.takeEventsLocked(wire.AppendReply(nil, ref, seq, patch, redirect))
	p.mu.Unlock()
	if sent != nil {
		sent(len(msg), len(patch))
	}
	return msg
}

// Tree makes a full tree message for an HTTP client, answering navigate
// message ref when ref is not 0.
func (p *Page) Tree(ref int64) ([]byte, error) {
	p.Render()
	p.mu.Lock()
	defer p.mu.Unlock()
	if ref != 0 {
		p.navRef = ref
	}
	return p.treeLocked()
}

// Poll returns what an HTTP poll of a client at seq gets now: a full tree
// (full) when the client does not hold what the page last sent (checked
// when check is true: on the poll's first look, not after it waited, when
// the page may have sent the client a reply meanwhile), else the next patch
// message, or nil when nothing changed; and the channel that is signalled
// when something may have.
func (p *Page) Poll(seq uint64, check bool) (msg []byte, full bool, notify <-chan struct{}) {
	p.mu.Lock()
	full = p.full || p.stream.Last() == nil || (check && seq != p.seq)
	notify, held := p.notify, p.held
	p.mu.Unlock()
	if full {
		return nil, true, notify
	}
	if held {
		return nil, false, notify // an action's reply carries what changed
	}
	p.Render()
	p.mu.Lock()
	defer p.mu.Unlock()
	if n, patch := p.advanceLocked(len(p.events) > 0); patch != nil {
		return p.takeEventsLocked(wire.AppendPatch(nil, n, patch)), false, notify
	}
	return nil, false, notify
}

// Holds returns the tree the client was last sent (nil if none).
func (p *Page) Holds() *diff.Tree {
	p.mu.Lock()
	defer p.mu.Unlock()
	return p.stream.Last()
}
