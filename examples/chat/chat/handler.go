package chat

import (
	"embed"
	"net/http"

	"github.com/lvtgo/livetemplate"
	"github.com/lvtgo/livetemplate/examples/login"
)

//go:embed chat.html
var files embed.FS

// NewHandler builds the page's handler, in strict mode (template mistakes
// are errors): a Room per room name and a View per page. opts come after
// the page's own options, so they can replace them; give it the
// authenticator of a login.Login (livetemplate.WithAuthenticator), so
// that pages know who writes.
func NewHandler(opts ...livetemplate.Option) (*livetemplate.Handler, error) {
	own := []livetemplate.Option{livetemplate.WithFS(files, "chat.html"), livetemplate.WithStrict()}
	tmpl, err := livetemplate.New("chat.html", append(own, opts...)...)
	if err != nil {
		return nil, err
	}
	return tmpl.Handle(
		livetemplate.Named("room", livetemplate.Scoped(&Room{}, RoomOf)),
		livetemplate.Named("view", livetemplate.PerConnection(&View{Room: DefaultRoom})),
	), nil
}

// Routes returns the application: the chat page at / for signed-in users
// (others are sent to /login), the sign-in page at /login, and POST
// /logout, which also closes the user's pages of h.
func Routes(h *livetemplate.Handler, lg *login.Login) http.Handler {
	mux := http.NewServeMux()
	mux.Handle(login.Path, lg)
	mux.Handle("POST /logout", lg.Logout(h))
	mux.Handle("/{$}", lg.RequireLogin(h))
	return mux
}
