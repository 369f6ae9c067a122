package main

import (
	"errors"
	"net/http"
	"net/url"
	"strings"
	"testing"
	"time"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"

	"github.com/lvtgo/livetemplate/examples/chat/chat"
	"github.com/lvtgo/livetemplate/livetest"
)

// The browser tests' scenarios (e2e/chat), in-process with livetest.

// wait is how long a pushed update may take to arrive.
const wait = 2 * time.Second

// online is what #online shows when names are online.
func online(names ...string) string { return strings.Join(names, " ") }

func TestLivetestSignInFirst(t *testing.T) {
	a := start(t)
	resp, _ := a.get(t, "/?room=dev", nil)
	assert.Equal(t, http.StatusSeeOther, resp.StatusCode)
	assert.Equal(t, "/login?next=%2F%3Froom%3Ddev", resp.Header.Get("Location"))

	resp, page := a.get(t, "/login", nil)
	assert.Equal(t, http.StatusOK, resp.StatusCode)
	assert.Contains(t, page, `<form id="login"`)
	assert.Contains(t, page, `<input name="name"`)

	cookies := a.signIn(t, "ann")
	resp, page = a.get(t, "/?room=dev", cookies)
	assert.Equal(t, http.StatusOK, resp.StatusCode)
	assert.Contains(t, page, `<h1>#dev</h1>`)
	resp, _ = a.get(t, "/nowhere", cookies)
	assert.Equal(t, http.StatusNotFound, resp.StatusCode)
}

func TestLivetestMessagesReachTheRoomOnly(t *testing.T) {
	a := start(t)
	ann := a.browser(t, "ann").Open("/")
	annToo := ann.Tab("/?room=lobby") // ann's second tab
	bob := a.browser(t, "bob").Open("/")
	cid := a.browser(t, "cid").Open("/?room=dev") // another room
	assert.Equal(t, "#lobby", ann.Text("h1"))
	assert.Equal(t, "#dev", cid.Text("h1"))
	assert.Equal(t, "ann", ann.Text("#me"))

	require.NoError(t, ann.Submit("#send", url.Values{"text": {"<b>hi</b> bob"}}))
	assert.Equal(t, "ann: <b>hi</b> bob", ann.Text("#messages li:last-child"))
	assert.Zero(t, ann.Count("#messages .text b"), "a message is text, not markup")
	assert.Empty(t, ann.Text("#send input[name=text]"), "lvt-reset empties the field")
	for _, p := range []*livetest.Page{bob, annToo} {
		require.NoError(t, p.WaitText("#messages li:last-child .text", "<b>hi</b> bob", wait))
		assert.Equal(t, "ann", p.Text("#messages li:last-child .author"))
	}
	require.NoError(t, bob.Submit("#send", url.Values{"text": {"hi ann"}}))
	require.NoError(t, ann.WaitText("#messages li:last-child", "bob: hi ann", wait))
	require.NoError(t, annToo.WaitText("#messages li:last-child", "bob: hi ann", wait))

	// The other room saw none of it: its own message is its first.
	require.NoError(t, cid.Submit("#send", url.Values{"text": {"anyone?"}}))
	assert.Equal(t, 1, cid.Count("#messages li"))
	assert.Equal(t, "cid: anyone?", cid.Text("#messages li"))
	assert.Equal(t, 2, ann.Count("#messages li"))
	assert.Equal(t, 2, bob.Count("#messages li"))
}

func TestLivetestWhoIsOnline(t *testing.T) {
	a := start(t)
	ann := a.browser(t, "ann").Open("/")
	require.NoError(t, ann.WaitText("#online", online("ann"), wait))
	bobs := a.browser(t, "bob")
	bob := bobs.Open("/")
	bob2 := bob.Tab("/")
	cid := a.browser(t, "cid").Open("/?room=dev")
	require.NoError(t, ann.WaitText("#online", online("ann", "bob"), wait))
	require.NoError(t, bob.WaitText("#online", online("ann", "bob"), wait))
	require.NoError(t, cid.WaitText("#online", online("cid"), wait), "another room")

	bob.Close()
	require.NoError(t, bob2.Submit("#send", url.Values{"text": {"still here"}}))
	require.NoError(t, ann.WaitText("#messages li:last-child", "bob: still here", wait))
	assert.Equal(t, online("ann", "bob"), ann.Text("#online"), "bob has a tab left")
	bob2.Close()
	require.NoError(t, ann.WaitText("#online", online("ann"), wait))
	assert.Equal(t, online("cid"), cid.Text("#online"))
}

func TestLivetestValidation(t *testing.T) {
	a := start(t)
	ann := a.browser(t, "ann").Open("/")
	var refused *livetest.ActionError
	err := ann.Submit("#send", url.Values{"text": {"   "}})
	require.ErrorAs(t, err, &refused)
	assert.Equal(t, "invalid", refused.Code)
	assert.Equal(t, "Type a message first.", ann.FieldError("text"))

	long := strings.Repeat("é", 501)
	require.ErrorAs(t, ann.Submit("#send", url.Values{"text": {long}}), &refused)
	assert.Equal(t, "Keep it under 500 characters.", ann.FieldError("text"))
	assert.Zero(t, ann.Count("#messages li"))

	require.NoError(t, ann.Submit("#send", url.Values{"text": {strings.Repeat("é", 500)}}))
	assert.Empty(t, ann.FieldError("text"))
	assert.Equal(t, 1, ann.Count("#messages li"))
}

func TestLivetestRoomNames(t *testing.T) {
	a := start(t)
	b := a.browser(t, "ann")
	for _, tc := range []struct {
		path, want string
		bad        bool // names no valid room: the lobby, with a flash
	}{
		{path: "/", want: "#lobby"},
		{path: "/?room=", want: "#lobby"},
		{path: "/?room=dev", want: "#dev"},
		{path: "/?room=my-room-2", want: "#my-room-2"},
		{path: "/?room=Dev", want: "#lobby", bad: true},
		{path: "/?room=%3Cscript%3E", want: "#lobby", bad: true},
		{path: "/?room=" + strings.Repeat("a", 33), want: "#lobby", bad: true},
	} {
		p := b.Open(tc.path)
		assert.Equal(t, tc.want, p.Text("h1"), tc.path)
		current, _ := p.Attr(`#rooms a[href="/?room=`+tc.want[1:]+`"]`, "aria-current")
		assert.Equal(t, "page", current, tc.path)
		if tc.bad {
			assert.Equal(t, chat.BadRoom+" Here is the #lobby.", p.Text(".flash.error .message"), tc.path)
			require.NoError(t, p.Click(`.flash.error button[lvt-click="lvt.dismiss"]`), tc.path)
		}
		assert.Zero(t, p.Count(".flash"), tc.path)
		p.Close()
	}
}

func TestLivetestRoomLinksAreLive(t *testing.T) {
	a := start(t)
	ann := a.browser(t, "ann").Open("/?room=dev")
	for _, room := range chat.Rooms {
		_, live := ann.Attr(`#rooms a[href="/?room=`+room+`"]`, "lvt-navigate")
		assert.True(t, live, room)
	}
	// A live navigation starts with a GET that the sign-in guards like a
	// page load: a signed-in user gets the new page's token.
	resp, body := a.get(t, "/?room=random", ann.Browser().Cookies(), "Lvt-Navigate", "from-a-page")
	assert.Equal(t, http.StatusOK, resp.StatusCode)
	assert.Contains(t, body, `"t":"page"`)
	resp, _ = a.get(t, "/?room=random", nil, "Lvt-Navigate", "from-a-page")
	assert.Equal(t, http.StatusSeeOther, resp.StatusCode, "signed out: to the sign-in page")
}

func TestLivetestJoinARoomByName(t *testing.T) {
	a := start(t)
	ann := a.browser(t, "ann").Open("/")
	var refused *livetest.ActionError
	for _, name := range []string{"", "a b", "<b>", strings.Repeat("a", 33)} {
		require.ErrorAs(t, ann.Submit("#join", url.Values{"room": {name}}), &refused, name)
		assert.Equal(t, "invalid", refused.Code, name)
		assert.Equal(t, chat.BadRoom, ann.FieldError("room"), name)
	}
	// A valid name sends the page to the room (ActionContext.Redirect;
	// livetest does not follow it: the redirect itself is tested with
	// View.Change in package chat).
	require.NoError(t, ann.Submit("#join", url.Values{"room": {"Book-Club"}}))
	assert.Empty(t, ann.FieldError("room"))
}

func TestLivetestLogoutClosesThePages(t *testing.T) {
	a := start(t)
	annB := a.browser(t, "ann")
	ann, annToo := annB.Open("/"), annB.Open("/?room=dev")
	bob := a.browser(t, "bob").Open("/")
	require.NoError(t, bob.WaitText("#online", online("ann", "bob"), wait))

	req, err := http.NewRequestWithContext(t.Context(), http.MethodPost, a.srv.URL+"/logout", nil)
	require.NoError(t, err)
	for _, c := range annB.Cookies() {
		req.AddCookie(c)
	}
	resp, err := noRedirects.Do(req)
	require.NoError(t, err)
	resp.Body.Close()
	assert.Equal(t, http.StatusSeeOther, resp.StatusCode)
	assert.Equal(t, "/login", resp.Header.Get("Location"))
	require.NotEmpty(t, resp.Cookies())
	assert.Negative(t, resp.Cookies()[0].MaxAge, "the cookie is cleared")

	for _, p := range []*livetest.Page{ann, annToo} {
		err := p.WaitFor(func(string) bool { return false }, wait)
		assert.True(t, errors.Is(err, livetest.ErrClosed), "ann's pages are closed: %v", err)
	}
	require.NoError(t, bob.WaitText("#online", online("bob"), wait))
	require.NoError(t, bob.Submit("#send", url.Values{"text": {"bye ann"}}), "bob is still connected")
}

func TestLivetestWorksOverHTTP(t *testing.T) {
	a := start(t)
	ann := a.srv.NewBrowser(&livetest.BrowserOptions{Cookies: a.signIn(t, "ann"), Transport: livetest.HTTP}).Open("/")
	bob := a.browser(t, "bob").Open("/")
	require.NoError(t, ann.Submit("#send", url.Values{"text": {"over HTTP"}}))
	require.NoError(t, bob.WaitText("#messages li:last-child", "ann: over HTTP", wait))
	require.NoError(t, bob.Submit("#send", url.Values{"text": {"over a WebSocket"}}))
	require.NoError(t, ann.WaitText("#messages li:last-child", "bob: over a WebSocket", wait))
	require.NoError(t, ann.WaitText("#online", online("ann", "bob"), wait))
}

// The moderation page shows the same Room as the room's chat pages: a
// message deleted there is gone from every chat page of the room at once,
// and a message sent from a chat page shows there at once.
func TestLivetestModerationSharesTheRoom(t *testing.T) {
	a := start(t)
	ann := a.browser(t, "ann").Open("/")
	bob := a.browser(t, "bob").Open("/")
	require.NoError(t, ann.Submit("#send", url.Values{"text": {"spam"}}))
	require.NoError(t, ann.Submit("#send", url.Values{"text": {"hello"}}))
	require.NoError(t, bob.WaitText("#messages li:last-child .text", "hello", wait))

	bossB := a.browser(t, admin)
	bossChat := bossB.Open("/")
	href, _ := bossChat.Attr("#moderate", "href")
	assert.Equal(t, "/admin?room=lobby", href)
	_, live := bossChat.Attr("#moderate", "lvt-navigate")
	assert.True(t, live)
	assert.Zero(t, ann.Count("#moderate"), "no moderation link for others")

	boss := bossB.Open("/admin?room=lobby")
	assert.Equal(t, "Moderate #lobby", boss.Text("h1"))
	assert.Equal(t, "2", boss.Text("#count"))
	for _, room := range chat.Rooms {
		_, live := boss.Attr(`#rooms a[href="/admin?room=`+room+`"]`, "lvt-navigate")
		assert.True(t, live, room)
	}
	href, _ = boss.Attr("#chat", "href")
	assert.Equal(t, "/?room=lobby", href)

	require.NoError(t, boss.Click(`#messages li[data-key="1"] .delete`))
	assert.Equal(t, "Deleted a message of ann.", boss.Text(".flash.info .message"))
	assert.Equal(t, "1", boss.Text("#count"))
	for _, p := range []*livetest.Page{ann, bob, bossChat} {
		require.NoError(t, p.WaitFor(func(string) bool { return p.Count("#messages li") == 1 }, wait))
		assert.Equal(t, "ann: hello", p.Text("#messages li"))
	}
	require.NoError(t, bob.Submit("#send", url.Values{"text": {"what happened?"}}))
	require.NoError(t, boss.WaitText("#count", "2", wait))

	require.NoError(t, boss.Click("#clear")) // lvt-confirm: livetest says yes
	assert.Equal(t, "Deleted all 2 messages.", boss.Text(".flash.info .message"))
	require.NoError(t, ann.WaitFor(func(string) bool { return ann.Count("#messages li") == 0 }, wait))
	require.NoError(t, boss.Click(`.flash.info button[lvt-click="lvt.dismiss"]`))
	assert.Zero(t, boss.Count(".flash"))

	// Another room's moderation page shows that room only.
	dev := bossB.Open("/admin?room=dev")
	assert.Equal(t, "0", dev.Text("#count"))
}

func TestLivetestModerationIsTheAdministrators(t *testing.T) {
	a := start(t)
	annB := a.browser(t, "ann")
	ann := annB.Open("/")
	require.NoError(t, ann.Submit("#send", url.Values{"text": {"mine"}}))
	var refused *livetest.ActionError
	for _, action := range []string{"room.delete", "room.clear"} {
		require.ErrorAs(t, ann.Send(action, map[string]any{"id": 1}), &refused, action)
		assert.Equal(t, "Only the administrator can moderate a room.", refused.Message, action)
	}
	assert.Equal(t, 1, ann.Count("#messages li"))

	resp, _ := a.get(t, "/admin?room=lobby", nil)
	assert.Equal(t, http.StatusSeeOther, resp.StatusCode, "signed out: to the sign-in page")
	for _, header := range [][]string{nil, {"Lvt-Navigate", "from-a-page"}, {"Connection", "Upgrade", "Upgrade", "websocket",
		"Sec-WebSocket-Version", "13", "Sec-WebSocket-Key", "dGhlIHNhbXBsZSBub25jZQ=="}} {
		resp, _ = a.get(t, "/admin?room=lobby", annB.Cookies(), header...)
		assert.Equal(t, http.StatusForbidden, resp.StatusCode, header)
	}
}
