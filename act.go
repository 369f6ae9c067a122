package livetemplate

import (
	"bytes"
	"context"
	"encoding/json"
	"errors"
	"fmt"
	"runtime/debug"
	"strings"
	"time"

	"github.com/lvtgo/livetemplate/diff"
	"github.com/lvtgo/livetemplate/internal/wire"
	"github.com/lvtgo/livetemplate/session"
)

// act runs one action from connection c and hands the reply for c to
// deliver, exactly once, success or failure. Other connections of the group
// get their patches on the way. A reply that carries a seq is delivered while
// the group is locked, so it cannot overtake or be overtaken by the patches
// of other actions.
func (h *handler) act(ctx context.Context, c *conn, m wire.Message, deliver func([]byte)) {
	if !c.limiter.allow(time.Now()) {
		deliver(wire.AppendError(nil, m.Ref, wire.CodeRateLimited, "Too many actions; slow down.", nil))
		return
	}
	idx, action, ok := h.route(m.Name)
	if !ok {
		deliver(wire.AppendError(nil, m.Ref, wire.CodeUnknownAction, fmt.Sprintf("Unknown action %q.", m.Name), nil))
		return
	}
	g := c.g
	if err := g.mu.LockContext(ctx); err != nil {
		deliver(wire.AppendError(nil, m.Ref, wire.CodeInternal, "The server is shutting down.", nil))
		return
	}
	defer g.mu.Unlock()
	actx := &ActionContext{ctx: ctx, action: action, id: c.id, data: m.Data, req: c.req}
	saved := map[int][]byte{} // PerConnection stores the action reached, as they were
	actx.private = func(name string) Store {
		for i := range h.specs {
			if h.specs[i].private && h.specs[i].name == name {
				if _, ok := saved[i]; !ok {
					saved[i], _ = json.Marshal(c.private[i])
				}
				return c.private[i]
			}
		}
		return nil
	}
	undoPrivate := func() {
		for i, before := range saved {
			h.restore(g, c, i, before)
		}
	}
	sp := &h.specs[idx]
	if sp.private {
		before, _ := json.Marshal(c.private[idx])
		if err := h.change(c.private[idx], actx); err != nil {
			h.restore(g, c, idx, before)
			undoPrivate()
			deliver(h.errorReply(c, m, err))
			return
		}
		deliver(h.replyWithPatch(g, c, m.Ref, func() { h.restore(g, c, idx, before); undoPrivate() }))
		return
	}
	for attempt := 0; ; attempt++ {
		before := g.snap[sp.name]
		if err := h.change(g.shared[idx], actx); err != nil {
			h.restore(g, c, idx, before)
			undoPrivate()
			deliver(h.errorReply(c, m, err))
			return
		}
		after, err := json.Marshal(g.shared[idx])
		if err != nil {
			h.restore(g, c, idx, before)
			undoPrivate()
			deliver(h.errorReply(c, m, fmt.Errorf("store %q: encode state: %w", sp.name, err)))
			return
		}
		if bytes.Equal(before, after) {
			deliver(h.replyWithPatch(g, c, m.Ref, nil))
			return
		}
		err = h.persist(ctx, g, sp.name, after)
		if err == nil {
			break
		}
		h.restore(g, c, idx, before)
		undoPrivate()
		if !errors.Is(err, session.ErrConflict) || attempt == 2 {
			deliver(h.errorReply(c, m, fmt.Errorf("store group state: %w", err)))
			return
		}
		// Another server changed the group: act again on its state.
		if err := h.reload(ctx, g); err != nil {
			deliver(h.errorReply(c, m, err))
			return
		}
	}
	deliver(h.replyWithPatch(g, c, m.Ref, nil))
	h.fanOut(g, c)
}

// route splits "store.action" and finds the store.
func (h *handler) route(name string) (idx int, action string, ok bool) {
	if prefix, rest, found := strings.Cut(name, "."); found {
		for i := range h.specs {
			if h.specs[i].name == prefix {
				return i, rest, rest != ""
			}
		}
	}
	if len(h.specs) == 1 {
		return 0, name, true
	}
	return 0, "", false
}

// change calls Change, turning a panic into an error.
func (h *handler) change(s Store, actx *ActionContext) (err error) {
	defer func() {
		if p := recover(); p != nil {
			err = fmt.Errorf("change panicked: %v\n%s", p, debug.Stack())
		}
	}()
	return s.Change(actx)
}

// errorReply maps an action's error to a reply the user may see; details of
// other errors are logged, never sent.
func (h *handler) errorReply(c *conn, m wire.Message, err error) []byte {
	if fields := fieldErrors(err); fields != nil {
		msg := "Please correct the highlighted fields."
		if len(fields) == 1 {
			for _, v := range fields {
				msg = v
			}
		}
		return wire.AppendError(nil, m.Ref, wire.CodeInvalid, msg, fields)
	}
	var ue *UserError
	switch {
	case errors.As(err, &ue):
		return wire.AppendError(nil, m.Ref, wire.CodeFailed, ue.Message, nil)
	case errors.Is(err, ErrUnknownAction):
		return wire.AppendError(nil, m.Ref, wire.CodeUnknownAction, fmt.Sprintf("Unknown action %q.", m.Name), nil)
	}
	h.log.Error("action failed", "conn", c.logID, "action", m.Name, "err", err)
	return wire.AppendError(nil, m.Ref, wire.CodeInternal, "Something went wrong. Please try again.", nil)
}

// replyWithPatch renders c's page and answers its action with the patch from
// what it holds. If the page does not render, undo rolls the action back.
// g.mu is held.
func (h *handler) replyWithPatch(g *group, c *conn, ref int64, undo func()) []byte {
	tree, err := h.render(g, c)
	if err != nil {
		if undo != nil {
			undo()
		}
		h.log.Error("render failed", "conn", c.logID, "err", err)
		return wire.AppendError(nil, ref, wire.CodeInternal, "Something went wrong. Please try again.", nil)
	}
	patch, _ := diff.Diff(c.last, tree).MarshalJSON()
	c.last = tree
	c.seq++
	return wire.AppendReply(nil, ref, c.seq, patch)
}

// fanOut sends every other connection of the group its patch after a change
// of shared state. WebSockets get the patch now (never blocking: a full queue
// drops that connection); HTTP pages are woken to poll. g.mu is held.
func (h *handler) fanOut(g *group, actor *conn) {
	var shared *diff.Tree
	private := h.private
	for _, c := range h.conns.Group(g.id) {
		if c == actor {
			continue
		}
		if c.ws == nil {
			c.wake()
			continue
		}
		tree := shared
		if tree == nil || private {
			t, err := h.render(g, c)
			if err != nil {
				h.log.Error("render failed", "conn", c.logID, "err", err)
				continue
			}
			tree = t
			if !private {
				shared = t
			}
		}
		h.push(c, tree)
	}
}

// push sends c the patch to tree, if there is one. g.mu is held.
func (h *handler) push(c *conn, tree *diff.Tree) {
	patch := diffTree(c, tree)
	if patch == nil {
		return
	}
	if err := c.ws.Send(wire.AppendPatch(nil, c.seq, patch)); err != nil {
		h.log.Info("dropped a connection", "conn", c.logID, "err", err)
	}
}

// fullTree renders c's page as a tree message and makes it what c holds.
// g.mu is held.
func (h *handler) fullTree(g *group, c *conn) ([]byte, error) {
	tree := c.initial
	if tree == nil || c.initialVer != g.version {
		t, err := h.render(g, c)
		if err != nil {
			return nil, err
		}
		tree = t
	}
	c.initial = nil
	js, err := tree.MarshalJSON()
	if err != nil {
		return nil, err
	}
	c.last = tree
	c.seq++
	return wire.AppendTree(nil, c.seq, js), nil
}

// diffTree makes tree what c holds and returns the patch to it, or nil when
// nothing changed. g.mu is held.
func diffTree(c *conn, tree *diff.Tree) []byte {
	p := diff.Diff(c.last, tree)
	if p.Empty() && c.last != nil {
		return nil
	}
	js, _ := p.MarshalJSON()
	c.last = tree
	c.seq++
	return js
}
