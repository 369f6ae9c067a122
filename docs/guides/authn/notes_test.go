package authn

import (
	"github.com/lvtgo/livetemplate"
)

// Notes is a list of notes, shared by a session group.
type Notes struct {
	Lines []string
}

// Change adds a note, signed with the acting user's id.
func (n *Notes) Change(ctx *livetemplate.ActionContext) error {
	if ctx.Action() != "add" {
		return livetemplate.ErrUnknownAction
	}
	n.Lines = append(n.Lines, ctx.UserID()+": "+ctx.GetString("text"))
	return nil
}

const page = `<body>
<ul id="notes">{{range .Lines}}<li>{{.}}</li>{{end}}</ul>
<form id="add" lvt-submit="add"><input name="text"><button>Add</button></form>
</body>`

// newHandler mounts the notes page on app, whose authenticator names the
// users.
func newHandler(app *livetemplate.App) (*livetemplate.Handler, error) {
	tmpl, err := livetemplate.New("notes", livetemplate.WithText(page))
	if err != nil {
		return nil, err
	}
	return app.Mount(tmpl, &Notes{})
}
