// Package todos is the page of the to-do list example: its stores (a list
// shared by every tab of a browser, and each tab's own view of it), its
// template and NewHandler, which mounts them on an App. The example's main
// (one directory up) serves it; tests mount it on an app of their own.
package todos

import (
	"embed"

	"github.com/lvtgo/livetemplate"
)

//go:embed todos.html
var files embed.FS

// page is the page's template. Templates are strict by default: reading a
// field the stores lack is an error, found when the page is mounted.
var page = livetemplate.Must(livetemplate.New("todos.html", livetemplate.WithFS(files, "todos.html")))

// NewHandler mounts the to-do page on app and returns its handler: a list
// (Todos, "todos") per session group and a View ("view") per tab. Serve it
// at any path; View reads ?filter= from the page's URL. It fails if the page
// does not mount: if app already shows different stores named "todos" or
// "view" on another page.
func NewHandler(app *livetemplate.App) (*livetemplate.Handler, error) {
	return app.Mount(page, &Todos{NextID: 1}, livetemplate.PerConnection(&View{Filter: "all"}))
}
