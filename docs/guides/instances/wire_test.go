package instances

import (
	"context"
	"errors"
	"log/slog"
	"os"

	"github.com/lvtgo/livetemplate"
	"github.com/lvtgo/livetemplate/cluster"
)

// quote:main
// run serves one instance on addr until ctx ends. Every instance runs it
// with the same Redis URL and the same secret.
func run(ctx context.Context, addr, redisURL string, logger *slog.Logger) error {
	c, err := cluster.Open(ctx, redisURL, &cluster.Options{
		Secret:         []byte(os.Getenv("LIVETEMPLATE_SECRET")), // 32 bytes or more, from your secret store
		TrustedProxies: []string{"10.0.0.0/8"},                   // the load balancer's network
		Logger:         logger,
	})
	if err != nil {
		return err
	}
	defer c.Close() // after Serve returned: the app is shut down
	app, err := livetemplate.NewApp(append(c.Options(), livetemplate.WithLogger(logger))...)
	if err != nil {
		return err
	}
	h, err := NewHandler(app)
	if err != nil {
		return errors.Join(err, app.Close())
	}
	return livetemplate.Serve(ctx, livetemplate.NewServer(addr, h), app)
}

// quote:end

// Counter is the page's state.
type Counter struct{ Count int }

func (c *Counter) Change(ctx *livetemplate.ActionContext) error {
	if ctx.Action() != "increment" {
		return livetemplate.ErrUnknownAction
	}
	c.Count++
	return nil
}

// NewHandler mounts the counter on app.
func NewHandler(app *livetemplate.App) (*livetemplate.Handler, error) {
	tmpl, err := livetemplate.New("counter",
		livetemplate.WithText(`<body><p id="n">{{.Count}}</p><button id="inc" lvt-click="increment">+1</button></body>`))
	if err != nil {
		return nil, err
	}
	return app.Mount(tmpl, &Counter{})
}
