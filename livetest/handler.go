package livetest

import (
	"context"
	"io"
	"log/slog"
	"time"

	"github.com/lvtgo/livetemplate"
)

// Output is implemented by test types that have a log stream
// (*testing.T's Output); Handler writes the handler's log there.
type Output interface {
	Output() io.Writer
}

// Handler builds a page's handler for a test: build is the page's own
// constructor (a NewHandler(opts ...livetemplate.Option)), given strict
// mode (livetemplate.WithStrict: a template that reads a store the page
// does not have fails loudly instead of rendering nothing), a logger that
// writes to the test's output when tb has one, and then opts. The handler
// is shut down when the test ends; an error building it fails the test.
func Handler[H livetemplate.LiveHandler](tb TB, build func(...livetemplate.Option) (H, error), opts ...livetemplate.Option) H {
	tb.Helper()
	own := []livetemplate.Option{livetemplate.WithStrict()}
	if o, ok := tb.(Output); ok {
		own = append(own, livetemplate.WithLogger(slog.New(slog.NewTextHandler(o.Output(), nil))))
	}
	h, err := build(append(own, opts...)...)
	if err != nil {
		tb.Fatalf("livetest: build the handler: %v", err)
		return h
	}
	tb.Cleanup(func() {
		ctx, cancel := context.WithTimeout(context.Background(), 5*time.Second)
		defer cancel()
		if err := h.Shutdown(ctx); err != nil {
			tb.Errorf("livetest: shut the handler down: %v", err)
		}
	})
	return h
}
