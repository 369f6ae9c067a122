package diff

import (
	"encoding/json"
	"fmt"
	"slices"
	"strconv"
	"strings"
	"testing"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"
)

// render renders data with ct and requires it to match Execute of src.
func render(tb testing.TB, ct *Template, src string, data any, more ...string) *Tree {
	tb.Helper()
	want, err := oracle(tb, nil, data, src, more...)
	require.NoError(tb, err)
	tree, err := ct.Render(data)
	require.NoError(tb, err)
	require.Equal(tb, want, tree.HTML())
	return tree
}

// applyJSON applies the patch prev→next to a client parsed from prev's wire
// form, checks the HTML it rebuilds and returns the patch.
func applyJSON(tb testing.TB, prev, next *Tree) []byte {
	tb.Helper()
	client, err := ParseTree(mustJSON(tb, prev))
	require.NoError(tb, err)
	patch := mustJSON(tb, Diff(prev, next))
	got, err := client.Apply(patch)
	require.NoError(tb, err, "Apply(%s)", patch)
	assert.Equal(tb, next.HTML(), got.HTML(), "patch %s", patch)
	return patch
}

// decodePatch decodes a patch into generic JSON values.
func decodePatch(tb testing.TB, patch []byte) map[string]any {
	tb.Helper()
	var v map[string]any
	require.NoError(tb, json.Unmarshal(patch, &v))
	return v
}

func TestPatchNothingChanged(t *testing.T) {
	const src = `<h1>{{.Title}}</h1>{{if .On}}<b>on</b>{{end}}<ul>{{range .Items}}<li>{{.}}</li>{{else}}none{{end}}</ul>{{template "f" .}}{{define "f"}}<footer>{{len .Items}}</footer>{{end}}`
	ct := mustCompile(t, nil, src)
	data := []map[string]any{
		kv("Title", "t", "On", true, "Items", []string{"a", "b"}),
		kv("Title", "", "On", false, "Items", []string{}),
	}
	for i, d := range data {
		t.Run(fmt.Sprint(i), func(t *testing.T) {
			a := render(t, ct, src, d)
			b := render(t, ct, src, d)
			for _, p := range []*Patch{Diff(a, b), Diff(a, a), Diff(b, a)} {
				assert.Equal(t, "{}", string(mustJSON(t, p)))
				assert.True(t, p.Empty())
				assert.Equal(t, 2, p.Len())
			}
		})
	}
	// Different data, same output: still nothing to send.
	a := render(t, ct, src, kv("Title", "t", "Items", []string{"x"}))
	b := render(t, ct, src, kv("Title", "t", "Items", [1]string{"x"}, "On", 0))
	assert.Equal(t, "{}", string(mustJSON(t, Diff(a, b))))

	var nilPatch *Patch
	assert.True(t, nilPatch.Empty())
	raw, err := nilPatch.MarshalJSON()
	require.NoError(t, err)
	assert.Equal(t, "{}", string(raw))
	assert.Equal(t, "{}", string(mustJSON(t, Diff(a, nil))))
}

func TestPatchTextChangeCarriesNoStatics(t *testing.T) {
	const src = `<html><body><header>Long static header text</header><p>Hello, {{.Name}}!</p><p>{{.Age}}</p><footer>Long static footer</footer></body></html>`
	ct := mustCompile(t, nil, src)
	a := render(t, ct, src, alice)
	b := render(t, ct, src, bob)
	patch := applyJSON(t, a, b)
	assert.Equal(t, `{"0":"Bob","1":"41"}`, string(patch))

	c := render(t, ct, src, &fPerson{Name: "Bob", Age: 42})
	assert.Equal(t, `{"1":"42"}`, string(applyJSON(t, b, c)))
}

func TestPatchBranchSwitchSendsOnlyNewStatics(t *testing.T) {
	const src = `<div class="page">{{if .A}}<b>{{.X}}</b>{{else}}<i>{{.X}}</i> and <u>{{.Y}}</u>{{end}}</div>`
	ct := mustCompile(t, nil, src)
	a := render(t, ct, src, kv("A", true, "X", "x", "Y", "y"))
	b := render(t, ct, src, kv("A", false, "X", "x", "Y", "y"))
	patch := decodePatch(t, applyJSON(t, a, b))
	table, ok := patch["p"].(map[string]any)
	require.True(t, ok, "the new branch's statics travel: %v", patch)
	require.Len(t, table, 1)
	for key, st := range table {
		assert.Equal(t, []any{"<i>", "</i> and <u>", "</u>"}, st)
		id, err := strconv.Atoi(key)
		require.NoError(t, err)
		assert.Equal(t, map[string]any{"s": float64(id), "0": "x", "1": "y"}, patch["0"])
	}
	assert.Len(t, patch, 2, "only the table and dynamic 0: %v", patch)
}

func TestPatchStaticsReusedByID(t *testing.T) {
	const src = `<p>{{if .A}}<b>{{.X}}</b>{{else}}<i>{{.X}}</i>{{end}}</p><p>{{if .B}}<b>{{.X}}</b>{{else}}<i>{{.X}}</i>{{end}}</p>`
	ct := mustCompile(t, nil, src)
	s := newSession(t, ct)
	step := func(data map[string]any) map[string]any {
		want, err := oracle(t, nil, data, src)
		require.NoError(t, err)
		p := s.step(data, want)
		if p == nil {
			return nil
		}
		return decodePatch(t, p)
	}
	step(kv("A", false, "B", true, "X", "1"))
	// A switches to <b>: its statics are held by B's branch, so only the
	// id travels.
	p := step(kv("A", true, "B", true, "X", "1"))
	assert.NotContains(t, p, "p", "statics held elsewhere must not be resent: %v", p)
	n, ok := p["0"].(map[string]any)
	require.True(t, ok, "%v", p)
	assert.IsType(t, float64(0), n["s"], "statics by id")
	// Back to <i>: nothing the client holds has those statics any more.
	p = step(kv("A", false, "B", true, "X", "2"))
	assert.Contains(t, p, "p", "statics the client no longer holds are sent: %v", p)
	// And both to <i>: held by A now.
	p = step(kv("A", false, "B", false, "X", "2"))
	assert.NotContains(t, p, "p", "%v", p)

	// The same holds for a template called in two places.
	const src2 = `{{define "row"}}<tr><td>{{.}}</td></tr>{{end}}<table>{{if .A}}{{template "row" .X}}{{end}}{{template "row" .Y}}</table>`
	ct2 := mustCompile(t, nil, src2)
	a := render(t, ct2, src2, kv("A", false, "X", "1", "Y", "2"))
	b := render(t, ct2, src2, kv("A", true, "X", "1", "Y", "2"))
	patch := decodePatch(t, applyJSON(t, a, b))
	if table, ok := patch["p"].(map[string]any); ok {
		for _, st := range table {
			assert.NotEqual(t, []any{"<tr><td>", "</td></tr>"}, st, "the row's statics are held by the second call")
		}
	}
}

func TestPatchRangeTransitions(t *testing.T) {
	tests := []struct {
		name string
		src  string
	}{
		{name: "with else", src: `<ul>{{range .}}<li>{{.}}</li>{{else}}<p>empty</p>{{end}}</ul>`},
		{name: "without else", src: `<ul>{{range .}}<li>{{.}}</li>{{end}}</ul>`},
	}
	steps := [][]string{{"a", "b"}, {}, {"c"}, {"c", "d"}, nil, {"e"}, {}, {}, {"f", "g", "h"}}
	for _, tc := range tests {
		t.Run(tc.name, func(t *testing.T) {
			ct := mustCompile(t, nil, tc.src)
			s := newSession(t, ct)
			var patches []string
			for _, d := range steps {
				want, err := oracle(t, nil, d, tc.src)
				require.NoError(t, err)
				patches = append(patches, string(s.step(d, want)))
			}
			t.Logf("patches: %q", patches)
			assert.Equal(t, `{"0":[1,["d"]]}`, patches[3], "append to a non-empty range")
			assert.Equal(t, "{}", patches[7], "empty to empty")
			if tc.name == "without else" {
				assert.Equal(t, `{"0":{"r":[]}}`, patches[1], "an empty range without else")
			} else {
				assert.Contains(t, patches[1], `"p":{`, "the else branch's statics travel")
				assert.Contains(t, patches[6], `"p":{`, "the client no longer holds the else branch's statics")
			}
			assert.Contains(t, patches[2], `"r":[["c"]]`, "a range that becomes non-empty is sent whole")
		})
	}
}

type row struct {
	ID    int
	Title string
	Done  bool
	Tags  []string
}

func rows(n int) []row {
	out := make([]row, n)
	for i := range out {
		out[i] = row{ID: i + 1, Title: fmt.Sprintf("Task %d: do <this> & that", i+1), Done: i%3 == 0,
			Tags: []string{"a", "b", "c"}[:i%4]}
	}
	return out
}

// firstRange returns the first range in the tree, depth first.
func firstRange(n *node) *rangeNode {
	for _, d := range n.dyns {
		switch {
		case d.rng != nil:
			return d.rng
		case d.node != nil:
			if r := firstRange(d.node); r != nil {
				return r
			}
		}
	}
	return nil
}

// itemHTML is the size of the HTML of the range's item i.
func itemHTML(r *rangeNode, i int) int {
	return r.items[i].htmlLen()
}

func TestPatchListEdits(t *testing.T) {
	templates := []struct {
		name string
		src  string
	}{
		{name: "data-key", src: `<ul>{{range .}}<li data-key="{{.ID}}" class="{{if .Done}}done{{end}}">{{.Title}}</li>{{end}}</ul>`},
		{name: "no key", src: `<ul>{{range .}}<li class="{{if .Done}}done{{end}}">#{{.ID}} {{.Title}}</li>{{end}}</ul>`},
		{name: "template row", src: `<table>{{range .}}{{template "row" .}}{{end}}</table>{{define "row"}}<tr id="{{.ID}}"><td>{{.Title}}</td>{{if .Done}}<td>done</td>{{end}}</tr>{{end}}`},
		{name: "template row no key", src: `<table>{{range .}}
  {{template "row" .}}
{{end}}</table>{{define "row"}}<tr><td>{{.ID}}</td><td>{{.Title}}</td>{{if .Done}}<td>done</td>{{end}}</tr>{{end}}`},
		{name: "nested", src: `<ul>{{range .}}<li data-key="{{.ID}}">{{if .Done}}<s>{{.Title}}</s>{{else}}{{template "t" .}}{{end}}` +
			`<ol>{{range .Tags}}<li>{{if eq . "b"}}<b>{{.}}</b>{{else}}{{.}}{{end}}</li>{{end}}</ol></li>{{end}}</ul>{{define "t"}}<a href="/t/{{.ID}}">{{.Title}}</a>{{end}}`},
		{name: "nested no key", src: `{{range .}}<p>{{template "t" .}}{{range .Tags}}<i>{{.}}</i>{{end}}</p>{{end}}{{define "t"}}{{if .Done}}<s>{{.Title}}</s>{{else}}<b>{{.Title}}</b>{{end}}{{end}}`},
	}
	edits := []struct {
		name  string
		small bool // one of the four edits whose patch must cost about one item
		edit  func([]row) []row
	}{
		{name: "edit", small: true, edit: func(r []row) []row { r[500].Title = "Edited"; r[500].Done = !r[500].Done; return r }},
		{name: "prepend", small: true, edit: func(r []row) []row { return slices.Insert(r, 0, row{ID: 5000, Title: "New"}) }},
		{name: "remove", small: true, edit: func(r []row) []row { return slices.Delete(r, 500, 501) }},
		{name: "move", small: true, edit: func(r []row) []row { x := r[100]; return slices.Insert(slices.Delete(r, 100, 101), 900, x) }},
		{name: "append", edit: func(r []row) []row { return append(r, row{ID: 5001, Title: "Last"}) }},
		{name: "insert middle", edit: func(r []row) []row { return slices.Insert(r, 500, row{ID: 5002, Title: "Mid"}) }},
		{name: "swap", edit: func(r []row) []row { r[10], r[990] = r[990], r[10]; return r }},
		{name: "reverse", edit: func(r []row) []row { slices.Reverse(r); return r }},
		{name: "duplicate", edit: func(r []row) []row { return slices.Insert(r, 6, r[5], r[5]) }},
		{name: "edit every tenth", edit: func(r []row) []row {
			for i := 0; i < len(r); i += 10 {
				r[i].Title += "!"
			}
			return r
		}},
		{name: "keep half", edit: func(r []row) []row { return r[250:750] }},
		{name: "clear", edit: func(r []row) []row { return nil }},
	}
	for _, tpl := range templates {
		t.Run(tpl.name, func(t *testing.T) {
			ct := mustCompile(t, nil, tpl.src)
			base := rows(1000)
			prev := render(t, ct, tpl.src, base)
			rng := firstRange(prev.root)
			require.NotNil(t, rng)
			require.Len(t, rng.items, 1000)
			one := itemHTML(rng, 500)
			full := len(mustJSON(t, prev))
			for _, e := range edits {
				t.Run(e.name, func(t *testing.T) {
					next := render(t, ct, tpl.src, e.edit(slices.Clone(base)))
					p := Diff(prev, next)
					patch := applyJSON(t, prev, next)
					t.Logf("%-16s patch %6d B, one item's HTML %d B, full tree %d B", e.name, p.Len(), one, full)
					if e.small {
						assert.LessOrEqual(t, p.Len(), one+200, "patch %s", patch)
					}
				})
			}
		})
	}
}

// TestPatchIssuePage pins the patches of the issue page (listPage, the
// edits of issue 11) that docs/benchmarks.md reports, byte for byte.
func TestPatchIssuePage(t *testing.T) {
	want := map[string]string{
		"edit":    `{"1":[500,[{"3":[10,"%21"],"4":[8,"!"]}]]}`,
		"prepend": `{"1":[["5000",0,"5000","new%20task","new task"]],"2":"1001"}`,
		"remove":  `{"1":[500,-1],"2":"999"}`,
	}
	_, ct := mustListTemplate(t)
	base := listItems(1000)
	prev, err := ct.Render(&listData{User: "ana", Items: base})
	require.NoError(t, err)
	for _, e := range listPageEdits {
		next, err := ct.Render(&listData{User: "ana", Items: e.edit(base)})
		require.NoError(t, err)
		assert.Equal(t, want[e.name], string(applyJSON(t, prev, next)), e.name)
	}
}

func TestPatchDuplicateItems(t *testing.T) {
	tests := []struct {
		name string
		src  string
	}{
		{name: "content", src: `{{range .}}<i>{{.Title}}</i>{{end}}`},
		{name: "duplicate keys", src: `{{range .}}<i data-key="{{.ID}}">{{.Title}}</i>{{end}}`},
	}
	a, b, c := row{ID: 1, Title: "a"}, row{ID: 2, Title: "b"}, row{ID: 1, Title: "c"}
	steps := []any{
		[]row{a, a, b, a}, []row{a, b, a, a}, []row{b, a}, []row{a, a, a, a}, []row{c, a, c, b}, []row{b, c, a, c}, []row{a}, []row{c, c},
	}
	for _, tc := range tests {
		t.Run(tc.name, func(t *testing.T) {
			runCase(t, nil, steps, tc.src)
		})
	}
}

// applySafely applies a patch, turning a panic into a test failure.
func applySafely(tb testing.TB, tree *Tree, patch string) (out *Tree, err error) {
	tb.Helper()
	defer func() {
		if r := recover(); r != nil {
			tb.Errorf("Apply(%s) panicked: %v", patch, r)
			out, err = nil, fmt.Errorf("panic: %v", r)
		}
	}()
	return tree.Apply([]byte(patch))
}

func TestApplyRejectsMalformedPatches(t *testing.T) {
	const src = `<p>{{.T}}</p>{{if .B}}<b>{{.T}}</b>{{end}}<ul>{{range .L}}<li>{{.}}</li>{{end}}</ul>`
	ct := mustCompile(t, nil, src)
	server := render(t, ct, src, kv("T", "x", "B", true, "L", []string{"a", "b", "c"}))
	tree, err := ParseTree(mustJSON(t, server))
	require.NoError(t, err)
	bID := strconv.Itoa(int(server.root.dyns[1].node.st.id))
	before := string(mustJSON(t, tree))

	tests := []struct {
		name  string
		patch string
	}{
		{name: "not JSON", patch: `{`},
		{name: "empty input", patch: ``},
		{name: "array", patch: `[]`},
		{name: "string", patch: `"x"`},
		{name: "null", patch: `null`},
		{name: "unknown statics id", patch: `{"1":{"s":999,"0":"x"}}`},
		{name: "unknown statics id for a node without dynamics", patch: `{"1":999}`},
		{name: "statics id a string", patch: `{"1":{"s":"1"}}`},
		{name: "statics id negative", patch: `{"1":{"s":-1}}`},
		{name: "statics id fractional", patch: `{"1":{"s":1.5}}`},
		{name: "statics id too large", patch: `{"1":{"s":99999999999}}`},
		{name: "index past the end", patch: `{"7":"x"}`},
		{name: "negative index", patch: `{"-1":"x"}`},
		{name: "index with leading zero", patch: `{"01":"x"}`},
		{name: "index not a number", patch: `{"a":"x"}`},
		{name: "table below the root", patch: `{"1":{"p":{}}}`},
		{name: "copy past the end", patch: `{"2":[4]}`},
		{name: "drop past the end", patch: `{"2":[-4]}`},
		{name: "copy then drop past the end", patch: `{"2":[2,-2]}`},
		{name: "copy zero", patch: `{"2":[0]}`},
		{name: "copy negative zero", patch: `{"2":[-0]}`},
		{name: "fractional copy", patch: `{"2":[0.5]}`},
		{name: "exponent copy", patch: `{"2":[1e400]}`},
		{name: "patch at the cursor past the end", patch: `{"2":[3,[{"0":"x"}]]}`},
		{name: "new item with too many dynamics", patch: `{"2":[["x","y"]]}`},
		{name: "new item with too few dynamics", patch: `{"2":[[]]}`},
		{name: "copy from past the end", patch: `{"2":[[3,1]]}`},
		{name: "copy run too long", patch: `{"2":[[0,4]]}`},
		{name: "copy from negative index", patch: `{"2":[[-1,1]]}`},
		{name: "copy negative count", patch: `{"2":[[0,-1]]}`},
		{name: "copy zero count", patch: `{"2":[[0,0]]}`},
		{name: "copy count overflows", patch: `{"2":[[1,9223372036854775807]]}`},
		{name: "copy count too large for int", patch: `{"2":[[1,92233720368547758070]]}`},
		{name: "patch item past the end", patch: `{"2":[[9,{"0":"x"}]]}`},
		{name: "operation of three", patch: `{"2":[[0,1,2]]}`},
		{name: "operation is a string", patch: `{"2":["x"]}`},
		{name: "operation is null", patch: `{"2":[null]}`},
		{name: "fractional index", patch: `{"2":[[0.5,1]]}`},
		{name: "exponent index", patch: `{"2":[[1e400,1]]}`},
		{name: "string index", patch: `{"2":[["0",1]]}`},
		{name: "string count", patch: `{"2":[[0,"1"]]}`},
		{name: "new item missing a dynamic", patch: `{"2":[{}]}`},
		{name: "range patch on text", patch: `{"0":[]}`},
		{name: "range patch on node", patch: `{"1":[]}`},
		{name: "node patch on text", patch: `{"0":{"0":"x"}}`},
		{name: "node patch on range", patch: `{"2":{"0":"x"}}`},
		{name: "node without dynamics has some", patch: `{"0":` + bID + `}`},
		{name: "dynamic is a fraction", patch: `{"0":0.5}`},
		{name: "dynamic is null", patch: `{"0":null}`},
		{name: "dynamic is a bool", patch: `{"0":true}`},
		{name: "dynamic is an array", patch: `{"0":[]}`},
		{name: "complete node missing a dynamic", patch: `{"1":{"s":` + bID + `}}`},
		{name: "statics empty", patch: `{"1":{"s":[]}}`},
		{name: "static not a string", patch: `{"1":{"s":[1]}}`},
		{name: "table not an object", patch: `{"p":[]}`},
		{name: "table entry not an array", patch: `{"p":{"0":"y"}}`},
		{name: "table key not an id", patch: `{"p":{"x":["a"]}}`},
		{name: "table key with leading zero", patch: `{"p":{"01":["a"]}}`},
		{name: "range items not an array", patch: `{"2":{"r":{}}}`},
		{name: "range item not an object", patch: `{"2":{"r":[1]}}`},
		{name: "range item without statics", patch: `{"2":{"r":[{"0":"x"}]}}`},
		{name: "range item array without statics", patch: `{"2":{"r":[["x"]]}}`},
		{name: "nested error deep in items", patch: `{"2":[[0,{"0":{"0":"x"}}]]}`},
		{name: "deeply nested", patch: strings.Repeat(`{"1":`, 20000) + `"x"` + strings.Repeat(`}`, 20000)},
	}
	for _, tc := range tests {
		t.Run(tc.name, func(t *testing.T) {
			got, err := applySafely(t, tree, tc.patch)
			assert.ErrorIs(t, err, ErrProtocol)
			assert.Nil(t, got)
			assert.Equal(t, before, string(mustJSON(t, tree)), "the receiver must not change")
			_, err = ParseTree([]byte(tc.patch))
			assert.Error(t, err, "ParseTree")
		})
	}
}

// TestApplyRejectsTrailingData: a message is one JSON object; bytes after it
// make it invalid JSON, which Apply and ParseTree must reject like any other
// malformed message.
func TestApplyRejectsTrailingData(t *testing.T) {
	const src = `<p>{{.}}</p>`
	ct := mustCompile(t, nil, src)
	tree := render(t, ct, src, "x")
	full := string(mustJSON(t, tree))
	for _, patch := range []string{`{}}`, `{} {}`, `{"0":"y"} garbage`, `{"0":"y"}]`} {
		_, err := applySafely(t, tree, patch)
		assert.ErrorIs(t, err, ErrProtocol, "Apply(%s)", patch)
	}
	for _, msg := range []string{full + "}", full + " x", full + full} {
		_, err := ParseTree([]byte(msg))
		assert.ErrorIs(t, err, ErrProtocol, "ParseTree(%s)", msg)
	}
}

func TestParseTreeRejectsMalformedTrees(t *testing.T) {
	for _, msg := range []string{
		``, `null`, `[]`, `{}`, `{"s":0}`,
		`{"p":{"0":["a","b"]},"s":0}`,
		`{"s":["a","b"],"0":{"r":[{"0":"x"}]}}`,
		`{"s":["a","b"],"0":{"s":["c","d"],"r":[{}]}}`,
		`{"s":["a","b"],"0":{"s":["c","d"],"r":[[]]}}`,
		`{"s":["a","b"],"0":{"s":["c","d"],"r":[["x","y"]]}}`,
		`{"s":["a","b"],"0":{"r":[["x"]]}}`,
		`{"s":["a","b"],"0":{"s":["c","d"],"r":["x"]}}`,
	} {
		tree, err := ParseTree([]byte(msg))
		assert.ErrorIs(t, err, ErrProtocol, "ParseTree(%s)", msg)
		assert.Nil(t, tree)
	}
	// Inline statics are allowed (docs/protocol.md §1.3).
	tree, err := ParseTree([]byte(`{"s":["<p>","</p>"],"0":{"s":["a","b","c"],"0":"1","1":{"r":[]}}}`))
	require.NoError(t, err)
	assert.Equal(t, "<p>a1bc</p>", tree.HTML())
}

func TestApplyDoesNotModifyReceiver(t *testing.T) {
	const src = `<h1>{{.Title}}</h1>{{if .On}}<b>{{.Title}}</b>{{else}}<i>off</i>{{end}}<ul>{{range .Items}}<li data-key="{{.ID}}">{{.Title}}{{if .Done}} ✓{{end}}</li>{{end}}</ul>`
	ct := mustCompile(t, nil, src)
	states := []any{
		kv("Title", "a", "On", true, "Items", rows(5)),
		kv("Title", "b", "On", true, "Items", slices.Concat(rows(5)[1:], []row{{ID: 9, Title: "new", Done: true}})),
		kv("Title", "b", "On", false, "Items", []row{}),
		kv("Title", "c", "On", true, "Items", rows(3)),
	}
	trees := make([]*Tree, len(states))
	for i, d := range states {
		trees[i] = render(t, ct, src, d)
	}
	for i := range trees {
		for j := range trees {
			prevServer := trees[i]
			client, err := ParseTree(mustJSON(t, prevServer))
			require.NoError(t, err)
			clientJSON, serverJSON := string(mustJSON(t, client)), string(mustJSON(t, prevServer))
			clientHTML := client.HTML()
			patch := mustJSON(t, Diff(prevServer, trees[j]))
			for range 2 { // the same patch applies twice to the same tree
				got, err := client.Apply(patch)
				require.NoError(t, err)
				assert.Equal(t, trees[j].HTML(), got.HTML())
				got, err = prevServer.Apply(patch) // the server's tree is a client too
				require.NoError(t, err)
				assert.Equal(t, trees[j].HTML(), got.HTML())
			}
			assert.Equal(t, clientJSON, string(mustJSON(t, client)), "client tree changed by Apply")
			assert.Equal(t, clientHTML, client.HTML())
			assert.Equal(t, serverJSON, string(mustJSON(t, prevServer)), "server tree changed by Apply")
			// A failing patch leaves it alone too.
			_, err = client.Apply([]byte(`{"0":"changed","2":[[0,1000]]}`))
			require.ErrorIs(t, err, ErrProtocol)
			assert.Equal(t, clientJSON, string(mustJSON(t, client)))
		}
	}
}
