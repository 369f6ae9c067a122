package source_test

import (
	"fmt"
	"html/template"
	"os"
	"testing"
	"testing/fstest"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"
	"go.uber.org/goleak"

	"github.com/lvtgo/livetemplate/internal/source"
)

func TestMain(m *testing.M) { goleak.VerifyTestMain(m) }

func TestCheck(t *testing.T) {
	text := "x"
	assert.NoError(t, (&source.Source{}).Check())
	assert.ErrorContains(t, (&source.Source{Text: &text, Files: []string{"a"}}).Check(), "only one")
	assert.ErrorContains(t, (&source.Source{FS: fstest.MapFS{}}).Check(), "at least one pattern")
}

func TestParsePicksThePage(t *testing.T) {
	fsys := fstest.MapFS{
		"layout.html": {Data: []byte(`{{define "layout"}}<main>{{template "body" .}}</main>{{end}}`)},
		"home.html":   {Data: []byte(`{{template "layout" .}}{{define "body"}}home{{end}}`)},
	}
	s := &source.Source{FS: fsys, Patterns: []string{"home.html", "layout.html"}}
	tmpl, err := s.Parse("home.html")
	require.NoError(t, err)
	assert.Equal(t, "home.html", tmpl.Name())

	_, err = (&source.Source{}).Parse("no-such-file.html")
	assert.Error(t, err, "without a source, the file named like the template")

	dir := t.TempDir()
	require.NoError(t, os.WriteFile(dir+"/p.html", []byte(`{{up "a"}}`), 0o600))
	s = &source.Source{Files: []string{dir + "/p.html"}}
	s.AddFuncs(template.FuncMap{"up": func(s string) string { return s + "!" }})
	tmpl, err = s.Parse("page")
	require.NoError(t, err)
	assert.Equal(t, "p.html", tmpl.Name(), "the first file's template")
}

func ExampleSource_Parse() {
	text := `<p>{{.}}</p>`
	s := &source.Source{Text: &text}
	t, err := s.Parse("p")
	if err != nil {
		panic(err)
	}
	_ = t.Execute(os.Stdout, "hi")
	fmt.Println()
	// Output: <p>hi</p>
}
