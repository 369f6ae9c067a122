package templates

import (
	"embed"
	"slices"
	"strings"

	"github.com/lvtgo/livetemplate"
)

//go:embed ideas.html
var files embed.FS

// Idea is one item of the board.
type Idea struct {
	ID    int
	Text  string
	Votes int
}

// Board is shared by the tabs of a browser (the session group).
type Board struct {
	Items  []Idea
	NextID int
}

func (b *Board) Change(ctx *livetemplate.ActionContext) error {
	switch ctx.Action() {
	case "add":
		text := strings.TrimSpace(ctx.GetString("text"))
		if text == "" {
			return livetemplate.FieldError{Field: "text", Message: "Write something first."}
		}
		b.NextID++
		b.Items = append(b.Items, Idea{ID: b.NextID, Text: text})
	case "vote":
		id, err := ctx.GetInt("id")
		if err != nil {
			return err
		}
		for i := range b.Items {
			if b.Items[i].ID == id {
				b.Items[i].Votes++
			}
		}
	default:
		return livetemplate.ErrUnknownAction
	}
	return nil
}

// quote:sorted
// Sorted is a method the template calls: {{range .board.Sorted .view.By}}.
func (b *Board) Sorted(by string) []Idea {
	out := slices.Clone(b.Items)
	if by == "votes" {
		slices.SortStableFunc(out, func(x, y Idea) int { return y.Votes - x.Votes })
	} else {
		slices.Reverse(out)
	}
	return out
}

// quote:end

// View is each tab's own: how it sorts the board.
type View struct {
	By string
}

func (v *View) Change(ctx *livetemplate.ActionContext) error {
	if ctx.Action() != "sort" {
		return livetemplate.ErrUnknownAction
	}
	v.By = ctx.GetString("by")
	return nil
}

// quote:handler
// NewHandler mounts the ideas page on app.
func NewHandler(app *livetemplate.App) (*livetemplate.Handler, error) {
	tmpl, err := livetemplate.New("ideas.html",
		livetemplate.WithFS(files, "ideas.html"), // files is an embed.FS
	)
	if err != nil {
		return nil, err
	}
	return app.Mount(tmpl,
		livetemplate.Named("board", &Board{}),
		livetemplate.PerConnection(livetemplate.Named("view", &View{By: "new"})),
	)
}

// quote:end
