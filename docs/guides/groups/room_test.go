package groups

import (
	"embed"
	"net/http"
	"strings"

	"github.com/lvtgo/livetemplate"
	"github.com/lvtgo/livetemplate/auth"
)

//go:embed room.html settings.html
var files embed.FS

// quote:handler
// NewHandler mounts a chat room, whose stores are shared four ways, on app.
func NewHandler(app *livetemplate.App) (*livetemplate.Handler, error) {
	tmpl, err := livetemplate.New("room.html", livetemplate.WithFS(files, "room.html"))
	if err != nil {
		return nil, err
	}
	return app.Mount(tmpl,
		livetemplate.Named("room", livetemplate.Scoped(&Room{}, roomOf)),  // everyone in the room
		livetemplate.Named("prefs", livetemplate.PerUser(&Prefs{})),       // every tab and device of a user
		livetemplate.Named("layout", &Layout{}),                           // the session group: one browser
		livetemplate.Named("draft", livetemplate.PerConnection(&Draft{})), // one tab
	)
}

// roomOf is the Scoped key: the room named in the URL, among known rooms
// only, so that a visitor cannot make the server keep any number of rooms.
func roomOf(r *http.Request, _ auth.Identity) string {
	switch name := r.URL.Query().Get("room"); name {
	case "general", "random":
		return name
	}
	return "general"
}

// quote:end

// quote:settings
// NewSettingsHandler mounts the settings page on the same app: it shows two
// of the room page's stores, declared alike, so both pages show one state.
func NewSettingsHandler(app *livetemplate.App) (*livetemplate.Handler, error) {
	tmpl, err := livetemplate.New("settings.html", livetemplate.WithFS(files, "settings.html"))
	if err != nil {
		return nil, err
	}
	return app.Mount(tmpl,
		livetemplate.Named("prefs", livetemplate.PerUser(&Prefs{})),
		livetemplate.Named("layout", &Layout{}),
	)
}

// NewMux serves both pages of one app.
func NewMux(app *livetemplate.App) (*http.ServeMux, error) {
	room, err := NewHandler(app)
	if err != nil {
		return nil, err
	}
	settings, err := NewSettingsHandler(app)
	if err != nil {
		return nil, err
	}
	mux := http.NewServeMux()
	mux.Handle("/{$}", room)
	mux.Handle("/settings", settings)
	return mux, nil
}

// quote:end

// quote:room
// Room is one room's messages and who is in it.
type Room struct {
	Name     string
	Messages []Message
	Online   map[string]int // pages open, by user
}

type Message struct{ From, Text string }

// Mount names the room when its state is created.
func (r *Room) Mount(ctx *livetemplate.ActionContext) error {
	r.Name = roomOf(ctx.Request(), auth.Identity{})
	return nil
}

func (r *Room) Change(ctx *livetemplate.ActionContext) error {
	if ctx.Action() != "say" {
		return livetemplate.ErrUnknownAction
	}
	text := strings.TrimSpace(ctx.GetString("text"))
	if text == "" {
		return livetemplate.FieldError{Field: "text", Message: "Say something."}
	}
	r.Messages = append(r.Messages, Message{From: ctx.UserID(), Text: text})
	if d, ok := ctx.Store("draft").(*Draft); ok {
		d.Text = "" // the acting tab's draft is sent
	}
	return nil
}

// Connected and Disconnected make Room a livetemplate.Watcher: they run
// when a page showing the room connects and disconnects.
func (r *Room) Connected(ctx *livetemplate.ActionContext) error {
	if r.Online == nil {
		r.Online = map[string]int{}
	}
	r.Online[ctx.UserID()]++
	return nil
}

func (r *Room) Disconnected(ctx *livetemplate.ActionContext) error {
	if r.Online[ctx.UserID()]--; r.Online[ctx.UserID()] <= 0 {
		delete(r.Online, ctx.UserID())
	}
	return nil
}

// quote:end

// Prefs are a user's, on every device.
type Prefs struct{ Muted bool }

func (p *Prefs) Change(ctx *livetemplate.ActionContext) error {
	if ctx.Action() != "mute" {
		return livetemplate.ErrUnknownAction
	}
	p.Muted = !p.Muted
	return nil
}

// Layout is one browser's: all its tabs.
type Layout struct{ Compact bool }

func (l *Layout) Change(ctx *livetemplate.ActionContext) error {
	if ctx.Action() != "toggle" {
		return livetemplate.ErrUnknownAction
	}
	l.Compact = !l.Compact
	return nil
}

// Draft is one tab's unsent message.
type Draft struct{ Text string }

func (d *Draft) Change(ctx *livetemplate.ActionContext) error {
	if ctx.Action() != "keep" {
		return livetemplate.ErrUnknownAction
	}
	d.Text = ctx.GetString("text")
	return nil
}
