// Package dashboard_test tests the dashboard example in a real headless
// Chromium: targeted announcements, and /admin for the administrator only.
package dashboard_test

import (
	"encoding/json"
	"net/http"
	"net/http/httptest"
	"net/url"
	"testing"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"

	"github.com/lvtgo/livetemplate"
	"github.com/lvtgo/livetemplate/e2e/internal/browsertest"
	"github.com/lvtgo/livetemplate/examples/dashboard/dashboard"
	"github.com/lvtgo/livetemplate/examples/login"
	"github.com/lvtgo/livetemplate/livetest"
)

const admin = "boss"

// start serves the dashboard on 127.0.0.1 until the test ends and returns
// its URL. Each test starts its server before its browser, so that the
// browser's tabs close first.
func start(t *testing.T) string {
	t.Helper()
	teams, err := dashboard.ParseTeams("ann=red,bob=red,cid=blue")
	require.NoError(t, err)
	lg, err := login.New(login.Options{Key: []byte("0123456789abcdef0123456789abcdef"), Title: "Dashboard", GroupOf: teams.Of})
	require.NoError(t, err)
	h, err := dashboard.NewHandler(livetest.App(t, livetemplate.WithAuthenticator(lg.Authenticator())), lg, admin)
	require.NoError(t, err)
	srv := httptest.NewServer(h)
	t.Cleanup(srv.Close)
	return srv.URL
}

// signIn opens path in tab, which is sent to the sign-in form, signs in as
// name (whose team the server's table says) and waits until the page's
// live connection is up.
func signIn(tab *browsertest.Tab, base, path, name string) {
	tab.Navigate(base + path)
	tab.WaitJS(`() => location.pathname === "/login"`)
	tab.Fill("#login input[name=name]", name)
	tab.Click("#login button")
	tab.WaitJS(`(path) => location.pathname === path`, path)
	tab.WaitClass("html", "lvt-connected")
}

// announce sends text to target from the administrator's page.
func announce(t *testing.T, boss *browsertest.Tab, target, text string) {
	t.Helper()
	boss.Fill("#announce textarea[name=text]", text)
	js, err := json.Marshal(target)
	require.NoError(t, err)
	require.True(t, browsertest.Eval[bool](boss, `((want) => { const s = document.querySelector("#announce select[name=target]"); s.value = want; return s.value === want; })(`+string(js)+`)`),
		"the select offers %s", target)
	boss.Click("#announce button")
	boss.WaitJS(`(text) => document.querySelector("#sent li:first-child .text")?.textContent === text`, text)
	boss.WaitJS(`() => document.querySelector("#announce textarea").value === ""`) // lvt-reset
}

// waitAnnouncements waits until tab shows exactly texts, newest first.
func waitAnnouncements(tab *browsertest.Tab, texts ...any) {
	tab.WaitJS(`(...want) => JSON.stringify([...document.querySelectorAll("#announcements li[data-key] .text")].map((e) => e.textContent)) === JSON.stringify(want)`, texts...)
}

// Announcements reach exactly their targets: one user, a team, everyone;
// the administrator sees the live counts.
func TestE2EAnnouncementsReachExactlyTheirTargets(t *testing.T) {
	url := start(t)
	b := browsertest.New(t)
	boss := b.Tab(t)
	ann := b.Context(t).Tab(t)
	bob := b.Context(t).Tab(t)
	cid := b.Context(t).Tab(t)
	signIn(boss, url, "/admin", admin)
	signIn(ann, url, "/", "ann")
	signIn(bob, url, "/", "bob")
	signIn(cid, url, "/", "cid")
	ann.WaitTextIs("#announcements", "No announcements for you yet.")

	// Everyone is known: the targets to choose from, and the counts.
	boss.WaitJS(`() => [...document.querySelectorAll("#announce option")].map((o) => o.value).join(" ") === "all user:ann user:bob user:boss user:cid group:blue group:red"`)
	boss.WaitTextIs("#users", "4")
	boss.WaitTextIs("#connections", "4")

	announce(t, boss, "user:ann", "for ann")
	waitAnnouncements(ann, "for ann")
	announce(t, boss, "group:red", "for red")
	waitAnnouncements(bob, "for red")
	waitAnnouncements(ann, "for red", "for ann")
	announce(t, boss, "all", "for all") // once a page shows it, it has had the others
	waitAnnouncements(ann, "for all", "for red", "for ann")
	waitAnnouncements(bob, "for all", "for red")
	waitAnnouncements(cid, "for all")

	// The admin page says who the last announcement went to (a flash
	// message), until it is dismissed (the built-in action lvt.dismiss).
	boss.WaitTextIs("#flash .flash.info .message", "Announced to all.")
	boss.Click(`#flash .flash.info button[lvt-click="lvt.dismiss"]`)
	boss.WaitGone("#flash .flash")
	assert.Zero(t, browsertest.Eval[int](ann, `document.querySelectorAll("#flash .flash").length`), "the flash is the admin's only")

	// A page that leaves is counted out.
	cid.Navigate("about:blank")
	boss.WaitTextIs("#users", "3")
	boss.WaitTextIs("#connections", "3")
}

// /admin is the administrator's: another user gets 403 Forbidden.
func TestE2EAdminIsForbiddenToOthers(t *testing.T) {
	base := start(t)
	b := browsertest.New(t)
	ann := b.Tab(t)
	ann.AllowConsole(`403`) // the browser logs the refused page load
	signIn(ann, base, "/", "ann")
	ann.Navigate(base + "/admin")
	ann.WaitText("body", "forbidden")
	assert.Zero(t, browsertest.Eval[int](ann, `document.querySelectorAll("#announce").length`))

	assert.Empty(t, browsertest.Eval[string](ann, `document.cookie`), "the sign-in cookie is HttpOnly")

	// The status, as an HTTP client signed in as ann sees it.
	client := &http.Client{CheckRedirect: func(*http.Request, []*http.Request) error { return http.ErrUseLastResponse }}
	resp, err := client.PostForm(base+login.Path, url.Values{"name": {"ann"}})
	require.NoError(t, err)
	resp.Body.Close()
	req, err := http.NewRequestWithContext(t.Context(), http.MethodGet, base+"/admin", nil)
	require.NoError(t, err)
	for _, c := range resp.Cookies() {
		req.AddCookie(c)
	}
	resp, err = client.Do(req)
	require.NoError(t, err)
	resp.Body.Close()
	assert.Equal(t, http.StatusForbidden, resp.StatusCode)
}
