package templates

import (
	"flag"
	"os"
	"strings"
	"testing"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"

	"github.com/lvtgo/livetemplate"
	"github.com/lvtgo/livetemplate/livetest"
)

var update = flag.Bool("update", false, "rewrite testdata/mistakes.txt")

// The mistakes docs/templates.md shows, made in ideas.html, are refused
// by Mount with the messages of testdata/mistakes.txt.
func TestMistakesFailAtMount(t *testing.T) {
	src, err := os.ReadFile("ideas.html")
	require.NoError(t, err)
	mistakes := []struct{ good, bad string }{
		{"{{len .board.Items}}", "{{len .board.Itmes}}"},
		{"{{.Text}} <span", "{{.Txt}} <span"},
		{`lvt-click="board.vote"`, `lvt-click="bord.vote"`},
		{"{{range .board.Sorted .view.By}}", "{{range .Items}}"},
	}
	var got []string
	for _, m := range mistakes {
		page := strings.Replace(string(src), m.good, m.bad, 1)
		require.NotEqual(t, string(src), page, m.good)
		tmpl, err := livetemplate.New("ideas.html", livetemplate.WithText(page))
		require.NoError(t, err)
		_, err = livetest.App(t).Mount(tmpl,
			livetemplate.Named("board", &Board{}),
			livetemplate.PerConnection(livetemplate.Named("view", &View{By: "new"})))
		require.Error(t, err, m.bad)
		got = append(got, err.Error())
	}
	text := strings.Join(got, "\n") + "\n"
	if *update {
		require.NoError(t, os.WriteFile("testdata/mistakes.txt", []byte(text), 0o644))
	}
	want, err := os.ReadFile("testdata/mistakes.txt")
	require.NoError(t, err)
	assert.Equal(t, string(want), text)
}

// Without strict mode, a name that is no store of the page mounts, and
// renders as nothing.
func TestNotStrictMountsAMissingStore(t *testing.T) {
	tmpl, err := livetemplate.New("ideas", livetemplate.WithStrict(false), livetemplate.WithText(
		`<body><ul id="ideas">{{range .Items}}<li>{{.}}</li>{{end}}</ul>{{len .board.Items}}</body>`))
	require.NoError(t, err)
	h, err := livetest.App(t).Mount(tmpl, livetemplate.Named("board", &Board{}), livetemplate.PerConnection(&View{}))
	require.NoError(t, err)
	assert.Zero(t, livetest.Start(t, h).Open("/").Count("#ideas li"))
}
