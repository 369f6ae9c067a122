package livetemplate

import (
	"bytes"
	"context"
	"encoding/json"
	"errors"
	"fmt"
	"net/http"
	"runtime/debug"
	"strings"

	"github.com/lvtgo/livetemplate/internal/wire"
	"github.com/lvtgo/livetemplate/session"
)

// action is one request to change state: from a page (c set) or, later,
// from the server.
type action struct {
	name string // as sent: "action" or "store.action"
	data map[string]json.RawMessage
	req  *http.Request
}

// maxConflicts is how many times an action is re-applied when other servers
// keep changing its group's state first.
const maxConflicts = 3

// errShutdown answers actions that arrive while the handler shuts down.
var errShutdown = &UserError{Message: "The server is shutting down."}

// act applies a to the group's state on behalf of page c: it runs Change,
// renders c's page, persists with compare-and-set (re-applying on the
// state another server stored meanwhile), and publishes the new render to
// every live page of the group. On any failure every store the action
// touched is put back as it was, nothing is stored, and the error is
// returned for the reply.
func (g *group) act(ctx context.Context, c *conn, a action) error {
	idx, name, ok := g.h.route(a.name)
	if !ok {
		return unknownAction(a.name)
	}
	if err := g.mu.LockContext(ctx); err != nil {
		return errShutdown
	}
	defer g.mu.Unlock()
	c.mu.Lock()
	defer c.mu.Unlock()
	if c.g != g {
		return errShutdown // the page left the group meanwhile (it closed)
	}
	for attempt := 1; ; attempt++ {
		changed, err := g.try(ctx, c, idx, name, a)
		if err == nil {
			if changed {
				c.mu.Unlock()
				g.publish()
				c.mu.Lock()
			}
			return nil
		}
		if !errors.Is(err, session.ErrConflict) || attempt == maxConflicts {
			return err
		}
		// Another server changed the group: act again on its state.
		if err := g.reload(ctx); err != nil {
			return err
		}
	}
}

// try runs one attempt of an action. changed reports whether the state of
// the group or of c changed. On error everything is as before. g.mu and c.mu
// are held.
func (g *group) try(ctx context.Context, c *conn, idx int, name string, a action) (changed bool, err error) {
	tx := txn{g: g, c: c}
	defer func() {
		if err != nil {
			tx.rollback()
		}
	}()
	sp := &g.h.specs[idx]
	actx := &ActionContext{ctx: ctx, action: name, id: c.id, data: a.data, req: a.req, private: tx.private}
	var s Store
	if sp.private {
		s = tx.private(sp.name)
	} else {
		s = g.shared[idx]
	}
	if err := change(s, actx); err != nil {
		return false, err
	}
	var after []byte
	if !sp.private {
		after, err = json.Marshal(s)
		if err != nil {
			return false, fmt.Errorf("store %q: encode state: %w", sp.name, err)
		}
	}
	sharedChanged := !sp.private && !bytes.Equal(after, g.snap[sp.name])
	privateChanged := tx.privateChanged()
	if !sharedChanged && !privateChanged {
		return false, nil
	}
	if sharedChanged {
		// Render before storing: a state the page cannot show is not kept.
		t, err := g.renderNow(c)
		if err != nil {
			return false, fmt.Errorf("render: %w", err)
		}
		if err := g.persist(ctx, sp.name, after); err != nil {
			return false, err
		}
		if !g.h.private {
			g.tree, g.treeVer = t, g.version
		}
		return true, nil
	}
	t, err := g.render(c)
	if err != nil {
		return false, fmt.Errorf("render: %w", err)
	}
	c.setTarget(t, g.version)
	return true, nil
}

// txn records what an action touched so that it can be undone: shared
// state is restored from the group's snapshot, private stores from their
// encoding when the action first reached them.
type txn struct {
	g     *group
	c     *conn
	saved map[int][]byte // private stores reached, as they were
}

// private returns c's PerConnection store named name, saved first.
func (tx *txn) private(name string) Store {
	specs := tx.g.h.specs
	for i := range specs {
		if !specs[i].private || specs[i].name != name {
			continue
		}
		if _, ok := tx.saved[i]; !ok {
			if tx.saved == nil {
				tx.saved = make(map[int][]byte)
			}
			tx.saved[i], _ = json.Marshal(tx.c.private[i])
		}
		return tx.c.private[i]
	}
	return nil
}

// privateChanged reports whether a private store the action reached
// changed.
func (tx *txn) privateChanged() bool {
	for i, before := range tx.saved {
		now, err := json.Marshal(tx.c.private[i])
		if err != nil || !bytes.Equal(now, before) {
			return true
		}
	}
	return false
}

// rollback puts everything the action touched back.
func (tx *txn) rollback() {
	g := tx.g
	for i := range g.h.specs {
		sp := &g.h.specs[i]
		if sp.private {
			continue
		}
		if s, err := sp.decode(g.snap[sp.name]); err == nil {
			g.shared[i] = s
		} else { // it was encoded from this very type
			g.h.log.Error("cannot restore store state", "store", sp.name, "err", err)
		}
	}
	for i, before := range tx.saved {
		sp := &g.h.specs[i]
		s, err := sp.decode(before)
		if err != nil {
			g.h.log.Error("cannot restore store state", "store", sp.name, "err", err)
			s = sp.fresh()
		}
		tx.c.private[i] = s
	}
}

// route splits "store.action" and finds the store.
func (h *Handler) route(name string) (idx int, action string, ok bool) {
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
func change(s Store, actx *ActionContext) (err error) {
	defer func() {
		if p := recover(); p != nil {
			err = fmt.Errorf("change panicked: %v\n%s", p, debug.Stack())
		}
	}()
	return s.Change(actx)
}

// unknownActionError is an action name no store handles.
type unknownActionError struct{ name string }

func (e unknownActionError) Error() string { return "unknown action " + wire.Echo(e.name) }

func (e unknownActionError) Is(target error) bool { return target == ErrUnknownAction }

func unknownAction(name string) error { return unknownActionError{name: name} }

// errorReply maps an action's error to the reply the page sees; details of
// unexpected errors are logged, never sent.
func (h *Handler) errorReply(c *conn, ref int64, name string, err error) []byte {
	if fields := fieldErrors(err); fields != nil {
		msg := "Please correct the highlighted fields."
		if len(fields) == 1 {
			for _, v := range fields {
				msg = v
			}
		}
		return wire.AppendError(nil, ref, wire.CodeInvalid, msg, fields)
	}
	var ue *UserError
	switch {
	case errors.As(err, &ue):
		return wire.AppendError(nil, ref, wire.CodeFailed, ue.Message, nil)
	case errors.Is(err, ErrUnknownAction):
		return wire.AppendError(nil, ref, wire.CodeUnknownAction, fmt.Sprintf("Unknown action %q.", wire.Echo(name)), nil)
	}
	h.log.Error("action failed", "conn", c.logID, "action", wire.Echo(name), "err", err)
	return wire.AppendError(nil, ref, wire.CodeInternal, "Something went wrong. Please try again.", nil)
}
