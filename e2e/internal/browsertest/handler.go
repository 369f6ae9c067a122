package browsertest

import (
	"context"
	"log/slog"
	"testing"
	"time"

	"github.com/lvtgo/livetemplate"
)

// Handler builds a page's handler with build, logging to the test's output,
// and shuts it down (checking the error) when the test ends.
func Handler[H livetemplate.LiveHandler](tb testing.TB, build func(...livetemplate.Option) (H, error), opts ...livetemplate.Option) H {
	tb.Helper()
	opts = append([]livetemplate.Option{livetemplate.WithLogger(slog.New(slog.NewTextHandler(tb.Output(), nil)))}, opts...)
	h, err := build(opts...)
	if err != nil {
		tb.Fatalf("browsertest: build handler: %v", err)
	}
	tb.Cleanup(func() {
		ctx, cancel := context.WithTimeout(context.Background(), 5*time.Second)
		defer cancel()
		if err := h.Shutdown(ctx); err != nil {
			tb.Errorf("browsertest: shut the handler down: %v", err)
		}
	})
	return h
}
