package actions

import (
	"embed"
	"errors"
	"strings"

	"github.com/lvtgo/livetemplate"
)

//go:embed rsvp.html
var files embed.FS

// Reply is one answer to the invitation.
type Reply struct {
	Name   string
	Guests int
	Diet   []string
}

// RSVP is the guest list.
type RSVP struct {
	Capacity int
	Replies  []Reply
}

// quote:change
// replyForm is what the form sends; Bind fills it by the fields' names.
type replyForm struct {
	Name   string   `lvt:"name"`
	Guests int      `lvt:"guests"`
	Diet   []string `lvt:"diet"` // the checked boxes
}

func (r *RSVP) Change(ctx *livetemplate.ActionContext) error {
	switch ctx.Action() {
	case "add":
		var f replyForm
		if err := ctx.Bind(&f); err != nil {
			return err // "guests" is not a number: a FieldError for it
		}
		f.Name = strings.TrimSpace(f.Name)
		var errs []error
		if f.Name == "" {
			errs = append(errs, livetemplate.FieldError{Field: "name", Message: "Who are you?"})
		}
		if f.Guests < 1 || f.Guests > 4 {
			errs = append(errs, livetemplate.FieldError{Field: "guests", Message: "Between 1 and 4, please."})
		}
		if err := errors.Join(errs...); err != nil {
			return err // every field error at once; nothing is changed
		}
		if r.Seats()+f.Guests > r.Capacity {
			return livetemplate.UserErrorf("Sorry, there is room for %d more.", r.Capacity-r.Seats())
		}
		r.Replies = append(r.Replies, Reply(f))
		return nil
	default:
		return livetemplate.ErrUnknownAction
	}
}

// quote:end

// Seats counts the seats taken.
func (r *RSVP) Seats() int {
	n := 0
	for _, x := range r.Replies {
		n += x.Guests
	}
	return n
}

// quote:mount
// Page is each tab's own state, started from the URL: /?all shows the list.
type Page struct {
	ShowAll bool
}

// Mount runs when a tab opens the page, before its first render.
func (p *Page) Mount(ctx *livetemplate.ActionContext) error {
	if r := ctx.Request(); r != nil {
		p.ShowAll = r.URL.Query().Has("all")
	}
	return nil
}

// quote:end

func (p *Page) Change(ctx *livetemplate.ActionContext) error {
	return livetemplate.ErrUnknownAction
}

// NewHandler mounts the invitation for capacity seats on app.
func NewHandler(app *livetemplate.App, capacity int) (*livetemplate.Handler, error) {
	tmpl, err := livetemplate.New("rsvp.html", livetemplate.WithFS(files, "rsvp.html"))
	if err != nil {
		return nil, err
	}
	return app.Mount(tmpl,
		livetemplate.Named("rsvp", &RSVP{Capacity: capacity}),
		livetemplate.PerConnection(livetemplate.Named("page", &Page{})),
	)
}
