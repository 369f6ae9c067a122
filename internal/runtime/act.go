package runtime

import (
	"context"
	"encoding/json"
	"errors"
	"fmt"
	"net/http"
	"slices"

	"github.com/lvtgo/livetemplate/internal/fault"
	"github.com/lvtgo/livetemplate/internal/page"
	"github.com/lvtgo/livetemplate/internal/state"
	"github.com/lvtgo/livetemplate/internal/wire"
	"github.com/lvtgo/livetemplate/upload"
)

// Built-in actions, named with the reserved store name.
const (
	// Dismiss removes the page's flash message of kind data["kind"], or
	// every one without a kind.
	Dismiss = Builtin + ".dismiss"
)

// errNotLive answers an action of a page whose connection ended while it
// waited.
var errNotLive = fault.New(fault.NotLive, "")

// Act applies action name, sent by page p with data (req is what the
// action came with: the WebSocket's upgrade request or the HTTP POST), and
// returns where the page is redirected, if anywhere. The page's actions run
// one at a time. For a shared store, Change runs on a copy of the state,
// the page renders with it (a state the page cannot show is not kept), it
// is stored with compare-and-set and only then published, and every page
// that shows the state, on every instance, renders again. On any failure
// nothing changed, and the error (a *fault.Error for what the user may
// see) is returned for the reply. files are the uploaded files the action
// claimed, by field (nil: none).
func (rt *Runtime) Act(ctx context.Context, p *page.Page, name string, data map[string]json.RawMessage, req *http.Request, files map[string][]upload.File) (string, error) {
	v := p.View.(*View)
	if err := p.Lock(ctx); err != nil {
		return "", fault.Wrap(fault.ShuttingDown, err)
	}
	defer p.Unlock()
	if !p.Live() {
		return "", errNotLive
	}
	if name == Dismiss {
		rt.dismiss(p, data)
		return "", nil
	}
	i, action, ok := v.route(name)
	if !ok {
		return "", v.unknownAction(name)
	}
	c := rt.pageCall(ctx, v, p, action, data, req)
	c.slot = i + 1
	c.files = files
	var err error
	if v.keyOf[i] < 0 {
		err = rt.actOwn(c, p, i)
	} else {
		err = rt.actShared(c, p, i)
	}
	if fe := (*fault.Error)(nil); errors.As(err, &fe) && fe.Kind == fault.UnknownAction {
		return "", v.unknownAction(name)
	}
	if err != nil {
		return "", err
	}
	if c.redirect != "" && len(c.flash) > 0 {
		p.SetLeaving(c.flash) // shown on the page the client goes to
	}
	rt.emitTo(p, c.events) // before the reply is made: it carries them
	rt.started(p, i, c.async)
	return c.redirect, nil
}

// pageCall returns the Call of an action of page p.
func (rt *Runtime) pageCall(ctx context.Context, v *View, p *page.Page, action string, data map[string]json.RawMessage, req *http.Request) *Call {
	return &Call{ctx: ctx, action: action, id: p.ID, data: data, req: req, view: v, base: p.Private(), hosts: rt.o.RedirectHosts, paged: true}
}

// unknownAction logs an action name no store handles, once per name, and
// returns the error that answers it.
func (v *View) unknownAction(name string) error {
	if v.unknown.first(name) {
		v.rt.log.Warn("unknown action: no store of the page handles it", "view", v.id, "action", wire.Echo(name), "stores", v.Names())
	}
	return &fault.Error{Kind: fault.UnknownAction, Message: fmt.Sprintf("Unknown action %q.", wire.Echo(name))}
}

// actOwn applies an action to page p's page-scoped store i.
func (rt *Runtime) actOwn(c *Call, p *page.Page, i int) error {
	v := c.view
	if err := rt.o.Hooks.Change(c.own_(i), c); err != nil {
		return err
	}
	next, changed, err := c.next()
	if err != nil || !changed {
		return err
	}
	b := basisOf(p, p.States())
	b.priv = next
	if _, err := v.renderFrom(p, b); err != nil {
		return fmt.Errorf("render: %w", err)
	}
	if c.paged {
		// The acting page's reply carries the change; a server action
		// (a push, background work) has no reply: its patch goes out
		// as any other, and a held HTTP poll would wait in vain.
		p.Hold()
	}
	p.SetPrivate(next)
	return nil
}

// actShared applies an action to the shared store i of page p, through
// the state that holds it.
func (rt *Runtime) actShared(c *Call, p *page.Page, i int) error {
	v := c.view
	states := p.States()
	if states == nil {
		return errNotLive
	}
	k, d := v.keyOf[i], v.slots[i].Decl
	var priv *page.Private
	var privChanged bool
	_, err := states[k].Change(c.ctx, func(cur *state.Snapshot) (*state.Snapshot, error) {
		c.reset()
		store, err := cur.Copy(d)
		if err != nil {
			return nil, err
		}
		if err := rt.o.Hooks.Change(store, c); err != nil {
			return nil, err
		}
		js, err := d.Encode(store)
		if err != nil {
			return nil, err
		}
		if priv, privChanged, err = c.next(); err != nil {
			return nil, err
		}
		shared := !cur.Equal(d, js)
		if !shared && !privChanged {
			return cur, nil
		}
		next := cur
		if shared {
			next = cur.With(d, store, js, "")
		}
		// Render before storing: a state the page cannot show is not kept.
		b := basisOf(p, states)
		b.snaps[k] = next
		if privChanged {
			b.priv = priv
		}
		t, err := v.execute(p, b)
		if err != nil {
			return nil, fmt.Errorf("render: %w", err)
		}
		v.keep(p, b, t)
		return next, nil
	}, p.Hold)
	if err != nil {
		return err
	}
	if privChanged {
		p.Hold()
		p.SetPrivate(priv)
	}
	return nil
}

// dismiss removes page p's flash messages of the kind data names, or all.
// The caller holds p's turn.
func (rt *Runtime) dismiss(p *page.Page, data map[string]json.RawMessage) {
	var kind string
	_ = json.Unmarshal(data["kind"], &kind)
	cur := p.Private()
	keep := slices.DeleteFunc(slices.Clone(cur.Flash), func(f page.Flash) bool { return kind == "" || f.Kind == kind })
	if len(keep) == len(cur.Flash) {
		return
	}
	next := *cur
	next.Gen++
	next.Flash = keep
	next.FlashData = nil
	if len(keep) > 0 {
		next.FlashData = rt.o.Hooks.Flash(keep)
	}
	p.Hold()
	p.SetPrivate(&next)
}

// applyTo applies server call c to its store in state s: with push, the
// push's id is recorded in the state, so that it is applied once even when
// several instances try.
func (rt *Runtime) applyTo(ctx context.Context, s *state.State, c *Call, push string) error {
	d := c.decl
	_, err := s.Change(ctx, func(cur *state.Snapshot) (*state.Snapshot, error) {
		if push != "" && cur.Applied(push) {
			return cur, nil // another instance applied it
		}
		c.reset()
		store, err := cur.Copy(d)
		if err != nil {
			return nil, err
		}
		if err := c.run(store); err != nil {
			return nil, err
		}
		js, err := d.Encode(store)
		if err != nil {
			return nil, err
		}
		if push == "" && cur.Equal(d, js) {
			return cur, nil
		}
		return cur.With(d, store, js, push), nil
	}, nil)
	return err
}
