package diff

import (
	"encoding/json"
	"html/template"
	"strings"
	"testing"
	"unicode/utf8"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"
)

// hostile are strings that try to break out of every context, forge markers
// or template syntax, or cannot travel in JSON.
var hostile = []string{
	`plain`,
	`<script>alert(1)</script>`,
	`"onmouseover="alert(1)`,
	`' onclick='x`,
	"`${alert(1)}`",
	`javascript:alert(1)`,
	" JaVaScRiPt:alert(1)",
	`data:text/html,<b>x</b>`,
	`/path?a=1&b=<2>#frag`,
	`{{.}}{{template "x"}}`,
	"\x00",
	"a\x00b\x00",
	`</script><script>alert(1)</script>`,
	`</style><b>`,
	`</textarea><b>`,
	`<!-- -->`,
	`]]>`,
	"a\u2028b\u2029c",
	"\xff\xfe invalid \xc3",
	"\r\n\t\\",
	`&amp;&lt;`,
	"😀 \u202e RTL é",
	`expression(alert(1))`,
	`url(javascript:x)`,
	``,
}

// hostileSteps returns the hostile strings as data, each under key.
func hostileSteps(key string) []any {
	steps := make([]any, len(hostile))
	for i, h := range hostile {
		if key == "" {
			steps[i] = h
		} else {
			steps[i] = map[string]any{key: h}
		}
	}
	return steps
}

func TestEscapingContexts(t *testing.T) {
	type payload struct {
		N float64
		S string
		L []any
		M map[string]any
	}
	objects := []any{
		map[string]any{"N": 1, "S": "a", "O": payload{N: 1.5, S: "x", L: []any{1, "<b>", nil}, M: map[string]any{"k": true}}},
		map[string]any{"N": -0.25, "S": "</script>", "O": payload{S: "\u2028", L: []any{}}},
		map[string]any{"N": 1e21, "S": `'"`, "O": []int{1, 2}},
		map[string]any{"N": 2, "S": "", "O": nil},
	}
	tests := []struct {
		name  string
		src   string
		more  []string
		steps []any
	}{
		{name: "html text", src: `<p>{{.}}</p>`},
		{name: "double quoted attribute", src: `<div title="{{.}}" class="a {{.}} b">x</div>`},
		{name: "single quoted attribute", src: `<div title='{{.}}'>x</div>`},
		{name: "unquoted attribute", src: `<div title={{.}} class=x{{.}}>x</div>`},
		{name: "href", src: `<a href="{{.}}">x</a><a href='{{.}}'>y</a><a href={{.}}>z</a>`},
		{name: "url query and path", src: `<a href="/search?q={{.}}&amp;n={{.}}">x</a><a href="/p/{{.}}#{{.}}">y</a><form action="{{.}}"></form>`},
		{name: "src", src: `<img src="{{.}}"><script src="{{.}}"></script><iframe src="/e?x={{.}}"></iframe>`},
		{name: "srcset", src: `<img srcset="{{.}}"><img srcset="{{.}} 2x, /b.png 3x">`},
		{name: "event handler string", src: `<button onclick="f('{{.}}', &quot;{{.}}&quot;)">x</button><button onclick='g({{.}})'>y</button>`},
		{name: "event handler values", src: `<button onclick="f({{.N}}, {{.S}}, {{.O}})">x</button>`, steps: objects},
		{name: "script string and value", src: `<script>var s = "{{.}}"; var t = '{{.}}'; var v = {{.}}; // {{.}}
/* {{.}} */ var re = /{{.}}/;</script>`},
		{name: "script values", src: `<script>var n = {{.N}}, s = {{.S}}, o = {{.O}};</script>`, steps: objects},
		{name: "script template literal", src: "<script>var a = `x{{.}}y`; var b = `${ {{.}} }`;</script>"},
		{name: "json script", src: `<script type="application/json">{"v": {{.}}}</script><script type="text/template"><b>{{.}}</b></script>`},
		{name: "style element", src: `<style>p { color: {{.}}; font-family: "{{.}}"; background: url({{.}}) } a { background: url('{{.}}') }</style>`},
		{name: "style attribute", src: `<p style="color: {{.}}; background: url({{.}})">x</p><p style='width: {{.}}px'>y</p>`},
		{name: "rcdata", src: `<textarea>{{.}}</textarea><title>{{.}}</title>`},
		{name: "html comments", src: `<!-- secret {{.}} --><p>{{.}}</p><!-- static comment --><!--[if IE]>x<![endif]-->`},
		{name: "attribute name", src: `<div {{.}}="x">a</div><input {{.}}><div data-{{.}}="v">b</div>`,
			steps: []any{"title", "onclick", `a" b="c`, "href", "data-x", "", "\x00", "style"}},
		{name: "attribute from typed value", src: `<input {{.A}} value="{{.V}}">`,
			steps: []any{
				map[string]any{"A": template.HTMLAttr(`checked`), "V": "x"},
				map[string]any{"A": template.HTMLAttr(`onclick="alert(1)"`), "V": `"><b>`},
				map[string]any{"A": "checked", "V": ""},
				map[string]any{"A": template.HTMLAttr(`disabled data-x="1"`), "V": "y"},
			}},
		{name: "template call in attribute and script", src: `<a title="{{template "v" .}}" href="/x?q={{template "v" .}}">{{template "v" .}}</a><script>var x = {{template "v" .}}; var y = "{{template "v" .}}";</script><style>p { color: {{template "v" .}} }</style><textarea>{{template "v" .}}</textarea>`,
			more: []string{`{{define "v"}}{{.}}{{end}}`}},
		{name: "template call with a range in attribute", src: `<a title="{{template "t" .}}">{{template "t" .}}</a>`,
			more:  []string{`{{define "t"}}b {{len .}}: {{range .}}{{.}}, {{end}}{{end}}`},
			steps: []any{[]string{"a", "<b>"}, []string{}, []string{`"`}}},
		{name: "derived template calls an instrumented one", src: `<script>var a = 1;{{template "a" .}}</script><p>{{template "b" .}}</p>`,
			more:  []string{`{{define "a"}}{{.}}</script><p>{{template "b" .}}</p><script>var z = {{.}};{{end}}{{define "b"}}<ul>{{range .}}<li>{{.}}</li>{{end}}</ul>{{end}}`},
			steps: []any{[]string{"x", "</script>"}, []string{}, []string{"y"}}},
		{name: "recursive derived template", src: `<script>var t = {{template "r" .}};</script>`,
			more:  []string{`{{define "r"}}[{{range .}}{{.Name}},{{template "r" .Children}}{{end}}]{{end}}`},
			steps: []any{[]*fTree{{Name: "a", Children: []*fTree{{Name: "</script>"}}}}, []*fTree{}, []*fTree{{Name: "b"}}}},
	}
	for _, tc := range tests {
		t.Run(tc.name, func(t *testing.T) {
			steps := tc.steps
			if steps == nil {
				steps = hostileSteps("")
			}
			runCase(t, nil, steps, tc.src, tc.more...)
		})
	}
}

// TestEscapingJavaScriptURL checks the ZgotmplZ substitutions explicitly.
func TestEscapingJavaScriptURL(t *testing.T) {
	tests := []struct {
		name string
		src  string
		data any
		want string
	}{
		{name: "href", src: `<a href="{{.}}">x</a>`, data: "javascript:alert(1)", want: `<a href="#ZgotmplZ">x</a>`},
		{name: "attribute name", src: `<div {{.}}="x"></div>`, data: "onclick", want: `<div ZgotmplZ="x"></div>`},
		{name: "css", src: `<p style="color: {{.}}">`, data: "expression(x)", want: `<p style="color: ZgotmplZ">`},
		{name: "query escaped", src: `<a href="/s?q={{.}}">`, data: "a b&c", want: `<a href="/s?q=a%20b%26c">`},
	}
	for _, tc := range tests {
		t.Run(tc.name, func(t *testing.T) {
			s := newSession(t, mustCompile(t, nil, tc.src))
			want, err := oracle(t, nil, tc.data, tc.src)
			require.NoError(t, err)
			require.Equal(t, tc.want, want, "the oracle itself")
			s.step(tc.data, want)
		})
	}
}

// TestInvalidUTF8WireForm documents the one place where the wire form is not
// byte-identical: JSON cannot carry invalid UTF-8, so each invalid byte
// becomes U+FFFD (doc.go). Render's HTML stays byte-identical to Execute.
func TestInvalidUTF8WireForm(t *testing.T) {
	const src = `<p title="{{.}}">{{.}}</p>{{.}}`
	data := template.HTML("ok \xff\xfe end")
	want, err := oracle(t, nil, data, src)
	require.NoError(t, err)
	require.False(t, utf8.ValidString(want))

	ct := mustCompile(t, nil, src)
	tree, err := ct.Render(data)
	require.NoError(t, err)
	assert.Equal(t, want, tree.HTML(), "Render keeps the bytes Execute wrote")

	js := mustJSON(t, tree)
	assert.True(t, utf8.Valid(js))
	assert.Contains(t, string(js), `\ufffd\ufffd`, "one U+FFFD per invalid byte")
	client, err := ParseTree(js)
	require.NoError(t, err)
	assert.Equal(t, strings.ReplaceAll(want, "\xff\xfe", "\uFFFD\uFFFD"), client.HTML())

	next, err := ct.Render(template.HTML("\xc3 after"))
	require.NoError(t, err)
	patch := mustJSON(t, Diff(tree, next))
	got, err := client.Apply(patch)
	require.NoError(t, err)
	assert.Equal(t, strings.ReplaceAll(next.HTML(), "\xc3", "\uFFFD"), got.HTML())
}

// TestJSONSafeForScript checks that the wire form escapes U+2028 and U+2029
// (so it is also valid JavaScript) and that markers never reach the output.
func TestJSONSafeForScript(t *testing.T) {
	ct := mustCompile(t, nil, "<pre>{{.}}</pre>\u2028static\u2029")
	tree, err := ct.Render(template.HTML("a\u2028b\x00c"))
	require.NoError(t, err)
	raw, err := tree.MarshalJSON()
	require.NoError(t, err)
	assert.NotContains(t, string(raw), "\u2028")
	assert.NotContains(t, string(raw), "\u2029")
	assert.Contains(t, string(raw), `\u2028`)
	assert.Contains(t, string(raw), `\u0000`)
	var v any
	require.NoError(t, json.Unmarshal(raw, &v))
	assert.Equal(t, "<pre>a\u2028b\x00c</pre>\u2028static\u2029", tree.HTML())
}
