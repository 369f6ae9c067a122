package actions

import (
	"net/url"
	"testing"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"
	"go.uber.org/goleak"

	"github.com/lvtgo/livetemplate"
	"github.com/lvtgo/livetemplate/livetest"
)

func TestMain(m *testing.M) { goleak.VerifyTestMain(m) }

func TestPage(t *testing.T) {
	h, err := NewHandler(livetest.App(t), 5)
	require.NoError(t, err)
	srv := livetest.Start(t, h)
	p := srv.Open("/?all")

	err = p.Submit("#rsvp", url.Values{"name": {""}, "guests": {"9"}})
	var ae *livetest.ActionError
	require.ErrorAs(t, err, &ae)
	assert.Equal(t, "invalid", ae.Code)
	assert.Equal(t, map[string]string{"name": "Who are you?", "guests": "Between 1 and 4, please."}, ae.Fields)

	err = p.Submit("#rsvp", url.Values{"name": {"Ann"}, "guests": {"two"}})
	require.ErrorAs(t, err, &ae)
	assert.Equal(t, map[string]string{"guests": "must be a whole number"}, ae.Fields)

	require.NoError(t, p.Submit("#rsvp", url.Values{"name": {"Ann"}, "guests": {"4"}, "diet": {"vegan"}}))
	assert.Equal(t, "4 of 5 seats taken", p.Text("#count"))
	assert.Equal(t, "Ann +4", p.Text("#guests li"))

	err = p.Submit("#rsvp", url.Values{"name": {"Bob"}, "guests": {"2"}})
	require.ErrorAs(t, err, &ae)
	assert.Equal(t, "failed", ae.Code)
	assert.Equal(t, "Sorry, there is room for 1 more.", ae.Message)

	assert.Zero(t, srv.Open("/").Count("#guests"), "without ?all the list is not shown")

	err = p.Send("rsvp.nope", nil)
	require.ErrorAs(t, err, &ae)
	assert.Equal(t, "unknown_action", ae.Code)
}

// quote:unit
func TestReplyNeedsAName(t *testing.T) {
	r := &RSVP{Capacity: 10}
	ctx, err := livetemplate.NewActionContext(t.Context(), livetemplate.ActionInput{
		Action: "add",
		Data:   map[string]any{"name": " ", "guests": "2"},
	})
	require.NoError(t, err)

	err = r.Change(ctx)
	assert.Equal(t, map[string]string{"name": "Who are you?"}, livetemplate.FieldErrors(err))
}

// quote:end
