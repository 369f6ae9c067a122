package runtime

import (
	"context"
	"crypto/sha256"
	"encoding/base64"
	"net/http"
	"slices"
	"time"

	"github.com/lvtgo/livetemplate/auth"
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
	if v.sharedWatchers {
		rt.firstBeat()
	}
	p.WatchLock()
	defer p.WatchUnlock()
	rt.watch(ctx, p, p.States(), true, p.Request())
}

// announce records again, in the states it shows, that page p is live on
// this instance, if it is: after this instance could not write its
// heartbeat for a while, the others may have taken it for dead and
// disconnected its pages.
func (rt *Runtime) announce(p *page.Page) {
	v := p.View.(*View)
	if !v.sharedWatchers {
		return
	}
	p.WatchLock()
	defer p.WatchUnlock()
	if !p.Live() {
		return // Disconnected ran, or will
	}
	for k, st := range p.States() {
		if names := v.watchersIn(k); len(names) > 0 {
			// What this instance holds may be stale (it could not read
			// the others' changes either): the watches are in the store.
			st.CatchUp(rt.ctx, 0)
			err := rt.watchShared(rt.ctx, st, watchID(p.Token), p.ID, names, true, p.Request())
			rt.watchLog(rt.ctx, v, "", "connect", err)
		}
	}
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
	p.WatchLock()
	defer p.WatchUnlock()
	rt.watch(ctx, p, states, false, nil)
}

// watch tells page p's Watcher stores that it connected (or disconnected):
// its own stores directly; the shared ones through the watches of their
// state (state.Watch), so that a page counts once on all instances, and a
// page of an instance that dies is disconnected by the others (heal).
func (rt *Runtime) watch(ctx context.Context, p *page.Page, states []*state.State, connect bool, req *http.Request) {
	v := p.View.(*View)
	action, hook := "disconnect", rt.o.Hooks.Disconnected
	if connect {
		action, hook = "connect", rt.o.Hooks.Connected
	}
	for k, st := range states {
		names := v.watchersIn(k)
		if len(names) == 0 {
			continue
		}
		err := rt.watchShared(ctx, st, watchID(p.Token), p.ID, names, connect, req)
		rt.watchLog(ctx, v, "", action, err)
	}
	for i, s := range v.slots {
		if s.Decl.Watcher && v.keyOf[i] < 0 {
			rt.watchLog(ctx, v, s.Decl.Name, action, rt.watchOwn(ctx, p, i, action, hook, req))
		}
	}
}

// watchLog logs a failed Watcher call, once per view, store and action.
func (rt *Runtime) watchLog(ctx context.Context, v *View, store, action string, err error) {
	if err != nil && ctx.Err() == nil && rt.watchFailed.first(v.id+"\x00"+store+"\x00"+action) {
		rt.log.Error("watcher failed", "view", v.id, "store", store, "action", action, "err", err)
	}
}

// watchersIn returns the names of the Watcher stores v shows in its state
// number k.
func (v *View) watchersIn(k int) []string {
	var out []string
	for i, s := range v.slots {
		if s.Decl.Watcher && v.keyOf[i] == k {
			out = append(out, s.Decl.Name)
		}
	}
	return out
}

// watchID names a page in a state's watches: a hash of its token, which
// must not reach the store.
func watchID(token string) string {
	sum := sha256.Sum256([]byte(token))
	return base64.RawURLEncoding.EncodeToString(sum[:12])
}

// watchShared records in state st that the page named wid, viewed by id,
// is live on this instance (connect) or no longer; the stores names hear
// Connected when the page's first instance takes it, Disconnected when its
// last one lets go.
func (rt *Runtime) watchShared(ctx context.Context, st *state.State, wid string, id auth.Identity, names []string, connect bool, req *http.Request) error {
	_, err := st.Change(ctx, func(cur *state.Snapshot) (*state.Snapshot, error) {
		ws := cur.Watches()
		w, known := ws[wid]
		switch {
		case connect && known:
			if slices.Contains(w.Instances, rt.instance) {
				return cur, nil
			}
			w.Instances = append(w.Instances, rt.instance)
			ws[wid] = w
			return cur.WithWatches(ws), nil
		case connect:
			next, err := rt.callWatchers(ctx, cur, names, id, "connect", req)
			if err != nil {
				return nil, err
			}
			ws[wid] = state.Watch{Instances: []string{rt.instance}, User: id.UserID, Group: id.GroupID, Stores: names}
			return next.WithWatches(ws), nil
		case !known:
			return cur, nil // healed meanwhile
		}
		return rt.leave(ctx, cur, ws, wid, func(i string) bool { return i == rt.instance })
	}, nil)
	return err
}

// leave takes the instances gone reports out of watch wid of ws, and runs
// the Disconnected of its stores when none is left. It returns the next
// snapshot from cur.
func (rt *Runtime) leave(ctx context.Context, cur *state.Snapshot, ws map[string]state.Watch, wid string, gone func(string) bool) (*state.Snapshot, error) {
	w := ws[wid]
	w.Instances = slices.DeleteFunc(w.Instances, gone)
	if len(w.Instances) > 0 {
		ws[wid] = w
		return cur.WithWatches(ws), nil
	}
	delete(ws, wid)
	next, err := rt.callWatchers(ctx, cur, w.Stores, auth.Identity{UserID: w.User, GroupID: w.Group}, "disconnect", nil)
	if err != nil {
		return nil, err
	}
	return next.WithWatches(ws), nil
}

// callWatchers runs Connected (action "connect") or Disconnected of the
// stores names in cur, as id, and returns the snapshot they make.
func (rt *Runtime) callWatchers(ctx context.Context, cur *state.Snapshot, names []string, id auth.Identity, action string, req *http.Request) (*state.Snapshot, error) {
	hook := rt.o.Hooks.Disconnected
	if action == "connect" {
		hook = rt.o.Hooks.Connected
	}
	next := cur
	for _, name := range names {
		d := rt.catalog.Lookup(name)
		if d == nil {
			continue
		}
		store, err := next.Copy(d)
		if err != nil {
			return nil, err
		}
		c := &Call{ctx: ctx, action: action, id: id, req: req, decl: d, hook: hook}
		if err := c.run(store); err != nil {
			return nil, err
		}
		js, err := d.Encode(store)
		if err != nil {
			return nil, err
		}
		next = next.With(d, store, js, "")
	}
	return next, nil
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
