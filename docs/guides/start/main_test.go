// Command hello serves a counter that every tab of a browser shares.
package main

import (
	"context"
	"log"
	"os"
	"os/signal"

	"github.com/lvtgo/livetemplate"
)

// Counter is the page's state. Its exported fields are what the template
// shows and what is stored.
type Counter struct {
	Count int
}

// Change is called for every action the page sends.
func (c *Counter) Change(ctx *livetemplate.ActionContext) error {
	switch ctx.Action() {
	case "increment":
		c.Count++
	case "add":
		n, err := ctx.GetInt("by")
		if err != nil {
			return err // shown to the user; the count is left as it was
		}
		c.Count += n
	case "reset":
		c.Count = 0
	default:
		return livetemplate.ErrUnknownAction
	}
	return nil
}

// newHandler parses counter.html and mounts it on app, showing a Counter.
func newHandler(app *livetemplate.App) (*livetemplate.Handler, error) {
	tmpl, err := livetemplate.New("counter.html")
	if err != nil {
		return nil, err
	}
	return app.Mount(tmpl, &Counter{})
}

func main() {
	app, err := livetemplate.NewApp() // anonymous visitors, state in memory
	if err != nil {
		log.Fatal(err)
	}
	h, err := newHandler(app)
	if err != nil {
		log.Fatal(err) // a mistake in the template stops the program here
	}
	ctx, stop := signal.NotifyContext(context.Background(), os.Interrupt)
	defer stop()
	log.Print("serving on http://localhost:8080")
	// Serve until Ctrl-C, then close the server and the live pages together.
	if err := livetemplate.Serve(ctx, livetemplate.NewServer(":8080", h), app); err != nil {
		log.Fatal(err)
	}
}
