// Package counter is the page of the counter example: its state, its
// template and NewHandler, which mounts them on an App. The example's main
// (one directory up) serves it; tests mount it on an app of their own.
package counter

import (
	"embed"

	"github.com/lvtgo/livetemplate"
)

//go:embed counter.html
var files embed.FS

// Counter is the page's state, shared by the tabs of one browser.
type Counter struct {
	Count int
}

// Change handles the page's actions.
func (c *Counter) Change(ctx *livetemplate.ActionContext) error {
	switch ctx.Action() {
	case "increment":
		c.Count++
	case "decrement":
		c.Count--
	case "add":
		n, err := ctx.GetInt("by")
		if err != nil {
			return err
		}
		c.Count += n
	case "reset":
		c.Count = 0
	default:
		return livetemplate.ErrUnknownAction
	}
	return nil
}

// page is the page's template. Templates are strict by default: reading a
// field the store lacks is an error, found when the page is mounted.
var page = livetemplate.Must(livetemplate.New("counter.html", livetemplate.WithFS(files, "counter.html")))

// NewHandler mounts the counter page on app and returns its handler: one
// Counter per session group (the tabs of one browser). Serve it at any
// path. It fails if the page does not mount: if app already shows a
// different store named "counter" on another page.
func NewHandler(app *livetemplate.App) (*livetemplate.Handler, error) {
	return app.Mount(page, &Counter{})
}
