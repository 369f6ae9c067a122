package check_test

import (
	"errors"
	"html/template"
	"io"
	"reflect"
	"regexp"
	"testing"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"

	"github.com/lvtgo/livetemplate/internal/check"
)

// page is what a test template executes with: the Data the check is given
// and a value of that shape to execute it with.
type page struct {
	data   check.Data
	value  func() any
	strict bool // execute with missingkey=error, as strict templates do
}

var (
	counterPage = page{data: check.Data{Store: reflect.TypeFor[*Counter]()}, value: func() any { return newCounter() }}
	pageTypes   = map[string]reflect.Type{
		"counter": reflect.TypeFor[*Counter](),
		"todos":   reflect.TypeFor[*Todos](),
		"view":    reflect.TypeFor[*View](),
		"viewer":  reflect.TypeFor[Viewer](),
		"flash":   reflect.TypeFor[*Flash](),
	}
	strictPage = page{data: check.Data{Map: pageTypes, StrictKeys: true}, value: func() any { return newPage() }, strict: true}
	loosePage  = page{data: check.Data{Map: pageTypes}, value: func() any { return newPage() }}
	// unknownPage executes with data whose type the check is not told.
	unknownPage = page{value: func() any { return map[string]any{"Whatever": map[string]int{"Deeper": 1}} }}
)

// validTemplates must pass the check, and execute without error: they are
// the check's most important promise.
var validTemplates = []struct {
	name string
	src  string
	page page
}{
	{name: "field", src: `{{.Count}} {{.N}} {{.Step}}`},
	{name: "niladic method", src: `{{.Double}}`},
	{name: "method with an argument", src: `{{.Add 2}}`},
	{name: "method given the pipeline's value", src: `{{.N | .Add}}`},
	{name: "variadic method", src: `{{.Join "," "a" "b"}} {{.Join ","}}`},
	{name: "method with an error result, in a chain", src: `{{(.Find 1).Title}} {{(.Find 1).Owner.Name}}`},
	{name: "with a method's result", src: `{{with .Find 1}}{{.Title}} {{.Summary}}{{end}}`},
	{name: "promoted field and method", src: `{{.Name}} {{.Hello}} {{.Base.Name}}`},
	{name: "field promoted through an embedded pointer", src: `{{.Note}} {{.Extra.Note}}`},
	{name: "pointer to pointer", src: `{{.Owner.Name}} {{.Owner.Greeting "hi"}}`},
	{name: "range over a slice", src: `{{range .Items}}{{.Title}} {{.Summary}} {{.Ptr}} {{.Owner.Name}}{{end}}`},
	{name: "range variables and $", src: `{{range $i, $e := .Items}}{{$i}} {{$e.Title}} {{$.Count}} {{$.Double}}{{end}}`},
	{name: "range else", src: `{{range .Items}}{{.ID}}{{else}}none{{end}}`},
	{name: "range over a map", src: `{{range $k, $v := .ByID}}{{$k}}={{$v.Title}}{{end}}{{range .ByNum}}{{.Title}}{{end}}`},
	{name: "map key", src: `{{.ByID.first.Title}} {{.ByID.missing.Title}}`},
	{name: "index", src: `{{(index .Items 0).Title}} {{(index .ByID "first").Title}} {{(index .ByNum 1).Owner.Name}} {{index .Items 0 | printf "%v"}} {{index .Name 0}}`},
	{name: "slice", src: `{{len (slice .Items 0 1)}} {{range slice .Items 1}}{{.Title}}{{end}}{{range slice .Arr 0 1}}{{.Title}}{{end}} {{slice .Name 0 1}}`},
	{name: "elements of []any are not checked", src: `{{range .Values}}{{.Whatever}}{{end}}`},
	{name: "values of map[string]any are not checked", src: `{{.Attrs.anything.deeper}}`},
	{name: "an any field is not checked", src: `{{.Any.Foo}} {{with .Any}}{{.Foo}}{{end}}`},
	{name: "a method returning any is not checked", src: `{{.Pick.Whatever}}`},
	{name: "range over an int", src: `{{range 3}}{{.}}{{end}}{{range $i := .N}}{{$i}}{{end}}`},
	{name: "range over iterators", src: `{{range .All}}{{.Title}}{{end}}{{range $k, $v := .Pairs}}{{$k}}{{$v.Title}}{{end}}{{range .Pairs}}{{.}}{{end}}`},
	{name: "range over an array and a channel", src: `{{range .Arr}}{{.Title}}{{end}}{{range .Ch}}{{.Title}}{{end}}`},
	{name: "variables", src: `{{$x := .Items}}{{range $x}}{{.Title}}{{end}}{{with $u := .Owner}}{{$u.Name}} {{.Name}}{{end}}`},
	{name: "assigning a value of the same type", src: `{{$n := 0}}{{range .Items}}{{$n = .ID}}{{end}}{{$n}}{{$s := .Items}}{{$s = slice .Items 1}}{{range $s}}{{.Title}}{{end}}`},
	{name: "assigning values of other types", src: `{{$x := .Items}}{{$x = .Owner}}{{$x.Name}}{{range $i, $e := .Items}}{{$e = $i}}{{end}}`},
	{name: "assigning a value of another type in a loop", src: `{{$x := 0}}{{range .Items}}{{if $x}}{{$x.Title}}{{end}}{{$x = .}}{{end}}`},
	{name: "funcs returning structs", src: `{{(user "ann").Greeting "hi"}} {{with user "bob"}}{{.Name}}{{end}}{{range items}}{{.Title}}{{end}} {{add 1 2}} {{(maybe 1).Title}}`},
	{name: "func returning any", src: `{{(anyOf).Whatever}}`},
	{name: "call", src: `{{call .Fn 3 | printf "%v"}} {{(call .Fn 3).Title}}`},
	{name: "interface method", src: `{{.Label.Label}} {{.Label.Anything}}`},
	{name: "and, or", src: `{{and .Count .N}} {{(or .Owner .Owner).Name}} {{(or .Any .Count).Foo}}`},
	{name: "if, else if", src: `{{if eq .Count 1}}one{{else if gt .N 2}}many{{else}}few{{end}}`},
	{name: "nested with, range, else", src: `{{with .Items}}{{range .}}{{with .Owner}}{{.Name}}{{else}}nobody{{end}}{{end}}{{else}}empty{{end}}`},
	{name: "else with", src: `{{with .Extra}}{{.Note}}{{else with .Items}}{{len .}}{{end}}`},
	{name: "if declares a variable seen in else", src: `{{if $o := .Owner}}{{$o.Name}}{{else}}{{$o}}{{end}}`},
	{name: "template called with the data", src: `{{define "row"}}{{range .}}{{.Title}}{{end}}{{end}}{{template "row" .Items}}`},
	{name: "one template called with different dots", src: `{{define "name"}}{{.Name}}{{end}}{{template "name" .}}{{range .Items}}{{template "name" .Owner}}{{end}}`},
	{name: "block", src: `{{block "b" .}}{{.Count}}{{end}}`},
	{name: "recursive template", src: `{{define "tree"}}{{.Name}}{{range .Kids}}{{template "tree" .}}{{end}}{{end}}{{template "tree" .Tree}}`},
	{name: "template called without data", src: `{{define "nodot"}}{{.Anything}}{{end}}{{template "nodot"}}`},
	{name: "break and continue", src: `{{range .Items}}{{if .Done}}{{continue}}{{end}}{{.Title}}{{break}}{{end}}`},
	{name: "parenthesised pipelines", src: `{{(.Find 1).Owner.Name}} {{(printf "%d" .Count) | len}} {{(.Owner).Name}}`},
	{name: "time method", src: `{{.When.Format "15:04"}} {{.When.Year}}`},
	{name: "len", src: `{{len .Items}} {{len .ByID}} {{len .Name}}`},
	{name: "with declaring dot", src: `{{with $c := .}}{{$c.Count}} {{.Count}}{{end}}`},
	{name: "comments and trim markers", src: `{{/* {{.Nothing}} */}} {{- .Count -}} `},
	{name: "in attributes, URLs, scripts and styles", src: `<a href="/x?id={{.Count}}" title="{{.Name}}" lvt-click="x.y">{{.Hello}}</a><script>var n = {{.Count}};</script><style>p { width: {{.N}}px }</style>`},
	{name: "template called in an attribute", src: `{{define "url"}}/items/{{.Count}}{{end}}<a href="{{template "url" .}}">{{template "url" .}}</a>`},
	{name: "html and urlquery with arguments", src: `{{html .Name}} {{urlquery .Name "x"}} {{js .Count}}`},
	{name: "unknown data", src: `{{.Whatever.Deeper}} {{(user "x").Name}}`, page: unknownPage},

	{name: "page: stores, viewer and flash", src: `{{.counter.Count}} {{.todos.Left}} {{.viewer.UserID}} {{with .flash}}{{.Message}}{{end}}`, page: strictPage},
	{name: "page: method with a store's argument", src: `{{range .todos.Items}}{{if $.view.Shows .}}{{.Title}}{{end}}{{end}}`, page: strictPage},
	{name: "page: templates called with a store and with the data", src: `{{define "c"}}{{.Count}}{{end}}{{define "p"}}{{.counter.Double}}{{end}}{{template "c" .counter}}{{template "p" .}}`, page: strictPage},
	{name: "page: index", src: `{{(index . "counter").Count}} {{index . "nothing"}}`, page: strictPage},
	{name: "page: range and len", src: `{{range $k, $v := .}}{{$k}}{{end}} {{len .}}`, page: strictPage},
	{name: "page: a variable holding the data", src: `{{$d := .}}{{range .todos.Items}}{{$d.counter.Count}}{{end}}`, page: strictPage},
	{name: "page: missing keys without strict templates", src: `{{.nothing}} {{.nothing.Deeper}} {{.counter.Count}}`, page: loosePage},
}

func TestTypesValid(t *testing.T) {
	for _, tc := range validTemplates {
		t.Run(tc.name, func(t *testing.T) {
			p := tc.page
			if p.value == nil {
				p = counterPage
			}
			tmpl := parse(t, tc.src)
			if p.strict {
				tmpl.Option("missingkey=error")
			}
			require.NoError(t, check.Types(tmpl, p.data, funcs), "before escaping")
			require.NoError(t, tmpl.Execute(io.Discard, p.value()), "the template executes")
			assert.NoError(t, check.Types(tmpl, p.data, funcs), "after escaping")
		})
	}
}

// want is one error Types must report.
type want struct {
	pos, name, typ string // typ is "" when the Error has no type
}

// invalidTemplates must be refused with exactly these errors, and fail to
// execute.
var invalidTemplates = []struct {
	name      string
	src       string
	page      page
	want      []want
	msg       string // the first error's message, when given
	executes  bool   // the mistake is in a branch that is not executed
	otherExec bool   // text/template reports its failure elsewhere: at a chain's last argument, or at another mistake first
}{
	{name: "missing field", src: `<p>{{.Cuont}}</p>`, want: []want{{"t:1:5", ".Cuont", "*check_test.Counter"}},
		msg: "can't evaluate field Cuont in type *check_test.Counter"},
	{name: "missing field through pointers", src: `{{.Owner.Nmae}}`, want: []want{{"t:1:8", ".Owner.Nmae", "**check_test.User"}}},
	{name: "missing field in with", src: `{{with .Owner}}{{.Nmae}}{{end}}`, want: []want{{"t:1:17", ".Nmae", "**check_test.User"}}},
	{name: "missing field in range", src: `{{range .Items}}{{.Titel}}{{end}}`, want: []want{{"t:1:18", ".Titel", "check_test.Item"}}},
	{name: "missing field on a range variable", src: `{{range $i, $e := .Items}}{{$e.Titel}}{{end}}`, want: []want{{"t:1:30", "$e.Titel", "check_test.Item"}}},
	{name: "missing field on $ in range", src: `{{range .Items}}{{$.Cuont}}{{end}}`, want: []want{{"t:1:19", "$.Cuont", "*check_test.Counter"}}},
	{name: "missing field in a called template", src: `{{define "row"}}{{.Titel}}{{end}}{{range .Items}}{{template "row" .}}{{end}}`,
		want: []want{{"t:1:18", ".Titel", "check_test.Item"}}},
	{name: "missing field in a recursive template, reported once", src: `{{define "tree"}}{{.Nmae}}{{range .Kids}}{{template "tree" .}}{{end}}{{end}}{{template "tree" .Tree}}`,
		want: []want{{"t:1:19", ".Nmae", "*check_test.Node"}}},
	{name: "missing field in a block", src: `{{block "b" .}}{{.Cuont}}{{end}}`, want: []want{{"t:1:17", ".Cuont", "*check_test.Counter"}}},
	{name: "unexported field", src: `{{.hidden}}`, want: []want{{"t:1:2", ".hidden", "*check_test.Counter"}},
		msg: "hidden is an unexported field of struct type *check_test.Counter: templates can't read it"},
	{name: "method without its argument", src: `{{.Add}}`, want: []want{{"t:1:2", ".Add", "*check_test.Counter"}},
		msg: "wrong number of args for Add: want 1 got 0 in type *check_test.Counter"},
	{name: "method with too many arguments", src: `{{.Add 1 2}}`, want: []want{{"t:1:2", ".Add", "*check_test.Counter"}}},
	{name: "niladic method given the pipeline's value", src: `{{.N | .Double}}`, want: []want{{"t:1:7", ".Double", "*check_test.Counter"}}},
	{name: "variadic method without its fixed argument", src: `{{.Join}}`, want: []want{{"t:1:2", ".Join", "*check_test.Counter"}}},
	{name: "method without arguments in the middle of a chain", src: `{{.Add.Foo}}`, want: []want{{"t:1:6", ".Add", "*check_test.Counter"}}},
	{name: "method without results", src: `{{.Reset}}`, want: []want{{"t:1:2", ".Reset", "*check_test.Counter"}}},
	{name: "field given arguments", src: `{{.Count 1}}`, want: []want{{"t:1:2", ".Count", "*check_test.Counter"}}},
	{name: "field of an int", src: `{{.Count.Foo}}`, want: []want{{"t:1:8", ".Count.Foo", "int"}}},
	{name: "field of a slice", src: `{{.Tree.Kids.Name}}`, want: []want{{"t:1:7", ".Tree.Kids.Name", "[]*check_test.Node"}}},
	{name: "field of a method's string result", src: `{{.Label.Label.Nope}}`, want: []want{{"t:1:8", ".Label.Label.Nope", "string"}}},
	{name: "field of a map element", src: `{{.ByID.first.Nope}}`, want: []want{{"t:1:7", ".ByID.first.Nope", "check_test.Item"}}},
	{name: "field of a map with int keys", src: `{{.ByNum.first}}`, want: []want{{"t:1:8", ".ByNum.first", "map[int]check_test.Item"}}},
	{name: "two variables over an int", src: `{{range $i, $e := .Count}}{{end}}`, want: []want{{"t:1:18", ".Count", "int"}},
		msg: "range over int can't declare two variables"},
	{name: "range over a string", src: `{{range .Name}}{{end}}`, want: []want{{"t:1:8", ".Name", "string"}}},
	{name: "range over a struct", src: `{{range .Base}}{{end}}`, want: []want{{"t:1:8", ".Base", "check_test.Base"}}},
	{name: "func returning a struct", src: `{{(user "x").Nmae}}`, want: []want{{"t:1:12", `(user "x").Nmae`, "*check_test.User"}}, otherExec: true},
	{name: "func with an error result in with", src: `{{with maybe 1}}{{.Nope}}{{end}}`, want: []want{{"t:1:18", ".Nope", "check_test.Item"}}},
	{name: "func with a wrong number of arguments", src: `{{add 1}}`, want: []want{{"t:1:2", "add", ""}},
		msg: "wrong number of args for add: want 2 got 1"},
	{name: "index", src: `{{(index .Items 0).Nope}}`, want: []want{{"t:1:18", "(index .Items 0).Nope", "check_test.Item"}}, otherExec: true},
	{name: "call with a wrong number of arguments", src: `{{call .Fn}}`, want: []want{{"t:1:2", ".Fn", ""}},
		msg: "wrong number of args for Fn: want 1 got 0"},
	{name: "index of an int", src: `{{index .Count 1}}`, want: []want{{"t:1:2", "index", "int"}}},
	{name: "call", src: `{{(call .Fn 1).Nope}}`, want: []want{{"t:1:14", "(call .Fn 1).Nope", "check_test.Item"}}, otherExec: true},
	{name: "iterator", src: `{{range .All}}{{.Nope}}{{end}}`, want: []want{{"t:1:16", ".Nope", "check_test.Item"}}},
	{name: "iterator of pairs", src: `{{range $k, $v := .Pairs}}{{$v.Nope}}{{$k.Len}}{{end}}`,
		want: []want{{"t:1:30", "$v.Nope", "check_test.Item"}, {"t:1:41", "$k.Len", "string"}}},
	{name: "slice of an array", src: `{{range slice .Arr 0 1}}{{.Nope}}{{end}}`, want: []want{{"t:1:26", ".Nope", "check_test.Item"}}},
	{name: "time method", src: `{{.When.Fromat "x"}}`, want: []want{{"t:1:7", ".When.Fromat", "time.Time"}}},
	{name: "with declaring a variable", src: `{{with $u := .Owner}}{{$u.Nmae}}{{end}}`, want: []want{{"t:1:25", "$u.Nmae", "**check_test.User"}}},
	{name: "in an attribute", src: `<a href="/x?id={{.Cuont}}">x</a>`, want: []want{{"t:1:17", ".Cuont", "*check_test.Counter"}}},
	{name: "in a template called in an attribute", src: `{{define "url"}}/items/{{.Cuont}}{{end}}<a href="{{template "url" .}}">x</a>`,
		want: []want{{"t:1:25", ".Cuont", "*check_test.Counter"}}},
	{name: "every error, in source order, once",
		src:       "{{define \"r\"}}{{.X}}{{end}}{{.B}}\n  {{.A}}{{template \"r\" .}}{{template \"r\" .}}",
		want:      []want{{"t:1:16", ".X", "*check_test.Counter"}, {"t:1:29", ".B", "*check_test.Counter"}, {"t:2:4", ".A", "*check_test.Counter"}},
		otherExec: true},
	{name: "a variable assigned values of one type", src: `{{$n := 0}}{{range .Items}}{{$n = .ID}}{{end}}{{$n.Foo}}`, want: []want{{"t:1:50", "$n.Foo", "int"}}},
	{name: "in a branch not taken", src: `{{if false}}{{.Cuont}}{{end}}`, want: []want{{"t:1:14", ".Cuont", "*check_test.Counter"}}, executes: true},

	{name: "page: no such store", src: `{{.Options}}`, page: strictPage, want: []want{{"t:1:2", ".Options", "map[string]interface {}"}},
		msg: `no store named "Options"; the page's data has: counter, flash, todos, view, viewer`},
	{name: "page: a store's missing field", src: `{{.counter.Cuont}}`, page: strictPage, want: []want{{"t:1:10", ".counter.Cuont", "*check_test.Counter"}}},
	{name: "page: with a store", src: `{{with .counter}}{{.Cuont}}{{end}}`, page: strictPage, want: []want{{"t:1:19", ".Cuont", "*check_test.Counter"}}},
	{name: "page: $ in range", src: `{{range .todos.Items}}{{$.conter.Count}}{{end}}`, page: strictPage, want: []want{{"t:1:25", "$.conter", "map[string]interface {}"}}},
	{name: "page: template called with the data", src: `{{define "p"}}{{.conter}}{{end}}{{template "p" .}}`, page: strictPage, want: []want{{"t:1:16", ".conter", "map[string]interface {}"}}},
	{name: "page: viewer", src: `{{.viewer.UserId}}`, page: strictPage, want: []want{{"t:1:9", ".viewer.UserId", "check_test.Viewer"}}},
	{name: "page: a store given arguments", src: `{{.counter 1}}`, page: strictPage, want: []want{{"t:1:2", ".counter", "map[string]interface {}"}},
		msg: "counter is a key of the page's data (keys: counter, flash, todos, view, viewer), not a method, but has arguments"},
	{name: "page: a store's missing field without strict templates", src: `{{.nothing}}{{.counter.Cuont}}`, page: loosePage,
		want: []want{{"t:1:22", ".counter.Cuont", "*check_test.Counter"}}},
}

// locRE finds the location in text/template's execution error.
var locRE = regexp.MustCompile(`^template: (\S+:\d+:\d+): `)

func TestTypesInvalid(t *testing.T) {
	for _, tc := range invalidTemplates {
		t.Run(tc.name, func(t *testing.T) {
			p := tc.page
			if p.value == nil {
				p = counterPage
			}
			tmpl := parse(t, tc.src)
			if p.strict {
				tmpl.Option("missingkey=error")
			}
			before := errorsOf(t, check.Types(tmpl, p.data, funcs))
			assert.Equal(t, tc.want, before, "before escaping")
			if tc.msg != "" && len(before) > 0 {
				var e *check.Error
				require.ErrorAs(t, check.Types(tmpl, p.data, funcs), &e)
				assert.Equal(t, tc.msg, e.Msg)
			}

			// The mistake is real: text/template fails there too.
			err := tmpl.Execute(io.Discard, p.value())
			if tc.executes {
				require.NoError(t, err)
			} else {
				require.Error(t, err)
				m := locRE.FindStringSubmatch(err.Error())
				require.NotNil(t, m, "%v", err)
				if !tc.otherExec {
					assert.Equal(t, tc.want[0].pos, m[1], "text/template fails at the same place: %v", err)
				}
			}
			assert.Equal(t, tc.want, errorsOf(t, check.Types(tmpl, p.data, funcs)), "after escaping")
		})
	}
}

// errorsOf returns the position, name and type of each *check.Error in err.
func errorsOf(tb testing.TB, err error) []want {
	tb.Helper()
	if err == nil {
		return nil
	}
	var got []want
	for _, e := range unjoin(err) {
		var ce *check.Error
		require.ErrorAs(tb, e, &ce)
		w := want{pos: ce.Pos, name: ce.Name}
		if ce.Type != nil {
			w.typ = ce.Type.String()
		}
		assert.NotContains(tb, ce.Error(), "interface {}")
		assert.Equal(tb, "template "+ce.Pos+": "+ce.Msg, ce.Error())
		got = append(got, w)
	}
	return got
}

func unjoin(err error) []error {
	if j, ok := err.(interface{ Unwrap() []error }); ok {
		return j.Unwrap()
	}
	return []error{err}
}

func TestTypesErrorFields(t *testing.T) {
	tmpl := parse(t, "<h1>{{.Name}}</h1>\n<p>{{.counter.Cuont}}</p>")
	err := check.Types(tmpl, check.Data{Map: map[string]reflect.Type{"counter": reflect.TypeFor[*Counter]()}}, nil)
	var e *check.Error
	require.ErrorAs(t, err, &e)
	assert.Equal(t, &check.Error{
		Pos:     "t:2:13",
		Context: ".counter.Cuont",
		Name:    ".counter.Cuont",
		Type:    reflect.TypeFor[*Counter](),
		Msg:     "can't evaluate field Cuont in type *check_test.Counter",
	}, e)
	assert.EqualError(t, err, "template t:2:13: can't evaluate field Cuont in type *check_test.Counter")
}

func TestTypesFuncMapHidesBuiltins(t *testing.T) {
	fm := template.FuncMap{"print": func(args ...any) Item { return Item{Title: "x"} }}
	tmpl := template.Must(template.New("t").Funcs(fm).Parse(`{{(print 1).Title}}{{(print 2).Nope}}`))
	err := check.Types(tmpl, check.Data{}, fm)
	assert.Equal(t, []want{{"t:1:30", "(print 2).Nope", "check_test.Item"}}, errorsOf(t, err))
}

func TestTypesFilesAndDefinedTemplates(t *testing.T) {
	dir := t.TempDir()
	writeFile(t, dir, "page.html", "<ul>\n{{range .Items}}\n  {{template \"item\" .}}\n{{end}}</ul>\n{{.Cuont}}")
	writeFile(t, dir, "item.html", "{{define \"item\"}}\n<li>{{.Titel}}</li>{{end}}")
	tmpl, err := template.New("page.html").ParseFiles(dir+"/page.html", dir+"/item.html")
	require.NoError(t, err)
	err = check.Types(tmpl, check.Data{Store: reflect.TypeFor[*Counter]()}, nil)
	assert.Equal(t, []want{{"page.html:5:2", ".Cuont", "*check_test.Counter"}, {"item.html:2:6", ".Titel", "check_test.Item"}}, errorsOf(t, err))
}

func TestTypesNilAndEmpty(t *testing.T) {
	assert.NoError(t, check.Types(nil, check.Data{}, nil))
	assert.NoError(t, check.Types(template.New("empty"), check.Data{Store: reflect.TypeFor[*Counter]()}, nil))
	// A page whose data is a map with no keys: every key is missing.
	err := check.Types(parse(t, `{{.x}}`), check.Data{Map: map[string]reflect.Type{}, StrictKeys: true}, nil)
	var e *check.Error
	require.True(t, errors.As(err, &e))
	assert.Equal(t, `no store named "x"; the page's data has no keys`, e.Msg)
}
