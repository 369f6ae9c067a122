package todos

import (
	"strings"
	"unicode/utf8"

	"github.com/lvtgo/livetemplate"
)

// Todo is one item of the list.
type Todo struct {
	ID    int
	Title string
	Done  bool
}

// Todos is the list, shared by every tab of a session group.
type Todos struct {
	Items  []Todo
	NextID int
}

// maxTitle is the longest title, in characters.
const maxTitle = 100

// Change handles "todos.*" actions.
func (t *Todos) Change(ctx *livetemplate.ActionContext) error {
	switch ctx.Action() {
	case "add":
		title, err := validTitle(ctx.GetString("title"))
		if err != nil {
			return err
		}
		t.Items = append(t.Items, Todo{ID: t.NextID, Title: title})
		t.NextID++
	case "save":
		i, err := t.find(ctx)
		if err != nil {
			return err
		}
		title, err := validTitle(ctx.GetString("title"))
		if err != nil {
			return err
		}
		t.Items[i].Title = title
		if v, ok := ctx.Store("view").(*View); ok {
			v.Editing = 0 // this tab is done editing
		}
	case "toggle":
		i, err := t.find(ctx)
		if err != nil {
			return err
		}
		t.Items[i].Done = !t.Items[i].Done
	case "delete":
		i, err := t.find(ctx)
		if err != nil {
			return err
		}
		t.Items = append(t.Items[:i], t.Items[i+1:]...)
	case "clear":
		kept := t.Items[:0]
		for _, it := range t.Items {
			if !it.Done {
				kept = append(kept, it)
			}
		}
		t.Items = kept
	default:
		return livetemplate.ErrUnknownAction
	}
	return nil
}

func validTitle(s string) (string, error) {
	s = strings.TrimSpace(s)
	switch {
	case s == "":
		return "", livetemplate.FieldError{Field: "title", Message: "Please enter a title."}
	case utf8.RuneCountInString(s) > maxTitle:
		return "", livetemplate.FieldError{Field: "title", Message: "Keep the title under 100 characters."}
	}
	return s, nil
}

func (t *Todos) find(ctx *livetemplate.ActionContext) (int, error) {
	id, err := ctx.GetInt("id")
	if err != nil {
		return 0, err
	}
	for i, it := range t.Items {
		if it.ID == id {
			return i, nil
		}
	}
	return 0, livetemplate.UserErrorf("That item no longer exists.")
}

// Left counts the items not done.
func (t *Todos) Left() int {
	n := 0
	for _, it := range t.Items {
		if !it.Done {
			n++
		}
	}
	return n
}

// View is one tab's own view of the list: its filter and the item being
// edited. It is per connection, so tabs filter and edit independently.
type View struct {
	Filter  string
	Editing int
}

// Change handles "view.*" actions.
func (v *View) Change(ctx *livetemplate.ActionContext) error {
	switch ctx.Action() {
	case "filter":
		switch f := ctx.GetString("filter"); f {
		case "all", "active", "done":
			v.Filter = f
		default:
			return livetemplate.UserErrorf("Unknown filter.")
		}
	case "edit":
		id, err := ctx.GetInt("id")
		if err != nil {
			return err
		}
		v.Editing = id
	case "cancel":
		v.Editing = 0
	default:
		return livetemplate.ErrUnknownAction
	}
	return nil
}

// Mount reads the filter from the page's URL (?filter=done).
func (v *View) Mount(ctx *livetemplate.ActionContext) error {
	if r := ctx.Request(); r != nil {
		switch f := r.URL.Query().Get("filter"); f {
		case "active", "done":
			v.Filter = f
		}
	}
	return nil
}

// Shows reports whether the view shows an item.
func (v *View) Shows(t Todo) bool {
	switch v.Filter {
	case "active":
		return !t.Done
	case "done":
		return t.Done
	}
	return true
}

// Filters lists the filters a view offers.
func (v *View) Filters() []string { return []string{"all", "active", "done"} }
