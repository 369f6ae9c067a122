package chat_test

import (
	"fmt"
	"net/http/httptest"
	"testing"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"
	"go.uber.org/goleak"

	"github.com/lvtgo/livetemplate"
	"github.com/lvtgo/livetemplate/auth"
	"github.com/lvtgo/livetemplate/examples/chat/chat"
	"github.com/lvtgo/livetemplate/examples/login"
	"github.com/lvtgo/livetemplate/livetest"
)

func TestMain(m *testing.M) { goleak.VerifyTestMain(m) }

func act(t *testing.T, user, action string, data map[string]any) *livetemplate.ActionContext {
	t.Helper()
	actx, err := livetemplate.NewActionContext(t.Context(), livetemplate.ActionInput{
		Action: action, Data: data, Identity: auth.Identity{UserID: user, GroupID: user},
	})
	require.NoError(t, err)
	return actx
}

func TestRoomKeepsTheLastMessages(t *testing.T) {
	var r chat.Room
	for i := range chat.MaxMessages + 5 {
		require.NoError(t, r.Change(act(t, "ann", "send", map[string]any{"text": fmt.Sprint(" m", i, " ")})))
	}
	require.Len(t, r.Messages, chat.MaxMessages)
	assert.Equal(t, "m5", r.Messages[0].Text)
	assert.Equal(t, chat.Message{ID: 105, Author: "ann", Text: "m104", At: r.Messages[99].At}, r.Messages[99])

	err := r.Change(act(t, "ann", "send", map[string]any{"text": " "}))
	assert.Equal(t, map[string]string{"text": "Type a message first."}, livetemplate.FieldErrors(err))
	assert.ErrorIs(t, r.Change(act(t, "ann", "edit", nil)), livetemplate.ErrUnknownAction)
}

func TestRoomCountsPages(t *testing.T) {
	var r chat.Room
	require.NoError(t, r.Connected(act(t, "ann", "connect", nil)))
	require.NoError(t, r.Connected(act(t, "ann", "connect", nil)))
	require.NoError(t, r.Connected(act(t, "bob", "connect", nil)))
	assert.Equal(t, map[string]int{"ann": 2, "bob": 1}, r.Online)
	require.NoError(t, r.Disconnected(act(t, "ann", "disconnect", nil)))
	require.NoError(t, r.Disconnected(act(t, "bob", "disconnect", nil)))
	require.NoError(t, r.Disconnected(act(t, "cid", "disconnect", nil))) // never counted (another instance crashed, say)
	assert.Equal(t, map[string]int{"ann": 1}, r.Online)
}

func TestRoomOf(t *testing.T) {
	for query, want := range map[string]string{
		"": "lobby", "room=dev": "dev", "room=a-1": "a-1", "room=A": "lobby", "room=a+b": "lobby", "room=": "lobby",
	} {
		assert.Equal(t, want, chat.RoomOf(httptest.NewRequest("GET", "/?"+query, nil), auth.Identity{}), query)
	}
	v := chat.View{Room: "dev"}
	assert.Equal(t, chat.Rooms, v.Rooms())
	v.Room = "x"
	assert.Equal(t, append(chat.Rooms[:len(chat.Rooms):len(chat.Rooms)], "x"), v.Rooms())
}

func TestViewJoinRedirectsToTheRoom(t *testing.T) {
	var v chat.View
	actx := act(t, "ann", "join", map[string]any{"room": " Book-Club "})
	require.NoError(t, v.Change(actx))
	assert.Equal(t, "/?room=book-club", actx.Redirected())

	for _, bad := range []string{"", "a b", "é", "x/../y"} {
		actx := act(t, "ann", "join", map[string]any{"room": bad})
		assert.Equal(t, map[string]string{"room": chat.BadRoom}, livetemplate.FieldErrors(v.Change(actx)), bad)
		assert.Empty(t, actx.Redirected(), bad)
	}
	assert.ErrorIs(t, v.Change(act(t, "ann", "leave", nil)), livetemplate.ErrUnknownAction)
}

func TestViewMountFlashesABadRoom(t *testing.T) {
	mount := func(target string) (chat.View, *livetemplate.ActionContext) {
		actx, err := livetemplate.NewActionContext(t.Context(), livetemplate.ActionInput{
			Action: "mount", Request: httptest.NewRequest("GET", target, nil), Identity: auth.Identity{UserID: "ann", GroupID: "ann"},
		})
		require.NoError(t, err)
		var v chat.View
		require.NoError(t, v.Mount(actx))
		return v, actx
	}
	v, actx := mount("/?room=dev")
	assert.Equal(t, "dev", v.Room)
	assert.Empty(t, actx.Flashed())
	v, actx = mount("/?room=Dev")
	assert.Equal(t, chat.DefaultRoom, v.Room)
	assert.Equal(t, livetemplate.Flash{{Kind: "error", Message: chat.BadRoom + " Here is the #lobby."}}, actx.Flashed())
	assert.Empty(t, actx.Redirected(), "the lobby shows at the URL given")
}

func TestOnlyTheModerationPageDeletes(t *testing.T) {
	moderating := func(action string, data map[string]any) *livetemplate.ActionContext {
		actx, err := livetemplate.NewActionContext(t.Context(), livetemplate.ActionInput{
			Action: action, Data: data, Identity: auth.Identity{UserID: "boss", GroupID: "boss"},
			Stores: map[string]livetemplate.Store{"mod": &chat.Mod{AdminName: "boss"}},
		})
		require.NoError(t, err)
		return actx
	}
	var r chat.Room
	for _, text := range []string{"one", "two", "three"} {
		require.NoError(t, r.Change(act(t, "ann", "send", map[string]any{"text": text})))
	}
	var ue *livetemplate.UserError
	require.ErrorAs(t, r.Change(act(t, "boss", "delete", map[string]any{"id": 1})), &ue, "not from the moderation page")
	require.ErrorAs(t, r.Change(act(t, "boss", "clear", nil)), &ue, "not from the moderation page")
	assert.Len(t, r.Messages, 3)

	actx := moderating("delete", map[string]any{"id": 2})
	require.NoError(t, r.Change(actx))
	assert.Equal(t, []string{"one", "three"}, []string{r.Messages[0].Text, r.Messages[1].Text})
	assert.Equal(t, livetemplate.Flash{{Kind: "info", Message: "Deleted a message of ann."}}, actx.Flashed())
	require.ErrorAs(t, r.Change(moderating("delete", map[string]any{"id": 2})), &ue, "gone already")
	assert.Equal(t, map[string]string{"id": "must be a whole number"}, livetemplate.FieldErrors(r.Change(moderating("delete", map[string]any{"id": "x"}))))

	actx = moderating("clear", nil)
	require.NoError(t, r.Change(actx))
	assert.Empty(t, r.Messages)
	assert.Equal(t, livetemplate.Flash{{Kind: "info", Message: "Deleted all 2 messages."}}, actx.Flashed())
	assert.Equal(t, 3, r.NextID, "IDs are not reused")
}

func TestModMountIsTheAdministrators(t *testing.T) {
	var ue *livetemplate.UserError
	assert.ErrorAs(t, (&chat.Mod{AdminName: "boss"}).Mount(act(t, "ann", "mount", nil)), &ue)
	assert.NoError(t, (&chat.Mod{AdminName: "boss"}).Mount(act(t, "boss", "mount", nil)))
}

func TestNewHandlerChecksTheAdminName(t *testing.T) {
	lg, err := login.New(login.Options{Key: []byte("0123456789abcdef0123456789abcdef")})
	require.NoError(t, err)
	app := livetest.App(t, livetemplate.WithAuthenticator(lg.Authenticator()))
	_, err = chat.NewHandler(app, lg, "not a name")
	assert.ErrorContains(t, err, `administrator "not a name"`)
}
