package dashboard_test

import (
	"fmt"
	"testing"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"
	"go.uber.org/goleak"

	"github.com/lvtgo/livetemplate"
	"github.com/lvtgo/livetemplate/auth"
	"github.com/lvtgo/livetemplate/examples/dashboard/dashboard"
	"github.com/lvtgo/livetemplate/examples/login"
	"github.com/lvtgo/livetemplate/livetest"
)

func TestMain(m *testing.M) { goleak.VerifyTestMain(m) }

func act(t *testing.T, user, group, action string, data map[string]any, view *dashboard.View) *livetemplate.ActionContext {
	t.Helper()
	in := livetemplate.ActionInput{Action: action, Data: data, Identity: auth.Identity{UserID: user, GroupID: group}}
	if view != nil {
		in.Stores = map[string]livetemplate.Store{"view": view}
	}
	actx, err := livetemplate.NewActionContext(t.Context(), in)
	require.NoError(t, err)
	return actx
}

func TestAnnouncementFor(t *testing.T) {
	ann := livetemplate.Viewer{UserID: "ann", GroupID: "red"}
	bob := livetemplate.Viewer{UserID: "bob", GroupID: "bob"}
	tests := []struct {
		target   string
		ann, bob bool
	}{
		{target: "all", ann: true, bob: true},
		{target: "user:ann", ann: true},
		{target: "group:red", ann: true},
		{target: "group:bob", bob: true},
		{target: "user:red"},
		{target: "group:ann"},
		{target: "nonsense"},
	}
	for _, tc := range tests {
		a := dashboard.Announcement{Target: tc.target}
		assert.Equal(t, tc.ann, a.For(ann), tc.target)
		assert.Equal(t, tc.bob, a.For(bob), tc.target)
	}
}

func TestBoardKeepsTheNewestFirst(t *testing.T) {
	var b dashboard.Board
	boss := &dashboard.View{AdminName: "boss", Admin: true}
	for i := range dashboard.MaxAnnouncements + 3 {
		require.NoError(t, b.Change(act(t, "boss", "boss", "announce", map[string]any{"text": fmt.Sprint(i), "target": "all"}, boss)))
	}
	require.Len(t, b.Items, dashboard.MaxAnnouncements)
	assert.Equal(t, "102", b.Items[0].Text)
	assert.Equal(t, "3", b.Items[len(b.Items)-1].Text)

	err := b.Change(act(t, "ann", "red", "announce", map[string]any{"text": "hi", "target": "all"}, &dashboard.View{AdminName: "boss"}))
	var ue *livetemplate.UserError
	require.ErrorAs(t, err, &ue, "not from the admin's page")
	require.ErrorAs(t, b.Change(act(t, "boss", "boss", "announce", map[string]any{"text": "hi", "target": "all"}, nil)), &ue, "nor without a page")
	assert.Equal(t, map[string]string{"target": `Choose "all", a user or a group.`},
		livetemplate.FieldErrors(b.Change(act(t, "boss", "boss", "announce", map[string]any{"text": "hi", "target": "x"}, boss))))
	assert.Len(t, b.Items, dashboard.MaxAnnouncements)
}

func TestPeopleRemembersABoundedNumber(t *testing.T) {
	var p dashboard.People
	for i := range dashboard.MaxKnown + 10 {
		name := fmt.Sprint("u", i)
		require.NoError(t, p.Connected(act(t, name, fmt.Sprint("team", i), "connect", nil, nil)))
	}
	assert.Len(t, p.Users, dashboard.MaxKnown)
	assert.Len(t, p.Groups, dashboard.MaxKnown)
	assert.Contains(t, p.Users, fmt.Sprint("u", dashboard.MaxKnown+9), "the newest is kept")
	assert.Equal(t, dashboard.MaxKnown+10, p.Conns)
	assert.Len(t, p.Online, dashboard.MaxKnown+10, "everyone connected is counted")

	var q dashboard.People
	require.NoError(t, q.Connected(act(t, "dan", "dan", "connect", nil, nil)))
	assert.Empty(t, q.Groups, "a user without a team is no group")
	require.NoError(t, q.Disconnected(act(t, "dan", "dan", "disconnect", nil, nil)))
	require.NoError(t, q.Disconnected(act(t, "dan", "dan", "disconnect", nil, nil)))
	assert.Zero(t, q.Conns, "never below zero")
	assert.Empty(t, q.Online)
	assert.Contains(t, q.Users, "dan", "still known")
}

func TestNewHandlerChecksTheAdminName(t *testing.T) {
	lg, err := login.New(login.Options{Key: []byte("0123456789abcdef0123456789abcdef")})
	require.NoError(t, err)
	app := livetest.App(t, livetemplate.WithAuthenticator(lg.Authenticator()))
	_, err = dashboard.NewHandler(app, lg, "not a name")
	assert.ErrorContains(t, err, `administrator "not a name"`)
}

func TestAnnouncingShowsAFlash(t *testing.T) {
	var b dashboard.Board
	actx := act(t, "boss", "boss", "announce", map[string]any{"text": "hi", "target": "group:red"}, &dashboard.View{AdminName: "boss", Admin: true})
	require.NoError(t, b.Change(actx))
	assert.Equal(t, livetemplate.Flash{{Kind: "info", Message: "Announced to group:red."}}, actx.Flashed())
}

func TestOnlyTheAdminMountsTheAdminPage(t *testing.T) {
	var ue *livetemplate.UserError
	assert.ErrorAs(t, (&dashboard.View{AdminName: "boss", Admin: true}).Mount(act(t, "ann", "red", "mount", nil, nil)), &ue)
	assert.NoError(t, (&dashboard.View{AdminName: "boss", Admin: true}).Mount(act(t, "boss", "boss", "mount", nil, nil)))
	assert.NoError(t, (&dashboard.View{AdminName: "boss"}).Mount(act(t, "ann", "red", "mount", nil, nil)), "the home page is anyone's")
}

func TestParseTeams(t *testing.T) {
	teams, err := dashboard.ParseTeams(" ann=red, bob = red,,cid=blue ")
	require.NoError(t, err)
	assert.Equal(t, dashboard.Teams{"ann": "red", "bob": "red", "cid": "blue"}, teams)
	assert.Equal(t, "red", teams.Of("ann"))
	assert.Empty(t, teams.Of("dan"), "in no team")
	empty, err := dashboard.ParseTeams("")
	require.NoError(t, err)
	assert.Empty(t, empty)
	_, err = dashboard.ParseTeams(dashboard.DefaultTeams)
	require.NoError(t, err)

	for in, want := range map[string]string{
		"ann":              `"ann" is not NAME=TEAM`,
		"ann=red,ann=blue": `"ann" is in two teams`,
		"a b=red":          `name "a b"`,
		"ann=<b>":          `team "<b>"`,
		"ann=":             `team ""`,
	} {
		_, err := dashboard.ParseTeams(in)
		assert.ErrorContains(t, err, want, in)
	}
}
