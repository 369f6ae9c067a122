package main

import (
	"net/http"

	"github.com/lvtgo/livetemplate"
)

// This file is the whole server side of the tool. It uses only the stable
// part of the facade (New, WithText, WithLimits, Handle), so that the same
// tool measures older and newer versions of the library: for a version that
// predates a Limits field, delete that field's line below.

// page is the counter page: one dynamic, the count, so that every patch is
// {"0":"<count>"}.
const page = `<!DOCTYPE html><html><head><title>lvtload</title></head>` +
	`<body><p id="count">{{.Count}}</p><button lvt-click="increment">+1</button></body></html>`

// Counter is the page's state, shared by the tabs of one browser.
type Counter struct {
	Count int
}

// Change handles the page's one action.
func (c *Counter) Change(ctx *livetemplate.ActionContext) error {
	if ctx.Action() != "increment" {
		return livetemplate.ErrUnknownAction
	}
	c.Count++
	return nil
}

// liveHandler is what Handle returns, in any version of the facade.
type liveHandler interface {
	http.Handler
	Close() error
}

// newHandler builds the counter page with every per-client limit lifted
// (a negative value means no limit), so that one process on 127.0.0.1 can
// open thousands of tabs in one group and act as fast as replies come back.
// opts are the app's options (a shared store and bus, say).
func newHandler(opts ...livetemplate.Option) (*livetemplate.Handler, error) {
	tmpl, err := livetemplate.New("lvtload", livetemplate.WithText(page))
	if err != nil {
		return nil, err
	}
	app, err := livetemplate.NewApp(append([]livetemplate.Option{livetemplate.WithLimits(livetemplate.Limits{
		ActionsPerSecond: -1,
		ActionBurst:      -1,
		MaxConnsPerGroup: -1,
		// newer limits: begin
		MaxConnsPerAddress:      -1,
		AddressActionsPerSecond: -1,
		AddressActionBurst:      -1,
		MaxPendingPages:         -1,
		AddressPagesPerSecond:   -1, // every tab comes from 127.0.0.1
		// newer limits: end
	})}, opts...)...)
	if err != nil {
		return nil, err
	}
	h, err := app.Mount(tmpl, &Counter{})
	if err != nil {
		_ = app.Close()
		return nil, err
	}
	return h, nil
}
