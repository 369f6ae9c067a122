package runtime

import (
	"context"
	"net/http"
	"time"

	"github.com/lvtgo/livetemplate/internal/page"
	"github.com/lvtgo/livetemplate/internal/state"
)

// watchTimeout bounds the Disconnected calls of a page that leaves.
const watchTimeout = 5 * time.Second

// connected runs Connected on page p's Watcher stores, with a context that
// ends when the page disconnects.
func (rt *Runtime) connected(p *page.Page) {
	v := p.View.(*View)
	if !v.watchers {
		return
	}
	ctx, cancel := context.WithCancel(rt.ctx)
	p.SetLife(cancel)
	rt.watch(ctx, p, p.States(), "connect", rt.o.Hooks.Connected, p.Request())
}

// disconnected runs Disconnected on page p's Watcher stores, on the states
// it has just left.
func (rt *Runtime) disconnected(p *page.Page, states []*state.State) {
	v := p.View.(*View)
	if !v.watchers {
		return
	}
	p.EndLife()
	// Not the runtime's context: a shutdown disconnects every page, and
	// their Disconnected must still run (presence must not stay behind).
	ctx, cancel := context.WithTimeout(context.Background(), watchTimeout)
	defer cancel()
	rt.watch(ctx, p, states, "disconnect", rt.o.Hooks.Disconnected, nil)
}

// watch calls hook on every Watcher store of page p, as an action of its
// own named action: its own store, or the one in the state of states that
// holds it.
func (rt *Runtime) watch(ctx context.Context, p *page.Page, states []*state.State, action string, hook func(any, *Call) error, req *http.Request) {
	v := p.View.(*View)
	for i, s := range v.slots {
		if !s.Decl.Watcher {
			continue
		}
		var err error
		if k := v.keyOf[i]; k >= 0 {
			if k < len(states) {
				c := &Call{ctx: ctx, action: action, id: p.ID, req: req, decl: s.Decl, hook: hook}
				err = rt.applyTo(ctx, states[k], c, "")
			}
		} else {
			err = rt.watchOwn(ctx, p, i, action, hook, req)
		}
		if err != nil && ctx.Err() == nil && rt.watchFailed.first(v.id+"\x00"+s.Decl.Name+"\x00"+action) {
			rt.log.Error("watcher failed", "view", v.id, "store", s.Decl.Name, "action", action, "err", err)
		}
	}
}

// watchOwn calls hook on page p's own Watcher store i, in p's turn.
func (rt *Runtime) watchOwn(ctx context.Context, p *page.Page, i int, action string, hook func(any, *Call) error, req *http.Request) error {
	if err := p.Lock(ctx); err != nil {
		return err
	}
	defer p.Unlock()
	c := &Call{ctx: ctx, action: action, id: p.ID, req: req, view: p.View.(*View), base: p.Private()}
	if err := hook(c.own_(i), c); err != nil {
		return err
	}
	next, changed, err := c.next()
	if err != nil || !changed {
		return err
	}
	p.SetPrivate(next)
	return nil
}
