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
