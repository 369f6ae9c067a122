package livetemplate

import (
	"bytes"
	"context"
	"encoding/json"
	"errors"
	"fmt"
	"math/rand/v2"
	"net/http"
	"runtime/debug"
	"strings"
	"time"

	"github.com/lvtgo/livetemplate/auth"
	"github.com/lvtgo/livetemplate/diff"
	"github.com/lvtgo/livetemplate/internal/wire"
	"github.com/lvtgo/livetemplate/session"
)

// action is one request to change state: from a page, or from the server.
type action struct {
	name string // as sent: "action" or "store.action"
	data map[string]json.RawMessage
	req  *http.Request
	push string                                   // a server push's id: applied once per scope
	call func(s Store, actx *ActionContext) error // what to call; nil: Change
	as   *auth.Identity                           // who acts, when not the page (a Watcher hook)
}

// run calls the action's method on s.
func (a *action) run(s Store, actx *ActionContext) (err error) {
	defer func() {
		if p := recover(); p != nil {
			err = fmt.Errorf("%s panicked: %v\n%s", actx.action, p, debug.Stack())
		}
	}()
	if a.call != nil {
		return a.call(s, actx)
	}
	return s.Change(actx)
}

// maxConflicts is how many times an action is re-applied when other servers
// keep changing its scope's state first; between attempts it waits a
// jittered pause that doubles each time (from 1 ms, at most 64 ms), so that
// contending instances spread out.
const maxConflicts = 16

// errShutdown answers actions that arrive while the handler shuts down.
var errShutdown = &UserError{Message: "The server is shutting down."}

// act applies a on behalf of page c to the store it names: a
// PerConnection store of c, or the store in the scope c shows. For a shared
// store, Change runs on a copy of the scope's state; c's page is rendered
// with it (a state the page cannot show is not kept); it is stored with
// compare-and-set (re-applied to the state another server stored
// meanwhile); only then does it replace the scope's state, and every page
// that shows the scope is told. On any failure nothing changed, and the
// error is returned for the reply.
func (h *Handler) act(ctx context.Context, c *conn, a action) error {
	idx, name, ok := h.route(a.name)
	if !ok {
		return unknownAction(a.name)
	}
	if h.specs[idx].private {
		return c.actPrivate(ctx, idx, name, a)
	}
	c.mu.Lock()
	var s *scope
	if c.scopes != nil {
		s = c.scopes[h.specScope[idx]]
	}
	c.mu.Unlock()
	if s == nil {
		return errNotLive
	}
	return s.act(ctx, c, idx, name, a)
}

// errNotLive: the page's connection ended while its action waited.
var errNotLive = &UserError{Message: "The page is not connected; try again."}

// actPrivate applies an action to one of c's PerConnection stores.
func (c *conn) actPrivate(ctx context.Context, idx int, name string, a action) error {
	c.mu.Lock()
	live := c.ws != nil || c.polling
	c.mu.Unlock()
	if !live {
		return errNotLive
	}
	return c.actOwn(ctx, idx, name, a)
}

// actOwn applies an action to one of c's PerConnection stores, live or not.
func (c *conn) actOwn(ctx context.Context, idx int, name string, a action) error {
	c.mu.Lock()
	defer c.mu.Unlock()
	tx := txn{c: c}
	actx := &ActionContext{ctx: ctx, action: name, id: c.id, data: a.data, req: a.req, private: tx.private}
	if err := a.run(tx.private(c.h.specs[idx].name), actx); err != nil {
		tx.rollback()
		return err
	}
	if !tx.changed() {
		return nil
	}
	c.privGen++
	if c.scopes != nil || !c.h.hasShared {
		if _, err := c.renderNow(nil, nil); err != nil {
			tx.rollback()
			return fmt.Errorf("render: %w", err)
		}
	}
	c.dirty = true
	c.wakeLocked()
	return nil
}

// act applies one action to the scope's store idx for page c (nil for a
// server action). See Handler.act.
func (s *scope) act(ctx context.Context, c *conn, idx int, name string, a action) error {
	if err := s.mu.LockContext(ctx); err != nil {
		return errShutdown
	}
	defer s.mu.Unlock()
	for attempt := 1; ; attempt++ {
		changed, err := s.try(ctx, c, idx, name, a)
		if changed {
			s.h.announce(s)
			s.changed()
		}
		if !errors.Is(err, session.ErrConflict) {
			return err
		}
		if attempt == maxConflicts {
			return fmt.Errorf("store state: %w", err)
		}
		// Another server changed the state: act again on its state.
		pause := time.Millisecond << min(attempt-1, 6)
		if err := sleepCtx(ctx, pause/2+time.Duration(rand.Int64N(int64(pause)))); err != nil {
			return errShutdown
		}
		if err := s.reload(ctx); err != nil {
			return err
		}
	}
}

// sleepCtx waits for d or until ctx ends.
func sleepCtx(ctx context.Context, d time.Duration) error {
	t := time.NewTimer(d)
	defer t.Stop()
	select {
	case <-t.C:
		return nil
	case <-ctx.Done():
		return ctx.Err()
	}
}

// try runs one attempt of an action; changed reports whether the scope's
// state changed. On error nothing changed. s.mu is held.
func (s *scope) try(ctx context.Context, c *conn, idx int, name string, a action) (changed bool, err error) {
	h := s.h
	cur := s.cur.Load()
	if a.push != "" && applied(cur, a.push) {
		return false, nil // another instance applied this push already
	}
	sp := &h.specs[idx]
	store, err := sp.decode(cur.snap[sp.name])
	if err != nil {
		return false, err
	}
	id := s.id
	if a.as != nil {
		id = *a.as
	}
	var tx txn
	if c != nil {
		id = c.id
		c.mu.Lock()
		defer c.mu.Unlock()
		tx.c = c
	}
	actx := &ActionContext{ctx: ctx, action: name, id: id, data: a.data, req: a.req}
	if c != nil {
		actx.private = tx.private
	}
	if err := a.run(store, actx); err != nil {
		tx.rollback()
		return false, err
	}
	after, err := json.Marshal(store)
	if err != nil {
		tx.rollback()
		return false, fmt.Errorf("store %q: encode state: %w", sp.name, err)
	}
	sharedChanged := !bytes.Equal(after, cur.snap[sp.name])
	privateChanged := tx.changed()
	if !sharedChanged && !privateChanged && a.push == "" {
		return false, nil
	}
	next := cur
	if sharedChanged || a.push != "" {
		next = cur.with(idx, sp.name, store, after, a.push)
	}
	if privateChanged {
		c.privGen++
	}
	if c != nil {
		// Render before storing: a state the page cannot show is not kept.
		t, err := c.renderNow(s, next)
		if err != nil {
			tx.rollback()
			return false, fmt.Errorf("render: %w", err)
		}
		if next == cur {
			c.dirty = true
			c.wakeLocked()
			return false, nil
		}
		defer func(t *diff.Tree) {
			if s.cur.Load() == next && !h.private {
				h.renders.put(c.view(), t)
				c.remember(t)
			}
		}(t)
	}
	if next == cur {
		return false, nil
	}
	if err := s.persist(ctx, next, cur.version); err != nil {
		tx.rollback()
		return false, err
	}
	s.publishState(next)
	return true, nil
}

// with returns a copy of st in which store idx is store, encoded as js, and
// push (if any) is recorded as applied.
func (st *scopeState) with(idx int, name string, store Store, js []byte, push string) *scopeState {
	next := &scopeState{
		stores: append([]Store(nil), st.stores...),
		snap:   make(map[string]json.RawMessage, len(st.snap)+1),
	}
	for k, v := range st.snap {
		next.snap[k] = v
	}
	next.stores[idx] = store
	next.snap[name] = js
	if push != "" {
		var ids []string
		_ = json.Unmarshal(st.snap[pushesKey], &ids)
		ids = append(ids, push)
		if len(ids) > maxPushIDs {
			ids = ids[len(ids)-maxPushIDs:]
		}
		next.snap[pushesKey], _ = json.Marshal(ids)
	}
	return next
}

// applied reports whether push was applied to st.
func applied(st *scopeState, push string) bool {
	var ids []string
	_ = json.Unmarshal(st.snap[pushesKey], &ids)
	for _, id := range ids {
		if id == push {
			return true
		}
	}
	return false
}

// txn records the PerConnection stores an action reached, so that they can
// be put back.
type txn struct {
	c     *conn
	saved map[int][]byte // private stores reached, as they were
}

// private returns c's PerConnection store named name, saved first. It
// returns nil without a page (a server action) or for an unknown name.
func (tx *txn) private(name string) Store {
	if tx.c == nil {
		return nil
	}
	specs := tx.c.h.specs
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

// changed reports whether a private store the action reached changed.
func (tx *txn) changed() bool {
	for i, before := range tx.saved {
		now, err := json.Marshal(tx.c.private[i])
		if err != nil || !bytes.Equal(now, before) {
			return true
		}
	}
	return false
}

// rollback puts the private stores the action reached back.
func (tx *txn) rollback() {
	if tx.c == nil {
		return
	}
	for i, before := range tx.saved {
		sp := &tx.c.h.specs[i]
		s, err := sp.decode(before)
		if err != nil { // it was encoded from this very type
			tx.c.h.log.Error("cannot restore store state", "store", sp.name, "err", err)
			s = sp.fresh()
		}
		tx.c.private[i] = s
	}
	tx.saved = nil
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
	var se storeError
	switch {
	case errors.As(err, &ue):
		return wire.AppendError(nil, ref, wire.CodeFailed, ue.Message, nil)
	case errors.Is(err, ErrUnknownAction):
		return wire.AppendError(nil, ref, wire.CodeUnknownAction, fmt.Sprintf("Unknown action %q.", wire.Echo(name)), nil)
	case errors.As(err, &se):
		// Logged once when the outage began.
		return wire.AppendError(nil, ref, wire.CodeInternal, "Changes cannot be saved right now. Please try again shortly.", nil)
	}
	h.log.Error("action failed", "conn", c.logID, "action", wire.Echo(name), "err", err)
	return wire.AppendError(nil, ref, wire.CodeInternal, "Something went wrong. Please try again.", nil)
}
