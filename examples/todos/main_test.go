package main

import (
	"context"
	"fmt"
	"log/slog"
	"strings"
	"testing"
	"time"

	"go.uber.org/goleak"

	"github.com/lvtgo/livetemplate"
)

// The browser tests of this page are in the module e2e (e2e/todos).

// TestMain checks for leaked goroutines.
func TestMain(m *testing.M) { goleak.VerifyTestMain(m) }

// testHandler builds the page's handler for one test, logging to the test's
// output, and shuts it down when the test ends.
func testHandler(t *testing.T, opts ...livetemplate.Option) livetemplate.LiveHandler {
	t.Helper()
	opts = append([]livetemplate.Option{livetemplate.WithLogger(slog.New(slog.NewTextHandler(t.Output(), nil)))}, opts...)
	h, err := newHandler(opts...)
	if err != nil {
		t.Fatalf("build the page: %v", err)
	}
	t.Cleanup(func() {
		ctx, cancel := context.WithTimeout(context.Background(), 5*time.Second)
		defer cancel()
		if err := h.Shutdown(ctx); err != nil {
			t.Errorf("shut the page down: %v", err)
		}
	})
	return h
}

// Selectors of the page.
const (
	newTitle = "#add input[name=title]"
	addBtn   = "#add button"
)

// item selects within the item with the given ID.
func item(id int, sel string) string {
	return strings.TrimSpace(fmt.Sprintf(`#items li[data-key="%d"] %s`, id, sel))
}
