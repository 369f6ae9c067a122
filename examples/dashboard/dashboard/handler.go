package dashboard

import (
	"embed"
	"fmt"
	"net/http"

	"github.com/lvtgo/livetemplate"
	"github.com/lvtgo/livetemplate/auth"
	"github.com/lvtgo/livetemplate/examples/login"
)

//go:embed dashboard.html
var files embed.FS

// NewHandler builds the page's handler, in strict mode (template mistakes
// are errors), for both / and AdminPath: the Global Board and People, and
// a View per page. admin is the administrator's user name. opts come after
// the page's own options, so they can replace them; give it the
// authenticator of a login.Login with teams (livetemplate.WithAuthenticator).
func NewHandler(admin string, opts ...livetemplate.Option) (*livetemplate.Handler, error) {
	if err := login.ValidName("admin", admin); err != nil {
		return nil, fmt.Errorf("dashboard: administrator %q: %w", admin, err)
	}
	own := []livetemplate.Option{livetemplate.WithFS(files, "dashboard.html"), livetemplate.WithStrict()}
	tmpl, err := livetemplate.New("dashboard.html", append(own, opts...)...)
	if err != nil {
		return nil, err
	}
	return tmpl.Handle(
		livetemplate.Named("board", livetemplate.Global(&Board{})),
		livetemplate.Named("people", livetemplate.Global(&People{})),
		livetemplate.Named("view", livetemplate.PerConnection(&View{AdminName: admin})),
	), nil
}

// Routes returns the application: the page h at / for signed-in users
// (others are sent to /login) and at AdminPath for admin only (403 for
// other users, on page loads, WebSocket upgrades and POSTs alike), the
// sign-in page at /login, and POST /logout, which also closes the user's
// pages of h.
func Routes(h *livetemplate.Handler, lg *login.Login, admin string) http.Handler {
	mux := http.NewServeMux()
	mux.Handle(login.Path, lg)
	mux.Handle("POST /logout", lg.Logout(h))
	mux.Handle("/{$}", lg.RequireLogin(h))
	mux.Handle(AdminPath, lg.Restrict(func(id auth.Identity) bool { return id.UserID == admin }, h))
	return mux
}
