package dashboard

import (
	"context"
	"time"

	"github.com/lvtgo/livetemplate"
)

// ClockLease names the lease (App.Lead) under which one instance of the
// dashboard at a time pushes the time.
const ClockLease = "dashboard.clock"

// Clock is the server's time, which every page shows in its header
// (#clock). It is Global, and only the server changes it: a page that sends
// "clock.tick" itself gets ErrUnknownAction.
type Clock struct {
	Now string // "15:04:05 UTC"; empty until the first tick
}

// Change handles the server action "clock.tick" (field now).
func (c *Clock) Change(ctx *livetemplate.ActionContext) error {
	if ctx.Action() != "tick" || ctx.Request() != nil { // Request is nil for a server action
		return livetemplate.ErrUnknownAction
	}
	c.Now = ctx.GetString("now")
	return nil
}

// Tick pushes the time to every page of app every period until ctx ends.
// Run on each instance of several, it pushes once per instance each period;
// StartClock runs it on one instance at a time.
func Tick(ctx context.Context, app *livetemplate.App, every time.Duration) {
	tick := time.NewTicker(every)
	defer tick.Stop()
	for {
		select {
		case <-ctx.Done():
			return
		case now := <-tick.C:
			// A failure (the store down) is the next tick's to mend.
			_, _ = app.Broadcast(ctx, livetemplate.All(), "clock.tick",
				map[string]any{"now": now.UTC().Format(time.TimeOnly) + " UTC"})
		}
	}
}

// StartClock makes app push the time to every page every period, from one
// of its instances at a time (ClockLease): with several instances, each
// tick is pushed once, not once per instance. It stops when app shuts down
// and fails only if app has (livetemplate.ErrClosed) or leads ClockLease
// already.
func StartClock(app *livetemplate.App, every time.Duration) error {
	return app.Lead(ClockLease, func(ctx context.Context) { Tick(ctx, app, every) })
}
