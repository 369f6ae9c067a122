package diff

import (
	"bytes"
	"fmt"
	"html/template"
	"io"
	"slices"
	"testing"
	"time"
)

// benchPage is a realistic page: a header, a form and a 1000-row table whose
// rows hold text, attributes, URLs, a conditional class and a nested template.
const benchPage = `<!DOCTYPE html>
<html><head><title>{{.Title}} ({{len .Items}})</title></head>
<body>
<header><h1>{{.Title}}</h1><p>Signed in as {{.User}}</p></header>
<form><input name="q" value="{{.Query}}"><button>Search</button></form>
<table>
{{range .Items}}{{template "row" .}}{{end}}
</table>
<footer>{{len .Items}} items, {{.Done}} done</footer>
</body></html>
{{define "row"}}<tr data-key="{{.ID}}" class="{{if .Done}}done{{else}}open{{end}}">
<td><input type="checkbox" {{if .Done}}checked{{end}}></td>
<td><a href="/items/{{.ID}}?from={{.Owner}}">{{.Title}}</a></td>
<td title="{{.Owner}}">{{.Owner}}</td><td>{{.Priority}}</td></tr>
{{end}}`

type benchItem struct {
	ID       int
	Title    string
	Owner    string
	Priority int
	Done     bool
}

type benchData struct {
	Title, User, Query string
	Items              []benchItem
	Done               int
}

func benchItems(n int) []benchItem {
	items := make([]benchItem, n)
	for i := range items {
		items[i] = benchItem{ID: i + 1, Title: fmt.Sprintf("Task number %d & more <text>", i+1),
			Owner: fmt.Sprintf("user%d@example.com", i%17), Priority: i % 5, Done: i%3 == 0}
	}
	return items
}

func benchPageData(items []benchItem) *benchData {
	return &benchData{Title: "Tasks", User: "ana", Query: "x", Items: items, Done: len(items) / 3}
}

func mustBenchTemplate(tb testing.TB) (*template.Template, *Template) {
	tb.Helper()
	t := template.Must(template.New("page").Parse(benchPage))
	ct, err := Compile(t)
	if err != nil {
		tb.Fatal(err)
	}
	return t, ct
}

// listEdits are the four list edits whose patch sizes docs/benchmarks.md
// reports, each applied to 1000 items.
var listEdits = []struct {
	name string
	edit func([]benchItem) []benchItem
}{
	{"edit", func(it []benchItem) []benchItem {
		it = slices.Clone(it)
		it[500].Title = "Edited title"
		return it
	}},
	{"prepend", func(it []benchItem) []benchItem {
		return append([]benchItem{{ID: 5000, Title: "New task", Owner: "ana@example.com"}}, it...)
	}},
	{"remove", func(it []benchItem) []benchItem {
		return slices.Delete(slices.Clone(it), 500, 501)
	}},
	{"move", func(it []benchItem) []benchItem {
		it = slices.Clone(it)
		m := it[100]
		it = slices.Delete(it, 100, 101)
		return slices.Insert(it, 900, m)
	}},
}

// BenchmarkPage compares plain Execute of a 1000-row page with what a live
// update costs: render the new state, diff it against the previous tree and
// encode the patch (one row edited).
func BenchmarkPage(b *testing.B) {
	t, ct := mustBenchTemplate(b)
	base := benchItems(1000)
	states := [2]*benchData{benchPageData(base), benchPageData(listEdits[0].edit(base))}
	b.Run("Execute", func(b *testing.B) {
		b.ReportAllocs()
		var buf bytes.Buffer
		i := 0
		for b.Loop() {
			buf.Reset()
			if err := t.Execute(&buf, states[i&1]); err != nil {
				b.Fatal(err)
			}
			i++
		}
		b.ReportMetric(float64(buf.Len()), "page-B")
	})
	b.Run("RenderDiffJSON", func(b *testing.B) {
		b.ReportAllocs()
		prev, err := ct.Render(states[0])
		if err != nil {
			b.Fatal(err)
		}
		i := 1
		n := 0
		for b.Loop() {
			next, err := ct.Render(states[i&1])
			if err != nil {
				b.Fatal(err)
			}
			js, _ := Diff(prev, next).MarshalJSON()
			n = len(js)
			prev = next
			i++
		}
		b.ReportMetric(float64(n), "patch-B")
	})
}

// BenchmarkRatio runs Execute and render+diff+encode alternately in one loop
// and reports their time ratio, so both see the same machine load.
func BenchmarkRatio(b *testing.B) {
	t, ct := mustBenchTemplate(b)
	base := benchItems(1000)
	states := [2]*benchData{benchPageData(base), benchPageData(listEdits[0].edit(base))}
	prev, err := ct.Render(states[0])
	if err != nil {
		b.Fatal(err)
	}
	var exec, live time.Duration
	i := 1
	for b.Loop() {
		s := states[i&1]
		start := time.Now()
		if err := t.Execute(io.Discard, s); err != nil {
			b.Fatal(err)
		}
		mid := time.Now()
		next, err := ct.Render(s)
		if err != nil {
			b.Fatal(err)
		}
		if _, err := Diff(prev, next).MarshalJSON(); err != nil {
			b.Fatal(err)
		}
		live += time.Since(mid)
		exec += mid.Sub(start)
		prev = next
		i++
	}
	b.ReportMetric(float64(live)/float64(exec), "live/execute")
}

// BenchmarkListEdit reports, for each list edit, the patch size next to the
// full page and the size of one row, and times diff+encode alone.
func BenchmarkListEdit(b *testing.B) {
	_, ct := mustBenchTemplate(b)
	base := benchItems(1000)
	prev, err := ct.Render(benchPageData(base))
	if err != nil {
		b.Fatal(err)
	}
	full, _ := prev.MarshalJSON()
	for _, e := range listEdits {
		b.Run(e.name, func(b *testing.B) {
			next, err := ct.Render(benchPageData(e.edit(base)))
			if err != nil {
				b.Fatal(err)
			}
			var p []byte
			for b.Loop() {
				p, _ = Diff(prev, next).MarshalJSON()
			}
			b.ReportMetric(float64(len(p)), "patch-B")
			b.ReportMetric(float64(len(next.HTML())), "page-B")
			b.ReportMetric(float64(len(full)), "tree-B")
		})
	}
}

// listPage is the page of issue 11: a 1000-item list whose items hold an
// id, a conditional class, a URL with the title in its query, and the title.
const listPage = `<!DOCTYPE html><html><body><h1>Hello, {{.User}}!</h1>
<ul>{{range .Items}}<li id="item-{{.ID}}" class="{{if .Done}}done{{else}}open{{end}}"><a href="/items/{{.ID}}?q={{.Title}}">{{.Title}}</a></li>{{end}}</ul>
<footer>{{len .Items}} items</footer></body></html>`

type listItem struct {
	ID    int
	Title string
	Done  bool
}

type listData struct {
	User  string
	Items []listItem
}

func listItems(n int) []listItem {
	items := make([]listItem, n)
	for i := range items {
		items[i] = listItem{ID: i + 1, Title: fmt.Sprintf("task %d", i+1), Done: (i+1)%3 == 0}
	}
	return items
}

// listPageEdits are the three edits of issue 11 on 1000 items, with the
// patch size each must not exceed.
var listPageEdits = []struct {
	name string
	max  int
	edit func([]listItem) []listItem
}{
	{"edit", 53, func(it []listItem) []listItem {
		it = slices.Clone(it)
		it[500].Title += "!"
		return it
	}},
	{"prepend", 91, func(it []listItem) []listItem {
		return append([]listItem{{ID: 5000, Title: "new task"}}, it...)
	}},
	{"remove", 29, func(it []listItem) []listItem {
		return slices.Delete(slices.Clone(it), 500, 501)
	}},
}

func mustListTemplate(tb testing.TB) (*template.Template, *Template) {
	tb.Helper()
	t := template.Must(template.New("list").Parse(listPage))
	ct, err := Compile(t)
	if err != nil {
		tb.Fatal(err)
	}
	return t, ct
}

// BenchmarkListPage is BenchmarkPage and BenchmarkListEdit for listPage:
// Execute against render+diff+encode of one edited item, their ratio in
// one loop, and the size of each edit's patch.
func BenchmarkListPage(b *testing.B) {
	t, ct := mustListTemplate(b)
	base := listItems(1000)
	states := [2]*listData{{User: "ana", Items: base}, {User: "ana", Items: listPageEdits[0].edit(base)}}
	b.Run("Ratio", func(b *testing.B) {
		b.ReportAllocs()
		prev, err := ct.Render(states[0])
		if err != nil {
			b.Fatal(err)
		}
		var exec, live time.Duration
		i := 1
		for b.Loop() {
			s := states[i&1]
			start := time.Now()
			if err := t.Execute(io.Discard, s); err != nil {
				b.Fatal(err)
			}
			mid := time.Now()
			next, err := ct.Render(s)
			if err != nil {
				b.Fatal(err)
			}
			if _, err := Diff(prev, next).MarshalJSON(); err != nil {
				b.Fatal(err)
			}
			live += time.Since(mid)
			exec += mid.Sub(start)
			prev = next
			i++
		}
		b.ReportMetric(float64(live)/float64(exec), "live/execute")
	})
	prev, err := ct.Render(states[0])
	if err != nil {
		b.Fatal(err)
	}
	for _, e := range listPageEdits {
		b.Run(e.name, func(b *testing.B) {
			next, err := ct.Render(&listData{User: "ana", Items: e.edit(base)})
			if err != nil {
				b.Fatal(err)
			}
			var p []byte
			for b.Loop() {
				p, _ = Diff(prev, next).MarshalJSON()
			}
			b.ReportMetric(float64(len(p)), "patch-B")
		})
	}
}
