package security

import (
	"time"

	"github.com/lvtgo/livetemplate"
)

// Note is the page's state.
type Note struct{ Text string }

func (n *Note) Change(ctx *livetemplate.ActionContext) error {
	if ctx.Action() != "save" {
		return livetemplate.ErrUnknownAction
	}
	n.Text = ctx.GetString("text")
	return nil
}

// quote:options
// NewApp returns an app whose pages a partner site may embed and talk to,
// with tighter limits than the defaults.
func NewApp() (*livetemplate.App, error) {
	return livetemplate.NewApp(
		// Pages of these origins may open live connections and post
		// actions; the page's own origin always may.
		livetemplate.WithAllowedOrigins("https://partner.example", "https://*.partner.example"),
		// Only the partner may show the pages in a frame (default: 'self').
		livetemplate.WithFrameAncestors("'self'", "https://partner.example"),
		// Zero fields keep their defaults; negative ones mean no limit.
		livetemplate.WithLimits(livetemplate.Limits{
			ActionsPerSecond: 10,       // per session group (default 50)
			ActionBurst:      20,       // (default 200)
			MaxMessageBytes:  16 << 10, // (default 64 KiB)
			MaxConnsPerGroup: 20,       // tabs of one browser (default 100)
		}),
		// Keep a closed page's state for resuming for one minute (default 5 minutes).
		livetemplate.WithIdleTimeout(time.Minute),
		// Actions may redirect to this site's paths and to this host.
		livetemplate.WithRedirectHosts("accounts.example"),
	)
}

// NewHandler mounts the note page on app.
func NewHandler(app *livetemplate.App) (*livetemplate.Handler, error) {
	tmpl, err := livetemplate.New("note", livetemplate.WithText(`<body><p id="text">{{.Text}}</p></body>`))
	if err != nil {
		return nil, err
	}
	return app.Mount(tmpl, &Note{})
}

// quote:end
