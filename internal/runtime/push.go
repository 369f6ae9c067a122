package runtime

import (
	"context"
	"encoding/json"
	"slices"
	"strings"
	"sync"
	"time"

	"github.com/lvtgo/livetemplate/auth"
	"github.com/lvtgo/livetemplate/internal/fault"
	"github.com/lvtgo/livetemplate/internal/page"
	"github.com/lvtgo/livetemplate/internal/relay"
	"github.com/lvtgo/livetemplate/internal/schema"
	"github.com/lvtgo/livetemplate/internal/state"
	"github.com/lvtgo/livetemplate/internal/wire"
	"github.com/lvtgo/livetemplate/telemetry"
)

// Target says which pages a push reaches: every page, the pages of some
// users or of some session groups; Filter, when set, keeps only the pages
// whose viewer it accepts (it does not travel to other instances).
type Target struct {
	relay.Target
	Filter func(auth.Identity) bool
}

// Reach is how far a push got on this instance.
type Reach struct {
	States int
	Pages  int
}

// pushWorkers bounds the states one push changes at once.
const pushWorkers = 8

// errStopped answers pushes once the runtime stops.
var errStopped = fault.New(fault.ShuttingDown, "")

// Broadcast applies server action name with data to the pages t targets:
// the pages of view v, or of the whole app when v is nil. Each targeted
// shared state is changed exactly once, even across instances; a
// page-scoped store is changed on each targeted page. It returns once this
// instance applied it and handed it to the bus, with the first error of a
// state whose action failed.
func (rt *Runtime) Broadcast(ctx context.Context, v *View, t Target, name string, data map[string]json.RawMessage) (reach Reach, err error) {
	defer rt.pushed(telemetry.OpBroadcast, t, time.Now(), &reach, &err)
	if rt.Closing() {
		return Reach{}, errStopped
	}
	if _, _, ok := rt.routePush(v, name); !ok {
		return Reach{}, &fault.Error{Kind: fault.UnknownAction, Message: "unknown action " + wire.Echo(name)}
	}
	p := relay.Push{ID: NewToken(), Target: t.Target, Action: name, Data: data}
	reach, done, err := rt.applyPush(ctx, v, p, t.Filter, true)
	if len(done) <= relay.MaxDone {
		p.Done = done // the others need not try these (and conflict)
	}
	if t.Filter == nil {
		rt.send(relay.Message{Kind: relay.KindPush, View: viewID(v), Push: &p})
	}
	return reach, err
}

// Refresh renders the targeted pages again without changing any state, on
// every instance.
func (rt *Runtime) Refresh(ctx context.Context, v *View, t Target) (r Reach, err error) {
	defer rt.pushed(telemetry.OpRefresh, t, time.Now(), &r, &err)
	if rt.Closing() {
		return Reach{}, errStopped
	}
	if err := ctx.Err(); err != nil {
		return Reach{}, err
	}
	r = rt.refresh(v, t)
	if t.Filter == nil {
		rt.send(relay.Message{Kind: relay.KindRefresh, View: viewID(v), Target: t.Target})
	}
	return r, nil
}

// Disconnect closes the live connections of the targeted pages, on every
// instance: a WebSocket with 4001, an HTTP page by forgetting it.
func (rt *Runtime) Disconnect(ctx context.Context, v *View, t Target) (r Reach, err error) {
	defer rt.pushed(telemetry.OpDisconnect, t, time.Now(), &r, &err)
	if rt.Closing() {
		return Reach{}, errStopped
	}
	if err := ctx.Err(); err != nil {
		return Reach{}, err
	}
	r = rt.disconnect(v, t)
	if t.Filter == nil {
		rt.send(relay.Message{Kind: relay.KindDisconnect, View: viewID(v), Target: t.Target})
	}
	return r, nil
}

// pushed reports a push of this instance: op to t, begun at start, with
// the reach and error it returns.
func (rt *Runtime) pushed(op string, t Target, start time.Time, r *Reach, err *error) {
	e := telemetry.Event{Kind: telemetry.Push, Op: op, Outcome: telemetry.OK, Duration: time.Since(start),
		Targets: len(t.Users) + len(t.Groups), States: r.States, Pages: r.Pages}
	switch {
	case t.Filter != nil:
		e.Target = telemetry.TargetFilter
	case t.All:
		e.Target = telemetry.TargetAll
	case len(t.Users) > 0:
		e.Target = telemetry.TargetUsers
	default:
		e.Target = telemetry.TargetGroups
	}
	if *err != nil {
		e.Outcome = fault.As(*err).Kind.Code()
	}
	rt.sink.Record(e)
}

func viewID(v *View) string {
	if v == nil {
		return ""
	}
	return v.id
}

func (rt *Runtime) send(m relay.Message) {
	if rt.relay != nil {
		rt.relay.Send(m)
	}
}

// routePush finds the store a push names: on view v as a page routes its
// actions; app-wide as "store.action" (or "action" when the app has one
// shared store), where a name no shared store has may be a page-scoped
// store of some views. decl is nil for a page-scoped store.
func (rt *Runtime) routePush(v *View, name string) (decl *schema.Decl, action string, ok bool) {
	if v != nil {
		i, action, ok := v.route(name)
		if !ok {
			return nil, "", false
		}
		if d := v.slots[i].Decl; d.Shared() {
			return d, action, true
		}
		return nil, action, true
	}
	if prefix, rest, found := strings.Cut(name, "."); found && rest != "" {
		if d := rt.catalog.Lookup(prefix); d != nil {
			return d, rest, true
		}
		for _, v := range rt.allViews() {
			for _, s := range v.slots {
				if !s.Decl.Shared() && s.Decl.Name == prefix {
					return nil, rest, true
				}
			}
		}
		return nil, "", false
	}
	if names := rt.catalog.Names(); len(names) == 1 {
		return rt.catalog.Lookup(names[0]), name, true
	}
	return nil, "", false
}

// pagesOf returns this instance's live pages that t targets, of view v
// (every view when v is nil).
func (rt *Runtime) pagesOf(v *View, t relay.Target, f func(auth.Identity) bool) []*page.Page {
	var out []*page.Page
	switch {
	case t.All:
		if v != nil {
			out = rt.pages.View(v)
		} else {
			out = rt.pages.All()
		}
	default:
		for _, u := range t.Users {
			out = append(out, rt.pages.User(u)...)
		}
		for _, g := range t.Groups {
			out = append(out, rt.pages.Group(g)...)
		}
	}
	seen := make(map[*page.Page]bool, len(out))
	return slices.DeleteFunc(out, func(p *page.Page) bool {
		drop := seen[p] || (v != nil && p.View != page.View(v)) || (f != nil && !f(p.ID))
		seen[p] = true
		return drop
	})
}

// applyPush applies push p on this instance: to the shared states the
// targeted pages here show (and, on the instance that pushes, to the
// targeted groups' and users' states even when no page shows them), or to
// the targeted pages' own stores.
func (rt *Runtime) applyPush(ctx context.Context, v *View, p relay.Push, f func(auth.Identity) bool, origin bool) (Reach, []string, error) {
	d, action, _ := rt.routePush(v, p.Action)
	prefix, _, _ := strings.Cut(p.Action, ".")
	pages := rt.pagesOf(v, p.Target, f)
	var (
		mu    sync.Mutex // guards reach, first and done while states change in parallel
		reach Reach
		first error
		done  []string
	)
	note := func(err error) {
		if err == nil {
			return
		}
		mu.Lock()
		defer mu.Unlock()
		if first == nil {
			first = err
		}
	}
	if d == nil { // a page-scoped store: each targeted page's own
		for _, pg := range pages {
			pv := pg.View.(*View)
			i := slices.IndexFunc(pv.slots, func(s Slot) bool { return !s.Decl.Shared() && (s.Decl.Name == prefix || len(pv.slots) == 1) })
			if i < 0 {
				continue
			}
			note(rt.pushOwn(ctx, pg, i, action, p.Data))
			reach.Pages++
		}
		return reach, nil, first
	}
	// The states to change, by name, each with its key.
	keys := map[string]state.Key{}
	skip := make(map[string]bool, len(p.Done))
	for _, k := range p.Done {
		skip[k] = true
	}
	for _, pg := range pages {
		if k, ok := pg.View.(*View).keyFor(pg, d); ok && !skip[k.String()] {
			keys[k.String()] = k
		}
	}
	if origin {
		switch d.Scope {
		case schema.Group:
			for _, g := range p.Target.Groups {
				keys[state.GroupKey(g).String()] = state.GroupKey(g)
			}
		case schema.User:
			for _, u := range p.Target.Users {
				keys[state.UserKey(u).String()] = state.UserKey(u)
			}
		}
	}
	// States change independently: a few at a time, so that a push to a
	// thousand groups does not wait for a thousand round trips to the
	// session store in a row.
	work := make(chan state.Key)
	var wg sync.WaitGroup
	for range min(pushWorkers, len(keys)) {
		wg.Go(func() {
			for k := range work {
				err := rt.pushState(ctx, k, d, action, p)
				mu.Lock()
				reach.States++
				reach.Pages += len(rt.pages.State(k.String()))
				if err == nil {
					done = append(done, k.String())
				}
				mu.Unlock()
				if err != nil && ctx.Err() == nil {
					rt.log.Error("server action failed", "action", wire.Echo(p.Action), "err", err)
				}
				note(err)
			}
		})
	}
	for _, k := range keys {
		if ctx.Err() != nil {
			break
		}
		work <- k
	}
	close(work)
	wg.Wait()
	if err := ctx.Err(); err != nil {
		return reach, done, err
	}
	return reach, done, first
}

// pushState applies push p to the store d of state k, as k's owner.
func (rt *Runtime) pushState(ctx context.Context, k state.Key, d *schema.Decl, action string, p relay.Push) error {
	s, err := rt.states.Acquire(ctx, k, []*schema.Decl{d}, k.Owner(), nil)
	if err != nil {
		return err
	}
	defer rt.states.Release(s)
	c := &Call{ctx: ctx, action: action, id: k.Owner(), data: p.Data, decl: d, hook: rt.o.Hooks.Change}
	if err := rt.applyTo(ctx, s, c, p.ID); err != nil {
		return err
	}
	if len(c.events) > 0 {
		for _, pg := range rt.pages.State(k.String()) {
			rt.emitTo(pg, c.events)
		}
		if rt.relay != nil { // and the state's pages on the other instances
			rt.relay.Events(k.String(), s.Current().Version(), c.events)
		}
	}
	return nil
}

// pushOwn applies a server action to page pg's own store i, in its turn,
// as the page's viewer.
func (rt *Runtime) pushOwn(ctx context.Context, pg *page.Page, i int, action string, data map[string]json.RawMessage) error {
	if err := pg.Lock(ctx); err != nil {
		return err
	}
	defer pg.Unlock()
	if !pg.Live() {
		return errNotLive
	}
	c := rt.pageCall(ctx, pg.View.(*View), pg, action, data, nil)
	c.paged = false // nobody acts: nothing to redirect
	if err := rt.actOwn(c, pg, i); err != nil {
		return err
	}
	rt.emitTo(pg, c.events)
	return nil
}

// keyFor returns the key of the state that holds store d on page p.
func (v *View) keyFor(p *page.Page, d *schema.Decl) (state.Key, bool) {
	for i, s := range v.slots {
		if s.Decl == d && v.keyOf[i] >= 0 && v.keyOf[i] < len(p.Keys) {
			return p.Keys[v.keyOf[i]], true
		}
	}
	return state.Key{}, false
}

// refresh marks this instance's targeted pages for a new render, with
// renders made before it no longer shared.
func (rt *Runtime) refresh(v *View, t Target) Reach {
	rt.epoch.Add(1)
	pages := rt.pagesOf(v, t.Target, t.Filter)
	for _, p := range pages {
		p.Changed()
	}
	return Reach{Pages: len(pages)}
}

// disconnect closes this instance's targeted connections.
func (rt *Runtime) disconnect(v *View, t Target) Reach {
	pages := rt.pagesOf(v, t.Target, t.Filter)
	for _, p := range pages {
		if s := p.Socket(); s != nil {
			_ = s.Close(wire.CloseUnauthorized, "signed out")
			continue
		}
		rt.Detach(p, nil)
		rt.Forget(p)
	}
	return Reach{Pages: len(pages)}
}

// allViews returns the app's views.
func (rt *Runtime) allViews() []*View {
	rt.viewsMu.Lock()
	defer rt.viewsMu.Unlock()
	out := make([]*View, 0, len(rt.views))
	for _, v := range rt.views {
		out = append(out, v)
	}
	return out
}

// View returns the view named id, or nil.
func (rt *Runtime) View(id string) *View {
	rt.viewsMu.Lock()
	defer rt.viewsMu.Unlock()
	return rt.views[id]
}

// receiver is the runtime as the relay's Receiver.
type receiver struct{ rt *Runtime }

func (r receiver) Holds(name string) bool { return r.rt.states.Lookup(name) != nil }

func (r receiver) CatchUp(ctx context.Context, name string, version uint64) {
	if s := r.rt.states.Lookup(name); s != nil {
		s.CatchUp(ctx, version)
	}
}

func (r receiver) Events(ctx context.Context, name string, version uint64, events [][]byte) {
	s := r.rt.states.Lookup(name)
	if s == nil {
		return
	}
	s.CatchUp(ctx, version) // the pages render the change the events come with
	for _, pg := range r.rt.pages.State(name) {
		r.rt.emitTo(pg, events)
	}
}

func (r receiver) Push(ctx context.Context, view string, p relay.Push) {
	var v *View
	if view != "" {
		if v = r.rt.View(view); v == nil {
			return // a view this instance does not serve
		}
	}
	if _, _, ok := r.rt.routePush(v, p.Action); !ok {
		return
	}
	if _, _, err := r.rt.applyPush(ctx, v, p, nil, false); err != nil && ctx.Err() == nil {
		r.rt.log.Error("server action from another instance failed", "action", wire.Echo(p.Action), "err", err)
	}
}

func (r receiver) Refresh(view string, t relay.Target) {
	if v := r.rt.View(view); view == "" || v != nil {
		r.rt.refresh(v, Target{Target: t})
	}
}

func (r receiver) Disconnect(view string, t relay.Target) {
	if v := r.rt.View(view); view == "" || v != nil {
		r.rt.disconnect(v, Target{Target: t})
	}
}

func (r receiver) Resync(ctx context.Context) {
	for _, s := range r.rt.states.All() {
		s.CatchUp(ctx, 0)
	}
}
