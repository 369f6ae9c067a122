// Command todos is a to-do list: the list is shared by every tab of a
// browser, while each tab keeps its own filter and the item it is editing.
//
//	go run ./examples/todos -addr :8080
package main

import (
	"embed"

	"github.com/lvtgo/livetemplate"
	"github.com/lvtgo/livetemplate/examples/internal/serve"
)

//go:embed todos.html
var files embed.FS

// newHandler builds the page's handler: a shared list and a per-tab view.
func newHandler(opts ...livetemplate.Option) (livetemplate.LiveHandler, error) {
	tmpl, err := livetemplate.New("todos.html", append([]livetemplate.Option{livetemplate.WithFS(files, "todos.html")}, opts...)...)
	if err != nil {
		return nil, err
	}
	return tmpl.Handle(&Todos{NextID: 1}, livetemplate.PerConnection(&View{Filter: "all"})), nil
}

func main() { serve.Main(newHandler) }
