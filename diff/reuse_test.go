package diff

import (
	"fmt"
	"html/template"
	"maps"
	"math"
	"math/rand/v2"
	"reflect"
	"slices"
	"strings"
	"sync"
	"sync/atomic"
	"testing"
	"time"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"
)

// The tests of this file check the reuse of range items (loop.go, reuse.go)
// where it is most likely to go wrong: data reached through pointers and
// interfaces that change between renders, data changed in place, methods
// whose result the data does not show, and bodies that read more than
// their item.

type rOwner struct {
	Name string
	Age  int
}

type rItem struct {
	ID    int
	Title string
	Done  bool
	Tags  []string
	Owner *rOwner
	Any   any
	M     map[string]int
	Arr   [2]int8
	F     float64
}

// rWrap holds a pointer: printing it shows the pointer's address.
type rWrap struct{ P *rOwner }

// rZone is read by rClock's methods: state the data does not show. Tests
// that change it run one step at a time (no t.Parallel).
var rZone atomic.Pointer[string]

func zone() string {
	if z := rZone.Load(); z != nil {
		return *z
	}
	return ""
}

// rClock prints the zone through a String method.
type rClock struct{ N int }

func (c rClock) String() string { return fmt.Sprintf("%d@%s", c.N, zone()) }

// rLabel has a method a template calls as a field.
type rLabel struct{ Text string }

func (l rLabel) Label() string { return l.Text + "/" + zone() }

type rState struct {
	Title  string
	Zone   string
	Items  []rItem
	Ptrs   []*rItem // shared with the previous state: edited in place
	Anys   []any
	Labels []rLabel
	Var    any // a slice, an array, a map, a channel-free nothing…
	Arr    [3]rOwner
	Fn     func(string) string
}

// clone copies the state; Ptrs keeps pointing at the same items, which
// edits then change in place.
func (s rState) clone() rState {
	c := s
	c.Items = slices.Clone(s.Items)
	for i := range c.Items {
		c.Items[i].Tags = slices.Clone(c.Items[i].Tags)
		c.Items[i].M = maps.Clone(c.Items[i].M)
	}
	c.Ptrs = slices.Clone(s.Ptrs)
	c.Anys = slices.Clone(s.Anys)
	c.Labels = slices.Clone(s.Labels)
	return c
}

// reuseEditor applies random edits to an rState.
type reuseEditor struct {
	r      chooser
	nextID int
}

func (e *reuseEditor) word() string { return propWords[e.r.IntN(len(propWords))] }

func (e *reuseEditor) item() rItem {
	e.nextID++
	it := rItem{ID: e.nextID, Title: e.word(), Done: e.r.IntN(2) == 0, F: float64(e.r.IntN(3)) - 1}
	if e.r.IntN(2) == 0 {
		it.Owner = &rOwner{Name: e.word(), Age: e.r.IntN(3)}
	}
	it.Any = e.anyValue()
	if e.r.IntN(3) == 0 {
		it.M = map[string]int{"a": e.r.IntN(2), "b": e.r.IntN(2)}
	}
	for range e.r.IntN(3) {
		it.Tags = append(it.Tags, propTags[e.r.IntN(len(propTags))])
	}
	return it
}

// anyValue returns values of changing dynamic types, some of which run
// code when printed.
func (e *reuseEditor) anyValue() any {
	switch e.r.IntN(10) {
	case 0:
		return nil
	case 9:
		return rWrap{P: &rOwner{Name: e.word()}}
	case 1:
		return e.word()
	case 2:
		return e.r.IntN(3)
	case 3:
		return &rOwner{Name: e.word()}
	case 4:
		return []string{e.word()}
	case 5:
		return rClock{N: e.r.IntN(2)}
	case 6:
		return map[string]any{"k": e.word()}
	case 7:
		return rOwner{Name: e.word(), Age: 1}
	default:
		return math.Copysign(0, float64(e.r.IntN(2))-0.5) // 0 or -0: equal, printed differently
	}
}

func (e *reuseEditor) edit(s rState) rState {
	s = s.clone()
	switch op := e.r.IntN(16); {
	case op < 5:
		s.Items = e.editItems(s.Items)
	case op < 7: // in place, through the pointers the previous state shares
		if len(s.Ptrs) == 0 || e.r.IntN(4) == 0 {
			it := e.item()
			s.Ptrs = slices.Insert(s.Ptrs, e.r.IntN(len(s.Ptrs)+1), &it)
			break
		}
		p := s.Ptrs[e.r.IntN(len(s.Ptrs))]
		switch e.r.IntN(4) {
		case 0:
			p.Title = e.word()
		case 1:
			if p.Owner != nil {
				p.Owner.Age++ // deeper, still in place
			} else {
				p.Owner = &rOwner{Name: "new"}
			}
		case 2:
			p.Any = e.anyValue()
		default:
			p.Tags = append(p.Tags, "x")
		}
	case op < 9:
		if len(s.Anys) == 0 || e.r.IntN(3) == 0 {
			s.Anys = slices.Insert(s.Anys, e.r.IntN(len(s.Anys)+1), e.anyValue())
		} else {
			s.Anys[e.r.IntN(len(s.Anys))] = e.anyValue()
		}
	case op < 10:
		s.Zone = e.word() // outer data and the methods' hidden state
	case op < 11:
		s.Title = e.word()
	case op < 12:
		if len(s.Labels) < 3 || e.r.IntN(2) == 0 {
			s.Labels = append(s.Labels, rLabel{Text: e.word()})
		} else {
			s.Labels = s.Labels[1:]
		}
	case op < 13:
		switch e.r.IntN(5) {
		case 0:
			s.Var = []string{e.word(), e.word()}
		case 1:
			s.Var = [2]rOwner{{Name: e.word()}, {Name: e.word()}}
		case 2:
			s.Var = map[string]string{"x": e.word()}
		case 3:
			s.Var = nil
		default:
			s.Var = []any{e.word(), e.r.IntN(2), nil}
		}
	case op < 14:
		s.Arr[e.r.IntN(3)].Name = e.word()
	default: // the same content behind new pointers: addresses differ
		for i := range s.Items {
			if o := s.Items[i].Owner; o != nil {
				c := *o
				s.Items[i].Owner = &c
			}
			if w, ok := s.Items[i].Any.(rWrap); ok {
				c := *w.P
				s.Items[i].Any = rWrap{P: &c}
			}
		}
		for i, a := range s.Anys {
			if w, ok := a.(rWrap); ok {
				c := *w.P
				s.Anys[i] = rWrap{P: &c}
			}
		}
	}
	return s
}

func (e *reuseEditor) editItems(items []rItem) []rItem {
	n := len(items)
	switch op := e.r.IntN(8); {
	case op < 3 || n == 0:
		return slices.Insert(items, e.r.IntN(n+1), e.item())
	case op < 4:
		i := e.r.IntN(n)
		return slices.Delete(items, i, i+1)
	case op < 5:
		i, j := e.r.IntN(n), e.r.IntN(n)
		it := items[i]
		items = slices.Delete(items, i, i+1)
		return slices.Insert(items, j, it)
	case op < 6:
		i := e.r.IntN(n)
		items[i].Title = e.word()
		items[i].Done = !items[i].Done
	case op < 7:
		i := e.r.IntN(n)
		items[i].Any = e.anyValue()
		items[i].F = -items[i].F
		items[i].Arr[e.r.IntN(2)]++
	default:
		i := e.r.IntN(n)
		return slices.Insert(items, e.r.IntN(n+1), items[i]) // a duplicate
	}
	return items
}

// reuseTemplates cover bodies that may be converted and bodies that must
// not be, each next to data that would show a wrong reuse.
type reuseTemplate struct {
	name    string
	src     string
	convert bool // whether some range of it should be converted
	// builtins: compiled with Options{FuncsKnown: true}, so that bodies may
	// call builtins.
	builtins bool
}

var reuseTemplates = []reuseTemplate{
	{name: "pure keyed items", convert: true, src: `<ul>{{range .Items}}<li data-key="{{.ID}}" class="{{if .Done}}done{{end}}">{{.Title}}{{range .Tags}}<b>{{.}}</b>{{end}}{{with .Owner}}<i>{{.Name}} {{.Age}}</i>{{end}}{{.F}} {{.Arr}}{{with .M}} {{.a}}{{end}}</li>{{end}}</ul>`},
	{name: "whole item printed (pointer addresses show)", convert: true, src: `{{range .Items}}<p>{{.}}</p>{{end}}`},
	{name: "items through pointers, changed in place", convert: true, src: `{{range .Ptrs}}<p title="{{.Title}}">{{.Owner}} {{.Any}} {{.Tags}}</p>{{end}}`},
	{name: "items through interfaces", convert: true, src: `{{range .Anys}}<p>{{.}}</p>{{else}}none{{end}}`},
	{name: "interface field of items", convert: true, src: `<ul>{{range .Items}}<li>{{.Any}}</li>{{end}}</ul><script>var items = [{{range .Items}}{{.Any}}, {{end}}];</script>`},
	{name: "dollar in body", src: `<ul>{{range .Items}}<li>{{$.Title}}: {{.Title}}</li>{{end}}</ul>`},
	{name: "outer variable", src: `{{$z := .Zone}}<ul>{{range .Items}}<li>{{$z}} {{.Title}}</li>{{end}}</ul>`},
	{name: "assigns an outer variable", src: `{{$n := 0}}{{range .Items}}{{$n = .ID}}<i>{{.Title}}</i>{{end}} last {{$n}}`},
	{name: "builtins on outer data", src: `{{range .Items}}<li>{{if eq .Title "stop"}}stop{{end}} {{len .Tags}} {{index $.Items 0}} {{len $.Items}}</li>{{end}}`},
	{name: "break and continue", src: `{{range .Items}}{{if .Done}}{{continue}}{{end}}{{if not .Tags}}{{break}}{{end}}<i>{{.Title}}</i>{{end}}`},
	{name: "range variables", src: `{{range $i, $e := .Items}}<li>{{$i}} {{$e.Title}}</li>{{end}}`},
	{name: "method called as a field", convert: true, src: `{{range .Labels}}<li>{{.Label}} {{.Text}}</li>{{end}}`},
	{name: "stringer reads hidden state", convert: true, src: `{{range .Anys}}<p>{{printf "%v" .}}</p>{{end}}{{range .Anys}}<q>{{.}}</q>{{end}}`},
	{name: "range value of changing kind", convert: true, src: `{{range .Var}}<i>{{.}}</i>{{else}}<i>empty</i>{{end}}`},
	{name: "array of structs", convert: true, src: `{{range .Arr}}<b>{{.Name}}</b>{{end}}{{with .Arr}}{{range .}}[{{.}}]{{end}}{{end}}`},
	{name: "owner printed through with and template", convert: true, src: `{{define "o"}}<i>{{.}}</i>{{end}}{{range .Items}}<p>{{with .Owner}}{{.}}{{end}}{{template "o" .Owner}}{{$o := .Owner}}{{$o}}</p>{{end}}`},
	{name: "addresses printed through with and template", convert: true, src: `{{define "o"}}<i>{{.}}</i>{{end}}{{range .Items}}<p>{{with .Any}}{{.}}{{end}}</p>{{end}}{{range .Items}}{{template "o" .}}{{end}}{{range .Items}}{{$i := .}}{{$i}}{{end}}`},
	{name: "nested pure templates", convert: true, src: `{{define "owner"}}{{with .}}<i>{{.Name}}</i>{{end}}{{end}}{{define "item"}}<li id="{{.ID}}">{{.Title}}{{template "owner" .Owner}}{{range .Tags}}<b>{{.}}</b>{{end}}</li>{{end}}<ul>{{range .Items}}{{template "item" .}}{{end}}</ul><ol>{{range .Ptrs}}{{template "item" .}}{{end}}</ol>`},
	{name: "builtins on the item", convert: true, builtins: true, src: `<ul>{{range .Items}}<li class="{{if eq .Title "stop" "skip"}}x{{else if lt .ID 5}}y{{end}}">{{len .Tags}}{{with .Tags}} {{index . 0}}{{end}} {{index .M "a"}} {{and .Done .Title}} {{or .Title "none"}} {{not .Done}} {{printf "%q" .Title}} {{js .Title}} {{print .F .Arr}}</li>{{end}}</ul>`},
	{name: "printf shows addresses", convert: true, builtins: true, src: `{{range .Items}}<p>{{printf "%p" .Owner}}</p>{{end}}`},
	{name: "eq compares addresses", convert: true, builtins: true, src: `{{range .Items}}<p>{{if eq .Owner .Owner}}same{{end}} {{print .Owner}}</p>{{end}}`},
	{name: "builtins on outer data, trusted", builtins: true, src: `{{range .Items}}<li>{{len $.Items}} {{index $.Items 0}}</li>{{end}}`},
	{name: "call", builtins: true, src: `{{range .Items}}<li>{{if .Owner}}{{call $.Fn .Owner.Name}}{{end}}</li>{{end}}`},
	{name: "body calls an impure template", src: `{{define "t"}}<i>{{.Title}} {{len .Tags}}</i>{{end}}{{range .Items}}{{template "t" .}}{{end}}`},
}

// compileReuse compiles a reuse template with its options.
func compileReuse(tb testing.TB, tc reuseTemplate) *Template {
	tb.Helper()
	ct, err := CompileWith(parseSrc(tb, nil, tc.src), Options{FuncsKnown: tc.builtins})
	require.NoError(tb, err)
	return ct
}

// runReuse drives every reuse template through steps of random edits,
// checking every render and patch against Execute.
func runReuse(t *testing.T, r chooser, steps int, done func() bool) {
	t.Helper()
	sessions := make([]*session, len(reuseTemplates))
	for i, tc := range reuseTemplates {
		sessions[i] = newSession(t, compileReuse(t, tc))
	}
	e := &reuseEditor{r: r}
	state := rState{Title: "start", Fn: func(s string) string { return "fn(" + s + ")" + zone() }}
	for step := 0; step < steps && (done == nil || !done()); step++ {
		z := state.Zone
		rZone.Store(&z)
		for i, tc := range reuseTemplates {
			want, err := oracle(t, nil, state, tc.src)
			require.NoError(t, err, tc.name)
			sessions[i].step(state, want)
			if t.Failed() {
				t.Fatalf("step %d, template %q, state %+v", step, tc.name, state)
			}
		}
		state = e.edit(state)
	}
}

func TestReuseRandomEdits(t *testing.T) {
	for _, seed := range []uint64{1, 2} {
		t.Run(fmt.Sprint("seed", seed), func(t *testing.T) {
			runReuse(t, rand.New(rand.NewPCG(seed, 16)), 150, nil)
		})
	}
}

// TestReuseConverts checks which ranges Compile converts: none where the
// body reads more than its item.
func TestReuseConverts(t *testing.T) {
	for _, tc := range reuseTemplates {
		t.Run(tc.name, func(t *testing.T) {
			ct := compileReuse(t, tc)
			n := 0
			for _, l := range ct.loops {
				if l != nil {
					n++
				}
			}
			assert.Equal(t, tc.convert, n > 0, "converted ranges: %d", n)
		})
	}
}

// TestReuseSharesItems checks that a one-item edit of a 1000-item list
// reuses the other 999 items, and that a type whose values may run code
// when printed is never reused.
func TestReuseSharesItems(t *testing.T) {
	_, ct := mustListTemplate(t)
	items := listItems(1000)
	prev, err := ct.Render(&listData{User: "ana", Items: items})
	require.NoError(t, err)
	for _, e := range listPageEdits {
		next, err := ct.RenderFrom(prev, &listData{User: "ana", Items: e.edit(items)})
		require.NoError(t, err)
		old := map[*node]bool{}
		for _, it := range prev.root.dyns[1].rng.items {
			old[it] = true
		}
		shared := 0
		for _, it := range next.root.dyns[1].rng.items {
			if old[it] {
				shared++
			}
		}
		want := 999 // all but the edited or removed one
		if e.name == "prepend" {
			want = 1000
		}
		assert.Equal(t, want, shared, "%s: items reused", e.name)
	}

	ct = mustCompile(t, nil, `{{range .}}<p>{{.}}</p>{{end}}`)
	clocks := []any{rClock{1}, rClock{2}, "plain"}
	prev, err = ct.Render(clocks)
	require.NoError(t, err)
	next, err := ct.RenderFrom(prev, slices.Clone(clocks))
	require.NoError(t, err)
	got := next.root.dyns[0].rng.items
	assert.NotSame(t, prev.root.dyns[0].rng.items[0], got[0], "a Stringer is executed again")
	assert.Same(t, prev.root.dyns[0].rng.items[2], got[2], "a string is reused")
}

// TestReuseWithTimeAndMethods: types with methods printing or the body
// could call (time.Time, a method named in the body) are never reused,
// even when their value did not change.
func TestReuseWithTimeAndMethods(t *testing.T) {
	type event struct {
		At   time.Time
		Name string
	}
	ct := mustCompile(t, nil, `{{range .}}<p>{{.At}} {{.Name}}</p>{{end}}`)
	evs := []event{{At: time.Unix(0, 0).UTC(), Name: "a"}}
	prev, err := ct.Render(evs)
	require.NoError(t, err)
	next, err := ct.RenderFrom(prev, evs)
	require.NoError(t, err)
	assert.NotSame(t, prev.root.dyns[0].rng.items[0], next.root.dyns[0].rng.items[0])
	assert.Equal(t, prev.HTML(), next.HTML())
}

// TestReuseConcurrent renders from one shared previous tree in several
// goroutines at once (run with -race).
func TestReuseConcurrent(t *testing.T) {
	tpl := reuseTemplates[slices.IndexFunc(reuseTemplates, func(tc reuseTemplate) bool { return tc.name == "nested pure templates" })]
	ct := mustCompile(t, nil, tpl.src)
	e := &reuseEditor{r: rand.New(rand.NewPCG(5, 5))}
	states := make([]rState, 12)
	wants := make([]string, len(states))
	state := rState{}
	for i := range states {
		for range 4 {
			state = e.edit(state)
		}
		states[i] = state.clone()
		// Ptrs are edited in place by later edits: give each state its own.
		for j, p := range states[i].Ptrs {
			c := *p
			states[i].Ptrs[j] = &c
		}
		var err error
		wants[i], err = oracle(t, nil, states[i], tpl.src)
		require.NoError(t, err)
	}
	shared, err := ct.Render(states[0])
	require.NoError(t, err)
	var wg sync.WaitGroup
	errs := make(chan string, 8)
	for g := range 8 {
		wg.Go(func() {
			prev := shared
			for k := range 30 {
				i := (g + k) % len(states)
				base := prev
				if k%3 == 0 {
					base = shared
				}
				tree, err := ct.RenderFrom(base, states[i])
				if err != nil {
					errs <- err.Error()
					return
				}
				if tree.HTML() != wants[i] {
					errs <- fmt.Sprintf("goroutine %d: state %d differs", g, i)
					return
				}
				prev = tree
			}
		})
	}
	wg.Wait()
	close(errs)
	for msg := range errs {
		assert.Fail(t, msg)
	}
}

// TestReuseTreeOfAnotherTemplate: a tree of another Template, even one with
// ranges of the same slots, is ignored.
func TestReuseTreeOfAnotherTemplate(t *testing.T) {
	a := mustCompile(t, nil, `{{range .}}<a>{{.}}</a>{{end}}`)
	b := mustCompile(t, nil, `{{range .}}<b>{{.}}</b>{{end}}`)
	ta, err := a.Render([]string{"x", "y"})
	require.NoError(t, err)
	tb, err := b.RenderFrom(ta, []string{"x", "y"})
	require.NoError(t, err)
	assert.Equal(t, "<b>x</b><b>y</b>", tb.HTML())
	parsed, err := ParseTree(mustJSON(t, ta))
	require.NoError(t, err)
	ta2, err := a.RenderFrom(parsed, []string{"x", "z"})
	require.NoError(t, err)
	assert.Equal(t, "<a>x</a><a>z</a>", ta2.HTML())
}

// TestReuseDeepRecursion: a recursive template over data deeper than the
// converted ranges may nest renders as Execute does (here: without error).
func TestReuseDeepRecursion(t *testing.T) {
	root := &fTree{Name: "root"}
	n := root
	for i := range maxLoopNesting + 10 {
		c := &fTree{Name: fmt.Sprint(i)}
		n.Children = []*fTree{c}
		n = c
	}
	const src = `{{define "node"}}<li>{{.Name}}{{if .Children}}<ul>{{range .Children}}{{template "node" .}}{{end}}</ul>{{end}}</li>{{end}}<ul>{{template "node" .}}</ul>`
	want, err := oracle(t, nil, root, src)
	require.NoError(t, err)
	ct := mustCompile(t, nil, src)
	tree, err := ct.Render(root)
	require.NoError(t, err)
	assert.Equal(t, want, tree.HTML())
	assert.True(t, strings.HasPrefix(tree.HTML(), "<ul><li>root"))
}

// TestReuseTrickyValues renders values that are equal to Go's == but print
// differently, or print alike but are of different types, one after the
// other in the same range.
func TestReuseTrickyValues(t *testing.T) {
	negZero := math.Copysign(0, -1)
	nan := math.NaN()
	a, b := 1, 1
	type hidden struct {
		n int
		s string
	}
	steps := []any{
		[]float64{0, 1}, []float64{negZero, 1}, []float64{0, 1}, []float64{nan, 1}, []float64{nan, 1},
		[]any{0.0}, []any{negZero}, []any{0}, []any{int8(0)}, []any{uint(0)}, []any{"0"}, []any{float32(0)},
		[]any{template.HTML("<b>")}, []any{"<b>"}, []any{template.HTML("<b>")},
		[]any{[]int(nil)}, []any{[]int{}}, []any{map[string]int(nil)}, []any{map[string]int{}},
		[]*int{&a}, []*int{&b}, [][]*int{{&a}}, [][]*int{{&b}}, [][]*int{{&b}},
		[]hidden{{1, "x"}}, []hidden{{1, "y"}}, []hidden{{2, "y"}},
		[]complex128{complex(0, 1)}, []complex128{complex(negZero, 1)},
		[][2]byte{{1, 2}}, [][2]byte{{1, 3}}, [][]byte{[]byte("ab")}, [][]byte{[]byte("ac")},
		[]map[int]string{{1: "a", 2: "b"}}, []map[int]string{{2: "b", 1: "a"}}, []map[int]string{{1: "b", 2: "a"}},
	}
	runCase(t, nil, steps, `{{range .}}<p>{{.}}</p><script>var v = {{.}};</script>{{end}}`)
}

// TestReusePrintsAddresses checks when snapshots record pointer addresses:
// only where the body may print a value that holds a pointer.
func TestReusePrintsAddresses(t *testing.T) {
	tests := []struct {
		body string
		want bool
	}{
		{`{{.Title}} {{.ID}} {{.F}} {{.Arr}} {{.Tags}} {{.M}}`, false},
		{`{{with .Owner}}{{.Name}} {{.Age}}{{end}} {{.Owner.Name}}`, false},
		{`{{.Owner}}`, false}, // the escaper follows the top pointer; rOwner holds none
		{`{{$o := .Owner}}{{$o.Name}}`, false},
		{`{{range .Tags}}{{.}}{{end}}`, false},
		{`{{.}}`, true},
		{`{{.Any}}`, true},
		{`{{with .Any}}{{.}}{{end}}`, true},
		{`{{$x := .}}{{$x}}`, true},
		{`{{template "self" .}}`, true},
		{`{{template "owner" .Owner}}`, false},
		{`{{template "owner" .}}`, true}, // prints its dot: here an rItem
		{`{{len .Tags}} {{index .M "a"}} {{print .ID .Title}} {{if lt .ID 3}}x{{end}}`, false},
		{`{{printf "%p" .Owner}}`, true}, // fmt shows a pointer at the top
		{`{{print .Owner}}`, true},
		{`{{if eq .Owner .Owner}}x{{end}}`, true}, // compares addresses
		{`{{with index .Tags 0}}{{.}}{{end}}`, false},
		{`{{with or .Owner .Owner}}{{.}}{{end}}`, true}, // or: a value of unknown type
	}
	for _, tc := range tests {
		t.Run(tc.body, func(t *testing.T) {
			src := `{{define "self"}}{{.}}{{end}}{{define "owner"}}{{.}}{{end}}{{range .}}` + tc.body + `{{end}}`
			ct, err := CompileWith(parseSrc(t, nil, src), Options{FuncsKnown: true})
			require.NoError(t, err)
			var l *loop
			for _, x := range ct.loops {
				if x != nil {
					l = x
					break // the outer range: the first slot converted
				}
			}
			require.NotNil(t, l, "the range is converted")
			k := l.kind(reflect.TypeFor[rItem]())
			require.NotNil(t, k.c)
			assert.Equal(t, tc.want, k.identity)
		})
	}
}

// TestReuseFreshPointers: items whose pointers are new but whose content is
// not (a store decoded again) are reused when the body prints no address.
func TestReuseFreshPointers(t *testing.T) {
	ct := mustCompile(t, nil, `{{range .}}<li>{{.Title}} {{with .Owner}}{{.Name}}{{end}}</li>{{end}}`)
	items := []*rItem{{ID: 1, Title: "a", Owner: &rOwner{Name: "x"}}, {ID: 2, Title: "b"}}
	prev, err := ct.Render(items)
	require.NoError(t, err)
	again := make([]*rItem, len(items))
	for i, it := range items {
		c := *it
		if c.Owner != nil {
			o := *c.Owner
			c.Owner = &o
		}
		again[i] = &c
	}
	next, err := ct.RenderFrom(prev, again)
	require.NoError(t, err)
	for i := range items {
		assert.Same(t, prev.root.dyns[0].rng.items[i], next.root.dyns[0].rng.items[i])
	}
}

// TestReuseDocExample checks the example of docs/templates.md, "What makes
// a page fast": the first list is executed every time, the second reuses
// its unchanged items.
func TestReuseDocExample(t *testing.T) {
	type todo struct {
		ID            int
		Title, Status string
		Due           string
	}
	slow := mustCompile(t, nil, `{{range $i, $t := .Todos}}
  <li class="{{if eq $t.Status "done"}}done{{end}}">{{$t.Title}}, {{$t.Due}} ({{$.User}})</li>
{{end}}`)
	fast, err := CompileWith(parseSrc(t, nil, `{{range .Todos}}
  <li data-key="{{.ID}}" class="{{if eq .Status "done"}}done{{end}}">{{.Title}}, {{.Due}}</li>
{{end}}`), Options{FuncsKnown: true}) // the page has no functions of its own
	require.NoError(t, err)
	count := func(ct *Template) (n int) {
		for _, l := range ct.loops {
			if l != nil {
				n++
			}
		}
		return n
	}
	assert.Equal(t, 0, count(slow))
	assert.Equal(t, 1, count(fast))
	todos := []todo{{ID: 1, Title: "a", Status: "done", Due: "Jan 2"}, {ID: 2, Title: "b", Due: "Jan 3"}}
	data := map[string]any{"User": "ana", "Todos": todos}
	prev, err := fast.Render(data)
	require.NoError(t, err)
	edited := slices.Clone(todos)
	edited[1].Title = "B"
	next, err := fast.RenderFrom(prev, map[string]any{"User": "ana", "Todos": edited})
	require.NoError(t, err)
	assert.Same(t, prev.root.dyns[0].rng.items[0], next.root.dyns[0].rng.items[0])
	assert.NotSame(t, prev.root.dyns[0].rng.items[1], next.root.dyns[0].rng.items[1])
}

// TestReuseRedefinedBuiltins: a body that calls a builtin is converted
// only when the caller vouches no function redefines it.
func TestReuseRedefinedBuiltins(t *testing.T) {
	const src = `{{range .}}<li>{{if eq . "x"}}X{{end}}{{len .}}</li>{{end}}`
	converted := func(ct *Template) bool {
		return slices.ContainsFunc(ct.loops, func(l *loop) bool { return l != nil })
	}
	tests := []struct {
		name  string
		funcs template.FuncMap
		opts  Options
		want  bool
	}{
		{name: "funcs unknown", want: false},
		{name: "no funcs", opts: Options{FuncsKnown: true}, want: true},
		{name: "other funcs", funcs: template.FuncMap{"upper": strings.ToUpper},
			opts: Options{FuncsKnown: true, Funcs: template.FuncMap{"upper": strings.ToUpper}}, want: true},
		{name: "eq redefined", funcs: template.FuncMap{"eq": func(a, b string) bool { return a != b }},
			opts: Options{FuncsKnown: true, Funcs: template.FuncMap{"eq": nil}}, want: false},
	}
	for _, tc := range tests {
		t.Run(tc.name, func(t *testing.T) {
			ct, err := CompileWith(parseSrc(t, tc.funcs, src), tc.opts)
			require.NoError(t, err)
			assert.Equal(t, tc.want, converted(ct))
			for _, d := range [][]string{{"x", "yy"}, {"x", "zz"}} {
				want, err := oracle(t, tc.funcs, d, src)
				require.NoError(t, err)
				tree, err := ct.Render(d)
				require.NoError(t, err)
				assert.Equal(t, want, tree.HTML())
			}
		})
	}
}
