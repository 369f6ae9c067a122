// Package counter is the page of the counter example: its state, its
// template and the handler that serves them. The example's main (one
// directory up) serves it; tests build it with options of their own.
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

// NewHandler builds the page's handler, in strict mode (template mistakes
// are errors). opts come after the page's own options, so they can replace
// them (a test's logger, session store or authenticator).
func NewHandler(opts ...livetemplate.Option) (*livetemplate.Handler, error) {
	own := []livetemplate.Option{livetemplate.WithFS(files, "counter.html"), livetemplate.WithStrict()}
	tmpl, err := livetemplate.New("counter.html", append(own, opts...)...)
	if err != nil {
		return nil, err
	}
	return tmpl.Handle(&Counter{}), nil
}
