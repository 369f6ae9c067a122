package livetest

import (
	"context"
	"io"
	"log/slog"
	"time"

	"github.com/lvtgo/livetemplate"
)

// Output is implemented by test types that have a log stream
// (*testing.T's Output); App writes the app's log there.
type Output interface {
	Output() io.Writer
}

// App returns a new livetemplate.App for a test, with a logger that writes
// to the test's output when tb has one, then opts. Mount the pages under
// test on it (the page's own constructor, say NewHandler(app)). The app is
// shut down when the test ends; an error making it fails the test.
func App(tb TB, opts ...livetemplate.Option) *livetemplate.App {
	tb.Helper()
	var own []livetemplate.Option
	if o, ok := tb.(Output); ok {
		own = append(own, livetemplate.WithLogger(slog.New(slog.NewTextHandler(o.Output(), nil))))
	}
	app, err := livetemplate.NewApp(append(own, opts...)...)
	if err != nil {
		tb.Fatalf("livetest: new app: %v", err)
		return nil
	}
	tb.Cleanup(func() {
		ctx, cancel := context.WithTimeout(context.Background(), 5*time.Second)
		defer cancel()
		if err := app.Shutdown(ctx); err != nil {
			tb.Errorf("livetest: shut the app down: %v", err)
		}
	})
	return app
}
