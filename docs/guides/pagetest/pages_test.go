package pagetest

import (
	"embed"
	"strings"

	"github.com/lvtgo/livetemplate"
)

//go:embed counter.html todos.html
var files embed.FS

// Counter is the counter page's state.
type Counter struct{ Count int }

func (c *Counter) Change(ctx *livetemplate.ActionContext) error {
	if ctx.Action() != "increment" {
		return livetemplate.ErrUnknownAction
	}
	c.Count++
	return nil
}

// NewHandler mounts the counter page on app.
func NewHandler(app *livetemplate.App) (*livetemplate.Handler, error) {
	tmpl, err := livetemplate.New("counter.html", livetemplate.WithFS(files, "counter.html"))
	if err != nil {
		return nil, err
	}
	return app.Mount(tmpl, &Counter{})
}

// Todos is a list with a validated title.
type Todos struct{ Items []string }

func (l *Todos) Change(ctx *livetemplate.ActionContext) error {
	if ctx.Action() != "add" {
		return livetemplate.ErrUnknownAction
	}
	title := strings.TrimSpace(ctx.GetString("title"))
	if title == "" {
		return livetemplate.FieldError{Field: "title", Message: "Please enter a title."}
	}
	l.Items = append(l.Items, title)
	ctx.Flash("info", "Added.")
	return nil
}

// NewTodosHandler mounts the to-do page on app.
func NewTodosHandler(app *livetemplate.App) (*livetemplate.Handler, error) {
	tmpl, err := livetemplate.New("todos.html", livetemplate.WithFS(files, "todos.html"))
	if err != nil {
		return nil, err
	}
	return app.Mount(tmpl, livetemplate.Named("todos", &Todos{}))
}
