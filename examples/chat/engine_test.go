package main

import (
	"testing"

	"github.com/stretchr/testify/assert"

	"github.com/lvtgo/livetemplate"
	"github.com/lvtgo/livetemplate/livetest"
)

// canonical is a PerConnection store whose Mount sends a page load of an
// unknown ?room= to / with a flash message: what View.Mount would do if
// the flash survived the redirect.
type canonical struct{ Room string }

func (c *canonical) Change(*livetemplate.ActionContext) error { return livetemplate.ErrUnknownAction }

func (c *canonical) Mount(ctx *livetemplate.ActionContext) error {
	if room := ctx.Request().URL.Query().Get("room"); room != "" && room != "lobby" {
		ctx.Flash("error", "No such room.")
		return ctx.Redirect("/")
	}
	c.Room = "lobby"
	return nil
}

// TestEngineFlashOfAMountRedirectIsLost shows an engine bug: a flash
// message set by a PerConnection store's Mount that also redirects (the
// page load is answered 303 See Other) is dropped, although
// ActionContext.Flash says the message shows on the page the client goes
// to, and issue 17 says a flash survives a redirect. runtime.newPage
// returns c.redirect and discards c.flash with the page it does not make.
// View.Mount works around it by showing the lobby at the URL it was given
// instead of redirecting.
func TestEngineFlashOfAMountRedirectIsLost(t *testing.T) {
	tmpl := livetemplate.Must(livetemplate.New("p", livetemplate.WithText(
		`<html><body><h1>{{.canonical.Room}}</h1>{{range .flash}}<p class="flash">{{.Message}}</p>{{end}}</body></html>`)))
	app := livetest.App(t)
	srv := livetest.Start(t, app.Handle(tmpl, livetemplate.PerConnection(&canonical{})))
	p := srv.Open("/?room=nowhere") // redirected to /
	assert.Equal(t, "lobby", p.Text("h1"))
	assert.Equal(t, "No such room.", p.Text(".flash"))
}
