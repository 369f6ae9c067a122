package chat

import (
	"embed"
	"fmt"
	"net/http"

	"github.com/lvtgo/livetemplate"
	"github.com/lvtgo/livetemplate/auth"
	"github.com/lvtgo/livetemplate/examples/login"
)

//go:embed chat.html moderate.html
var files embed.FS

// The pages' templates. Templates are strict by default: reading a field
// the stores lack is an error, found when a page is mounted.
var (
	roomPage     = livetemplate.Must(livetemplate.New("chat.html", livetemplate.WithFS(files, "chat.html")))
	moderatePage = livetemplate.Must(livetemplate.New("moderate.html", livetemplate.WithFS(files, "moderate.html")))
)

// NewHandler mounts the chat's two pages on app and returns the handler of
// the whole application:
//
//   - / (chat.html) for signed-in users: the room ?room= names (RoomOf);
//     others are sent to the sign-in page;
//   - AdminPath (moderate.html) for the user named adminName only, who
//     deletes messages of the room ?room= names: 403 for other users, on
//     page loads, WebSocket upgrades, POSTs and live navigations alike;
//   - login.Path, lg's sign-in page;
//   - POST /logout, which signs the user out and closes their live pages of
//     app, on every instance (App.Disconnect).
//
// Both pages show a Room ("room") per room name, shared by every page of
// the room (chat and moderation alike), and a View ("view") of their own;
// the moderation page has a Mod ("mod") too. app must authenticate with lg
// (livetemplate.WithAuthenticator(lg.Authenticator())), so that pages know
// who writes, and adminName must be a valid name (login.ValidName).
// NewHandler fails if it is not, or if a page does not mount (say, app
// already shows another store named "room").
func NewHandler(app *livetemplate.App, lg *login.Login, adminName string) (http.Handler, error) {
	if err := login.ValidName("admin", adminName); err != nil {
		return nil, fmt.Errorf("chat: administrator %q: %w", adminName, err)
	}
	room := livetemplate.Named("room", livetemplate.Scoped(&Room{}, RoomOf))
	view := livetemplate.Named("view", livetemplate.PerConnection(&View{Room: DefaultRoom, AdminName: adminName}))
	chat, err := app.Mount(roomPage, room, view)
	if err != nil {
		return nil, err
	}
	moderate, err := app.Mount(moderatePage, room, view,
		livetemplate.Named("mod", livetemplate.PerConnection(&Mod{AdminName: adminName})))
	if err != nil {
		return nil, err
	}
	mux := http.NewServeMux()
	mux.Handle(login.Path, lg)
	mux.Handle("POST /logout", lg.Logout(app))
	mux.Handle("/{$}", lg.RequireLogin(chat))
	mux.Handle(AdminPath, lg.Restrict(func(id auth.Identity) bool { return id.UserID == adminName }, moderate))
	return mux, nil
}
