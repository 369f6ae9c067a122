package diff

import (
	"encoding/json"
	"errors"
	"html/template"
	"iter"
	"strings"
	"testing"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"
)

// The oracle of every test in this package is html/template's own Execute of
// the same template source. The helpers below drive a server (Compile,
// Render, Diff) and the reference client (ParseTree, Apply) through a
// sequence of data values and check, at every step, that:
//
//   - Render's HTML is byte for byte Execute's output;
//   - the first-render wire form, parsed by the client, rebuilds it;
//   - the patch from the previous render, applied by the client to what it
//     holds, rebuilds it;
//   - patches never resend statics the client already holds;
//   - the same holds for the messages of a Stream, which a second client
//     follows: it never receives the same statics twice.
//
// The wire form cannot carry invalid UTF-8 (docs: it becomes U+FFFD), so the
// client side is compared with wireHTML, which applies that replacement to
// each static and text dynamic; for valid UTF-8 it is the HTML itself.

// fresh wraps data that a single execution consumes (a channel, a one-shot
// iterator): every execution gets its own value.
type fresh func() any

func materialize(d any) any {
	if f, ok := d.(fresh); ok {
		return f()
	}
	return d
}

// parseSrc parses src, then each of more (later definitions override earlier
// ones, as with block), into a new html/template named "page".
func parseSrc(tb testing.TB, funcs template.FuncMap, src string, more ...string) *template.Template {
	tb.Helper()
	t, err := template.New("page").Funcs(funcs).Parse(src)
	require.NoError(tb, err, "parse %q", src)
	for _, m := range more {
		t, err = t.Parse(m)
		require.NoError(tb, err, "parse %q", m)
	}
	return t
}

// oracle executes a fresh parse of the sources with data.
func oracle(tb testing.TB, funcs template.FuncMap, data any, src string, more ...string) (string, error) {
	tb.Helper()
	var b strings.Builder
	err := parseSrc(tb, funcs, src, more...).Execute(&b, materialize(data))
	return b.String(), err
}

// mustCompile parses and compiles the sources.
func mustCompile(tb testing.TB, funcs template.FuncMap, src string, more ...string) *Template {
	tb.Helper()
	ct, err := Compile(parseSrc(tb, funcs, src, more...))
	require.NoError(tb, err, "compile %q", src)
	return ct
}

// mustJSON marshals v with encoding/json, which also validates the JSON a
// MarshalJSON method returns.
func mustJSON(tb testing.TB, v any) []byte {
	tb.Helper()
	b, err := json.Marshal(v)
	require.NoError(tb, err)
	return b
}

// wireHTML is the HTML a client rebuilds from the wire form of t: t.HTML()
// with every invalid UTF-8 byte of each static and text replaced by U+FFFD.
func wireHTML(t *Tree) string {
	if t == nil || t.root == nil {
		return ""
	}
	var b strings.Builder
	wireNode(&b, t.root)
	return b.String()
}

func wireNode(b *strings.Builder, n *node) {
	for i, d := range n.dyns {
		b.WriteString(string([]rune(n.st.strs[i])))
		switch {
		case d.node != nil:
			wireNode(b, d.node)
		case d.rng != nil:
			for _, it := range d.rng.items {
				wireNode(b, it)
			}
		default:
			b.WriteString(string([]rune(d.text)))
		}
	}
	b.WriteString(string([]rune(n.st.strs[len(n.dyns)])))
}

// session follows one compiled template through several renders, as a
// server and one client.
type session struct {
	tb     testing.TB
	ct     *Template
	server *Tree // the last tree rendered
	client *Tree // what the reference client holds
	stream Stream
	live   *Tree          // what a client of the stream holds
	sent   map[int32]bool // statics ids the stream sent
}

func newSession(tb testing.TB, ct *Template) *session {
	return &session{tb: tb, ct: ct}
}

// step renders data, which Execute renders as want, checks the tree and its
// wire forms, moves the client on and returns the patch sent (nil for the
// first render).
func (s *session) step(data any, want string) []byte {
	tb := s.tb
	tb.Helper()
	// Every step renders twice: from scratch, and reusing the items of
	// the previous tree (of a converted range), which must not change a
	// byte.
	data, again := data, data
	if f, ok := data.(fresh); ok {
		data, again = f(), f()
	}
	next, err := s.ct.RenderFrom(s.server, data)
	require.NoError(tb, err, "RenderFrom")
	assert.Equal(tb, want, next.HTML(), "RenderFrom(prev, data).HTML() differs from Execute")
	scratch, err := s.ct.Render(again)
	require.NoError(tb, err, "Render")
	assert.Equal(tb, want, scratch.HTML(), "Render(data).HTML() differs from Execute")
	wire := wireHTML(next)

	full := mustJSON(tb, next)
	checkTable(tb, full, nil)
	parsed, err := ParseTree(full)
	require.NoError(tb, err, "ParseTree(%s)", full)
	assert.Equal(tb, wire, parsed.HTML(), "ParseTree(json(tree)).HTML()")

	var patchJSON []byte
	if s.server == nil {
		// A patch against nothing carries the whole tree.
		p := mustJSON(tb, Diff(nil, next))
		got, err := (*Tree)(nil).Apply(p)
		require.NoError(tb, err, "nil.Apply(%s)", p)
		assert.Equal(tb, wire, got.HTML(), "nil.Apply(Diff(nil, tree))")
		s.client = parsed
		msg := s.stream.Full(next)
		raw, err := next.MarshalJSON()
		require.NoError(tb, err)
		assert.Equal(tb, string(raw), string(msg), "Stream.Full is the tree's wire form")
		s.sent = tableIDs(tb, msg)
		s.live, err = ParseTree(msg)
		require.NoError(tb, err)
	} else {
		p := Diff(s.server, next)
		patchJSON = mustJSON(tb, p)
		raw, err := p.MarshalJSON()
		require.NoError(tb, err)
		assert.Equal(tb, len(raw), p.Len(), "Patch.Len")
		assert.Equal(tb, string(raw) == "{}", p.Empty(), "Patch.Empty for %s", raw)
		checkTable(tb, patchJSON, s.client)
		got, err := s.client.Apply(patchJSON)
		require.NoError(tb, err, "client.Apply(%s)", patchJSON)
		assert.Equal(tb, wire, got.HTML(), "client.Apply(patch).HTML() for patch %s", patchJSON)
		s.client = got

		msg := s.stream.Advance(p)
		checkTable(tb, msg, nil)
		for id := range tableIDs(tb, msg) {
			assert.False(tb, s.sent[id], "statics %d sent twice on one stream: %s", id, msg)
			s.sent[id] = true
		}
		live, err := s.live.Apply(msg)
		require.NoError(tb, err, "stream client.Apply(%s)", msg)
		assert.Equal(tb, wire, live.HTML(), "stream client.Apply(msg).HTML() for %s", msg)
		s.live = live
	}
	s.server = next
	return patchJSON
}

// fails checks that Render fails for data as Execute did with wantErr, and
// leaves the session where it was.
func (s *session) fails(data any, wantErr error) {
	s.tb.Helper()
	tree, err := s.ct.Render(materialize(data))
	require.Error(s.tb, err, "Render succeeded where Execute failed with %v", wantErr)
	assert.Nil(s.tb, tree)
	assert.Contains(s.tb, err.Error(), wantErr.Error(), "Render's error must carry Execute's")
}

// checkTable checks the statics table of a message: its keys are statics
// ids (docs/protocol.md §1.3), and none of them is already held by the
// client (statics are never sent twice). It also checks the shape of ranges
// (§1.2).
func checkTable(tb testing.TB, msg []byte, held *Tree) {
	tb.Helper()
	var generic any
	require.NoError(tb, json.Unmarshal(msg, &generic))
	checkRanges(tb, generic)
	known := map[int32]*statics{}
	if held != nil && held.root != nil {
		collectClientStatics(held.root, known)
	}
	for id := range tableIDs(tb, msg) {
		_, dup := known[id]
		assert.False(tb, dup, "statics %d resent although the client holds them: %s", id, msg)
	}
}

// tableIDs returns the ids in the statics table of a message.
func tableIDs(tb testing.TB, msg []byte) map[int32]bool {
	tb.Helper()
	var m struct {
		P map[string][]string `json:"p"`
	}
	require.NoError(tb, json.Unmarshal(msg, &m))
	ids := map[int32]bool{}
	for key := range m.P {
		id, ok := parseID(key)
		require.True(tb, ok, "statics id %q", key)
		ids[id] = true
	}
	return ids
}

// checkRanges checks every complete range in a message: an empty range has
// no default statics, and an item carries its own statics only when they
// differ from the default.
func checkRanges(tb testing.TB, v any) {
	tb.Helper()
	switch x := v.(type) {
	case map[string]any:
		if items, ok := x["r"].([]any); ok {
			def, hasDef := x["s"]
			if len(items) == 0 {
				assert.False(tb, hasDef, "an empty range has no statics: %v", x)
			}
			for _, it := range items {
				obj, isObj := it.(map[string]any)
				if !isObj {
					continue // an array: the dynamics of an item with the default statics
				}
				st, ok := obj["s"]
				assert.True(tb, ok, "an item written as an object has its own statics: %v", x)
				if ok && hasDef {
					assert.NotEqual(tb, def, st, "a range item repeats the range's statics")
				}
			}
		}
		for k, c := range x {
			if k != "p" {
				checkRanges(tb, c)
			}
		}
	case []any:
		for _, c := range x {
			checkRanges(tb, c)
		}
	}
}

// runCase checks a template against Execute for each data value in turn,
// patches included, then checks the template Compile was given still
// executes as a fresh one.
func runCase(tb testing.TB, funcs template.FuncMap, steps []any, src string, more ...string) {
	tb.Helper()
	orig := parseSrc(tb, funcs, src, more...)
	ct, err := Compile(orig)
	require.NoError(tb, err, "Compile")
	s := newSession(tb, ct)
	last, lastWant, ok := any(nil), "", false
	for i, d := range steps {
		want, err := oracle(tb, funcs, d, src, more...)
		if err != nil {
			s.fails(d, err)
			continue
		}
		if tb.Failed() {
			return
		}
		tb.Logf("step %d: %.200q", i, want)
		s.step(d, want)
		last, lastWant, ok = d, want, true
	}
	if ok {
		var b strings.Builder
		require.NoError(tb, orig.Execute(&b, materialize(last)), "the compiled template must stay usable")
		assert.Equal(tb, lastWant, b.String(), "the compiled template must stay unchanged")
	}
}

// Test data types.

type fPerson struct {
	Name    string
	Age     int
	Tags    []string
	Manager *fPerson
	Kids    []*fPerson
	Attrs   map[string]string
	Any     any
}

// Greeting has a pointer receiver.
func (p *fPerson) Greeting() string { return "Hi " + p.Name }

// Initial has a value receiver.
func (p fPerson) Initial() string {
	if p.Name == "" {
		return ""
	}
	return p.Name[:1]
}

// Plus takes an argument.
func (p *fPerson) Plus(n int) int { return p.Age + n }

var errBoom = errors.New("boom")

// Check fails for the name "bad".
func (p *fPerson) Check() (string, error) {
	if p.Name == "bad" {
		return "", errBoom
	}
	return "ok:" + p.Name, nil
}

type fTree struct {
	Name     string
	Children []*fTree
}

func countTo(n int) func(func(int) bool) {
	return func(yield func(int) bool) {
		for i := range n {
			if !yield(i) {
				return
			}
		}
	}
}

func pairs(keys ...string) iter.Seq2[string, int] {
	return func(yield func(string, int) bool) {
		for i, k := range keys {
			if !yield(k, i*10) {
				return
			}
		}
	}
}

func chanOf(vs ...string) fresh {
	return func() any {
		c := make(chan string, len(vs))
		for _, v := range vs {
			c <- v
		}
		close(c)
		return map[string]any{"C": c}
	}
}

var (
	alice = &fPerson{Name: "Alice", Age: 30, Tags: []string{"admin", "dev"},
		Attrs: map[string]string{"b": "2", "a": "1", "c": "<3>"}}
	bob = &fPerson{Name: "Bob", Age: 41, Tags: []string{"ops"}, Manager: alice,
		Kids: []*fPerson{{Name: "Cy", Age: 3}, {Name: "Di", Age: 5}}}
	carol = &fPerson{Name: "Carol & <Co>", Age: 7, Manager: bob, Kids: []*fPerson{{Name: "Ed", Age: 1}},
		Attrs: map[string]string{"z": "26"}}
)

// kv builds a map from alternating keys and values.
func kv(args ...any) map[string]any {
	out := make(map[string]any, len(args)/2)
	for i := 0; i+1 < len(args); i += 2 {
		out[args[i].(string)] = args[i+1]
	}
	return out
}

var userFuncs = template.FuncMap{
	"upper": strings.ToUpper,
	"add":   func(a, b int) int { return a + b },
	"safe":  func(s string) template.HTML { return template.HTML(s) },
	"fail": func(s string) (string, error) {
		if s == "bad" {
			return "", errBoom
		}
		return "[" + s + "]", nil
	},
	"pairs": func(s ...string) []string { return s },
}

type fidelityCase struct {
	name  string
	src   string
	more  []string // later Parse calls on the same template
	funcs template.FuncMap
	steps []any // data values rendered in turn; patches go from each to the next
}

var fidelityCases = []fidelityCase{
	// Actions and pipelines.
	{name: "field", src: `<p>Hello, {{.Name}}!</p>`, steps: []any{alice, bob, carol, alice}},
	{name: "nested field", src: `<p>{{.Manager.Name}} manages {{.Name}}</p>`, steps: []any{bob, carol}},
	{name: "methods", src: `{{.Greeting}} {{.Initial}} {{.Plus 3}} {{.Check}}`, steps: []any{alice, bob, &fPerson{Name: "bad"}, carol}},
	{name: "method on value", src: `{{.Initial}} {{.Greeting}}`, steps: []any{*alice, alice}},
	{name: "pipeline", src: `{{.Name | printf "%q"}} {{.Age | printf "%03d" | printf "[%s]"}}`, steps: []any{alice, bob}},
	{name: "parenthesized", src: `{{printf "%s is %d (%d)" .Name (.Plus 1) (len (.Tags))}}`, steps: []any{alice, carol}},
	{name: "constants", src: "{{1}} {{1.5}} {{0x1F}} {{'a'}} {{true}} {{\"s\\n\"}} {{`raw`}} {{1e3}} {{-2}} {{1_000}}", steps: []any{nil}},
	{name: "dot values", src: `<p>{{.}}</p>`, steps: []any{"text", 42, 3.5, true, []string{"a", "b"}, map[string]int{"k": 1}, nil, alice, struct{ A, B int }{1, 2}}},
	{name: "no actions", src: `<p>static only</p>`, steps: []any{nil, 1}},
	{name: "empty source", src: ``, steps: []any{nil, 1}},
	{name: "only an action", src: `{{.}}`, steps: []any{"", "x", "", "<y>"}},

	// Builtin functions.
	{name: "and or not", src: `{{and .A .B}}|{{or .A .B}}|{{not .A}}|{{if and .A (not .B)}}x{{end}}|{{or .E "default"}}|{{and .A .E .B}}`,
		steps: []any{kv("A", 1, "B", 0, "E", ""), kv("A", 0, "B", "b", "E", "e"), kv("A", true, "B", true, "E", nil)}},
	{name: "len", src: `{{len .S}} {{len .M}} {{len "héllo"}} {{len .C}}`,
		steps: []any{kv("S", []int{1, 2, 3}, "M", map[string]int{"a": 1}, "C", make(chan int, 3)), kv("S", []int{}, "M", map[string]int{}, "C", make(chan int))}},
	{name: "index", src: `{{index .S 1}} {{index .M "k"}} {{index .G 1 0}} {{index .M "missing"}}`,
		steps: []any{kv("S", []string{"a", "b"}, "M", map[string]string{"k": "v"}, "G", [][]int{{1}, {2, 3}}),
			kv("S", []string{"x", "<y>"}, "M", map[string]string{"k": "w"}, "G", [][]int{{1}, {4}}),
			kv("S", []string{"a"}, "M", map[string]string{}, "G", [][]int{{1}, {2}}), // index out of range: error
			kv("S", []string{"c", "d"}, "M", map[string]string{"k": "z"}, "G", [][]int{{1}, {5}})}},
	{name: "slice", src: `{{slice .S 1}} {{slice .S 1 2}} {{slice "abcdef" 2 4}} {{slice .A 0 1 2}}`,
		steps: []any{kv("S", "hello", "A", []int{1, 2, 3}), kv("S", "hé", "A", []int{4, 5}), kv("S", "", "A", []int{4})}},
	{name: "print printf println", src: `{{print "a" 1 2 "b" .}}|{{printf "%v-%5.2f-%x" . 3.14159 255}}|{{println "x" 1 .}}|{{printf "%T" .}}`,
		steps: []any{"<s>", 7, []string{"q"}}},
	{name: "comparisons", src: `{{eq .A 1}} {{eq .A 1 2 3}} {{ne .S "x"}} {{lt .A 5}} {{le .A 1}} {{gt 2.5 .F}} {{ge "b" .S}} {{eq .U 3}} {{lt .U 4}} {{eq .S .S}}`,
		steps: []any{kv("A", 1, "S", "x", "F", 2.0, "U", uint(3)), kv("A", 3, "S", "a", "F", 2.5, "U", uint(9)), kv("A", "str", "S", "x", "F", 1.0, "U", uint(3))}},
	{name: "html js urlquery", src: `<p>{{html .}}</p><p>{{js .}}</p><p>{{urlquery .}}</p><p>{{. | urlquery}}</p><p>{{print . | html}}</p>`,
		steps: []any{`<a href="x">'&"`, "a b&c=d/é", "</script>"}},
	{name: "call", src: `{{call .F 2 3}} {{call .G}} {{call .H "x"}}`,
		steps: []any{
			kv("F", func(a, b int) int { return a * b }, "G", func() string { return "<g>" }, "H", func(s string) (string, error) { return s + s, nil }),
			kv("F", func(a, b int) int { return a + b }, "G", func() string { return "g" }, "H", func(s string) (string, error) { return "", errBoom }),
			kv("F", func(a, b int) int { return a - b }, "G", func() string { return "g2" }, "H", func(s string) (string, error) { return "h", nil }),
		}},
	{name: "user funcs", funcs: userFuncs, src: `{{upper .}} {{add 1 2}} {{safe "<b>bold</b>"}} {{fail .}} {{range pairs "a" "b"}}{{.}}{{end}}`,
		steps: []any{"ok", "bad", "<i>", "bad", "fine"}},

	// Variables.
	{name: "variables", src: `{{$x := .Name}}{{$x}} {{with .Manager}}{{$.Name}}/{{.Name}}/{{$x}}{{end}} {{$n := 0}}{{range .Kids}}{{$n = .Age}}{{end}}{{$n}} {{$x = "re"}}{{$x}}`,
		steps: []any{alice, bob, carol}},
	{name: "range variables", src: `{{range $i, $k := .Kids}}{{$i}}:{{$k.Name}}{{if $i}}+{{end}} {{end}}{{range $v := .Tags}}<{{$v}}>{{end}}`,
		steps: []any{bob, alice, carol, bob}},
	{name: "dollar in template", src: `{{define "t"}}{{$}}-{{.}}{{end}}{{template "t" .Name}}|{{template "t"}}`, steps: []any{alice, bob}},

	// if / else if / else.
	{name: "if else if else", src: `{{if eq .N 0}}zero{{else if eq .N 1}}<b>one</b>{{else if lt .N 10}}<i>few {{.N}}</i>{{else}}many{{end}}!`,
		steps: []any{kv("N", 0), kv("N", 1), kv("N", 5), kv("N", 7), kv("N", 100), kv("N", 1), kv("N", 0)}},
	{name: "if truthiness", src: `{{if .}}yes {{.}}{{else}}no{{end}}`,
		steps: []any{0, "", []int(nil), map[string]int{}, []int{1}, false, true, (*fPerson)(nil), "s", nil}},
	{name: "if in attribute", src: `<div class="{{if .A}}on{{else}}off{{end}} x" {{if .B}}hidden{{end}}>{{if .A}}{{.A}}{{end}}</div>`,
		steps: []any{kv("A", "1", "B", true), kv("A", "", "B", false), kv("A", "2", "B", true)}},

	// range.
	{name: "range slice", src: `<ul>{{range .}}<li>{{.}}</li>{{end}}</ul>`,
		steps: []any{[]string{"a", "b", "c"}, []string{"a", "c"}, []string{}, []string{"x"}, []string(nil), []string{"x", "x", "y"}, []string{"y", "x", "x"}}},
	{name: "range array", src: `{{range $i, $v := .}}[{{$i}}={{$v}}]{{end}}`, steps: []any{[3]int{1, 2, 3}, [3]int{1, 5, 3}, [0]int{}}},
	{name: "range map", src: `<dl>{{range $k, $v := .}}<dt>{{$k}}</dt><dd>{{$v}}</dd>{{end}}</dl>{{range .}}{{.}},{{end}}`,
		steps: []any{map[string]int{"b": 2, "a": 1, "c": 3}, map[string]int{"b": 2, "aa": 1}, map[string]int{}, map[string]int{"z": 0}}},
	{name: "range map int keys", src: `{{range $k, $v := .}}{{$k}}={{$v}};{{end}}`, steps: []any{map[int]string{3: "c", 1: "a", 2: "b"}, map[int]string{-1: "m", 10: "t"}}},
	{name: "range int", src: `{{range 5}}{{.}}{{end}}|{{range $i := .}}<{{$i}}>{{end}}|{{range $i, $_ := .}}{{end}}`,
		steps: []any{3, 0, 2, 4}},
	{name: "range channel", src: `<ul>{{range .C}}<li>{{.}}</li>{{else}}<li>none</li>{{end}}</ul>`,
		steps: []any{chanOf("a", "b"), chanOf(), chanOf("c"), chanOf("c", "d", "e")}},
	{name: "range iterator func", src: `{{range .Seq}}({{.}}){{else}}empty{{end}}|{{range $k, $v := .Seq2}}{{$k}}={{$v}};{{end}}`,
		steps: []any{kv("Seq", countTo(3), "Seq2", pairs("a", "b")), kv("Seq", countTo(0), "Seq2", pairs()), kv("Seq", countTo(5), "Seq2", pairs("x", "y", "z"))}},
	{name: "range else", src: `<ul>{{range .}}<li>{{.}}</li>{{else}}<li class="empty">nothing</li>{{end}}</ul>`,
		steps: []any{[]string{"a", "b"}, []string{}, []string{"c"}, nil, []string{"d", "e", "f"}, []string{}}},
	{name: "range map else", src: `{{range $k, $v := .}}{{$k}}{{else}}none{{end}}`, steps: []any{map[string]bool{}, map[string]bool{"a": true}, map[string]bool{}}},
	{name: "break", src: `<ul>{{range .}}{{if eq . "stop"}}{{break}}{{end}}<li>{{.}}</li>{{end}}</ul>`,
		steps: []any{[]string{"a", "stop", "b"}, []string{"a", "b"}, []string{"stop"}, []string{"a", "b", "stop"}, []string{"x", "stop"}, []string{}}},
	{name: "continue", src: `<ul>{{range .}}{{if eq . "skip"}}{{continue}}{{end}}<li>{{.}}</li>{{end}}</ul>`,
		steps: []any{[]string{"a", "skip", "b"}, []string{"skip", "skip"}, []string{"a", "b"}, []string{"skip", "a", "skip"}}},
	{name: "break continue nested ranges", src: `<table>{{range .}}<tr>{{range .}}{{if eq . 0}}{{continue}}{{end}}{{if lt . 0}}{{break}}{{end}}<td>{{.}}</td>{{end}}</tr>{{if eq (len .) 0}}{{break}}{{end}}{{end}}</table>`,
		steps: []any{[][]int{{1, 0, 2}, {3, -1, 4}}, [][]int{{1, 2}, {}, {5}}, [][]int{{-1}, {0, 0, 7}}, [][]int{{1, 0, 2}, {3, -1, 4}}}},
	{name: "break inside with", src: `{{range .}}<p>{{with .Manager}}{{if eq .Name "Alice"}}{{break}}{{end}}<b>{{.Name}}</b>{{end}}{{.Name}}</p>{{end}}end`,
		steps: []any{[]*fPerson{carol, bob, alice}, []*fPerson{alice, carol}, []*fPerson{carol}, []*fPerson{bob}}},
	{name: "continue deep in ifs", src: `{{range .}}{{if .}}{{if gt . 2}}{{if lt . 5}}{{continue}}{{end}}{{end}}{{end}}<{{.}}>{{end}}`,
		steps: []any{[]int{1, 3, 5, 0}, []int{4, 4}, []int{6, 3, 1}}},
	{name: "break iterator and channel", src: `{{range .Seq}}{{if eq . 2}}{{break}}{{end}}{{.}}{{end}}|{{range .C}}{{if eq . "x"}}{{break}}{{end}}{{.}}{{end}}`,
		steps: []any{
			fresh(func() any { return kv("Seq", countTo(5), "C", chanOf("a", "x", "b")().(map[string]any)["C"]) }),
			fresh(func() any { return kv("Seq", countTo(2), "C", chanOf("a", "b")().(map[string]any)["C"]) }),
		}},
	{name: "range else inside range", src: `{{range .}}<ol>{{range .}}<li>{{.}}</li>{{else}}<li>-</li>{{end}}</ol>{{end}}`,
		steps: []any{[][]string{{"a"}, {}, {"b", "c"}}, [][]string{{}, {"a"}, {}}, [][]string{{"x"}}}},

	// with.
	{name: "with else", src: `{{with .Manager}}<b>{{.Name}}</b>{{else}}<i>no manager</i>{{end}}`, steps: []any{bob, alice, carol, alice}},
	{name: "with else with", src: `{{with .A}}<a>{{.}}</a>{{else with .B}}<b>{{.}}</b>{{else}}none{{end}}`,
		steps: []any{kv("A", "1"), kv("B", "2"), kv(), kv("A", "3", "B", "4"), kv("B", "5")}},

	// template, define, block.
	{name: "template call", src: `{{define "item"}}<li>{{.}}</li>{{end}}<ul>{{range .}}{{template "item" .}}{{end}}</ul>{{template "item" "last"}}`,
		steps: []any{[]string{"a", "b"}, []string{"b"}, []string{"c", "a", "b"}}},
	{name: "template nested calls", src: `{{define "a"}}<a>{{template "b" .}}</a>{{end}}{{define "b"}}<b>{{template "c" .Name}}{{.Age}}</b>{{end}}{{define "c"}}<c>{{.}}</c>{{end}}{{template "a" .}}{{template "c"}}`,
		steps: []any{alice, bob}},
	{name: "block default", src: `<main>{{block "content" .}}<p>default {{.}}</p>{{end}}</main>`, steps: []any{"x", "y"}},
	{name: "block overridden", src: `<main>{{block "content" .}}<p>default {{.}}</p>{{end}}</main>`,
		more: []string{`{{define "content"}}<article>{{.}}</article>{{end}}`}, steps: []any{"x", "y"}},
	{name: "recursive tree", src: `{{define "node"}}<li>{{.Name}}{{if .Children}}<ul>{{range .Children}}{{template "node" .}}{{end}}</ul>{{end}}</li>{{end}}<ul>{{template "node" .}}</ul>`,
		steps: []any{
			&fTree{Name: "root", Children: []*fTree{{Name: "a", Children: []*fTree{{Name: "a1"}, {Name: "a2"}}}, {Name: "b"}}},
			&fTree{Name: "root", Children: []*fTree{{Name: "a", Children: []*fTree{{Name: "a1"}, {Name: "A2", Children: []*fTree{{Name: "deep"}}}}}, {Name: "b"}}},
			&fTree{Name: "root", Children: []*fTree{{Name: "b"}, {Name: "a", Children: []*fTree{{Name: "a1"}}}}},
			&fTree{Name: "root"},
		}},
	{name: "template with range break", src: `{{define "l"}}{{range .}}{{if eq . "x"}}{{break}}{{end}}{{template "i" .}}{{end}}{{end}}{{define "i"}}<i>{{.}}</i>{{end}}[{{template "l" .}}]`,
		steps: []any{[]string{"a", "x", "b"}, []string{"a", "b"}, []string{"x"}}},

	// Comments and trimming.
	{name: "comments and trimming", src: "a {{/* comment */}} b {{- /* trimmed */ -}} c\n  {{- .}}  \n {{.}} -}}\n\t{{- \"lit\" -}}\n  d {{.}}\n", steps: []any{"X", "<Y>"}},

	// nil and missing values.
	{name: "missing map key", src: `[{{.Missing}}] [{{.Present}}] {{with .Missing}}x{{else}}none{{end}}`, steps: []any{kv("Present", 1), kv("Present", "", "Missing", "now")}},
	{name: "nil values", src: `[{{.Manager}}] [{{.Any}}] [{{.Kids}}] {{with .Manager}}{{.Name}}{{end}}`, steps: []any{alice, bob, &fPerson{Any: 3}}},
	{name: "nil pointer field", src: `{{.Manager.Name}}`, steps: []any{bob, alice, carol}},
	{name: "missing field", src: `{{.Name}}{{.Nope}}`, steps: []any{alice}},
	{name: "nil data", src: `<p>{{.}}</p>{{if .}}t{{end}}{{range .}}r{{end}}`, steps: []any{nil, "x", nil}},

	// Typed strings.
	{name: "typed strings", src: `<p>{{.H}}</p><a href="{{.U}}" onclick="{{.J}}" style="{{.C}}" {{.A}}>x</a><script>var s = "{{.S}}"; {{.J}}</script><img srcset="{{.Set}}">`,
		steps: []any{
			kv("H", template.HTML("<b>bold</b>"), "U", template.URL("javascript:go()"), "J", template.JS("go(1)"), "C", template.CSS("color: red"),
				"A", template.HTMLAttr(`data-x="1"`), "S", template.JSStr(`a\"b`), "Set", template.Srcset("a.png 1x, b.png 2x")),
			kv("H", template.HTML("<i>it</i>"), "U", template.URL("/x?y=1"), "J", template.JS("stop()"), "C", template.CSS("color: blue"),
				"A", template.HTMLAttr(`hidden`), "S", template.JSStr(`c`), "Set", template.Srcset("c.png")),
			kv("H", "<b>not html</b>", "U", "javascript:go()", "J", "go(1)", "C", "color: red", "A", `data-x="1"`, "S", `a"b`, "Set", "a.png 1x, javascript:x 2x"),
		}},
}

func TestFidelity(t *testing.T) {
	for _, tc := range fidelityCases {
		t.Run(tc.name, func(t *testing.T) {
			runCase(t, tc.funcs, tc.steps, tc.src, tc.more...)
		})
	}
}

// TestCompileKeepsOriginal checks that Compile neither changes nor uses up
// the template it is given, and that the compiled template does not follow
// later changes to it.
func TestCompileKeepsOriginal(t *testing.T) {
	const src = `{{define "x"}}<b>{{.}}</b>{{end}}<p>{{template "x" .}}</p>`
	orig := parseSrc(t, nil, src)
	before := orig.Tree.Root.String()
	ct1, err := Compile(orig)
	require.NoError(t, err)
	ct2, err := Compile(orig)
	require.NoError(t, err, "a template can be compiled more than once")
	assert.Equal(t, before, orig.Tree.Root.String(), "Compile must not change the parse tree")
	assert.Equal(t, "page", ct1.Name())

	// The original can still be changed and executed.
	_, err = orig.Parse(`{{define "x"}}<i>{{.}}</i>{{end}}`)
	require.NoError(t, err)
	var b strings.Builder
	require.NoError(t, orig.Execute(&b, "v"))
	assert.Equal(t, "<p><i>v</i></p>", b.String())

	for _, ct := range []*Template{ct1, ct2} {
		tree, err := ct.Render("v")
		require.NoError(t, err)
		assert.Equal(t, "<p><b>v</b></p>", tree.HTML(), "a compiled template is a snapshot")
	}
}

// TestCompileDelimsAndNames checks custom delimiters, options and template
// names that would need quoting.
func TestCompileDelimsAndNames(t *testing.T) {
	tests := []struct {
		name  string
		build func() *template.Template
		data  any
	}{
		{name: "custom delims", build: func() *template.Template {
			return template.Must(template.New("page").Delims("[[", "]]").Parse(`<p>[[.]] {{.}}</p>[[define "x"]]<b>[[.]]</b>[[end]][[template "x" .]]`))
		}, data: "v"},
		{name: "quote in name", build: func() *template.Template {
			return template.Must(template.New(`we"ird}} {{name`).Parse(`<p>{{.}}</p>`))
		}, data: "v"},
		{name: "newline and unicode in name", build: func() *template.Template {
			return template.Must(template.New("a\nb ✓").Parse(`<p>{{.}}</p>`))
		}, data: "v"},
		{name: "root is a define", build: func() *template.Template {
			return template.Must(template.New("page").Parse(`{{define "other"}}x{{end}}<p>{{.}}</p>`)).Lookup("other")
		}, data: "v"},
		{name: "missingkey zero", build: func() *template.Template {
			return template.Must(template.New("page").Option("missingkey=zero").Parse(`[{{.a}}]`))
		}, data: map[string]int{}},
	}
	for _, tc := range tests {
		t.Run(tc.name, func(t *testing.T) {
			var want strings.Builder
			require.NoError(t, tc.build().Execute(&want, tc.data))
			ct, err := Compile(tc.build())
			require.NoError(t, err)
			s := newSession(t, ct)
			s.step(tc.data, want.String())
			s.step(tc.data, want.String())
		})
	}
}
