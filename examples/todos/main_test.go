package main

import (
	"fmt"
	"strings"
	"testing"

	"go.uber.org/goleak"

	"github.com/lvtgo/livetemplate"
	"github.com/lvtgo/livetemplate/examples/todos/todos"
	"github.com/lvtgo/livetemplate/livetest"
)

// The browser tests of this page are in the module e2e (e2e/todos).

// TestMain checks for leaked goroutines.
func TestMain(m *testing.M) { goleak.VerifyTestMain(m) }

// testHandler mounts the page on an app made for one test (logging to
// the test's output, shut down when the test ends), configured by opts.
func testHandler(t *testing.T, opts ...livetemplate.Option) *livetemplate.Handler {
	t.Helper()
	h, err := todos.NewHandler(livetest.App(t, opts...))
	if err != nil {
		t.Fatalf("mount the page: %v", err)
	}
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
