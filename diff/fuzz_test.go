package diff

import (
	"bytes"
	"errors"
	"fmt"
	"html/template"
	"regexp"
	"strings"
	"testing"
	"text/template/parse"
)

// fuzzData derives a data value from bytes. Comma-separated words feed every
// field, so that one input exercises text, lists, keyed items and maps; the
// bytes are kept as they are, invalid UTF-8 included.
func fuzzData(b []byte) map[string]any {
	words := strings.Split(string(b), ",")
	if len(b) == 0 {
		words = nil
	}
	if len(words) > 32 {
		words = words[:32]
	}
	first := ""
	if len(words) > 0 {
		first = words[0]
	}
	items := make([]map[string]any, len(words))
	keys := map[string]int{}
	m := map[string]string{}
	for i, w := range words {
		id, ok := keys[w]
		if !ok {
			id = i
			keys[w] = i
		}
		items[i] = map[string]any{"ID": id, "T": w, "Done": len(w)%2 == 0}
		m[fmt.Sprintf("k%d", len(w)%5)] = w
	}
	return map[string]any{
		"A": first,
		"B": len(b)%2 == 1,
		"N": len(words) % 10,
		"L": words,
		"M": m,
		"P": items,
		"H": template.HTML(first),
	}
}

var (
	// Number literals of three or more digits, in any base or with an
	// exponent, and character literals with escapes: ranges over them could
	// run for a very long time.
	bigNumber = regexp.MustCompile(`[0-9]{3}|0[xXbBoO]|[0-9][eEpP_]|'\\`)
)

// fuzzSourceOK rejects template sources that would make a fuzz input slow
// rather than interesting.
func fuzzSourceOK(src string) bool {
	return len(src) <= 1024 && !bigNumber.MatchString(src) &&
		strings.Count(src, "range") <= 3 && strings.Count(src, "template") <= 6
}

// recursive reports whether a template of the set can call itself, directly
// or not. Recursion that does not end makes Execute (and Render) run to
// text/template's depth limit, which takes seconds: too slow for fuzzing.
func recursive(t *template.Template) bool {
	calls := map[string][]string{}
	for _, tt := range t.Templates() {
		if tt.Tree != nil {
			calls[tt.Name()] = templateCalls(tt.Tree.Root, nil)
		}
	}
	state := map[string]int{} // 1: on the path, 2: done
	var visit func(name string) bool
	visit = func(name string) bool {
		switch state[name] {
		case 1:
			return true
		case 2:
			return false
		}
		state[name] = 1
		for _, c := range calls[name] {
			if visit(c) {
				return true
			}
		}
		state[name] = 2
		return false
	}
	for name := range calls {
		if visit(name) {
			return true
		}
	}
	return false
}

// templateCalls appends the names of the templates n calls.
func templateCalls(n parse.Node, out []string) []string {
	switch n := n.(type) {
	case *parse.ListNode:
		if n != nil {
			for _, c := range n.Nodes {
				out = templateCalls(c, out)
			}
		}
	case *parse.IfNode:
		out = templateCalls(n.List, templateCalls(n.ElseList, out))
	case *parse.RangeNode:
		out = templateCalls(n.List, templateCalls(n.ElseList, out))
	case *parse.WithNode:
		out = templateCalls(n.List, templateCalls(n.ElseList, out))
	case *parse.TemplateNode:
		out = append(out, n.Name)
	}
	return out
}

// limitWriter fails once more than n bytes were written.
type limitWriter struct {
	b bytes.Buffer
	n int
}

var errTooLarge = errors.New("output too large")

func (w *limitWriter) Write(p []byte) (int, error) {
	if w.b.Len()+len(p) > w.n {
		return 0, errTooLarge
	}
	return w.b.Write(p)
}

// fuzzExecute runs Execute of a fresh parse of src. skip is true when the
// oracle itself is unusable: it panicked or wrote too much.
func fuzzExecute(src string, data any) (out string, err error, skip bool) {
	defer func() {
		if r := recover(); r != nil {
			skip = true
		}
	}()
	t, err := template.New("fuzz").Parse(src)
	if err != nil {
		return "", err, true
	}
	w := &limitWriter{n: 1 << 20}
	err = t.Execute(w, data)
	if errors.Is(err, errTooLarge) {
		return "", err, true
	}
	return w.b.String(), err, false
}

// fuzzSeeds are the in-code seeds of FuzzTreeRoundTrip; testdata/fuzz holds
// more.
var fuzzSeeds = []struct {
	src    string
	d1, d2 string
}{
	{`<ul>{{range .L}}<li>{{.}}</li>{{else}}<p>none</p>{{end}}</ul>`, "a,b,c", "b,c,d"},
	{`{{range .P}}<li data-key="{{.ID}}" class="{{if .Done}}done{{end}}">{{.T}}</li>{{end}}`, "a,bb,a", "bb,a,ccc"},
	{`<a href="{{.A}}" onclick="f({{.A}})" style="color:{{.A}}">{{.A}}</a><script>var x = {{.L}};</script>`, "javascript:x,y", "</script>"},
	{`{{range .L}}{{if eq . "x"}}{{break}}{{end}}{{if eq . "y"}}{{continue}}{{end}}<i>{{.}}</i>{{end}}`, "a,y,b,x,c", "x"},
	{`{{with .A}}<a>{{.}}</a>{{else with .L}}<b>{{len .}}</b>{{else}}none{{end}}`, "", ",q"},
	{`<p>{{.H}}</p>{{.A | printf "%q"}}`, "<b>\xff\xfe", "\u2028ok"},
	// Ranges whose items can be reused, and ranges that read more than
	// their item and must not be.
	{`{{range .P}}<li id="{{.ID}}">{{.T}}{{if .Done}}!{{end}}</li>{{else}}none{{end}}`, "a,b,c", "a,x,c"},
	{`{{$a := .A}}{{range .P}}<li>{{$a}}{{$.B}}{{.T}}</li>{{end}}`, "a,b", "b,b"},
	{`{{range .L}}{{if eq . $.A}}{{break}}{{end}}<i>{{.}}</i>{{end}}{{range .M}}{{.}}{{end}}`, "x,y,x", "y,x"},
	// Texts that keep a prefix of the old one (text patches): an emoji
	// changed (its bytes share three), an accent, an invalid byte.
	{`<p title="{{.A}}">{{.A}}</p>{{range .P}}<li id="{{.ID}}">{{.T}}</li>{{end}}<a href="/q?{{.A}}">{{.H}}</a>`, "Größe ✓ 😀 & <b>,task 501", "Größe ✓ 😁 & <i>\xff,task 501!"},
}

func FuzzTreeRoundTrip(f *testing.F) {
	for _, s := range fuzzSeeds {
		f.Add(s.src, []byte(s.d1), []byte(s.d2))
	}
	f.Fuzz(func(t *testing.T, src string, d1, d2 []byte) {
		if !fuzzSourceOK(src) {
			return
		}
		tmpl, err := template.New("fuzz").Parse(src)
		if err != nil || recursive(tmpl) {
			return
		}
		steps := []any{fuzzData(d1), fuzzData(d2), fuzzData(d1), fuzzData(nil)}
		_, firstErr, skip := fuzzExecute(src, steps[0])
		if skip {
			return
		}
		ct, err := Compile(tmpl)
		if err != nil {
			// Compile fails only where html/template cannot escape the
			// template, and then Execute fails too.
			if firstErr == nil {
				t.Fatalf("Compile failed (%v) but Execute succeeded", err)
			}
			return
		}
		// A second compilation trusts the builtins, so that more range
		// bodies are converted.
		trusted, err := CompileWith(template.Must(template.New("fuzz").Parse(src)), Options{FuncsKnown: true})
		if err != nil {
			t.Fatalf("CompileWith failed (%v) where Compile did not", err)
		}
		sessions := []*session{newSession(t, ct), newSession(t, trusted)}
		for i, d := range steps {
			want, err, skip := fuzzExecute(src, d)
			if skip {
				return
			}
			for _, s := range sessions {
				if err != nil {
					s.fails(d, err)
					continue
				}
				s.step(d, want)
			}
			if t.Failed() {
				t.Fatalf("step %d: template %q", i, src)
			}
		}
	})
}

// byteChooser plays back fuzz bytes: every byte makes one choice.
type byteChooser struct {
	b    []byte
	done bool
}

func (c *byteChooser) IntN(n int) int {
	if len(c.b) == 0 {
		c.done = true
		return 0
	}
	v := int(c.b[0]) % n
	c.b = c.b[1:]
	return v
}

var rangeEditTemplates = []string{
	`<ul>{{range .Items}}<li data-key="{{.ID}}">{{.Title}}{{if .Done}} ✓{{end}}</li>{{end}}</ul>`,
	`<ul>{{range .Items}}<li>{{.Title}}{{range .Tags}}<b>{{.}}</b>{{end}}</li>{{else}}<li>none</li>{{end}}</ul>`,
	`{{define "row"}}<tr id="{{.ID}}"><td>{{.Title}}</td></tr>{{end}}<table>{{range .Items}}{{if eq .Title "stop"}}{{break}}{{end}}{{if .Done}}{{continue}}{{end}}{{template "row" .}}{{end}}</table>`,
}

// FuzzRangeEdits derives sequences of list edits (insert, delete, move,
// modify, toggle, duplicate, swap, reverse, clear) from bytes and checks
// every patch.
func FuzzRangeEdits(f *testing.F) {
	f.Add([]byte{0, 0, 0, 0, 0, 0})
	f.Add([]byte{0, 10, 0, 200, 0, 90, 100, 30, 60, 120, 180, 240, 250, 5})
	f.Add([]byte("a longer sequence of edits drives more of the matching rules"))
	f.Fuzz(func(t *testing.T, ops []byte) {
		if len(ops) > 512 {
			return
		}
		sessions := make([]*session, len(rangeEditTemplates))
		for i, src := range rangeEditTemplates {
			ct, err := CompileWith(parseSrc(t, nil, src), Options{FuncsKnown: i%2 == 0})
			if err != nil {
				t.Fatal(err)
			}
			sessions[i] = newSession(t, ct)
		}
		src := &byteChooser{b: ops}
		e := &editor{r: src}
		state := propState{}
		for step := 0; !src.done; step++ {
			for i, s := range sessions {
				want, err := oracle(t, nil, state, rangeEditTemplates[i])
				if err != nil {
					t.Fatal(err)
				}
				s.step(state, want)
				if t.Failed() {
					t.Fatalf("step %d, template %d, items %+v", step, i, state.Items)
				}
			}
			state = state.clone()
			state.Items = e.editList(state.Items)
		}
	})
}

// FuzzApply feeds arbitrary bytes to Apply and ParseTree: they must fail
// with ErrProtocol or succeed, never panic, and a tree they return must
// survive its own wire form.
func FuzzApply(f *testing.F) {
	const src = `<p>{{.T}}</p>{{if .B}}<b>{{.T}}</b>{{end}}<ul>{{range .L}}<li>{{.}}</li>{{end}}</ul>`
	ct, err := Compile(template.Must(template.New("page").Parse(src)))
	if err != nil {
		f.Fatal(err)
	}
	base, err := ct.Render(map[string]any{"T": "x", "B": true, "L": []string{"a", "b", "c"}})
	if err != nil {
		f.Fatal(err)
	}
	for _, d := range []map[string]any{
		{"T": "y", "B": true, "L": []string{"c", "a", "b", "d"}},
		{"T": "x", "B": false, "L": []string{}},
		{"T": "<", "B": true, "L": []string{"b"}},
	} {
		next, err := ct.Render(d)
		if err != nil {
			f.Fatal(err)
		}
		p, _ := Diff(base, next).MarshalJSON()
		f.Add(p)
		full, _ := next.MarshalJSON()
		f.Add(full)
	}
	f.Add([]byte(`{"2":{"o":[[1,2],[0,{"0":"z"}],{"0":"n"}]}}`))
	f.Add([]byte(`{"2":[-1,[{"0":"z"}],{"0":"n"},[0,1]]}`))
	f.Add([]byte(`{"0":[1,"yz"],"1":{"0":[1,""]},"2":[[{"0":[1,"!"]}]]}`))
	// Ids in a message's table override what the client held: statics a
	// client parsed must not be confused with the server's of the same id.
	f.Add([]byte(`{"p":{"0":["A","B"],"1":["C"]},"1":{"s":0,"0":1},"2":[[{"0":"q"}]]}`))
	f.Fuzz(func(t *testing.T, msg []byte) {
		check := func(name string, fn func() (*Tree, error)) {
			defer func() {
				if r := recover(); r != nil {
					t.Fatalf("%s(%q) panicked: %v", name, msg, r)
				}
			}()
			tree, err := fn()
			if err != nil {
				if !errors.Is(err, ErrProtocol) {
					t.Fatalf("%s(%q): error %v does not wrap ErrProtocol", name, msg, err)
				}
				return
			}
			html := tree.HTML()
			full, err := tree.MarshalJSON()
			if err != nil {
				t.Fatal(err)
			}
			again, err := ParseTree(full)
			if err != nil {
				t.Fatalf("%s(%q): the result's wire form %s does not parse: %v", name, msg, full, err)
			}
			if got := again.HTML(); got != string([]rune(html)) && got != html {
				t.Fatalf("%s(%q): wire round trip %q != %q", name, msg, got, html)
			}
		}
		check("Apply", func() (*Tree, error) { return base.Apply(msg) })
		check("ParseTree", func() (*Tree, error) { return ParseTree(msg) })
	})
}

// FuzzReuseEdits derives sequences of edits of the reuse tests' state
// (reuse_test.go) from bytes: items through pointers changed in place,
// interfaces changing type, outer data a body must not read, methods with
// hidden state. Every render, from scratch and reusing the previous tree,
// must equal Execute's output, and every patch must rebuild it.
func FuzzReuseEdits(f *testing.F) {
	f.Add([]byte{0, 0, 0, 0, 0, 0})
	f.Add([]byte{5, 1, 6, 2, 7, 3, 8, 4, 9, 5, 10, 6, 11, 7, 12, 8, 13, 9, 14, 10, 15, 11})
	f.Add([]byte("pointers, interfaces and hidden state, edited in place and back"))
	f.Fuzz(func(t *testing.T, ops []byte) {
		if len(ops) > 512 {
			return
		}
		src := &byteChooser{b: ops}
		runReuse(t, src, 1<<30, func() bool { return src.done })
	})
}
