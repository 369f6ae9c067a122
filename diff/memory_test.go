package diff

import (
	"html/template"
	"math/rand/v2"
	"runtime"
	"testing"
)

// counterPage is the smallest live page worth having: one dynamic.
const counterPage = `<!DOCTYPE html><html><body><h1>Counter</h1><p>Count: {{.Count}}</p>` +
	`<button lvt-click="inc">+</button>{{if .Note}}<em>{{.Note}}</em>{{end}}</body></html>`

// retainedPerTree returns the heap kept alive by each of n trees made by
// render, measured with runtime.ReadMemStats after a GC.
func retainedPerTree(tb testing.TB, n int, render func(i int) *Tree) float64 {
	tb.Helper()
	kept := make([]*Tree, n)
	var before, after runtime.MemStats
	runtime.GC()
	runtime.ReadMemStats(&before)
	for i := range kept {
		kept[i] = render(i)
	}
	runtime.GC()
	runtime.ReadMemStats(&after)
	runtime.KeepAlive(kept)
	return float64(int64(after.HeapAlloc)-int64(before.HeapAlloc)) / float64(n)
}

// TestRetainedTreeSize checks that a kept tree of a small page costs what its
// content needs (a few hundred bytes), not a fixed allocation per render.
func TestRetainedTreeSize(t *testing.T) {
	ct, err := Compile(template.Must(template.New("counter").Parse(counterPage)))
	if err != nil {
		t.Fatal(err)
	}
	// Warm the template up, including with a bigger render, as a server does.
	for i := range 3 {
		if _, err := ct.Render(map[string]any{"Count": i, "Note": "first"}); err != nil {
			t.Fatal(err)
		}
	}
	per := retainedPerTree(t, 1000, func(i int) *Tree {
		tree, err := ct.Render(map[string]any{"Count": i})
		if err != nil {
			t.Fatal(err)
		}
		return tree
	})
	t.Logf("retained heap per kept counter tree: %.0f B", per)
	if per > 512 {
		t.Errorf("a kept counter tree retains %.0f B, want at most 512 B", per)
	}
}

// TestRetainedTreeSizeAfterBigRender checks that a small render after a big
// one (the size hint then overestimates) does not retain the big one's slabs.
func TestRetainedTreeSizeAfterBigRender(t *testing.T) {
	const src = `<ul>{{range .}}<li class="{{if .}}x{{end}}">{{.}}</li>{{end}}</ul>`
	ct, err := Compile(template.Must(template.New("list").Parse(src)))
	if err != nil {
		t.Fatal(err)
	}
	big := make([]int, 1000)
	per := retainedPerTree(t, 1000, func(i int) *Tree {
		if _, err := ct.Render(big); err != nil { // the hint is now 1000 items
			t.Fatal(err)
		}
		tree, err := ct.Render([]int{i})
		if err != nil {
			t.Fatal(err)
		}
		return tree
	})
	t.Logf("retained heap per kept one-item tree after a 1000-item render: %.0f B", per)
	if per > 1024 {
		t.Errorf("a kept one-item tree retains %.0f B, want at most 1 KiB", per)
	}
}

// BenchmarkRetainedTree reports the heap each kept tree retains, for the
// counter page and for the 1000-row benchmark page.
func BenchmarkRetainedTree(b *testing.B) {
	ct, err := Compile(template.Must(template.New("counter").Parse(counterPage)))
	if err != nil {
		b.Fatal(err)
	}
	_, page := mustBenchTemplate(b)
	data := benchPageData(benchItems(1000))
	// A page after 200 distinct one-item edits, each rendered from the
	// previous tree: what it keeps includes every earlier render's part
	// it still shares.
	edited := func(i int) *Tree {
		e := &oneItemEdits{r: rand.New(rand.NewPCG(uint64(i), 16)), nextID: 10_000}
		items := benchItems(1000)
		t, _ := page.Render(benchPageData(items))
		for range 200 {
			items = e.next(items)
			t, _ = page.RenderFrom(t, benchPageData(items))
		}
		return t
	}
	cases := []struct {
		name string
		n    int
		fn   func(i int) *Tree
	}{
		{"counter", 1000, func(i int) *Tree { t, _ := ct.Render(map[string]any{"Count": i}); return t }},
		{"page1000", 20, func(int) *Tree { t, _ := page.Render(data); return t }},
		{"page1000-edited", 10, edited},
	}
	for _, c := range cases {
		b.Run(c.name, func(b *testing.B) {
			var per float64
			for b.Loop() {
				per = retainedPerTree(b, c.n, c.fn)
			}
			b.ReportMetric(per, "B/tree")
		})
	}
}
