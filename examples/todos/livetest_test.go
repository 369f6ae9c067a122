package main

import (
	"net/url"
	"testing"
	"time"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"

	"github.com/lvtgo/livetemplate/livetest"
)

// The browser tests' scenarios (e2e_test.go), in-process with livetest: the
// same page, the same protocol, the HTML rebuilt by the reference client.
// Selectors and item() come from e2e_test.go.

// wait is how long a pushed update may take to arrive.
const wait = 2 * time.Second

// startLivetest serves the page on 127.0.0.1 for one test.
func startLivetest(t *testing.T) *livetest.Server {
	t.Helper()
	return livetest.Start(t, testHandler(t))
}

// addItem adds an item from p; the item shows once Submit returns.
func addItem(t *testing.T, p *livetest.Page, title string) {
	t.Helper()
	require.NoError(t, p.Submit("#add", url.Values{"title": {title}}))
	require.Contains(t, p.Text("#items"), title, "the item shows")
}

func TestLivetestAddEditToggleDelete(t *testing.T) {
	srv := startLivetest(t)
	tab := srv.Open("/")
	other := tab.Tab("/")
	assert.Equal(t, "Nothing to do.", tab.Text("#items"))

	addItem(t, tab, "Buy milk")
	addItem(t, tab, "Walk the dog")
	assert.Equal(t, "Buy milk", tab.Text(item(1, ".title")))
	assert.Equal(t, "Walk the dog", tab.Text(item(2, ".title")))
	assert.Equal(t, "2 left", tab.Text("#left"))
	assert.Equal(t, "Todos (2 left)", tab.Text("title"))
	require.NoError(t, other.WaitText(item(2, ".title"), "Walk the dog", wait))

	// Edit: the title opens the item's form in this tab only.
	require.NoError(t, tab.Click(item(1, ".title")))
	value, _ := tab.Attr(item(1, "form.edit input[name=title]"), "value")
	assert.Equal(t, "Buy milk", value)
	assert.Zero(t, other.Count("form.edit"))
	err := tab.Submit(item(1, "form.edit"), url.Values{"title": {"  "}})
	var refused *livetest.ActionError
	require.ErrorAs(t, err, &refused)
	assert.Equal(t, "invalid", refused.Code)
	assert.Equal(t, "Please enter a title.", tab.FieldError("title"))
	require.NoError(t, tab.Submit(item(1, "form.edit button:not([type])"), url.Values{"title": {"Buy oat milk"}}))
	require.NoError(t, other.WaitText(item(1, ".title"), "Buy oat milk", wait))
	assert.Equal(t, "Buy oat milk", tab.Text(item(1, ".title")))
	assert.Zero(t, tab.Count(item(1, "form.edit")), "saving closed the form")
	assert.Empty(t, tab.FieldError("title"), "the form that showed the error is gone")

	// Cancel closes the form without saving.
	require.NoError(t, tab.Click(item(1, ".title")))
	require.NoError(t, tab.Click(item(1, `form.edit button[type=button]`)))
	assert.Zero(t, tab.Count("form.edit"))
	assert.Equal(t, "Buy oat milk", tab.Text(item(1, ".title")))

	// Toggle.
	require.NoError(t, tab.Click(item(1, "input[type=checkbox]")))
	class, _ := tab.Attr(item(1, ""), "class")
	assert.Equal(t, "done", class)
	assert.Equal(t, "1 left", tab.Text("#left"))
	require.NoError(t, other.WaitFor(func(string) bool {
		class, _ := other.Attr(item(1, ""), "class")
		return class == "done"
	}, wait))
	_, checked := other.Attr(item(1, "input[type=checkbox]"), "checked")
	assert.True(t, checked)

	// Delete.
	require.NoError(t, tab.Click(item(2, ".delete")))
	assert.Zero(t, tab.Count(item(2, "")))
	require.NoError(t, other.WaitFor(func(string) bool { return other.Count(item(2, "")) == 0 }, wait))
	assert.Equal(t, "0 left", tab.Text("#left"))
	assert.Equal(t, "Buy oat milk", tab.Text(item(1, ".title")))
}

func TestLivetestValidationErrorShowsNextToTheField(t *testing.T) {
	srv := startLivetest(t)
	tab := srv.Open("/")

	err := tab.Click(addBtn) // empty title: the button submits the form
	var refused *livetest.ActionError
	require.ErrorAs(t, err, &refused)
	assert.Equal(t, map[string]string{"title": "Please enter a title."}, refused.Fields)
	assert.Equal(t, "Please enter a title.", tab.FieldError("title"))
	assert.Equal(t, "Nothing to do.", tab.Text("#items"))

	long := make([]byte, 101)
	for i := range long {
		long[i] = 'x'
	}
	require.Error(t, tab.Submit(addBtn, url.Values{"title": {string(long)}}))
	assert.Equal(t, "Keep the title under 100 characters.", tab.FieldError("title"))

	addItem(t, tab, "A real item")
	assert.Empty(t, tab.FieldError("title"))
	assert.Equal(t, "A real item", tab.Text(item(1, ".title")))
}

func TestLivetestEachTabHasItsOwnFilter(t *testing.T) {
	srv := startLivetest(t)
	tabA := srv.Open("/")
	tabB := tabA.Tab("/")
	addItem(t, tabA, "one")
	addItem(t, tabA, "two")
	require.NoError(t, tabA.Click(item(1, "input[type=checkbox]")))

	require.NoError(t, tabA.Click("#filter-done"))
	assert.Zero(t, tabA.Count(item(2, "")))
	pressed, _ := tabA.Attr("#filter-done", "aria-pressed")
	assert.Equal(t, "true", pressed)
	assert.Equal(t, "one", tabA.Text(item(1, ".title")))

	// Tab B still shows everything, also after a change of the shared list ...
	require.NoError(t, tabB.WaitText(item(2, ".title"), "two", wait))
	addItem(t, tabB, "three")
	assert.Equal(t, "one", tabB.Text(item(1, ".title")))
	assert.Equal(t, "two", tabB.Text(item(2, ".title")))
	pressed, _ = tabB.Attr("#filter-all", "aria-pressed")
	assert.Equal(t, "true", pressed)
	// ... which reaches tab A through its filter: the count changes, the
	// new (not done) item stays hidden.
	require.NoError(t, tabA.WaitText("title", "Todos (2 left)", wait))
	assert.Equal(t, "2 left", tabA.Text("#left"))
	assert.Equal(t, 1, tabA.Count("#items li"))

	require.NoError(t, tabA.Click("#filter-all"))
	assert.Equal(t, "three", tabA.Text(item(3, ".title")))
}

func TestLivetestFilterFromTheURL(t *testing.T) {
	srv := startLivetest(t)
	tab := srv.Open("/")
	addItem(t, tab, "open")
	addItem(t, tab, "finished")
	require.NoError(t, tab.Click(item(2, "input[type=checkbox]")))

	done := tab.Tab("/?filter=done") // View.Mount reads it
	pressed, _ := done.Attr("#filter-done", "aria-pressed")
	assert.Equal(t, "true", pressed)
	assert.Equal(t, 1, done.Count("#items li"))
	assert.Equal(t, "finished", done.Text(item(2, ".title")))
}

func TestLivetestFormsWorkOverHTTP(t *testing.T) {
	srv := startLivetest(t)
	b := srv.NewBrowser(&livetest.BrowserOptions{Transport: livetest.HTTP})
	tabA, tabB := b.Open("/"), b.Open("/")

	require.Error(t, tabA.Submit(addBtn, nil)) // an invalid reply, over POST
	assert.Equal(t, "Please enter a title.", tabA.FieldError("title"))
	addItem(t, tabA, "over http")
	assert.Empty(t, tabA.FieldError("title"))
	require.NoError(t, tabB.WaitText(item(1, ".title"), "over http", wait)) // by long poll

	require.NoError(t, tabB.Click(item(1, "input[type=checkbox]")))
	require.NoError(t, tabA.WaitFor(func(string) bool {
		class, _ := tabA.Attr(item(1, ""), "class")
		return class == "done"
	}, wait))
	require.NoError(t, tabA.Click("#filter-active"))
	assert.Zero(t, tabA.Count(item(1, "")))
	class, _ := tabB.Attr(item(1, ""), "class")
	assert.Equal(t, "done", class)
}

func TestLivetestBrowsersHaveTheirOwnList(t *testing.T) {
	srv := startLivetest(t)
	one, two := srv.Open("/"), srv.Open("/")
	addItem(t, one, "mine")
	require.NoError(t, two.Submit("#add", url.Values{"title": {"yours"}}))
	assert.Equal(t, "yours", two.Text(item(1, ".title")), "the other browser's list starts afresh")
	assert.Equal(t, "mine", one.Text(item(1, ".title")))
	assert.Equal(t, 1, one.Count("#items li"))
}

func TestLivetestTypingSurvivesAnUpdateFromAnotherTab(t *testing.T) {
	srv := startLivetest(t)
	tabA := srv.Open("/")
	tabB := tabA.Tab("/")

	require.NoError(t, tabA.Fill(newTitle, "half-typed"))
	addItem(t, tabB, "from B")
	require.NoError(t, tabA.WaitText("#left", "1 left", wait))
	// What tab A typed is still in its field: submitting sends it.
	require.NoError(t, tabA.Submit("#add", nil))
	assert.Equal(t, "half-typed", tabA.Text(item(2, ".title")))
	// lvt-reset emptied the field after the success.
	require.Error(t, tabA.Submit("#add", nil))
	assert.Equal(t, "Please enter a title.", tabA.FieldError("title"))
}

func TestLivetestTypingSurvivesAChangeOfTheSameItem(t *testing.T) {
	srv := startLivetest(t)
	tabA := srv.Open("/")
	tabB := tabA.Tab("/")
	addItem(t, tabA, "original")
	require.NoError(t, tabB.WaitText(item(1, ".title"), "original", wait))

	// Tab A edits the item and has typed without saving ...
	require.NoError(t, tabA.Click(item(1, ".title")))
	require.NoError(t, tabA.Fill(item(1, "form.edit input[name=title]"), "draft title"))

	// ... when tab B marks it done: the item is re-rendered in tab A, its
	// field is not.
	require.NoError(t, tabB.Click(item(1, "input[type=checkbox]")))
	require.NoError(t, tabA.WaitText("#left", "0 left", wait))
	require.NoError(t, tabA.Submit(item(1, "form.edit"), nil))
	require.NoError(t, tabB.WaitText(item(1, ".title"), "draft title", wait))
}
