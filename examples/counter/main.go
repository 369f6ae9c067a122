// Command counter is the smallest livetemplate page: a shared counter that
// every tab of a browser sees change.
//
//	go run ./examples/counter -addr :8080
package main

import (
	"embed"

	"github.com/lvtgo/livetemplate"
	"github.com/lvtgo/livetemplate/examples/internal/serve"
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

// newHandler builds the page's handler.
func newHandler(opts ...livetemplate.Option) (livetemplate.LiveHandler, error) {
	tmpl, err := livetemplate.New("counter.html", append([]livetemplate.Option{livetemplate.WithFS(files, "counter.html")}, opts...)...)
	if err != nil {
		return nil, err
	}
	return tmpl.Handle(&Counter{}), nil
}

func main() { serve.Main(newHandler) }
