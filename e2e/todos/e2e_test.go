package todos_test

import (
	"fmt"
	"net/http"
	"net/http/httptest"
	"strings"
	"testing"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"

	"github.com/lvtgo/livetemplate"
	"github.com/lvtgo/livetemplate/e2e/internal/browsertest"
	"github.com/lvtgo/livetemplate/examples/todos/todos"
	"github.com/lvtgo/livetemplate/livetest"
)

// End-to-end tests: the to-do list in a real headless Chromium, served by
// httptest servers on 127.0.0.1. Each test starts its server before its
// browser, so that the browser's tabs close first.

// testHandler mounts the page on an app made for one test (logging to the
// test's output, shut down when the test ends), configured by opts.
func testHandler(t *testing.T, opts ...livetemplate.Option) *livetemplate.Handler {
	t.Helper()
	h, err := todos.NewHandler(livetest.App(t, opts...))
	require.NoError(t, err)
	return h
}

// start serves a new page handler on 127.0.0.1 until the test ends and
// returns its URL. wrap, if not nil, wraps the handler.
func start(t *testing.T, wrap ...func(http.Handler) http.Handler) string {
	t.Helper()
	var h http.Handler = testHandler(t)
	for _, w := range wrap {
		h = w(h)
	}
	srv := httptest.NewServer(h)
	t.Cleanup(srv.Close)
	return srv.URL + "/"
}

// open loads the page and waits until its live connection is up.
func open(tab *browsertest.Tab, url string) {
	tab.Navigate(url)
	tab.WaitClass("html", "lvt-connected")
}

// Selectors of the page.
const (
	newTitle = "#add input[name=title]"
	addBtn   = "#add button"
	addError = `#add [lvt-error="title"]`
)

// item selects within the item with the given ID.
func item(id int, sel string) string {
	return strings.TrimSpace(fmt.Sprintf(`#items li[data-key="%d"] %s`, id, sel))
}

// add adds an item from tab and waits until it shows.
func add(tab *browsertest.Tab, title string) {
	tab.Fill(newTitle, title)
	tab.Click(addBtn)
	tab.WaitText("#items", title)
	// lvt-reset empties the field once the item is added.
	tab.WaitJS(`(sel) => document.querySelector(sel).value === ""`, newTitle)
}

func TestE2EAddEditToggleDelete(t *testing.T) {
	url := start(t)
	b := browsertest.New(t)
	tab, other := b.Tab(t), b.Tab(t)
	open(tab, url)
	open(other, url)
	tab.WaitTextIs("#items", "Nothing to do.")

	add(tab, "Buy milk")
	add(tab, "Walk the dog")
	tab.WaitTextIs(item(1, ".title"), "Buy milk")
	tab.WaitTextIs(item(2, ".title"), "Walk the dog")
	tab.WaitTextIs("#left", "2 left")
	tab.WaitJS(`(want) => document.title === want`, "Todos (2 left)")
	other.WaitTextIs(item(2, ".title"), "Walk the dog")

	// Edit: the title opens the item's form in this tab only.
	tab.Click(item(1, ".title"))
	tab.WaitJS(`(sel, want) => document.querySelector(sel)?.value === want`, item(1, "form.edit input[name=title]"), "Buy milk")
	assert.Equal(t, 0, browsertest.Eval[int](other, `document.querySelectorAll("form.edit").length`))
	tab.Fill(item(1, "form.edit input[name=title]"), "  ")
	tab.Click(item(1, "form.edit button:not([type])"))
	tab.WaitTextIs(item(1, `form.edit [lvt-error="title"]`), "Please enter a title.")
	tab.Fill(item(1, "form.edit input[name=title]"), "Buy oat milk")
	tab.Click(item(1, "form.edit button:not([type])"))
	other.WaitTextIs(item(1, ".title"), "Buy oat milk")
	tab.WaitTextIs(item(1, ".title"), "Buy oat milk") // saving closed the form
	tab.WaitGone(item(1, "form.edit"))

	// Cancel closes the form without saving.
	tab.Click(item(1, ".title"))
	tab.Fill(item(1, "form.edit input[name=title]"), "Discarded")
	tab.Click(item(1, `form.edit button[type=button]`))
	tab.WaitTextIs(item(1, ".title"), "Buy oat milk")

	// Toggle.
	tab.Click(item(1, "input[type=checkbox]"))
	tab.WaitClass(item(1, ""), "done")
	tab.WaitTextIs("#left", "1 left")
	other.WaitClass(item(1, ""), "done")
	assert.True(t, browsertest.Eval[bool](other, fmt.Sprintf("document.querySelector(%q).checked", item(1, "input[type=checkbox]"))))

	// Delete.
	tab.Click(item(2, ".delete"))
	tab.WaitGone(item(2, ""))
	other.WaitGone(item(2, ""))
	tab.WaitTextIs("#left", "0 left")
	assert.Equal(t, "Buy oat milk", strings.TrimSpace(tab.Text(item(1, ".title"))))
}

func TestE2EValidationErrorShowsNextToTheField(t *testing.T) {
	url := start(t)
	tab := browsertest.New(t).Tab(t)
	open(tab, url)

	tab.Click(addBtn) // empty title
	tab.WaitTextIs(addError, "Please enter a title.")
	tab.WaitJS(`(sel) => document.querySelector(sel).getAttribute('aria-invalid') === 'true'`, newTitle)
	tab.WaitTextIs("#items", "Nothing to do.")

	add(tab, "A real item")
	tab.WaitTextIs(addError, "")
	tab.WaitJS(`(sel) => !document.querySelector(sel).hasAttribute('aria-invalid')`, newTitle)
}

func TestE2EEachTabHasItsOwnFilter(t *testing.T) {
	url := start(t)
	b := browsertest.New(t)
	tabA, tabB := b.Tab(t), b.Tab(t)
	open(tabA, url)
	open(tabB, url)
	add(tabA, "one")
	add(tabA, "two")
	tabA.Click(item(1, "input[type=checkbox]"))
	tabA.WaitClass(item(1, ""), "done")

	tabA.Click("#filter-done")
	tabA.WaitGone(item(2, ""))
	tabA.WaitJS(`() => document.getElementById('filter-done').getAttribute('aria-pressed') === 'true'`)
	tabA.WaitTextIs(item(1, ".title"), "one")

	// Tab B still shows everything, also after a change of the shared list ...
	add(tabB, "three")
	tabB.WaitTextIs(item(1, ".title"), "one")
	tabB.WaitTextIs(item(2, ".title"), "two")
	assert.Equal(t, "true", browsertest.Eval[string](tabB, `document.getElementById('filter-all').getAttribute('aria-pressed')`))
	// ... which reaches tab A through its filter: the count changes, the
	// new (not done) item stays hidden.
	tabA.WaitJS(`(want) => document.title === want`, "Todos (2 left)")
	tabA.WaitTextIs("#left", "2 left")
	assert.Equal(t, 1, browsertest.Eval[int](tabA, `document.querySelectorAll('#items li').length`))

	tabA.Click("#filter-all")
	tabA.WaitTextIs(item(3, ".title"), "three")
}

// caret reports the focused element's id or name, value and selection.
const caret = `(() => { const el = document.activeElement; return [el.id || el.name || el.tagName, el.value, String(el.selectionStart), String(el.selectionEnd)]; })()`

func TestE2ETypingSurvivesAnUpdateFromAnotherTab(t *testing.T) {
	url := start(t)
	b := browsertest.New(t)
	tabA, tabB := b.Tab(t), b.Tab(t)
	open(tabA, url)
	open(tabB, url)

	tabA.Type(newTitle, "half-typed")
	browsertest.Eval[bool](tabA, fmt.Sprintf(`(document.querySelector(%q).setSelectionRange(4, 4), true)`, newTitle))
	require.Equal(t, []string{"title", "half-typed", "4", "4"}, browsertest.Eval[[]string](tabA, caret))

	add(tabB, "from B")
	tabA.WaitText("#items", "from B")
	tabA.WaitTextIs("#left", "1 left")
	assert.Equal(t, []string{"title", "half-typed", "4", "4"}, browsertest.Eval[[]string](tabA, caret))
	assert.True(t, browsertest.Eval[bool](tabA, fmt.Sprintf(`document.activeElement === document.querySelector(%q)`, newTitle)))

	// Typing goes on where the caret was.
	tabA.Type(newTitle, "X")
	assert.Equal(t, "halfX-typed", tabA.Value(newTitle))
}

func TestE2ETypingSurvivesAChangeOfTheSameItem(t *testing.T) {
	url := start(t)
	b := browsertest.New(t)
	tabA, tabB := b.Tab(t), b.Tab(t)
	open(tabA, url)
	open(tabB, url)
	add(tabA, "original")
	tabB.WaitTextIs(item(1, ".title"), "original")

	// Tab A edits the item and has typed without saving ...
	tabA.Click(item(1, ".title"))
	edit := item(1, "form.edit input[name=title]")
	tabA.Fill(edit, "draft title")
	browsertest.Eval[bool](tabA, fmt.Sprintf(`(document.querySelector(%q).setSelectionRange(2, 5), true)`, edit))

	// ... when tab B marks it done: the item is re-rendered in tab A.
	tabB.Click(item(1, "input[type=checkbox]"))
	tabA.WaitClass(item(1, ""), "done")
	tabA.WaitTextIs("#left", "0 left")
	assert.Equal(t, []string{"title", "draft title", "2", "5"}, browsertest.Eval[[]string](tabA, caret))
	assert.True(t, browsertest.Eval[bool](tabA, fmt.Sprintf(`document.activeElement === document.querySelector(%q)`, edit)))
}

// noWebSockets refuses WebSocket upgrades, as some proxies do.
func noWebSockets(next http.Handler) http.Handler {
	return http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		if strings.EqualFold(r.Header.Get("Upgrade"), "websocket") {
			http.Error(w, "no websockets here", http.StatusForbidden)
			return
		}
		next.ServeHTTP(w, r)
	})
}

func TestE2EFormsWorkOverHTTP(t *testing.T) {
	url := start(t, noWebSockets)
	b := browsertest.New(t)
	tabA, tabB := b.Tab(t), b.Tab(t)
	for _, tab := range []*browsertest.Tab{tabA, tabB} {
		tab.AllowConsole(`WebSocket connection to .* failed`)
		open(tab, url)
	}

	tabA.Click(addBtn) // an invalid reply, over POST
	tabA.WaitTextIs(addError, "Please enter a title.")
	tabB.Type(newTitle, "typing in B")
	add(tabA, "over http")
	tabA.WaitTextIs(addError, "")
	tabB.WaitTextIs(item(1, ".title"), "over http") // by long poll
	assert.Equal(t, "typing in B", tabB.Value(newTitle))

	tabB.Click(item(1, "input[type=checkbox]"))
	tabA.WaitClass(item(1, ""), "done")
	tabA.Click("#filter-active")
	tabA.WaitGone(item(1, ""))
	tabB.WaitClass(item(1, ""), "done")
}

// A UserError that is not about a field shows in the page's general
// lvt-error slot (#flash); its button dismisses it, and a later success
// empties it.
func TestE2EUserErrorShowsInTheGeneralSlot(t *testing.T) {
	url := start(t)
	tab := browsertest.New(t).Tab(t)
	open(tab, url)
	add(tab, "Buy milk")
	assert.False(t, browsertest.Eval[bool](tab, `document.getElementById('flash').checkVisibility()`), "an empty slot is hidden")

	// A page that still shows an item another tab deleted: its delete
	// names an item the list no longer has.
	stale := func() {
		browsertest.Eval[bool](tab, fmt.Sprintf(`(document.querySelector(%q).setAttribute('lvt-data-id', '99'), true)`, item(1, ".delete")))
		tab.Click(item(1, ".delete"))
	}
	stale()
	tab.WaitTextIs("#flash .lvt-error-message", "That item no longer exists.")
	tab.WaitClass("#flash", "lvt-error-shown")
	assert.True(t, browsertest.Eval[bool](tab, `document.getElementById('flash').checkVisibility()`))

	tab.Click("#flash .lvt-error-dismiss")
	tab.WaitGone("#flash .lvt-error-message")
	tab.WaitJS(`() => !document.getElementById('flash').classList.contains('lvt-error-shown')`)
	assert.False(t, browsertest.Eval[bool](tab, `document.getElementById('flash').checkVisibility()`))

	stale()
	tab.WaitTextIs("#flash .lvt-error-message", "That item no longer exists.")
	add(tab, "Walk the dog") // a success
	tab.WaitGone("#flash .lvt-error-message")
	tab.WaitJS(`() => !document.getElementById('flash').classList.contains('lvt-error-shown')`)
	tab.WaitTextIs(item(1, ".title"), "Buy milk")
}
