package dashboard

import (
	"embed"
	"fmt"
	"net/http"

	"github.com/lvtgo/livetemplate"
	"github.com/lvtgo/livetemplate/auth"
	"github.com/lvtgo/livetemplate/examples/login"
)

//go:embed home.html admin.html layout.html
var files embed.FS

// The pages' templates, with the parts they share (layout.html). Templates
// are strict by default: reading a field the stores lack is an error, found
// when a page is mounted.
var (
	home  = livetemplate.Must(livetemplate.New("home.html", livetemplate.WithFS(files, "home.html", "layout.html")))
	admin = livetemplate.Must(livetemplate.New("admin.html", livetemplate.WithFS(files, "admin.html", "layout.html")))
)

// NewHandler mounts the dashboard's two pages on app and returns the
// handler of the whole application:
//
//   - / (home.html) for signed-in users, who see the announcements made
//     to them; others are sent to the sign-in page;
//   - AdminPath (admin.html) for the user named adminName only: 403 for
//     other users, on page loads, WebSocket upgrades, POSTs and live
//     navigations alike;
//   - login.Path, lg's sign-in page;
//   - POST /logout, which signs the user out and closes their live pages of
//     app, on every instance (App.Disconnect).
//
// Both pages show the Global stores Board ("board"), People ("people")
// and Clock ("clock", which StartClock ticks), so they share their states,
// and a View ("view") of their own. app must
// authenticate with lg (livetemplate.WithAuthenticator(lg.Authenticator())),
// lg must give users their teams (login.Options.GroupOf, say Teams.Of) for
// announcements to teams to reach anyone, and adminName must be a valid
// name (login.ValidName).
// NewHandler fails if it is not, or if a page does not mount (say, app
// already shows other stores named "board" or "people").
func NewHandler(app *livetemplate.App, lg *login.Login, adminName string) (http.Handler, error) {
	if err := login.ValidName("admin", adminName); err != nil {
		return nil, fmt.Errorf("dashboard: administrator %q: %w", adminName, err)
	}
	board := livetemplate.Named("board", livetemplate.Global(&Board{}))
	people := livetemplate.Named("people", livetemplate.Global(&People{}))
	clock := livetemplate.Named("clock", livetemplate.Global(&Clock{})) // StartClock ticks it
	homePage, err := app.Mount(home, board, people, clock,
		livetemplate.Named("view", livetemplate.PerConnection(&View{AdminName: adminName})))
	if err != nil {
		return nil, err
	}
	adminPage, err := app.Mount(admin, board, people, clock,
		livetemplate.Named("view", livetemplate.PerConnection(&View{AdminName: adminName, Admin: true})))
	if err != nil {
		return nil, err
	}
	mux := http.NewServeMux()
	mux.Handle(login.Path, lg)
	mux.Handle("POST /logout", lg.Logout(app))
	mux.Handle("/{$}", lg.RequireLogin(homePage))
	mux.Handle(AdminPath, lg.Restrict(func(id auth.Identity) bool { return id.UserID == adminName }, adminPage))
	return mux, nil
}
