// Package todos is the page of the to-do list example: its stores (a list
// shared by every tab of a browser, and each tab's own view of it), its
// template and the handler that serves them. The example's main (one
// directory up) serves it; tests build it with options of their own.
package todos

import (
	"embed"

	"github.com/lvtgo/livetemplate"
)

//go:embed todos.html
var files embed.FS

// NewHandler builds the page's handler, in strict mode (template mistakes
// are errors): a shared list and a per-tab view. opts come after the page's
// own options, so they can replace them (a test's logger, session store or
// authenticator).
func NewHandler(opts ...livetemplate.Option) (*livetemplate.Handler, error) {
	own := []livetemplate.Option{livetemplate.WithFS(files, "todos.html"), livetemplate.WithStrict()}
	tmpl, err := livetemplate.New("todos.html", append(own, opts...)...)
	if err != nil {
		return nil, err
	}
	return tmpl.Handle(&Todos{NextID: 1}, livetemplate.PerConnection(&View{Filter: "all"})), nil
}
