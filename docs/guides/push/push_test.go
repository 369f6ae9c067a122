package push

import (
	"context"
	"sync"
	"time"

	"github.com/lvtgo/livetemplate"
)

// Clock is shared by every page (Global); only the server changes it.
type Clock struct{ Now string }

func (c *Clock) Change(ctx *livetemplate.ActionContext) error {
	if ctx.Action() != "tick" || ctx.Request() != nil { // Request is nil for a server action
		return livetemplate.ErrUnknownAction // so a page cannot send "clock.tick" itself
	}
	c.Now = ctx.GetString("now")
	return nil
}

// Inbox is a user's (PerUser): every tab and device of theirs shows it.
type Inbox struct{ Notes []string }

func (in *Inbox) Change(ctx *livetemplate.ActionContext) error {
	switch ctx.Action() {
	case "notify": // from the server
		in.Notes = append(in.Notes, ctx.GetString("text"))
	case "clear": // from a page
		in.Notes = nil
	default:
		return livetemplate.ErrUnknownAction
	}
	return nil
}

// Prices stands for data kept outside the stores (a cache, another
// service), which the template reads through a function.
type Prices struct {
	mu sync.Mutex
	m  map[string]string
}

func (p *Prices) Set(sym, v string) { p.mu.Lock(); p.m[sym] = v; p.mu.Unlock() }
func (p *Prices) Get(sym string) string {
	p.mu.Lock()
	defer p.mu.Unlock()
	return p.m[sym]
}

const page = `<body>
<p id="now">{{.clock.Now}}</p>
<p id="price">ACME {{price "ACME"}}</p>
<ul id="inbox">{{range .inbox.Notes}}<li>{{.}}</li>{{end}}</ul>
<button id="clear" lvt-click="inbox.clear">Clear</button>
</body>`

// NewHandler mounts the dashboard on app.
func NewHandler(app *livetemplate.App, prices *Prices) (*livetemplate.Handler, error) {
	tmpl, err := livetemplate.New("dashboard", livetemplate.WithText(page),
		livetemplate.WithFuncs(map[string]any{"price": prices.Get}))
	if err != nil {
		return nil, err
	}
	return app.Mount(tmpl,
		livetemplate.Named("clock", livetemplate.Global(&Clock{})),
		livetemplate.Named("inbox", livetemplate.PerUser(&Inbox{})),
	)
}

// quote:clock
// StartClock pushes the time to every page of app that shows the clock,
// from one instance of the app at a time (App.Lead), until app shuts down.
func StartClock(app *livetemplate.App, every time.Duration) error {
	return app.Lead("clock", func(ctx context.Context) {
		tick := time.NewTicker(every)
		defer tick.Stop()
		for {
			select {
			case <-ctx.Done():
				return // another instance leads now, or app shuts down
			case now := <-tick.C:
				_, _ = app.Broadcast(ctx, livetemplate.All(), "clock.tick",
					map[string]any{"now": now.Format(time.TimeOnly)})
			}
		}
	})
}

// quote:end

// quote:notify
// Notify adds a note to a user's inbox, on every page of theirs, on every
// instance; the inbox changes even if none is open.
func Notify(ctx context.Context, app *livetemplate.App, user, text string) error {
	_, err := app.Broadcast(ctx, livetemplate.Users(user), "inbox.notify", map[string]any{"text": text})
	return err
}

// SetPrice changes data the stores do not hold, then renders the pages
// again so that they show it.
func SetPrice(ctx context.Context, app *livetemplate.App, prices *Prices, sym, v string) error {
	prices.Set(sym, v)
	_, err := app.Refresh(ctx, livetemplate.All())
	return err
}

// quote:end
