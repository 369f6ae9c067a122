// Package chat is the chat example: a room (a store shared by every page
// in the room, on every instance, that also keeps who is online), each
// page's own view (which room it shows), the template, and NewHandler,
// which mounts the page on an App behind the sign-in of package
// examples/login. The example's main (one directory up) serves it; tests
// mount it on an app of their own.
//
// It has two live pages, mounted on one App: the room page at / (every
// signed-in user: chat.html) and the moderation page at AdminPath (the
// administrator only: moderate.html), where the administrator deletes
// messages. Both show the same Scoped Room store, so a room's chat pages
// and its moderation page share one state: a message deleted on one is
// gone from the others at once.
//
// Links between rooms and pages are lvt-navigate links: moving to another
// room swaps the page over the same live connection (the new room's Room
// and View come from the new URL). Going to a room by name is an action
// that redirects (View.Change, "join"), and a URL naming no valid room
// shows the lobby with a flash message (View.Mount); moderating actions
// report what they did with a flash message.
package chat

import (
	"fmt"
	"net/http"
	"net/url"
	"regexp"
	"slices"
	"strings"
	"time"
	"unicode/utf8"

	"github.com/lvtgo/livetemplate"
	"github.com/lvtgo/livetemplate/auth"
)

// DefaultRoom is the room of a page that names none (or names one that is
// not a valid room name).
const DefaultRoom = "lobby"

// Rooms are the rooms the page links to. Any valid name is a room: these
// are just the ones on the menu.
var Rooms = []string{"lobby", "dev", "random"}

// MaxMessages is how many messages a room keeps: older ones are dropped.
const MaxMessages = 100

// MaxText is the longest message, in characters.
const MaxText = 500

// roomName is what a room may be called.
var roomName = regexp.MustCompile(`^[a-z0-9-]{1,32}$`)

// AdminPath is the URL of the moderation page.
const AdminPath = "/admin"

// RoomPath returns the path of the page of room name: "/?room=" and name.
func RoomPath(name string) string { return "/?room=" + url.QueryEscape(name) }

// RoomOf returns the room a page shows: its ?room= parameter if it is a
// valid room name (1 to 32 of a-z, 0-9 and '-'), else DefaultRoom. It is
// the key of the Room store (livetemplate.Scoped): pages with the same
// room share one.
func RoomOf(r *http.Request, _ auth.Identity) string {
	if r == nil {
		return DefaultRoom
	}
	if name := r.URL.Query().Get("room"); ValidRoom(name) {
		return name
	}
	return DefaultRoom
}

// ValidRoom reports whether name is a valid room name: 1 to 32 of a-z,
// 0-9 and '-'.
func ValidRoom(name string) bool { return roomName.MatchString(name) }

// BadRoom is the message of a room name that is not valid.
const BadRoom = "A room name is 1 to 32 of a-z, 0-9 and '-'."

// Message is one message of a room.
type Message struct {
	ID     int       // from 1, in the order the room received them
	Author string    // the sender's user name (auth.Identity.UserID)
	Text   string    // as typed, trimmed; the template escapes it
	At     time.Time // when the room received it, in UTC
}

// Room is one chat room: its last MaxMessages messages, and who has a page
// of it open. It is shared by every page whose RoomOf is the same, across
// users and, with a shared session store and bus, instances.
type Room struct {
	Messages []Message // oldest first, at most MaxMessages
	NextID   int       // the ID of the last message
	// Online counts the open pages (live connections) of each user in the
	// room, by name.
	Online map[string]int
}

var _ livetemplate.Watcher = (*Room)(nil)

// Change handles "room.send": the acting user's message, in field text.
// An empty or overly long text is refused with a FieldError for text.
//
// On the moderation page (a page with a Mod store) it also handles
// "room.delete", which deletes the message whose ID is in field id, and
// "room.clear", which deletes them all; each reports what it did with a
// flash message (kind "info"). From any other page they are refused with a
// UserError.
func (r *Room) Change(ctx *livetemplate.ActionContext) error {
	switch ctx.Action() {
	case "delete", "clear":
		if _, ok := ctx.Store("mod").(*Mod); !ok {
			return livetemplate.UserErrorf("Only the administrator can moderate a room.")
		}
		if ctx.Action() == "clear" {
			ctx.Flash("info", fmt.Sprintf("Deleted all %d messages.", len(r.Messages)))
			r.Messages = nil
			return nil
		}
		id, err := ctx.GetInt("id")
		if err != nil {
			return err
		}
		i := slices.IndexFunc(r.Messages, func(m Message) bool { return m.ID == id })
		if i < 0 {
			return livetemplate.UserErrorf("That message is gone already.")
		}
		ctx.Flash("info", "Deleted a message of "+r.Messages[i].Author+".")
		r.Messages = slices.Delete(r.Messages, i, i+1)
	case "send":
		text := strings.TrimSpace(ctx.GetString("text"))
		switch {
		case text == "":
			return livetemplate.FieldError{Field: "text", Message: "Type a message first."}
		case utf8.RuneCountInString(text) > MaxText:
			return livetemplate.FieldError{Field: "text", Message: "Keep it under 500 characters."}
		}
		r.NextID++
		r.Messages = append(r.Messages, Message{ID: r.NextID, Author: ctx.UserID(), Text: text, At: time.Now().UTC()})
		if n := len(r.Messages) - MaxMessages; n > 0 {
			r.Messages = slices.Delete(r.Messages, 0, n)
		}
	default:
		return livetemplate.ErrUnknownAction
	}
	return nil
}

// Connected counts a page of the user that opened it.
func (r *Room) Connected(ctx *livetemplate.ActionContext) error {
	if r.Online == nil {
		r.Online = map[string]int{}
	}
	r.Online[ctx.UserID()]++
	return nil
}

// Disconnected counts a page of the user that closed it; a user with no
// page left is no longer online.
func (r *Room) Disconnected(ctx *livetemplate.ActionContext) error {
	if r.Online[ctx.UserID()]--; r.Online[ctx.UserID()] <= 0 {
		delete(r.Online, ctx.UserID())
	}
	return nil
}

// View is one page's own view: the room it shows. It is per connection.
type View struct {
	Room string // the room's name (RoomOf)
	// AdminName is the administrator's user name, set by NewHandler: the
	// room page links to the moderation page for them.
	AdminName string
}

// Mount reads the page's room from its URL (RoomOf): on a page load, and
// on a live navigation to another room. A URL that names a room that is
// not valid shows the lobby, with a flash message of kind "error" that
// says why.
func (v *View) Mount(ctx *livetemplate.ActionContext) error {
	r := ctx.Request()
	v.Room = RoomOf(r, auth.Identity{})
	if r != nil {
		if name := r.URL.Query().Get("room"); name != "" && !ValidRoom(name) {
			ctx.Flash("error", BadRoom+" Here is the #"+DefaultRoom+".")
		}
	}
	return nil
}

// Change handles "view.join": it sends the page to the room named in field
// room (RoomPath), live, or refuses a name that is not valid with a
// FieldError for room. Capitals are taken as small letters.
func (v *View) Change(ctx *livetemplate.ActionContext) error {
	if ctx.Action() != "join" {
		return livetemplate.ErrUnknownAction
	}
	name := strings.ToLower(strings.TrimSpace(ctx.GetString("room")))
	if !ValidRoom(name) {
		return livetemplate.FieldError{Field: "room", Message: BadRoom}
	}
	return ctx.Redirect(RoomPath(name))
}

// Rooms lists the rooms the page links to: Rooms, and the page's own if it
// is another.
func (v *View) Rooms() []string {
	if slices.Contains(Rooms, v.Room) {
		return Rooms
	}
	return append(slices.Clone(Rooms), v.Room)
}

// Mod is the moderation page's own store. Its Mount refuses the page to
// anyone but AdminName, so a page that has one is the administrator's:
// Room.Change lets only such pages delete messages.
type Mod struct {
	// AdminName is the administrator's user name, set by NewHandler.
	AdminName string
}

// Mount refuses the moderation page to anyone but AdminName, with a
// UserError (the routes of NewHandler answer such requests 403 before
// they get here).
func (m *Mod) Mount(ctx *livetemplate.ActionContext) error {
	if ctx.UserID() != m.AdminName {
		return livetemplate.UserErrorf("Only the administrator may moderate.")
	}
	return nil
}

// Change refuses every action: the moderating actions are the Room's.
func (m *Mod) Change(*livetemplate.ActionContext) error { return livetemplate.ErrUnknownAction }
