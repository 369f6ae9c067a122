package check_test

import (
	"errors"
	"io"
	"reflect"
	"testing"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"

	"github.com/lvtgo/livetemplate/internal/check"
)

// Edge is a store whose types text/template treats in less usual ways.
type Edge struct {
	Set     Set
	Keyed   map[Key]Item
	AnyKey  map[any]Item
	Funcs   map[string]func() Item
	Err     error
	Lists   map[string][]Item
	PtrList *[]Item
	PtrInt  *int
	outer
	*hiddenPtr
}

// Set is a map type with methods.
type Set map[string]bool

func (s Set) Has(k string) bool { return s[k] }
func (s Set) Len() int          { return len(s) }

// Key is a named string type: a field name is not assignable to it.
type Key string

type outer struct{ Promoted string }

func (outer) Hi() string { return "hi" }

type hiddenPtr struct{ Deep string }

func newEdge() *Edge {
	it := Item{ID: 1, Title: "one", Owner: &User{Name: "ann"}}
	list := []Item{it}
	n := 2
	return &Edge{
		Set:       Set{"a": true},
		Keyed:     map[Key]Item{"a": it},
		AnyKey:    map[any]Item{"a": it},
		Funcs:     map[string]func() Item{"x": func() Item { return it }},
		Err:       errors.New("boom"),
		Lists:     map[string][]Item{"a": list},
		PtrList:   &list,
		PtrInt:    &n,
		outer:     outer{Promoted: "p"},
		hiddenPtr: &hiddenPtr{Deep: "d"},
	}
}

func TestTypesEdgesValid(t *testing.T) {
	data := check.Data{Store: reflect.TypeFor[*Edge]()}
	for _, src := range []string{
		`{{.Set.Has "a"}} {{.Set.Len}} {{.Set.a}} {{.Set.missing}}`,
		`{{(.AnyKey.a).Title}} {{.AnyKey.a.Owner.Name}}`,
		`{{(call .Funcs.x).Title}} {{(call (index .Funcs "x")).Owner.Name}}`,
		`{{.Err.Error}}`,
		`{{range $k, $v := .Lists}}{{range $v}}{{.Title}}{{end}}{{end}}`,
		`{{range .PtrList}}{{.Title}}{{end}} {{range .PtrInt}}{{.}}{{end}} {{len .PtrList}}`,
		`{{.Promoted}} {{.Hi}} {{.Deep}}`,
		`{{"hi" | .Set.Has}} {{.Set | len}}`,
		`{{if and .Err .Set}}{{end}} {{.Set | and .Err | not}}`,
		`{{range $i, $e = .PtrList}}{{end}}`,
		`{{$l := .Lists.a}}{{$l = .Lists.b}}{{range $l}}{{.Title}}{{end}}`,
		`{{with $x := .Set}}{{$x = 1}}{{$x}}{{end}}`,
		`{{define "x"}}{{.Owner.Name}}{{end}}{{template "x" (index .Lists.a 0)}}`,
	} {
		t.Run(src, func(t *testing.T) {
			tmpl := parse(t, `{{$i := 0}}{{$e := 0}}`+src)
			require.NoError(t, check.Types(tmpl, data, funcs))
			require.NoError(t, tmpl.Execute(io.Discard, newEdge()))
			assert.NoError(t, check.Types(tmpl, data, funcs))
		})
	}
}

func TestTypesEdgesInvalid(t *testing.T) {
	data := check.Data{Store: reflect.TypeFor[*Edge]()}
	for _, tc := range []struct {
		src  string
		want []want
	}{
		{`{{.Keyed.a}}`, []want{{"t:1:8", ".Keyed.a", "map[check_test.Key]check_test.Item"}}},
		{`{{.Set.Has}}`, []want{{"t:1:6", ".Set.Has", "check_test.Set"}}},
		{`{{.Err.Nope}}`, nil}, // an interface: what is inside decides
		{`{{.outer.Promoted}}`, []want{{"t:1:8", ".outer", "*check_test.Edge"}}},
		{`{{(call .Funcs.x).Nope}}`, []want{{"t:1:17", "(call .Funcs.x).Nope", "check_test.Item"}}},
	} {
		t.Run(tc.src, func(t *testing.T) {
			tmpl := parse(t, tc.src)
			assert.Equal(t, tc.want, errorsOf(t, check.Types(tmpl, data, funcs)))
			assert.Error(t, tmpl.Execute(io.Discard, newEdge()), "text/template fails too")
		})
	}
}

func TestTypesRangeVariablesAfterParenthesisedDeclarations(t *testing.T) {
	tmpl := parse(t, `{{range $e := ($l := .Items)}}{{$e.Title}}{{len $l}}{{$e.Nope}}{{end}}`)
	err := check.Types(tmpl, check.Data{Store: reflect.TypeFor[*Counter]()}, nil)
	assert.Equal(t, []want{{"t:1:56", "$e.Nope", "check_test.Item"}}, errorsOf(t, err))
}
