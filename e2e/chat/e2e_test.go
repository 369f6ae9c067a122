// Package chat_test tests the chat example in a real headless Chromium:
// two users in one room, a third in another, sign-in, moderation and logout.
package chat_test

import (
	"fmt"
	"net/http/httptest"
	"testing"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"

	"github.com/lvtgo/livetemplate"
	"github.com/lvtgo/livetemplate/e2e/internal/browsertest"
	"github.com/lvtgo/livetemplate/examples/chat/chat"
	"github.com/lvtgo/livetemplate/examples/login"
	"github.com/lvtgo/livetemplate/livetest"
)

// start serves the chat on 127.0.0.1 until the test ends and returns its
// URL. Each test starts its server before its browser, so that the
// browser's tabs close first.
func start(t *testing.T) string {
	t.Helper()
	lg, err := login.New(login.Options{Key: []byte("0123456789abcdef0123456789abcdef"), Title: "Chat"})
	require.NoError(t, err)
	h, err := chat.NewHandler(livetest.App(t, livetemplate.WithAuthenticator(lg.Authenticator())), lg, admin)
	require.NoError(t, err)
	srv := httptest.NewServer(h)
	t.Cleanup(srv.Close)
	return srv.URL
}

// admin is the administrator's name in the tests.
const admin = "boss"

// Selectors of the page.
const (
	field   = "#send input[name=text]"
	sendBtn = "#send button"
	lastMsg = "#messages li:last-child"
)

// signIn opens path (a room) in tab, which is sent to the sign-in form,
// signs in as name and waits until the room's live connection is up.
func signIn(tab *browsertest.Tab, base, path, name string) {
	tab.Navigate(base + path)
	tab.WaitJS(`() => location.pathname === "/login"`)
	tab.Fill("#login input[name=name]", name)
	tab.Click("#login button")
	tab.WaitJS(`(path) => location.pathname + location.search === path`, path)
	tab.WaitClass("html", "lvt-connected")
}

// open opens path in a tab of a browser that has signed in.
func open(tab *browsertest.Tab, base, path string) {
	tab.Navigate(base + path)
	tab.WaitClass("html", "lvt-connected")
}

// send types text into the message field and sends it.
func send(tab *browsertest.Tab, text string) {
	tab.Fill(field, text)
	tab.Click(sendBtn)
	tab.WaitJS(`(sel, want) => document.querySelector(sel)?.querySelector(".text")?.textContent === want`, lastMsg, text)
	tab.WaitJS(`(sel) => document.querySelector(sel).value === ""`, field) // lvt-reset
}

// waitOnline waits until #online lists exactly names.
func waitOnline(tab *browsertest.Tab, names ...string) {
	tab.WaitJS(`(...want) => JSON.stringify([...document.querySelectorAll("#online li")].map((li) => li.textContent.trim())) === JSON.stringify(want)`, toAny(names)...)
}

// waitLast waits until the last message is text by author.
func waitLast(tab *browsertest.Tab, author, text string) {
	tab.WaitJS(`(sel, author, text) => { const li = document.querySelector(sel); return !!li && li.querySelector(".author").textContent === author && li.querySelector(".text").textContent === text; }`, lastMsg, author, text)
}

func toAny(s []string) []any {
	out := make([]any, len(s))
	for i, v := range s {
		out[i] = v
	}
	return out
}

// Two users in two browsers share a room: messages and presence reach
// both ways, and every tab of a user; a third user in another room sees
// nothing of it.
func TestE2ETwoUsersInARoom(t *testing.T) {
	url := start(t)
	b := browsertest.New(t)
	ann, annToo := b.Tab(t), b.Tab(t)
	bob := b.Context(t).Tab(t)
	cid := b.Context(t).Tab(t)

	signIn(ann, url, "/", "ann")
	waitOnline(ann, "ann")
	signIn(bob, url, "/?room=lobby", "bob")
	signIn(cid, url, "/?room=dev", "cid")
	waitOnline(ann, "ann", "bob")
	waitOnline(bob, "ann", "bob")
	waitOnline(cid, "cid")
	open(annToo, url, "/") // ann's second tab: no sign-in needed
	ann.WaitTextIs("#me", "ann")
	bob.WaitTextIs("h1", "#lobby")
	cid.WaitTextIs("h1", "#dev")

	// A message is text, escaped, for everyone in the room and every tab.
	send(ann, "<b>hi</b> bob")
	waitLast(bob, "ann", "<b>hi</b> bob")
	waitLast(annToo, "ann", "<b>hi</b> bob")
	assert.Zero(t, browsertest.Eval[int](bob, `document.querySelectorAll("#messages .text b").length`), "no markup from a message")

	// Bob is typing when Ann's next message arrives: his field keeps its
	// focus and text.
	bob.Focus(field)
	bob.Type(field, "half a thou")
	send(ann, "are you there?")
	waitLast(bob, "ann", "are you there?")
	assert.Equal(t, "half a thou", bob.Value(field))
	assert.True(t, browsertest.Eval[bool](bob, `document.activeElement === document.querySelector("#send input[name=text]")`), "the field keeps the focus")
	bob.Type(field, "ght")
	bob.Click(sendBtn)
	waitLast(bob, "bob", "half a thought")
	waitLast(ann, "bob", "half a thought")
	waitLast(annToo, "bob", "half a thought")

	// The other room: nothing, and its own message is its first.
	send(cid, "anyone here?")
	assert.Equal(t, 1, browsertest.Eval[int](cid, `document.querySelectorAll("#messages li").length`))
	waitOnline(cid, "cid")

	// Bob leaves: Ann sees him go; Ann's two tabs count as one.
	bob.Navigate("about:blank")
	waitOnline(ann, "ann")
	waitOnline(annToo, "ann")
	assert.Equal(t, 3, browsertest.Eval[int](ann, `document.querySelectorAll("#messages li").length`))
}

// Logging out in one tab closes the user's other tabs' live connections
// and clears the sign-in; other users stay connected and see them go.
func TestE2ELogoutClosesTheSockets(t *testing.T) {
	url := start(t)
	b := browsertest.New(t)
	ann, annToo := b.Tab(t), b.Tab(t)
	bob := b.Context(t).Tab(t)
	// The client reports the sign-out, which no lvt-error slot shows.
	ann.AllowConsole(`livetemplate: connection: unauthorized`)
	annToo.AllowConsole(`livetemplate: connection: unauthorized`)
	signIn(ann, url, "/", "ann")
	open(annToo, url, "/?room=dev")
	signIn(bob, url, "/", "bob")
	waitOnline(bob, "ann", "bob")

	ann.Click("#logout button")
	ann.WaitJS(`() => location.pathname === "/login"`)
	annToo.WaitClass("html", "lvt-failed") // closed with 4001: the client stops
	require.False(t, browsertest.Eval[bool](annToo, `document.documentElement.classList.contains("lvt-connected")`))
	waitOnline(bob, "bob")
	send(bob, "bye ann")

	// The sign-in is gone: a reload asks for it again.
	annToo.Reload()
	annToo.WaitJS(`() => location.pathname === "/login"`)
}

// A URL that names no valid room shows the lobby, with a flash message
// that says why; dismissing it removes it.
func TestE2EABadRoomNameShowsTheLobbyWithAMessage(t *testing.T) {
	url := start(t)
	ann := browsertest.New(t).Tab(t)
	signIn(ann, url, "/?room=Dev", "ann")
	ann.WaitTextIs("h1", "#lobby")
	ann.WaitTextIs(".flash.error .message", chat.BadRoom+" Here is the #lobby.")
	ann.Click(`.flash.error button[lvt-click="lvt.dismiss"]`)
	ann.WaitGone(".flash")
	send(ann, "still live") // the page works on after the dismissal
}

// The administrator's moderation page and a user's chat page show one
// room: a message sent on one shows on the other, a message deleted on the
// moderation page leaves the chat page at once.
func TestE2EModerationDeletesFromTheRoom(t *testing.T) {
	url := start(t)
	b := browsertest.New(t)
	boss, ann := b.Tab(t), b.Context(t).Tab(t)
	signIn(boss, url, "/admin?room=dev", admin)
	boss.WaitTextIs("h1", "Moderate #dev")
	signIn(ann, url, "/?room=dev", "ann")
	send(ann, "oops")
	send(ann, "keep this")
	boss.WaitTextIs("#count", "2")
	boss.Click(`#messages li[data-key="1"] .delete`)
	boss.WaitTextIs(".flash.info .message", "Deleted a message of ann.")
	ann.WaitJS(`() => [...document.querySelectorAll("#messages .text")].map((e) => e.textContent).join() === "keep this"`)
	boss.WaitTextIs("#count", "1")
}

// The message list (lvt-scroll="bottom") follows new messages unless the
// reader scrolled up, in Chromium: its code is a part of the client,
// fetched once by a page that has such a list.
func TestE2EMessagesStayAtTheBottom(t *testing.T) {
	url := start(t)
	b := browsertest.New(t)
	ann, bob := b.Tab(t), b.Context(t).Tab(t)
	signIn(ann, url, "/", "ann")
	signIn(bob, url, "/", "bob")
	for i := range 25 {
		send(ann, fmt.Sprintf("message %d", i))
	}
	atBottom := `() => { const m = document.querySelector("#messages"); return m.scrollHeight > m.clientHeight && m.scrollHeight - m.scrollTop - m.clientHeight <= 8; }`
	bob.WaitJS(atBottom)
	assert.Equal(t, 1, browsertest.Eval[int](bob, `document.querySelectorAll('script[src*="part=scroll"]').length`), "the part, once")

	// Bob scrolls up to read: new messages no longer move his list.
	browsertest.Eval[int](bob, `document.querySelector("#messages").scrollTop = 0`)
	bob.WaitJS(`() => document.querySelector("#messages").scrollTop === 0`)
	send(ann, "while bob reads")
	waitLast(bob, "ann", "while bob reads")
	assert.Zero(t, browsertest.Eval[int](bob, `document.querySelector("#messages").scrollTop`))

	// Back at the bottom, it follows again.
	browsertest.Eval[int](bob, `(() => { const m = document.querySelector("#messages"); return m.scrollTop = m.scrollHeight; })()`)
	bob.WaitJS(atBottom)
	send(ann, "and again")
	waitLast(bob, "ann", "and again")
	bob.WaitJS(atBottom)
}
