package diff

import (
	"errors"
	"fmt"
	"html/template"
	"strings"
	"testing"
	texttemplate "text/template"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"
)

func TestCompileNilTemplate(t *testing.T) {
	ct, err := Compile(nil)
	assert.Error(t, err)
	assert.Nil(t, ct)
}

func TestCompileExecutedTemplate(t *testing.T) {
	tmpl := parseSrc(t, nil, `<p>{{.}}</p>`)
	require.NoError(t, tmpl.Execute(&strings.Builder{}, 1))
	ct, err := Compile(tmpl)
	require.Error(t, err, "html/template cannot clone a template after it has executed")
	assert.Nil(t, ct)
	assert.Contains(t, err.Error(), "cannot Clone")
	// The template still executes.
	var b strings.Builder
	require.NoError(t, tmpl.Execute(&b, 2))
	assert.Equal(t, "<p>2</p>", b.String())
}

// TestCompileErrorsMatchExecute checks that Compile reports what Execute
// reports for a template html/template cannot escape, naming the user's
// template, never Compile's internal one.
func TestCompileErrorsMatchExecute(t *testing.T) {
	tests := []struct {
		name string
		src  string // "" leaves the template unparsed
		code template.ErrorCode
	}{
		{name: "ends in non-text context", src: `<a href="{{.}}`, code: template.ErrEndContext},
		{name: "ends in a tag", src: `<div `, code: template.ErrEndContext},
		{name: "quote in attribute name", src: `<a x"y="1">`, code: template.ErrBadHTML},
		{name: "missing template", src: `<p>{{template "nope" .}}</p>`, code: template.ErrNoSuchTemplate},
		{name: "missing template in a called one", src: `{{define "a"}}{{template "b"}}{{end}}{{template "a"}}`, code: template.ErrNoSuchTemplate},
		{name: "branches end in different contexts", src: `<a {{if .}}href="{{end}}">`, code: template.ErrBranchEnd},
		{name: "range body changes context", src: `{{range .}}<a href="{{.}}{{end}}`, code: template.ErrBranchEnd},
		{name: "predefined escaper", src: `{{html . | print}}`, code: template.ErrPredefinedEscaper},
		{name: "ambiguous URL context", src: `<a href="{{if .}}/x?{{else}}/y{{end}}{{.}}">`, code: template.ErrAmbigContext},
		{name: "empty template", src: ""},
	}
	for _, tc := range tests {
		t.Run(tc.name, func(t *testing.T) {
			build := func() *template.Template {
				if tc.src == "" {
					return template.New("page")
				}
				return template.Must(template.New("page").Parse(tc.src))
			}
			execErr := build().Execute(&strings.Builder{}, "x")
			require.Error(t, execErr, "the oracle must fail")

			tmpl := build()
			ct, err := Compile(tmpl)
			require.Error(t, err)
			assert.Nil(t, ct)
			var te *template.Error
			if errors.As(execErr, &te) {
				code := te.ErrorCode
				assert.Equal(t, tc.code, code, "the oracle's error code")
				if assert.ErrorAs(t, err, &te, "Compile must wrap the *template.Error") {
					assert.Equal(t, code, te.ErrorCode)
				}
			}
			assert.Contains(t, err.Error(), execErr.Error(), "Compile's error must carry Execute's")
			assert.NotContains(t, err.Error(), "livetemplate-entry", "Compile's internal template must not show")

			// Compile leaves the template as it was: Execute fails the same way.
			err2 := tmpl.Execute(&strings.Builder{}, "x")
			require.Error(t, err2)
			assert.Equal(t, execErr.Error(), err2.Error())
		})
	}
}

type panicky struct{}

func (panicky) Boom() string   { panic("method panicked") }
func (panicky) String() string { panic("String panicked") }

// TestRenderErrorsMatchExecute checks that Render fails exactly where Execute
// fails, with Execute's error wrapped, and never panics.
func TestRenderErrorsMatchExecute(t *testing.T) {
	errCustom := errors.New("custom failure")
	funcs := template.FuncMap{
		"fails":  func() (string, error) { return "", errCustom },
		"panics": func() string { panic("func panicked") },
		"add":    func(a, b int) int { return a + b },
	}
	tests := []struct {
		name   string
		src    string
		data   any
		option string
		is     error // the error Render's must wrap, when there is one
	}{
		{name: "nil pointer", src: `<p>{{.Manager.Name}}</p>`, data: alice},
		{name: "missing field", src: `<p>{{.Nope}}</p>`, data: alice},
		{name: "method returns error", src: `<p>{{.Check}}</p>`, data: &fPerson{Name: "bad"}, is: errBoom},
		{name: "func returns error", src: `<p>before</p>{{fails}}<p>after</p>`, is: errCustom},
		{name: "func panics", src: `{{panics}}`},
		{name: "method panics", src: `<p>{{.Boom}}</p>`, data: panicky{}},
		{name: "wrong argument type", src: `{{add "x" 1}}`},
		{name: "call of a non-function", src: `{{call .Name}}`, data: alice},
		{name: "index out of range", src: `{{index . 5}}`, data: []int{1}},
		{name: "slice out of range", src: `{{slice . 1 9}}`, data: "ab"},
		{name: "missingkey error", src: `<p>{{.a}}</p>`, data: map[string]int{}, option: "missingkey=error"},
		{name: "error in a called template in a range", src: `{{define "t"}}<i>{{.Check}}</i>{{end}}<ul>{{range .}}<li>{{template "t" .}}</li>{{end}}</ul>`,
			data: []*fPerson{alice, {Name: "bad"}}, is: errBoom},
		{name: "error in a derived template", src: `{{define "t"}}{{.Check}}{{end}}<script>var x = {{template "t" .}};</script>`,
			data: &fPerson{Name: "bad"}, is: errBoom},
		{name: "error in an if condition", src: `{{if .Check}}yes{{end}}`, data: &fPerson{Name: "bad"}, is: errBoom},
		{name: "error in a range pipeline", src: `{{range .Check}}x{{end}}`, data: &fPerson{Name: "bad"}, is: errBoom},
		{name: "range over a non-iterable", src: `{{range .}}x{{end}}`, data: 1.5},
		{name: "error after break", src: `{{range .}}{{if eq .Name "Alice"}}{{break}}{{end}}{{end}}{{(index . 0).Check}}`,
			data: []*fPerson{{Name: "bad"}, alice}, is: errBoom},
	}
	for _, tc := range tests {
		t.Run(tc.name, func(t *testing.T) {
			build := func() *template.Template {
				tmpl := template.New("page").Funcs(funcs)
				if tc.option != "" {
					tmpl = tmpl.Option(tc.option)
				}
				return template.Must(tmpl.Parse(tc.src))
			}
			execErr := build().Execute(&strings.Builder{}, tc.data)
			require.Error(t, execErr, "the oracle must fail")

			ct, err := Compile(build())
			require.NoError(t, err)
			var tree *Tree
			require.NotPanics(t, func() { tree, err = ct.Render(tc.data) })
			require.Error(t, err)
			assert.Nil(t, tree)
			assert.Contains(t, err.Error(), execErr.Error())
			assert.NotContains(t, err.Error(), "livetemplate-entry")

			var want, got texttemplate.ExecError
			if errors.As(execErr, &want) {
				require.ErrorAs(t, err, &got)
				assert.Equal(t, want.Name, got.Name)
			}
			if tc.is != nil {
				assert.ErrorIs(t, execErr, tc.is)
				assert.ErrorIs(t, err, tc.is)
			}
		})
	}
}

// TestRenderPanickingStringer: fmt turns a panicking String method into
// text, so Execute succeeds, and so must Render.
func TestRenderPanickingStringer(t *testing.T) {
	runCase(t, nil, []any{panicky{}, kv("P", panicky{})}, `<p>{{.}}</p>`)
}

// TestReservedNames: a user template may use any name, even the one of the
// template Compile adds, or the name of the function Compile uses. Compile
// must then fail or render as Execute does, never silently differ.
func TestReservedNames(t *testing.T) {
	tests := []struct {
		name string
		src  string
	}{
		{name: "escape-only function name", src: `{{define "_lvt_escape_only"}}X{{end}}<p>{{template "_lvt_escape_only"}}</p>`},
		{name: "entry template name", src: `{{define "\x00livetemplate-entry"}}X{{end}}<p>{{template "\x00livetemplate-entry" .}}</p>`},
	}
	for _, tc := range tests {
		t.Run(tc.name, func(t *testing.T) {
			want, err := oracle(t, nil, 1, tc.src)
			require.NoError(t, err)
			ct, err := Compile(parseSrc(t, nil, tc.src))
			if err != nil {
				return // refusing the template is fine
			}
			tree, err := ct.Render(1)
			require.NoError(t, err, "Execute succeeds, so Render must (or Compile must refuse the template)")
			assert.Equal(t, want, tree.HTML())
		})
	}
}

func TestNilValuesDoNotPanic(t *testing.T) {
	var tree *Tree
	assert.Equal(t, "", tree.HTML())
	b, err := tree.MarshalJSON()
	require.NoError(t, err)
	assert.Equal(t, "null", string(b))
	assert.Equal(t, "{}", string(mustJSON(t, Diff(nil, nil))))
	assert.Equal(t, "{}", string(mustJSON(t, Diff(nil, &Tree{}))))
	assert.Equal(t, "", (&Tree{}).HTML())

	ct := mustCompile(t, nil, `<p>{{.}}</p>`)
	full, err := ct.Render(nil)
	require.NoError(t, err)
	next, err := ct.Render("x")
	require.NoError(t, err)
	got, err := tree.Apply(mustJSON(t, Diff(nil, next)))
	require.NoError(t, err)
	assert.Equal(t, next.HTML(), got.HTML())
	_, err = tree.Apply(nil)
	assert.ErrorIs(t, err, ErrProtocol)
	_, err = ParseTree(nil)
	assert.ErrorIs(t, err, ErrProtocol)
	assert.Equal(t, "<p></p>", full.HTML())
}

// TestErrProtocolMessages checks that protocol errors say where they are.
func TestErrProtocolMessages(t *testing.T) {
	ct := mustCompile(t, nil, `<ul>{{range .}}<li>{{.}}</li>{{end}}</ul>`)
	tree, err := ct.Render([]string{"a"})
	require.NoError(t, err)
	_, err = tree.Apply([]byte(`{"0":[{"0":"b"},[5,1]]}`))
	require.ErrorIs(t, err, ErrProtocol)
	assert.Contains(t, err.Error(), "/0/1", "the error names the path of the bad operation")
	assert.True(t, strings.HasPrefix(err.Error(), ErrProtocol.Error()), fmt.Sprint(err))
}
