package templates

import (
	"net/url"
	"testing"
	"time"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"
	"go.uber.org/goleak"

	"github.com/lvtgo/livetemplate/livetest"
)

func TestMain(m *testing.M) { goleak.VerifyTestMain(m) }

func TestIdeas(t *testing.T) {
	h, err := NewHandler(livetest.App(t))
	require.NoError(t, err)
	srv := livetest.Start(t, h)
	a := srv.Open("/")
	assert.Equal(t, "No ideas yet.", a.Text("#ideas li"))
	require.NoError(t, a.Submit("#add", url.Values{"text": {"Tea"}}))
	require.NoError(t, a.Submit("#add", url.Values{"text": {"Cake"}}))
	assert.Equal(t, "Ideas (2)", a.Text("title"))
	assert.Equal(t, 2, a.Count("#ideas li"))
	// newest first
	assert.Contains(t, a.Text("#ideas li:first-child"), "Cake")

	b := a.Tab("/")
	require.NoError(t, b.Click("#by-votes"))
	require.NoError(t, b.Click(`#ideas li[data-key="1"] button`)) // sends {"id": 1}, a number
	assert.Contains(t, b.Text("#ideas li:first-child"), "Tea")
	require.NoError(t, a.WaitText(`#ideas li[data-key="1"] .votes`, "1", time.Second))
	assert.Contains(t, a.Text("#ideas li:first-child"), "Cake", "each tab sorts its own way")

	err = a.Submit("#add", url.Values{"text": {" "}})
	var ae *livetest.ActionError
	require.ErrorAs(t, err, &ae)
	assert.Equal(t, map[string]string{"text": "Write something first."}, ae.Fields)
}
