package diff

import (
	"bytes"
	"encoding/json"
	"flag"
	"html/template"
	"os"
	"path/filepath"
	"strings"
	"testing"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"
)

var update = flag.Bool("update", false, "rewrite testdata/protocol vectors")

// vectorDir holds the protocol vectors shared with the JavaScript client.
const vectorDir = "../testdata/protocol"

// A vector scenario is a template and the data of each step, as JSON: the
// data a client test may show, and what the Go test executes (decoded with
// UseNumber, so numbers print as written).
type vectorScenario struct {
	name     string
	template string
	steps    []string
}

// vectorFile is the JSON of one vector file. Trees and patches are embedded
// JSON; patch is absent on step 0.
type vectorFile struct {
	Name     string       `json:"name"`
	Template string       `json:"template"`
	Steps    []vectorStep `json:"steps"`
}

type vectorStep struct {
	Data  json.RawMessage `json:"data"`
	HTML  string          `json:"html"`
	Tree  json.RawMessage `json:"tree"`
	Patch json.RawMessage `json:"patch,omitempty"`
}

var vectorScenarios = []vectorScenario{
	{name: "counter", template: `<p>Count: {{.count}}</p><button lvt-click="inc">+</button>`,
		steps: []string{`{"count":0}`, `{"count":1}`, `{"count":2}`, `{"count":2}`, `{"count":10}`}},
	{name: "todo", template: `<h1>Todos ({{len .todos}})</h1>
<form lvt-submit="add"><input name="title" value="{{.draft}}"></form>
<nav>{{range .filters}}<a href="?filter={{.}}" class="{{if eq . $.filter}}active{{end}}">{{.}}</a> {{end}}</nav>
<ul>{{range .todos}}{{if or (eq $.filter "all") (and (eq $.filter "done") .done) (and (eq $.filter "open") (not .done))}}<li data-key="{{.id}}" class="{{if .done}}done{{end}}"><input type="checkbox" {{if .done}}checked{{end}}> {{.title}}</li>{{end}}{{else}}<li>Nothing to do</li>{{end}}</ul>`,
		steps: []string{
			`{"draft":"","filter":"all","filters":["all","open","done"],"todos":[]}`,
			`{"draft":"Buy m","filter":"all","filters":["all","open","done"],"todos":[]}`,
			`{"draft":"","filter":"all","filters":["all","open","done"],"todos":[{"id":1,"title":"Buy milk","done":false}]}`,
			`{"draft":"","filter":"all","filters":["all","open","done"],"todos":[{"id":1,"title":"Buy milk","done":false},{"id":2,"title":"Write <code>","done":false}]}`,
			`{"draft":"","filter":"all","filters":["all","open","done"],"todos":[{"id":1,"title":"Buy oat milk","done":false},{"id":2,"title":"Write <code>","done":false}]}`,
			`{"draft":"","filter":"all","filters":["all","open","done"],"todos":[{"id":1,"title":"Buy oat milk","done":false},{"id":2,"title":"Write <code>","done":true}]}`,
			`{"draft":"","filter":"done","filters":["all","open","done"],"todos":[{"id":1,"title":"Buy oat milk","done":false},{"id":2,"title":"Write <code>","done":true}]}`,
			`{"draft":"","filter":"open","filters":["all","open","done"],"todos":[{"id":1,"title":"Buy oat milk","done":false},{"id":2,"title":"Write <code>","done":true}]}`,
			`{"draft":"","filter":"all","filters":["all","open","done"],"todos":[{"id":2,"title":"Write <code>","done":true}]}`,
			`{"draft":"","filter":"all","filters":["all","open","done"],"todos":[]}`,
		}},
	{name: "if_branches", template: `<div>{{if eq .n "0"}}zero{{else if eq .n "1"}}<b>one</b>{{else}}<i>many: {{.n}}</i>{{end}}</div>`,
		steps: []string{`{"n":"0"}`, `{"n":"1"}`, `{"n":"7"}`, `{"n":"8"}`, `{"n":"1"}`, `{"n":"0"}`}},
	{name: "nested_ranges", template: `{{range .groups}}<section><h2>{{.name}}</h2><ul>{{range .items}}<li>{{.}}</li>{{end}}</ul></section>{{end}}`,
		steps: []string{
			`{"groups":[{"name":"A","items":["a1","a2"]},{"name":"B","items":[]}]}`,
			`{"groups":[{"name":"A","items":["a1","a2","a3"]},{"name":"B","items":["b1"]}]}`,
			`{"groups":[{"name":"B","items":["b1"]},{"name":"A","items":["a2"]}]}`,
			`{"groups":[]}`,
		}},
	{name: "range_else", template: `<ul>{{range .items}}<li>{{.}}</li>{{else}}<li class="empty">none</li>{{end}}</ul>`,
		steps: []string{`{"items":["a","b"]}`, `{"items":[]}`, `{"items":["c"]}`, `{"items":["c","d"]}`, `{"items":[]}`}},
	{name: "break_continue", template: `<ol>{{range .items}}{{if eq . "skip"}}{{continue}}{{end}}{{if eq . "stop"}}<li>stop</li>{{break}}{{end}}<li>{{.}}</li>{{end}}</ol>`,
		steps: []string{`{"items":["a","skip","b"]}`, `{"items":["a","stop","b"]}`, `{"items":["stop"]}`, `{"items":["skip","a","b","c"]}`, `{"items":["a","b","c","stop"]}`}},
	{name: "template_calls", template: `{{define "node"}}<li>{{.name}}{{if .children}}<ul>{{range .children}}{{template "node" .}}{{end}}</ul>{{end}}</li>{{end}}<ul>{{template "node" .root}}</ul>{{block "footer" .}}<footer>{{.note}}</footer>{{end}}`,
		steps: []string{
			`{"root":{"name":"root","children":[{"name":"a","children":[{"name":"a1"}]},{"name":"b"}]},"note":"v1"}`,
			`{"root":{"name":"root","children":[{"name":"a","children":[{"name":"a1"},{"name":"a2"}]},{"name":"b"}]},"note":"v1"}`,
			`{"root":{"name":"root","children":[{"name":"b","children":[{"name":"b1"}]}]},"note":"v2"}`,
		}},
	{name: "escaping", template: `<a href="{{.url}}" title="{{.s}}" onclick="go({{.s}}, {{.obj}})">{{.s}}</a><img srcset="{{.url}} 2x"><p style="color: {{.color}}">x</p><textarea>{{.s}}</textarea><script>var s = "{{.s}}"; var o = {{.obj}}; var t = ` + "`{{.s}}`" + `;</script><!-- {{.s}} -->`,
		steps: []string{
			`{"url":"/a?b=c&d=e f","s":"plain","obj":{"k":1},"color":"red"}`,
			`{"url":"javascript:alert(1)","s":"\"><script>alert(1)</script>","obj":{"k":"</script>"},"color":"expression(alert(1))"}`,
			`{"url":"https://example.com/é?q=ü","s":"it's \\ \u2028 ${x}","obj":[1,"two",null],"color":"#fff"}`,
		}},
	{name: "explicit_keys", template: `<ul>{{range .items}}<li data-key="{{.id}}">{{.title}} <small>{{.note}}</small></li>{{end}}</ul>`,
		steps: []string{
			`{"items":[{"id":1,"title":"one","note":"a"},{"id":2,"title":"two","note":"b"},{"id":3,"title":"three","note":"c"}]}`,
			`{"items":[{"id":3,"title":"three","note":"C"},{"id":1,"title":"one","note":"a"},{"id":2,"title":"two","note":"b"}]}`,
			`{"items":[{"id":4,"title":"four","note":"d"},{"id":3,"title":"three","note":"C"},{"id":2,"title":"TWO","note":"b"}]}`,
			`{"items":[{"id":2,"title":"TWO","note":"b"},{"id":2,"title":"TWO","note":"b"}]}`,
		}},
	{name: "moves", template: `<ul>{{range .}}<li>{{.}}</li>{{end}}</ul>`,
		steps: []string{`["a","b","c","d","e","f"]`, `["b","c","d","e","f","a"]`, `["f","c","d","e","b","a"]`, `["a","b","e","d","c","f"]`, `["a","a","b","f","f"]`, `["f","b","a","f","a"]`}},
	{name: "empty_full_empty", template: `<ul>{{range .}}<li id="{{.}}">{{.}}</li>{{end}}</ul>`,
		steps: []string{`[]`, `["a","b","c"]`, `[]`, `["d"]`, `[]`}},
	{name: "unicode", template: `<p lang="{{.lang}}">{{.text}}</p><p>Größe ✓ 日本語 — {{.emoji}}</p>`,
		steps: []string{
			`{"lang":"ja","text":"こんにちは","emoji":"😀"}`,
			`{"lang":"ar","text":"مرحبا \u202e","emoji":"👩‍💻"}`,
			`{"lang":"en","text":"line\u2028sep\u2029para e\u0301","emoji":"🏳️‍🌈"}`,
		}},
	{name: "statics_by_id", template: `{{define "row"}}<tr><td>{{.}}</td></tr>{{end}}<p>{{if .a}}<b>{{.x}}</b>{{else}}<i>{{.x}}</i>{{end}}</p><p>{{if .b}}<b>{{.x}}</b>{{else}}<i>{{.x}}</i>{{end}}</p><table>{{if .row}}{{template "row" .x}}{{end}}{{template "row" .y}}</table>`,
		steps: []string{
			`{"a":false,"b":true,"row":false,"x":"1","y":"2"}`,
			`{"a":true,"b":true,"row":true,"x":"1","y":"2"}`,
			`{"a":false,"b":true,"row":false,"x":"2","y":"2"}`,
			`{"a":false,"b":false,"row":true,"x":"3","y":"3"}`,
		}},
	{name: "branch_toggle", template: `<main>{{if .help}}<aside class="help"><h2>Keyboard shortcuts</h2><p>Press ? to close.</p></aside>{{end}}<p>{{.n}}</p>{{if .help}}<footer>help is on</footer>{{else}}<footer>help is off</footer>{{end}}</main>`,
		steps: []string{`{"help":false,"n":"1"}`, `{"help":true,"n":"2"}`, `{"help":false,"n":"3"}`, `{"help":true,"n":"4"}`, `{"help":false,"n":"5"}`}},
	{name: "with_else_with", template: `{{with .user}}<p>Hello, {{.name}}</p>{{else with .guest}}<p>Hi guest {{.}}</p>{{else}}<p><a href="/login">Sign in</a></p>{{end}}`,
		steps: []string{`{}`, `{"guest":"#42"}`, `{"user":{"name":"Ana"}}`, `{"user":{"name":"Bo"},"guest":"#1"}`, `{}`}},
	{name: "maps", template: `<dl>{{range $k, $v := .}}<dt>{{$k}}</dt><dd>{{$v}}</dd>{{else}}<dt>empty</dt>{{end}}</dl>`,
		steps: []string{`{"b":"2","a":"1"}`, `{"b":"2","a":"1","c":"3"}`, `{"c":"3"}`, `{}`}},
	{name: "opaque_template_in_script", template: `{{define "cfg"}}{"user": {{.user}}, "items": [{{range $i, $e := .items}}{{if $i}},{{end}}{{$e}}{{end}}]}{{end}}{{define "q"}}u={{.user}}&n={{len .items}}{{end}}<script>var cfg = {{template "cfg" .}};</script><a href="/x?{{template "q" .}}">{{len .items}}</a>`,
		steps: []string{`{"user":"ana","items":["a"]}`, `{"user":"</script>","items":["a","b"]}`, `{"user":"ana","items":[]}`}},
	// Text patches (docs/protocol.md §2.1): texts that keep a prefix of the
	// old one, counted in UTF-16 code units: accented and CJK letters, a
	// prefix that ends before an emoji (two units) or splits no character
	// although the bytes of two emoji share three, an entity split by the
	// cut, U+2028 (escaped in JSON), a combining mark and a ZWJ sequence.
	{name: "text_patches", template: `<p title="{{.t}}">{{.t}}</p><a href="/s?q={{.t}}">{{.n}}</a><script>var t = {{.t}};</script>`,
		steps: []string{
			`{"t":"Größe ✓ 日本語","n":"1"}`,
			`{"t":"Größe ✓ 日本語 — more","n":"10"}`,
			`{"t":"Größe ✓ 日本語 — more 😀","n":"100"}`,
			`{"t":"Größe ✓ 日本語 — more 😀😀 & <b>","n":"1000"}`,
			`{"t":"Größe ✓ 日本語 — more 😀😁","n":"1000"}`,
			`{"t":"Tom & Jerry & friends","n":"999"}`,
			`{"t":"Tom & Jerry < friends","n":"999"}`,
			`{"t":"line\u2028separated text","n":"999"}`,
			`{"t":"line\u2028separated text, longer","n":"999"}`,
			`{"t":"un café\u0301 noir","n":"999"}`,
			`{"t":"un café\u0301 noir, très noir","n":"999"}`,
			`{"t":"team: 👩‍💻👩‍💻 coders","n":"999"}`,
			`{"t":"team: 👩‍💻👩‍🚀 astronaut","n":"999"}`,
		}},
	{name: "trim_and_comments", template: "<ul>\n  {{- range .}}\n  <li>{{/* a comment */}}{{.}}</li>\n  {{- end}}\n</ul>\n<!-- static comment -->",
		steps: []string{`["a","b"]`, `["b"]`, `[]`}},
}

// decodeData decodes step data as the template sees it.
func decodeData(tb testing.TB, raw []byte) any {
	tb.Helper()
	dec := json.NewDecoder(bytes.NewReader(raw))
	dec.UseNumber()
	var v any
	require.NoError(tb, dec.Decode(&v))
	return v
}

// compactJSON encodes v compactly, without escaping <, > and &.
func compactJSON(tb testing.TB, v any) []byte {
	tb.Helper()
	var b bytes.Buffer
	enc := json.NewEncoder(&b)
	enc.SetEscapeHTML(false)
	require.NoError(tb, enc.Encode(v))
	return bytes.TrimSuffix(b.Bytes(), []byte("\n"))
}

// generateVector renders a scenario and returns the bytes of its file.
func generateVector(tb testing.TB, sc vectorScenario) []byte {
	tb.Helper()
	ct := mustCompile(tb, nil, sc.template)
	s := newSession(tb, ct)
	var stream Stream
	var out bytes.Buffer
	out.WriteString("{\n  \"name\": ")
	out.Write(compactJSON(tb, sc.name))
	out.WriteString(",\n  \"template\": ")
	out.Write(compactJSON(tb, sc.template))
	out.WriteString(",\n  \"steps\": [")
	for i, raw := range sc.steps {
		var data bytes.Buffer
		require.NoError(tb, json.Compact(&data, []byte(raw)), "step %d data", i)
		v := decodeData(tb, data.Bytes())
		want, err := oracle(tb, nil, v, sc.template)
		require.NoError(tb, err, "step %d", i)
		prev := s.server
		s.step(v, want)
		tree, err := s.server.MarshalJSON()
		require.NoError(tb, err)
		if i > 0 {
			out.WriteString(",")
		}
		out.WriteString("\n    {\n      \"data\": ")
		out.Write(data.Bytes())
		out.WriteString(",\n      \"html\": ")
		out.Write(compactJSON(tb, want))
		out.WriteString(",\n      \"tree\": ")
		out.Write(compactJSON(tb, json.RawMessage(tree)))
		if prev == nil {
			stream.Full(s.server)
		} else {
			// What a live connection is sent: statics travel only once.
			raw := stream.Update(s.server)
			out.WriteString(",\n      \"patch\": ")
			out.Write(compactJSON(tb, json.RawMessage(raw)))
		}
		out.WriteString("\n    }")
	}
	out.WriteString("\n  ]\n}\n")
	return out.Bytes()
}

// TestProtocolVectors keeps testdata/protocol in sync with the engine (run
// with -update to rewrite it) and replays every vector through the
// reference client.
func TestProtocolVectors(t *testing.T) {
	names := map[string]bool{}
	for _, sc := range vectorScenarios {
		t.Run(sc.name, func(t *testing.T) {
			require.False(t, names[sc.name], "duplicate scenario name")
			names[sc.name] = true
			got := generateVector(t, sc)
			path := filepath.Join(vectorDir, sc.name+".json")
			if *update {
				require.NoError(t, os.MkdirAll(vectorDir, 0o755))
				require.NoError(t, os.WriteFile(path, got, 0o644))
			}
			have, err := os.ReadFile(path)
			require.NoError(t, err, "run go test ./diff -run TestProtocolVectors -update")
			assert.Equal(t, string(have), string(got), "%s is stale: run go test ./diff -run TestProtocolVectors -update", path)
			replayVector(t, have)
		})
	}
	// No stale files.
	files, err := filepath.Glob(filepath.Join(vectorDir, "*.json"))
	require.NoError(t, err)
	for _, f := range files {
		assert.True(t, names[strings.TrimSuffix(filepath.Base(f), ".json")], "%s has no scenario", f)
	}
}

// replayVector checks a vector file as a client written from the protocol
// alone would: Execute of the template gives each step's html, the tree
// rebuilds it, and each patch turns the previous step's tree into it.
func replayVector(tb testing.TB, file []byte) {
	tb.Helper()
	var v vectorFile
	require.NoError(tb, json.Unmarshal(file, &v))
	require.NotEmpty(tb, v.Steps)
	tmpl, err := template.New("page").Parse(v.Template)
	require.NoError(tb, err)
	var client *Tree
	for i, st := range v.Steps {
		var b strings.Builder
		require.NoError(tb, tmpl.Execute(&b, decodeData(tb, st.Data)))
		assert.Equal(tb, b.String(), st.HTML, "step %d: html is Execute's output", i)

		full, err := ParseTree(st.Tree)
		require.NoError(tb, err, "step %d", i)
		assert.Equal(tb, st.HTML, full.HTML(), "step %d: tree", i)
		if i == 0 {
			assert.Nil(tb, st.Patch, "step 0 has no patch")
			client = full
			continue
		}
		require.NotNil(tb, st.Patch, "step %d has a patch", i)
		client, err = client.Apply(st.Patch)
		require.NoError(tb, err, "step %d", i)
		assert.Equal(tb, st.HTML, client.HTML(), "step %d: patch", i)
	}
}
