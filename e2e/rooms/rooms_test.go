// Package rooms_test tests a store scoped to a room in a real browser.
package rooms_test

import (
	"net/http"
	"net/http/httptest"
	"testing"

	"github.com/lvtgo/livetemplate"
	"github.com/lvtgo/livetemplate/auth"
	"github.com/lvtgo/livetemplate/e2e/internal/browsertest"
	"github.com/lvtgo/livetemplate/livetest"
)

// Poll is a room's poll: every page in the room shares it.
type Poll struct{ Yes, No int }

// Change counts a vote.
func (p *Poll) Change(ctx *livetemplate.ActionContext) error {
	switch ctx.Action() {
	case "yes":
		p.Yes++
	case "no":
		p.No++
	default:
		return livetemplate.ErrUnknownAction
	}
	return nil
}

const page = `<!DOCTYPE html><html><body>
<p id="tally">yes {{.Yes}} / no {{.No}}</p>
<button id="yes" lvt-click="yes">Yes</button><button id="no" lvt-click="no">No</button>
</body></html>`

func room(r *http.Request, _ auth.Identity) string { return r.URL.Query().Get("room") }

// Two browsers in one room share its poll; a third, in another room, sees
// nothing of it.
func TestE2EScopedStoreIsSharedByRoom(t *testing.T) {
	tmpl := livetemplate.Must(livetemplate.New("poll", livetemplate.WithText(page)))
	srv := httptest.NewServer(livetest.App(t).Handle(tmpl, livetemplate.Scoped(&Poll{}, room)))
	t.Cleanup(srv.Close)
	b := browsertest.New(t)
	alice, bob, carol := b.Context(t).Tab(t), b.Context(t).Tab(t), b.Context(t).Tab(t)
	for tab, url := range map[*browsertest.Tab]string{alice: srv.URL + "/?room=red", bob: srv.URL + "/?room=red", carol: srv.URL + "/?room=blue"} {
		tab.Navigate(url)
		tab.WaitClass("html", "lvt-connected")
	}
	alice.Click("#yes")
	bob.WaitTextIs("#tally", "yes 1 / no 0")
	bob.Click("#no")
	alice.WaitTextIs("#tally", "yes 1 / no 1")
	carol.Click("#no")
	carol.WaitTextIs("#tally", "yes 0 / no 1")
	alice.WaitTextIs("#tally", "yes 1 / no 1")
}
