// Package dashboard is the dashboard example: announcements an
// administrator addresses to everyone, to one user or to one team, each
// shown live to exactly the users it is for; and, for the administrator,
// who is connected. It holds the stores, the templates of its two pages and
// NewHandler, which mounts them on one App behind the sign-in of package
// examples/login. The example's main (one directory up) serves it; tests
// mount it on an app of their own.
//
// Its two pages are mounted on one App: / (every signed-in user:
// home.html) and AdminPath (the administrator only, guarded by the routes
// of NewHandler and again by View.Mount and Board.Change: admin.html).
// Both show the same Global stores, so they share one Board and one
// People, on every instance: an announcement made on the admin page
// reaches every home page it is for. What a page shows of them depends on
// who views it (.viewer). The administrator moves between the pages with
// lvt-navigate links, over the same live connection.
package dashboard

import (
	"maps"
	"slices"
	"strings"
	"time"
	"unicode/utf8"

	"github.com/lvtgo/livetemplate"
	"github.com/lvtgo/livetemplate/examples/login"
)

// AdminPath is the URL of the administrator's page.
const AdminPath = "/admin"

// MaxAnnouncements is how many announcements the board keeps: older ones
// are dropped.
const MaxAnnouncements = 100

// MaxText is the longest announcement, in characters.
const MaxText = 500

// MaxKnown bounds the users, and the teams, that People remembers: past
// it, the one seen longest ago is forgotten.
const MaxKnown = 200

// Targets of an announcement: All, or a prefix and a name ("user:ann",
// "group:red").
const (
	All         = "all"
	UserPrefix  = "user:"
	GroupPrefix = "group:"
)

// Announcement is one announcement and who it is for.
type Announcement struct {
	// ID numbers announcements from 1, in the order they were made.
	ID int
	// Target is All, UserPrefix + a user's name or GroupPrefix + a team
	// (a session group: auth.Identity.GroupID).
	Target string
	// Text is the announcement, as typed and trimmed; the template
	// escapes it.
	Text string
	// At is when it was made, in UTC.
	At time.Time
}

// For reports whether the announcement is addressed to v.
func (a Announcement) For(v livetemplate.Viewer) bool {
	if name, ok := strings.CutPrefix(a.Target, UserPrefix); ok {
		return name == v.UserID
	}
	if team, ok := strings.CutPrefix(a.Target, GroupPrefix); ok {
		return team == v.GroupID
	}
	return a.Target == All
}

// CheckTarget checks an announcement's target: All, or UserPrefix or
// GroupPrefix and a valid name (login.ValidName). It returns nil or a
// livetemplate.FieldError for the field "target".
func CheckTarget(t string) error {
	if t == All {
		return nil
	}
	name, ok := strings.CutPrefix(t, UserPrefix)
	if !ok {
		name, ok = strings.CutPrefix(t, GroupPrefix)
	}
	if !ok {
		return livetemplate.FieldError{Field: "target", Message: `Choose "all", a user or a group.`}
	}
	return login.ValidName("target", name)
}

// Board holds the announcements, newest first. It is Global: one board
// for every page on every instance.
type Board struct {
	Items  []Announcement // newest first, at most MaxAnnouncements
	NextID int            // the ID of the last announcement
}

// Change handles "board.announce" (fields text and target), which only
// the administrator's page (View.Admin) may send: anyone else gets a
// UserError. An empty or overly long text, or a bad target, is refused
// with a FieldError. A success shows the administrator a flash message
// (kind "info") saying who the announcement went to.
func (b *Board) Change(ctx *livetemplate.ActionContext) error {
	switch ctx.Action() {
	case "announce":
		if v, ok := ctx.Store("view").(*View); !ok || !v.Admin {
			return livetemplate.UserErrorf("Only the administrator can make announcements.")
		}
		text := strings.TrimSpace(ctx.GetString("text"))
		target := ctx.GetString("target")
		switch {
		case text == "":
			return livetemplate.FieldError{Field: "text", Message: "Write the announcement first."}
		case utf8.RuneCountInString(text) > MaxText:
			return livetemplate.FieldError{Field: "text", Message: "Keep it under 500 characters."}
		}
		if err := CheckTarget(target); err != nil {
			return err
		}
		b.NextID++
		b.Items = slices.Insert(b.Items, 0, Announcement{ID: b.NextID, Target: target, Text: text, At: time.Now().UTC()})
		if len(b.Items) > MaxAnnouncements {
			b.Items = b.Items[:MaxAnnouncements]
		}
		ctx.Flash("info", "Announced to "+target+".")
	default:
		return livetemplate.ErrUnknownAction
	}
	return nil
}

// For returns the announcements addressed to v, newest first.
func (b *Board) For(v livetemplate.Viewer) []Announcement {
	var out []Announcement
	for _, a := range b.Items {
		if a.For(v) {
			out = append(out, a)
		}
	}
	return out
}

// People knows who uses the dashboard: the users and teams seen (the
// targets the administrator can choose) and who is connected now. It is a
// Global Watcher store, so with a shared session store its counts cover
// every instance (an instance that crashes leaves its pages counted).
type People struct {
	// Conns counts the live connections (pages) of every user.
	Conns int
	// Online counts the live connections of each user, by name.
	Online map[string]int
	// Users and Groups are the users and the teams seen, with when they
	// last connected. A user without a team is no group of its own here.
	Users, Groups map[string]time.Time
}

var _ livetemplate.Watcher = (*People)(nil)

// Change refuses every action: People changes only as pages come and go.
func (p *People) Change(*livetemplate.ActionContext) error { return livetemplate.ErrUnknownAction }

// Connected counts a page of its user, and remembers the user and team.
func (p *People) Connected(ctx *livetemplate.ActionContext) error {
	if p.Online == nil {
		p.Online, p.Users, p.Groups = map[string]int{}, map[string]time.Time{}, map[string]time.Time{}
	}
	now := time.Now().UTC()
	user, group := ctx.UserID(), ctx.GroupID()
	p.Conns++
	p.Online[user]++
	remember(p.Users, user, now)
	if group != user {
		remember(p.Groups, group, now)
	}
	return nil
}

// Disconnected counts a page of its user that went away.
func (p *People) Disconnected(ctx *livetemplate.ActionContext) error {
	p.Conns = max(p.Conns-1, 0)
	if p.Online[ctx.UserID()]--; p.Online[ctx.UserID()] <= 0 {
		delete(p.Online, ctx.UserID())
	}
	return nil
}

// remember notes that name was seen at now, forgetting the name seen
// longest ago when m would hold more than MaxKnown.
func remember(m map[string]time.Time, name string, now time.Time) {
	m[name] = now
	if len(m) <= MaxKnown {
		return
	}
	oldest := slices.MinFunc(slices.Collect(maps.Keys(m)), func(a, b string) int { return m[a].Compare(m[b]) })
	delete(m, oldest)
}

// View is one page's own view: whether it is the administrator's page.
// It is per connection.
type View struct {
	// AdminName is the administrator's user name, set by NewHandler.
	AdminName string
	// Admin is true on the administrator's page (admin.html), as NewHandler
	// mounts it, and false on the home page.
	Admin bool
}

// Mount refuses the administrator's page (Admin) to anyone but AdminName,
// with a UserError (the routes of NewHandler answer such requests 403
// before they get here).
func (v *View) Mount(ctx *livetemplate.ActionContext) error {
	if v.Admin && ctx.UserID() != v.AdminName {
		return livetemplate.UserErrorf("Only the administrator may open this page.")
	}
	return nil
}

// Change refuses every action: a view is what its page is.
func (v *View) Change(*livetemplate.ActionContext) error { return livetemplate.ErrUnknownAction }
