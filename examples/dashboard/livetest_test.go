package main

import (
	"encoding/base64"
	"errors"
	"net/http"
	"net/url"
	"strconv"
	"strings"
	"testing"
	"time"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"

	"github.com/lvtgo/livetemplate/livetest"
)

// The browser tests' scenarios (e2e/dashboard), in-process with livetest.

// wait is how long a pushed update may take to arrive.
const wait = 2 * time.Second

// texts returns the texts of the announcements p shows, newest first.
func texts(p *livetest.Page) string {
	var out []string
	for i := 1; i <= p.Count("#announcements li[data-key]"); i++ {
		out = append(out, p.Text("#announcements li[data-key]:nth-child("+strconv.Itoa(i)+") .text"))
	}
	return strings.Join(out, ", ")
}

// announce sends an announcement from the admin's page.
func announce(t *testing.T, boss *livetest.Page, target, text string) {
	t.Helper()
	require.NoError(t, boss.Submit("#announce", url.Values{"target": {target}, "text": {text}}))
	require.NoError(t, boss.WaitText("#sent li:first-child .text", text, wait))
}

func TestLivetestAdminOnly(t *testing.T) {
	a := start(t)
	resp, _ := a.do(t, http.MethodGet, "/admin", nil)
	assert.Equal(t, http.StatusSeeOther, resp.StatusCode, "signed out: to the sign-in page")
	assert.Equal(t, "/login?next=%2Fadmin", resp.Header.Get("Location"))

	ann := a.signIn(t, "ann")
	resp, _ = a.do(t, http.MethodGet, "/admin", ann)
	assert.Equal(t, http.StatusForbidden, resp.StatusCode)
	resp, _ = a.do(t, http.MethodGet, "/admin", ann, "Connection", "Upgrade", "Upgrade", "websocket",
		"Sec-WebSocket-Version", "13", "Sec-WebSocket-Key", "dGhlIHNhbXBsZSBub25jZQ==")
	assert.Equal(t, http.StatusForbidden, resp.StatusCode, "no live connection either")
	resp, _ = a.do(t, http.MethodPost, "/admin", ann)
	assert.Equal(t, http.StatusForbidden, resp.StatusCode, "no actions over HTTP either")
	resp, _ = a.do(t, http.MethodGet, "/admin", ann, "Lvt-Navigate", "a-token")
	assert.Equal(t, http.StatusForbidden, resp.StatusCode, "no live navigation either")
	resp, page := a.do(t, http.MethodGet, "/", ann)
	assert.Equal(t, http.StatusOK, resp.StatusCode)
	assert.NotContains(t, page, `href="/admin"`)

	boss := a.browser(t, admin).Open("/admin")
	assert.Equal(t, "Admin", boss.Text("h1"))
	assert.Equal(t, 1, boss.Count("form#announce textarea[name=text]"))
	assert.Equal(t, 1, boss.Count("form#announce select[name=target]"))

	// A user's page cannot announce by sending the action itself.
	annPage := a.srv.NewBrowser(&livetest.BrowserOptions{Cookies: ann}).Open("/")
	err := annPage.Send("board.announce", map[string]any{"text": "I am the boss now", "target": "all"})
	var refused *livetest.ActionError
	require.ErrorAs(t, err, &refused)
	assert.Equal(t, "Only the administrator can make announcements.", refused.Message)
	assert.Zero(t, boss.Count("#sent li"))
}

func TestLivetestAnnouncementsReachExactlyTheirTargets(t *testing.T) {
	a := start(t)
	boss := a.browser(t, admin).Open("/admin")
	ann := a.browser(t, "ann").Open("/")
	annToo := ann.Tab("/")
	bob := a.browser(t, "bob").Open("/")
	cid := a.browser(t, "cid").Open("/")
	dan := a.browser(t, "dan").Open("/") // no team
	bossHome := boss.Tab("/")
	everyone := []*livetest.Page{ann, annToo, bob, cid, dan, bossHome}
	assert.Equal(t, "No announcements for you yet.", ann.Text("#announcements"))

	// The targets the admin can choose, as users connect.
	require.NoError(t, boss.WaitFor(func(string) bool { return boss.Count("select[name=target] option") == 8 }, wait))
	var options []string
	for i := 1; i <= 8; i++ {
		v, _ := boss.Attr("select[name=target] option:nth-child("+strconv.Itoa(i)+")", "value")
		options = append(options, v)
	}
	assert.Equal(t, []string{"all", "user:ann", "user:bob", "user:boss", "user:cid", "user:dan", "group:blue", "group:red"}, options)

	announce(t, boss, "user:ann", "for ann")
	announce(t, boss, "group:red", "for red")
	announce(t, boss, "group:blue", "for blue")
	announce(t, boss, "user:dan", "for dan")
	announce(t, boss, "all", "for all") // the last: once a page shows it, it has had the others
	for _, p := range everyone {
		require.NoError(t, p.WaitText("#announcements li:first-child .text", "for all", wait))
	}
	assert.Equal(t, "for all, for red, for ann", texts(ann))
	assert.Equal(t, "for all, for red, for ann", texts(annToo))
	assert.Equal(t, "for all, for red", texts(bob))
	assert.Equal(t, "for all, for blue", texts(cid))
	assert.Equal(t, "for all, for dan", texts(dan))
	assert.Equal(t, "for all", texts(bossHome))
	assert.Equal(t, "to group:red", strings.Split(bob.Text("#announcements li:nth-child(2) .target"), ",")[0])
	assert.Equal(t, 5, boss.Count("#sent li"), "the admin's page lists every announcement")

	// A page opened later shows what was addressed to it.
	assert.Equal(t, "for all, for blue", texts(a.browser(t, "eve").Open("/")))
}

func TestLivetestCountsConnections(t *testing.T) {
	a := start(t)
	boss := a.browser(t, admin).Open("/admin")
	counts := func(users, conns string) {
		t.Helper()
		require.NoError(t, boss.WaitFor(func(string) bool {
			return boss.Text("#users") == users && boss.Text("#connections") == conns
		}, wait))
	}
	counts("1", "1")
	ann := a.browser(t, "ann").Open("/")
	annToo := ann.Tab("/")
	counts("2", "3")
	bob := a.browser(t, "bob").Open("/")
	counts("3", "4")
	annToo.Close()
	counts("3", "3")
	ann.Close()
	bob.Close()
	counts("1", "1")
}

func TestLivetestValidation(t *testing.T) {
	a := start(t)
	boss := a.browser(t, admin).Open("/admin")
	var refused *livetest.ActionError
	require.ErrorAs(t, boss.Submit("#announce", url.Values{"text": {"  "}}), &refused)
	assert.Equal(t, "invalid", refused.Code)
	assert.Equal(t, "Write the announcement first.", boss.FieldError("text"))
	require.ErrorAs(t, boss.Submit("#announce", url.Values{"text": {strings.Repeat("x", 501)}}), &refused)
	assert.Equal(t, "Keep it under 500 characters.", boss.FieldError("text"))
	for _, target := range []string{"everyone", "user:", "user:a b", "group:<b>"} {
		require.ErrorAs(t, boss.Send("board.announce", map[string]any{"text": "hi", "target": target}), &refused, target)
		assert.Equal(t, "invalid", refused.Code, target)
		assert.Contains(t, refused.Fields, "target", target)
	}
	assert.Zero(t, boss.Count("#sent li"))
	announce(t, boss, "all", "<b>escaped</b>")
	assert.Zero(t, boss.Count("#sent .text b"))
	assert.Empty(t, boss.FieldError("text"))
}

func TestLivetestLogoutClosesThePages(t *testing.T) {
	a := start(t)
	boss := a.browser(t, admin).Open("/admin")
	annB := a.browser(t, "ann")
	ann := annB.Open("/")
	require.NoError(t, boss.WaitText("#users", "2", wait))
	resp, _ := a.do(t, http.MethodPost, "/logout", annB.Cookies())
	assert.Equal(t, http.StatusSeeOther, resp.StatusCode)
	err := ann.WaitFor(func(string) bool { return false }, wait)
	assert.True(t, errors.Is(err, livetest.ErrClosed), "ann's page is closed: %v", err)
	require.NoError(t, boss.WaitText("#users", "1", wait))
}

func TestLivetestAnnouncingShowsAFlashUntilDismissed(t *testing.T) {
	a := start(t)
	boss := a.browser(t, admin).Open("/admin")
	bossHome := boss.Tab("/")
	assert.Zero(t, boss.Count("#flash .flash"))
	announce(t, boss, "all", "lunch is served")
	assert.Equal(t, "Announced to all.", boss.Text("#flash .flash.info .message"))
	require.NoError(t, bossHome.WaitText("#announcements li:first-child .text", "lunch is served", wait))
	assert.Zero(t, bossHome.Count("#flash .flash"), "the flash is the acting page's only")

	announce(t, boss, "user:boss", "note to self")
	assert.Equal(t, 1, boss.Count("#flash .flash"), "one message per kind: the newest")
	assert.Equal(t, "Announced to user:boss.", boss.Text("#flash .flash.info .message"))
	require.NoError(t, boss.Click(`#flash .flash.info button[lvt-click="lvt.dismiss"]`))
	assert.Zero(t, boss.Count("#flash .flash"))

	// A failed announcement shows no flash.
	require.Error(t, boss.Submit("#announce", url.Values{"text": {" "}}))
	assert.Zero(t, boss.Count("#flash .flash"))
}

func TestLivetestPagesLinkWithLiveNavigation(t *testing.T) {
	a := start(t)
	boss := a.browser(t, admin).Open("/admin")
	for _, p := range []*livetest.Page{boss, boss.Tab("/")} {
		for _, href := range []string{"/", "/admin"} {
			_, live := p.Attr(`nav a[href="`+href+`"]`, "lvt-navigate")
			assert.True(t, live, "a link to %s is live", href)
		}
	}
	current, _ := boss.Attr("nav a[aria-current]", "href")
	assert.Equal(t, "/admin", current)
	ann := a.browser(t, "ann").Open("/")
	assert.Zero(t, ann.Count("nav"), "no links to the admin page for others")

	// A live navigation starts with a GET that the routes guard like a page
	// load: the administrator gets the new page's token, others get 403.
	resp, body := a.do(t, http.MethodGet, "/admin", boss.Browser().Cookies(), "Lvt-Navigate", "from-a-page")
	assert.Equal(t, http.StatusOK, resp.StatusCode)
	assert.Contains(t, body, `"t":"page"`)
	resp, _ = a.do(t, http.MethodGet, "/admin", ann.Browser().Cookies(), "Lvt-Navigate", "from-a-page")
	assert.Equal(t, http.StatusForbidden, resp.StatusCode)
}

// A user's team is the server's to say (the table teams, read at sign-in
// into the signed token): asking for another one in the sign-in form, in a
// query, or by editing the cookie gets nobody into another team.
func TestLivetestTeamsComeFromTheServer(t *testing.T) {
	a := start(t)
	boss := a.browser(t, admin).Open("/admin")

	// The form and the query ask for team blue; the table says red (ann),
	// and nothing (dan).
	claim := func(name string) []*http.Cookie {
		resp, err := noRedirects.PostForm(a.srv.URL+"/login?team=blue&group=blue&next=%2F%3Fteam%3Dblue",
			url.Values{"name": {name}, "team": {"blue"}, "group": {"blue"}})
		require.NoError(t, err)
		require.NoError(t, resp.Body.Close())
		require.Equal(t, http.StatusSeeOther, resp.StatusCode)
		return resp.Cookies()
	}
	annCookies, danCookies := claim("ann"), claim("dan")
	ann := a.srv.NewBrowser(&livetest.BrowserOptions{Cookies: annCookies}).Open("/?team=blue")
	dan := a.srv.NewBrowser(&livetest.BrowserOptions{Cookies: danCookies}).Open("/?group=blue")
	cid := a.browser(t, "cid").Open("/") // in team blue
	require.NoError(t, boss.WaitText("#users", "4", wait))
	announce(t, boss, "group:blue", "for blue")
	announce(t, boss, "group:red", "for red")
	announce(t, boss, "all", "for all")
	for _, p := range []*livetest.Page{ann, dan, cid} {
		require.NoError(t, p.WaitText("#announcements li:first-child .text", "for all", wait))
	}
	assert.Equal(t, "for all, for blue", texts(cid))
	assert.Equal(t, "for all, for red", texts(ann), "ann is in red, whatever she asked for")
	assert.Equal(t, "for all", texts(dan), "dan is in no team")
	var options []string
	for i := 1; i <= boss.Count("select[name=target] option"); i++ {
		v, _ := boss.Attr("select[name=target] option:nth-child("+strconv.Itoa(i)+")", "value")
		options = append(options, v)
	}
	assert.Equal(t, []string{"all", "user:ann", "user:boss", "user:cid", "user:dan", "group:blue", "group:red"}, options)

	// An edited token: its signature fails, so it is no sign-in at all.
	var token *http.Cookie
	for _, c := range annCookies {
		if c.Name == "lvt-token" {
			token = c
		}
	}
	require.NotNil(t, token)
	parts := strings.Split(token.Value, ".")
	require.Len(t, parts, 3)
	claims, err := base64.RawURLEncoding.DecodeString(parts[1])
	require.NoError(t, err)
	require.Contains(t, string(claims), `"group":"red"`)
	edited := *token
	edited.Value = parts[0] + "." + base64.RawURLEncoding.EncodeToString([]byte(strings.Replace(string(claims), `"group":"red"`, `"group":"blue"`, 1))) + "." + parts[2]
	cookies := []*http.Cookie{&edited}
	resp, _ := a.do(t, http.MethodGet, "/", cookies)
	assert.Equal(t, http.StatusSeeOther, resp.StatusCode, "a page load goes to the sign-in page")
	assert.Equal(t, "/login?next=%2F", resp.Header.Get("Location"))
	resp, _ = a.do(t, http.MethodGet, "/", cookies, "Connection", "Upgrade", "Upgrade", "websocket",
		"Sec-WebSocket-Version", "13", "Sec-WebSocket-Key", "dGhlIHNhbXBsZSBub25jZQ==")
	assert.Equal(t, http.StatusUnauthorized, resp.StatusCode, "no live connection")
	resp, _ = a.do(t, http.MethodPost, "/", cookies)
	assert.Equal(t, http.StatusUnauthorized, resp.StatusCode, "no actions over HTTP")
}
