package chat

import (
	"embed"
	"net/http"

	"github.com/lvtgo/livetemplate"
	"github.com/lvtgo/livetemplate/examples/login"
)

//go:embed chat.html
var files embed.FS

// page is the room page's template. Templates are strict by default:
// reading a field the stores lack is an error, found when the page is
// mounted.
var page = livetemplate.Must(livetemplate.New("chat.html", livetemplate.WithFS(files, "chat.html")))

// NewHandler mounts the chat's room page on app and returns the handler of
// the whole application:
//
//   - / for signed-in users: the room ?room= names (RoomOf), with a Room
//     ("room") per room name, shared by every page of the room, and a View
//     ("view") per page; others are sent to the sign-in page;
//   - login.Path, lg's sign-in page;
//   - POST /logout, which signs the user out and closes their live pages of
//     app, on every instance (App.Disconnect).
//
// app must authenticate with lg (livetemplate.WithAuthenticator(
// lg.Authenticator())), so that pages know who writes. NewHandler fails if
// the page does not mount: if app already shows other stores named "room"
// on another page.
func NewHandler(app *livetemplate.App, lg *login.Login) (http.Handler, error) {
	room, err := app.Mount(page,
		livetemplate.Named("room", livetemplate.Scoped(&Room{}, RoomOf)),
		livetemplate.Named("view", livetemplate.PerConnection(&View{Room: DefaultRoom})),
	)
	if err != nil {
		return nil, err
	}
	mux := http.NewServeMux()
	mux.Handle(login.Path, lg)
	mux.Handle("POST /logout", lg.Logout(app))
	mux.Handle("/{$}", lg.RequireLogin(room))
	return mux, nil
}
