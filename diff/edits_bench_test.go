package diff

import (
	"fmt"
	"html/template"
	"io"
	"math/rand/v2"
	"slices"
	"testing"
	"time"
)

// editPages are the two pages of the one-item edit benchmarks, each with a
// way to make its data from a list of items.
var editPages = []struct {
	name string
	src  string
	data func(items []benchItem) any
}{
	{"benchPage", benchPage, func(items []benchItem) any { return benchPageData(items) }},
	{"listPage", listPage, func(items []benchItem) any {
		l := make([]listItem, len(items))
		for i, it := range items {
			l[i] = listItem{ID: it.ID, Title: it.Title, Done: it.Done}
		}
		return &listData{User: "ana", Items: l}
	}},
}

// oneItemEdits makes a sequence of distinct one-item edits of a list: the
// fields of one item change, an item is inserted, one is removed, one is
// moved, in turn, at random places. Each step is a fresh copy, as a store's
// copy-on-write copy is: unchanged items keep their strings.
type oneItemEdits struct {
	r      *rand.Rand
	step   int
	nextID int
}

func (e *oneItemEdits) next(items []benchItem) []benchItem {
	items = slices.Clone(items)
	n := len(items)
	e.step++
	switch e.step % 4 {
	case 0:
		i := e.r.IntN(n)
		items[i].Title = fmt.Sprintf("Edited title %d", e.step)
		items[i].Done = !items[i].Done
	case 1:
		e.nextID++
		items = slices.Insert(items, e.r.IntN(n+1), benchItem{ID: e.nextID, Title: fmt.Sprintf("New task %d", e.step),
			Owner: "ana@example.com", Priority: e.step % 5})
	case 2:
		i := e.r.IntN(n)
		items = slices.Delete(items, i, i+1)
	case 3:
		i, j := e.r.IntN(n), e.r.IntN(n)
		it := items[i]
		items = slices.Delete(items, i, i+1)
		items = slices.Insert(items, j, it)
	}
	return items
}

// BenchmarkOneItemEdits runs distinct one-item edits of benchPage and
// listPage at 1,000, 10,000 and 100,000 items. Each step times Execute of
// the new data and the live path (RenderFrom the previous tree, Diff,
// MarshalJSON) in the same loop, and reports the ratio of their total
// times.
func BenchmarkOneItemEdits(b *testing.B) {
	for _, page := range editPages {
		for _, n := range []int{1000, 10_000, 100_000} {
			b.Run(fmt.Sprintf("%s/%d", page.name, n), func(b *testing.B) {
				b.ReportAllocs()
				t := template.Must(template.New("page").Parse(page.src))
				ct, err := Compile(t)
				if err != nil {
					b.Fatal(err)
				}
				e := &oneItemEdits{r: rand.New(rand.NewPCG(uint64(n), 16)), nextID: 10 * n}
				items := benchItems(n)
				prev, err := ct.Render(page.data(items))
				if err != nil {
					b.Fatal(err)
				}
				var exec, live time.Duration
				patch := 0
				for b.Loop() {
					items = e.next(items)
					data := page.data(items)
					start := time.Now()
					if err := t.Execute(io.Discard, data); err != nil {
						b.Fatal(err)
					}
					mid := time.Now()
					next, err := ct.RenderFrom(prev, data)
					if err != nil {
						b.Fatal(err)
					}
					js, err := Diff(prev, next).MarshalJSON()
					if err != nil {
						b.Fatal(err)
					}
					live += time.Since(mid)
					exec += mid.Sub(start)
					patch += len(js)
					prev = next
				}
				b.ReportMetric(float64(live)/float64(exec), "live/execute")
				b.ReportMetric(float64(patch)/float64(b.N), "patch-B")
			})
		}
	}
}

// BenchmarkOneItemEditsLive is the live path of BenchmarkOneItemEdits alone
// (1000 items), for profiling.
func BenchmarkOneItemEditsLive(b *testing.B) {
	for _, page := range editPages {
		b.Run(page.name, func(b *testing.B) {
			b.ReportAllocs()
			ct, err := Compile(template.Must(template.New("page").Parse(page.src)))
			if err != nil {
				b.Fatal(err)
			}
			e := &oneItemEdits{r: rand.New(rand.NewPCG(1000, 16)), nextID: 10_000}
			items := benchItems(1000)
			// The states are made before timing, in a cycle long enough
			// that every step is a distinct edit.
			states := make([]any, 256)
			for i := range states {
				items = e.next(items)
				states[i] = page.data(items)
			}
			prev, err := ct.Render(states[len(states)-1])
			if err != nil {
				b.Fatal(err)
			}
			i := 0
			for b.Loop() {
				next, err := ct.RenderFrom(prev, states[i%len(states)])
				if err != nil {
					b.Fatal(err)
				}
				if _, err := Diff(prev, next).MarshalJSON(); err != nil {
					b.Fatal(err)
				}
				prev = next
				i++
			}
		})
	}
}
