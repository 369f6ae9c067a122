package main

import (
	"os"
	"strings"
	"testing"
	"time"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"
	"go.uber.org/goleak"

	"github.com/lvtgo/livetemplate"
	"github.com/lvtgo/livetemplate/livetest"
)

func TestMain(m *testing.M) { goleak.VerifyTestMain(m) }

// quote:test
func TestCounter(t *testing.T) {
	h, err := newHandler(livetest.App(t)) // an app that shuts down when the test ends
	require.NoError(t, err)

	srv := livetest.Start(t, h)
	tab := srv.Open("/") // a new browser
	require.NoError(t, tab.Click("#inc"))
	require.NoError(t, tab.Click("#add10"))
	assert.Equal(t, "11", tab.Text("#count"))

	other := tab.Tab("/") // a second tab of the same browser
	assert.Equal(t, "11", other.Text("#count"))
	require.NoError(t, other.Click("#inc"))
	require.NoError(t, tab.WaitText("#count", "12", time.Second)) // pushed

	assert.Equal(t, "0", srv.Open("/").Text("#count")) // another browser
}

// quote:end

// A bad number is refused with a field error, and nothing changes.
func TestBadNumber(t *testing.T) {
	h, err := newHandler(livetest.App(t))
	require.NoError(t, err)
	tab := livetest.Start(t, h).Open("/")
	err = tab.Send("add", map[string]any{"by": "ten"})
	var ae *livetest.ActionError
	require.ErrorAs(t, err, &ae)
	assert.Equal(t, "invalid", ae.Code)
	assert.Equal(t, "0", tab.Text("#count"))
}

// The mistake the guide makes on purpose: {{.Cuont}} in counter.html stops
// the program at Mount, with the message testdata/mistake.txt shows.
func TestMistakeStopsAtMount(t *testing.T) {
	src, err := os.ReadFile("counter.html")
	require.NoError(t, err)
	tmpl, err := livetemplate.New("counter.html",
		livetemplate.WithText(strings.Replace(string(src), "{{.Count}}", "{{.Cuont}}", 1)))
	require.NoError(t, err, "it parses")
	_, mountErr := livetest.App(t).Mount(tmpl, &Counter{})
	require.Error(t, mountErr)
	want, err := os.ReadFile("testdata/mistake.txt")
	require.NoError(t, err)
	assert.Equal(t, strings.TrimSpace(string(want)), mountErr.Error())
}
