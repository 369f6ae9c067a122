package runtime

import (
	"context"
	"encoding/json"
	"errors"
	"fmt"
	"runtime/debug"
	"sync"
	"time"

	"github.com/lvtgo/livetemplate/internal/fault"
	"github.com/lvtgo/livetemplate/internal/page"
	"github.com/lvtgo/livetemplate/internal/relay"
	"github.com/lvtgo/livetemplate/internal/wire"
)

// Bounds of server events and background work.
const (
	// MaxCallEvents bounds the events one call pushes.
	MaxCallEvents = 16
	// MaxAsyncPerPage bounds the pieces of background work one page runs
	// at once; MaxAsync bounds them for the whole runtime.
	MaxAsyncPerPage = 8
	MaxAsync        = 4096
	// liveWait is how often background work whose page has no connection
	// looks again.
	liveWait = 200 * time.Millisecond
)

// Errors of PushEvent and Async.
var (
	ErrTooManyEvents = fmt.Errorf("livetemplate: push event: more than %d events in one action", MaxCallEvents)
	ErrNoAsync       = errors.New("livetemplate: async: only a page's action can start background work")
	ErrAsyncBusy     = errors.New("livetemplate: async: too much background work runs for this page or app")
)

// Work is background work started by Async: it returns the data of the
// action that applies its outcome, or an error, whose user message
// (fault.As) goes to that action as "error".
type Work func(ctx context.Context) (map[string]any, error)

// asyncReq is a piece of work an action asked for, started if it succeeds.
type asyncReq struct {
	then string
	work Work
}

// asyncRun owns the runtime's background work: Close waits for it.
type asyncRun struct {
	mu     sync.Mutex
	n      int
	closed bool
	wg     sync.WaitGroup
}

// PushEvent queues event name with payload (encoded as JSON) for the
// client: for an action, the acting page, with the action's reply; for a
// server action (Broadcast), every page of this instance that shows the
// changed state, with the patch of that change. Events are sent only if
// the call succeeds.
func (c *Call) PushEvent(name string, payload any) error {
	if len(c.events) >= MaxCallEvents {
		return ErrTooManyEvents
	}
	e, err := wire.EncodeEvent(name, payload)
	if err != nil {
		return fmt.Errorf("livetemplate: push event: %w", err)
	}
	c.events = append(c.events, e)
	return nil
}

// Async asks for work to run in the background once the action succeeds,
// without the store's state or the page's turn; its outcome is applied as
// action then of the same store (on the same page for a page-scoped store).
func (c *Call) Async(then string, work Work) error {
	if c.view == nil || c.base == nil || !c.paged || c.slot < 0 {
		return ErrNoAsync
	}
	if len(c.async) >= MaxAsyncPerPage {
		return ErrAsyncBusy
	}
	c.async = append(c.async, asyncReq{then: then, work: work})
	return nil
}

// emitTo queues the events of call c, which succeeded, for page p.
func (rt *Runtime) emitTo(p *page.Page, events [][]byte) {
	if n := p.Emit(events); n > 0 {
		rt.log.Warn("server events dropped: the page's client does not keep up", "page", p.LogID, "dropped", n)
	}
}

// started starts the background work call c asked for on page p's store i.
func (rt *Runtime) started(p *page.Page, i int, reqs []asyncReq) {
	for _, r := range reqs {
		if err := rt.startAsync(p, i, r); err != nil {
			rt.log.Warn("background work not started", "page", p.LogID, "then", wire.Echo(r.then), "err", err)
		}
	}
}

// startAsync runs r for store i of page p on a goroutine the runtime owns:
// it ends when the page is forgotten or the runtime closes, and its
// outcome is applied as r.then.
func (rt *Runtime) startAsync(p *page.Page, i int, r asyncReq) error {
	a := &rt.async
	a.mu.Lock()
	defer a.mu.Unlock()
	if a.closed || rt.Closing() {
		return errStopped
	}
	if a.n >= MaxAsync {
		return ErrAsyncBusy
	}
	ctx, done, ok := p.StartWork(rt.ctx, MaxAsyncPerPage)
	if !ok {
		return ErrAsyncBusy
	}
	a.n++
	a.wg.Go(func() {
		defer func() {
			done()
			a.mu.Lock()
			a.n--
			a.mu.Unlock()
		}()
		data := rt.runWork(ctx, p, r)
		if ctx.Err() != nil {
			// The page is gone, or the runtime closes. A shared store
			// outlives the page: it hears of the end, so that what the
			// action left pending (a "loading" flag) does not stay so.
			if rt.ctx.Err() == nil && p.View.(*View).keyOf[i] >= 0 {
				rt.cancelledAsync(p, i, r.then)
			}
			return
		}
		if err := rt.applyAsync(ctx, p, i, r.then, data); err != nil && ctx.Err() == nil {
			rt.log.Error("background work: applying its outcome failed", "page", p.LogID, "action", wire.Echo(r.then), "err", err)
		}
	})
	return nil
}

// runWork runs r's work and returns the data of its outcome's action: what
// it returned, or "error" with a message the user may see (the details of
// other errors and panics are logged).
func (rt *Runtime) runWork(ctx context.Context, p *page.Page, r asyncReq) (data map[string]json.RawMessage) {
	var res map[string]any
	err := func() (err error) {
		defer func() {
			if x := recover(); x != nil {
				err = fmt.Errorf("panicked: %v\n%s", x, debug.Stack())
			}
		}()
		res, err = r.work(ctx)
		return err
	}()
	data = make(map[string]json.RawMessage, len(res)+1)
	for k, v := range res {
		js, jerr := json.Marshal(v)
		if jerr != nil && err == nil {
			err = fmt.Errorf("result %q: %w", k, jerr)
		}
		data[k] = js
	}
	if err != nil {
		fe := fault.As(err)
		if fe.Logged() && ctx.Err() == nil {
			rt.log.Error("background work failed", "page", p.LogID, "then", wire.Echo(r.then), "err", err)
		}
		data["error"], _ = json.Marshal(fe.UserMessage())
	}
	return data
}

// applyAsync applies action then with data to store i of page p: a
// page-scoped store on the page, in its turn; a shared store through its
// state, which every page showing it renders.
func (rt *Runtime) applyAsync(ctx context.Context, p *page.Page, i int, then string, data map[string]json.RawMessage) error {
	v := p.View.(*View)
	if v.keyOf[i] < 0 {
		// A page-scoped store lives with its page: a page without its
		// connection (a phone asleep, a network change) gets the outcome
		// when its client is back, until the page is forgotten.
		var tick *time.Ticker
		for {
			err := rt.pushOwn(ctx, p, i, then, data)
			if err != errNotLive {
				return err
			}
			if tick == nil {
				rt.log.Debug("background work: waiting for its page's connection", "page", p.LogID, "action", wire.Echo(then))
				tick = time.NewTicker(liveWait)
				defer tick.Stop()
			}
			select {
			case <-tick.C:
			case <-ctx.Done():
				return ctx.Err()
			}
		}
	}
	k, ok := v.keyFor(p, v.slots[i].Decl)
	if !ok {
		return errNotLive
	}
	return rt.pushState(ctx, k, v.slots[i].Decl, then, relay.Push{Data: data})
}

// cancelledWork is the "error" of the outcome of shared work whose page
// went away before it ended.
const cancelledWork = "Cancelled: the page that started it closed."

// cancelledAsync applies action then of shared store i of page p, which is
// gone, with "error" cancelledWork, within the store's timeout.
func (rt *Runtime) cancelledAsync(p *page.Page, i int, then string) {
	ctx, cancel := context.WithTimeout(rt.ctx, rt.o.Limits.StoreTimeout)
	defer cancel()
	msg, _ := json.Marshal(cancelledWork)
	if err := rt.applyAsync(ctx, p, i, then, map[string]json.RawMessage{"error": msg}); err != nil && rt.ctx.Err() == nil {
		rt.log.Error("background work: telling its store it was cancelled failed", "page", p.LogID, "action", wire.Echo(then), "err", err)
	}
}

// closeAsync stops new background work and waits for what runs (its
// contexts end with the runtime's).
func (rt *Runtime) closeAsync() {
	rt.async.mu.Lock()
	rt.async.closed = true
	rt.async.mu.Unlock()
	rt.async.wg.Wait()
}
