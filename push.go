package livetemplate

import (
	"context"
	"encoding/json"
	"fmt"
	"slices"
	"sync"

	"github.com/lvtgo/livetemplate/auth"
	"github.com/lvtgo/livetemplate/internal/wire"
)

// Target says which pages a server push reaches: every page, the pages of
// some users or of some session groups, or those whose viewer a filter
// accepts. Make one with All, Users, Groups or Filter.
type Target struct {
	all    bool
	users  []string
	groups []string
	filter func(auth.Identity) bool
}

// All targets every page.
func All() Target { return Target{all: true} }

// Users targets the pages of the users with these ids (as the
// Authenticator names them), on every instance.
func Users(ids ...string) Target { return Target{users: slices.Clone(ids)} }

// Groups targets the pages of the session groups with these ids, on every
// instance. A group's state is changed even when none of its pages is open.
func Groups(ids ...string) Target { return Target{groups: slices.Clone(ids)} }

// Filter targets the pages whose viewer f accepts. A function cannot travel
// between instances: with several instances a Filter reaches the pages of
// the instance that pushes only; use Users or Groups to reach the others.
func Filter(f func(viewer auth.Identity) bool) Target { return Target{filter: f} }

// Reach is how far a push got on this instance: the shared states it
// changed (or re-rendered, for Refresh) and the pages it reached. Other
// instances apply the push on their own and do not report back.
type Reach struct {
	States int
	Pages  int
}

// Broadcast applies a server action to the pages t targets, as if a tab of
// each had sent it, but with no request (ActionContext.Request is nil) and
// with the identity of the state's owner (for a session group's stores,
// the group's). The action is named like a tab's ("action", or
// "store.action" on pages with several stores) and data holds its values as
// a page would send them. For the store it names, each targeted state is
// changed exactly once, even when its pages are spread over several
// instances (each state remembers the pushes it applied); a PerConnection
// store is changed for each targeted page. Every page that shows a changed
// state then gets its own minimal patch.
//
// Broadcast returns once this instance has applied the action and handed
// it to the bus for the others; it never waits on a client. It honours ctx,
// and returns the first error of a state whose action failed (the others
// are applied all the same): a failing action is rolled back like a tab's.
// After Shutdown began it returns ErrClosed, so a goroutine that pushes can
// stop with the handler.
func (h *Handler) Broadcast(ctx context.Context, t Target, action string, data map[string]any) (Reach, error) {
	if h.ctx.Err() != nil {
		return Reach{}, ErrClosed
	}
	raw := make(map[string]json.RawMessage, len(data))
	for k, v := range data {
		js, err := json.Marshal(v)
		if err != nil {
			return Reach{}, fmt.Errorf("livetemplate: broadcast: data %q: %w", k, err)
		}
		raw[k] = js
	}
	if _, _, ok := h.route(action); !ok {
		return Reach{}, fmt.Errorf("livetemplate: broadcast: %w", unknownAction(action))
	}
	p := push{ID: newToken(), Target: wireTarget(t), Action: action, Data: raw}
	r, done, err := h.applyPush(ctx, p, t.filter, true)
	if len(done) <= maxDoneKeys {
		p.Done = done // the others need not try these (and conflict)
	}
	h.send(busMessage{Kind: kindPush, Push: &p}, t.filter == nil)
	return r, err
}

// Refresh renders the pages t targets again without changing any state:
// for templates that read shared data through functions (who is online, a
// cache). Like Broadcast it reaches every instance, returns at once and
// never waits on a client.
func (h *Handler) Refresh(ctx context.Context, t Target) (Reach, error) {
	if h.ctx.Err() != nil {
		return Reach{}, ErrClosed
	}
	if err := ctx.Err(); err != nil {
		return Reach{}, err
	}
	r := h.refreshLocal(wireTarget(t), t.filter)
	h.send(busMessage{Kind: kindRefresh, Target: wireTarget(t)}, t.filter == nil)
	return r, nil
}

// Disconnect closes the live connections of the pages t targets, on every
// instance: a WebSocket is closed with 4001 ("signed out"), after which the
// browser client stops and marks the page lvt-failed until it is loaded
// again; an HTTP page stops being served (its next request must
// authenticate again). Use it when a user signs out, or loses access:
// pair it with clearing the credentials (the cookie), or the pages would
// just connect again. Like Broadcast it returns at once.
func (h *Handler) Disconnect(ctx context.Context, t Target) (Reach, error) {
	if h.ctx.Err() != nil {
		return Reach{}, ErrClosed
	}
	if err := ctx.Err(); err != nil {
		return Reach{}, err
	}
	r := h.disconnectLocal(wireTarget(t), t.filter)
	h.send(busMessage{Kind: kindDisconnect, Target: wireTarget(t)}, t.filter == nil)
	return r, nil
}

// disconnectLocal closes this instance's targeted connections.
func (h *Handler) disconnectLocal(t target, f func(auth.Identity) bool) Reach {
	pages := h.pagesOf(t, f)
	for _, c := range pages {
		if ws := c.socket(); ws != nil {
			_ = ws.Close(wire.CloseUnauthorized, "signed out")
			continue
		}
		h.detach(c, nil)
		h.pages.forget(c)
	}
	return Reach{Pages: len(pages)}
}

// push is a server action as it travels between instances.
type push struct {
	ID     string                     `json:"id"`
	Target target                     `json:"t"`
	Action string                     `json:"a"`
	Data   map[string]json.RawMessage `json:"d,omitempty"`
	// Done lists the states the pushing instance applied it to; the others
	// skip them. Without it (too many) they find the push recorded in the
	// state instead, at the cost of a compare-and-set conflict.
	Done []string `json:"done,omitempty"`
}

// maxDoneKeys bounds the applied states a push message lists.
const maxDoneKeys = 4096

// target is a Target as it travels between instances (a filter does not).
type target struct {
	All    bool     `json:"all,omitempty"`
	Users  []string `json:"u,omitempty"`
	Groups []string `json:"g,omitempty"`
}

func wireTarget(t Target) target {
	return target{All: t.all || t.filter != nil, Users: t.users, Groups: t.groups}
}

// pagesOf returns this instance's live pages that t (and f, if set)
// targets.
func (h *Handler) pagesOf(t target, f func(auth.Identity) bool) []*conn {
	var out []*conn
	switch {
	case t.All:
		out = h.conns.All()
	default:
		for _, u := range t.Users {
			out = append(out, h.conns.User(u)...)
		}
		for _, g := range t.Groups {
			out = append(out, h.conns.Group(g)...)
		}
	}
	seen := make(map[*conn]bool, len(out))
	return slices.DeleteFunc(out, func(c *conn) bool {
		drop := seen[c] || (f != nil && !f(c.id))
		seen[c] = true
		return drop
	})
}

// applyPush applies p on this instance: to the states the targeted pages
// here show (and, on the instance that pushes, to the targeted groups' and
// users' states even when no page shows them), and to the targeted pages'
// PerConnection stores.
func (h *Handler) applyPush(ctx context.Context, p push, f func(auth.Identity) bool, origin bool) (Reach, []string, error) {
	idx, name, _ := h.route(p.Action)
	sp := &h.specs[idx]
	pages := h.pagesOf(p.Target, f)
	a := action{name: p.Action, data: p.Data, push: p.ID}
	var reach Reach
	var first error
	var done []string
	var mu sync.Mutex // guards reach, first and done while states change in parallel
	note := func(err error) {
		mu.Lock()
		defer mu.Unlock()
		if err != nil && first == nil {
			first = err
		}
	}
	if sp.private {
		for _, c := range pages {
			note(c.actPrivate(ctx, idx, name, a))
			reach.Pages++
		}
		return reach, nil, first
	}
	// The states to change, by key, each with an identity to load it as.
	keys := map[string]scopeKey{}
	ids := map[string]auth.Identity{}
	add := func(k scopeKey, id auth.Identity) {
		if _, ok := keys[k.key]; !ok {
			keys[k.key], ids[k.key] = k, id
		}
	}
	skip := make(map[string]bool, len(p.Done))
	for _, k := range p.Done {
		skip[k] = true
	}
	for _, c := range pages {
		if k := c.keys[h.specScope[idx]]; !skip[k.key] {
			add(k, c.id)
		}
	}
	if origin {
		switch sp.kind {
		case scopeGroup:
			for _, g := range p.Target.Groups {
				add(scopeKey{kind: scopeGroup, key: "g:" + g, spec: -1}, auth.Identity{GroupID: g})
			}
		case scopeUser:
			for _, u := range p.Target.Users {
				add(scopeKey{kind: scopeUser, key: "u:" + u, spec: -1}, auth.Identity{UserID: u})
			}
		}
	}
	// States change independently: a few at a time, so that a push to a
	// thousand groups does not wait for a thousand round trips to the
	// session store in a row.
	work := make(chan string)
	var wg sync.WaitGroup
	for range min(pushWorkers, len(keys)) {
		wg.Go(func() {
			for key := range work {
				s, err := h.acquire(ctx, keys[key], ids[key], nil)
				if err != nil {
					note(err)
					continue
				}
				err = s.act(ctx, nil, idx, name, a)
				pages := len(s.pages())
				h.release(s)
				mu.Lock()
				reach.States++
				reach.Pages += pages
				if err == nil {
					done = append(done, key)
				}
				mu.Unlock()
				if err != nil {
					h.log.Error("server action failed", "action", p.Action, "err", err)
					note(err)
				}
			}
		})
	}
	for key := range keys {
		if ctx.Err() != nil {
			break
		}
		work <- key
	}
	close(work)
	wg.Wait()
	if err := ctx.Err(); err != nil {
		return reach, done, err
	}
	return reach, done, first
}

// pushWorkers bounds the states one push changes at once.
const pushWorkers = 8

// refreshLocal marks this instance's targeted pages for a new render, with
// renders made before it no longer shared.
func (h *Handler) refreshLocal(t target, f func(auth.Identity) bool) Reach {
	h.epoch.Add(1)
	pages := h.pagesOf(t, f)
	for _, c := range pages {
		c.markDirty()
	}
	return Reach{Pages: len(pages)}
}
