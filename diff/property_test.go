package diff

import (
	"fmt"
	"maps"
	"math/rand/v2"
	"slices"
	"strings"
	"sync"
	"testing"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"
)

type propItem struct {
	ID    int
	Title string
	Done  bool
	Tags  []string
}

type propGroup struct {
	Name  string
	Items []propItem
}

type propState struct {
	Title  string
	Filter string
	Items  []propItem
	Groups []propGroup
	Map    map[string]int
}

// clone deep-copies the state, so an edit never changes a state already
// rendered.
func (s propState) clone() propState {
	c := s
	c.Items = cloneItems(s.Items)
	c.Groups = make([]propGroup, len(s.Groups))
	for i, g := range s.Groups {
		c.Groups[i] = propGroup{Name: g.Name, Items: cloneItems(g.Items)}
	}
	c.Map = maps.Clone(s.Map)
	return c
}

func cloneItems(items []propItem) []propItem {
	if items == nil {
		return nil
	}
	out := make([]propItem, len(items))
	for i, it := range items {
		it.Tags = slices.Clone(it.Tags)
		out[i] = it
	}
	return out
}

// A small vocabulary makes duplicates, the break/continue triggers and
// colliding content likely.
var (
	propWords = []string{"alpha", "beta", "gamma", "stop", "skip", "<b>bold</b>", "a & b", "é", ""}
	propTags  = []string{"red", "green", "blue"}
	propKeys  = []string{"k1", "k2", "k3", "k4", "k5"}
	// Appended to a title, these make texts that keep a prefix of the old
	// one (text patches, docs/protocol.md §2.1): an emoji, an accent, an
	// entity, U+2028 and a combining mark.
	propSuffixes = []string{"!", " 😀", "😁", "é", " & <i>", "\u2028x", "e\u0301"}
)

// retitle returns a new title for old: a word, old with a suffix, or old
// cut short (at any byte, so that invalid UTF-8 is made too).
func (e *editor) retitle(old string) string {
	switch op := e.r.IntN(4); {
	case op < 2 && len(old) < 40:
		return old + propSuffixes[e.r.IntN(len(propSuffixes))]
	case op < 3 && len(old) > 0:
		return old[:e.r.IntN(len(old))]
	}
	return propWords[e.r.IntN(len(propWords))]
}

// chooser makes the random choices of an editor: a *rand.Rand, or fuzz
// bytes.
type chooser interface {
	IntN(n int) int
}

// editor applies random edits to a state.
type editor struct {
	r      chooser
	nextID int
}

func (e *editor) item() propItem {
	e.nextID++
	it := propItem{ID: e.nextID, Title: propWords[e.r.IntN(len(propWords))], Done: e.r.IntN(3) == 0}
	for range e.r.IntN(3) {
		it.Tags = append(it.Tags, propTags[e.r.IntN(len(propTags))])
	}
	return it
}

// editList applies one random edit to a list.
func (e *editor) editList(items []propItem) []propItem {
	n := len(items)
	switch op := e.r.IntN(12); {
	case op < 4 || n == 0: // insert
		return slices.Insert(items, e.r.IntN(n+1), e.item())
	case op < 5: // delete
		i := e.r.IntN(n)
		return slices.Delete(items, i, i+1)
	case op < 6: // move
		i, j := e.r.IntN(n), e.r.IntN(n)
		it := items[i]
		items = slices.Delete(items, i, i+1)
		return slices.Insert(items, j, it)
	case op < 7: // modify a title
		i := e.r.IntN(n)
		items[i].Title = e.retitle(items[i].Title)
	case op < 8: // toggle
		i := e.r.IntN(n)
		items[i].Done = !items[i].Done
	case op < 9: // tags
		i := e.r.IntN(n)
		if len(items[i].Tags) > 0 && e.r.IntN(2) == 0 {
			items[i].Tags = items[i].Tags[1:]
		} else {
			items[i].Tags = append(items[i].Tags, propTags[e.r.IntN(len(propTags))])
		}
	case op < 10: // duplicate, same ID
		i := e.r.IntN(n)
		return slices.Insert(items, e.r.IntN(n+1), items[i])
	case op < 11: // swap
		i, j := e.r.IntN(n), e.r.IntN(n)
		items[i], items[j] = items[j], items[i]
	default:
		if e.r.IntN(4) == 0 { // clear
			return nil
		}
		slices.Reverse(items)
	}
	return items
}

func (e *editor) edit(s propState) propState {
	s = s.clone()
	switch op := e.r.IntN(10); {
	case op < 5:
		s.Items = e.editList(s.Items)
	case op < 7:
		if len(s.Groups) == 0 || e.r.IntN(5) == 0 {
			s.Groups = slices.Insert(s.Groups, e.r.IntN(len(s.Groups)+1), propGroup{Name: propWords[e.r.IntN(len(propWords))]})
		} else {
			g := &s.Groups[e.r.IntN(len(s.Groups))]
			if e.r.IntN(6) == 0 {
				g.Name = propWords[e.r.IntN(len(propWords))]
			} else {
				g.Items = e.editList(g.Items)
			}
			if e.r.IntN(10) == 0 {
				s.Groups = slices.Delete(s.Groups, 0, 1)
			}
		}
	case op < 8:
		k := propKeys[e.r.IntN(len(propKeys))]
		if _, ok := s.Map[k]; ok && e.r.IntN(2) == 0 {
			delete(s.Map, k)
		} else {
			if s.Map == nil {
				s.Map = map[string]int{}
			}
			s.Map[k] = e.r.IntN(100)
		}
	case op < 9:
		s.Filter = []string{"all", "done", "open"}[e.r.IntN(3)]
	default:
		s.Title = e.retitle(s.Title)
	}
	return s
}

var propTemplates = []struct {
	name string
	src  string
}{
	{name: "todo list", src: `<h1>{{.Title}}</h1>
<ul>{{range .Items}}<li data-key="{{.ID}}" class="{{if .Done}}done{{else}}open{{end}}">
  <input type="checkbox"{{if .Done}} checked{{end}}>{{.Title}}
  {{if .Tags}}<span>{{range $i, $t := .Tags}}{{if $i}}, {{end}}<i>{{$t}}</i>{{end}}</span>{{else if eq .Title "stop"}}<em>no tags</em>{{end}}
</li>{{else}}<li class="empty">Nothing to do</li>{{end}}</ul>
<p>{{len .Items}} items</p>`},
	{name: "filtered unkeyed", src: `<ul>{{range .Items}}{{if or (eq $.Filter "" "all") (and (eq $.Filter "done") .Done) (and (eq $.Filter "open") (not .Done))}}<li>{{.Title}}{{with .Tags}} ({{len .}}){{end}}</li>{{end}}{{end}}</ul>`},
	{name: "nested ranges", src: `{{range .Groups}}<section><h2>{{.Name}}</h2>{{range .Items}}<p id="{{.ID}}">{{.Title}}{{range .Tags}}<b>{{.}}</b>{{end}}</p>{{else}}<p>empty group</p>{{end}}</section>{{end}}<aside>{{range .Items}}{{.ID}} {{end}}</aside>`},
	{name: "maps", src: `<dl>{{range $k, $v := .Map}}<dt>{{$k}}</dt><dd>{{if gt $v 50}}<b>{{$v}}</b>{{else}}{{$v}}{{end}}</dd>{{else}}<dt>none</dt>{{end}}</dl>{{with .Map}}<p>{{len .}} keys</p>{{end}}`},
	{name: "template calls", src: `{{define "item"}}<li data-key="{{.ID}}">{{template "title" .}}{{if .Done}}{{template "check"}}{{end}}</li>{{end}}
{{define "title"}}<span>{{.Title}}</span>{{end}}{{define "check"}}<i>✓</i>{{end}}
{{define "group"}}<section><h2>{{.Name}}</h2><ul>{{range .Items}}{{template "item" .}}{{end}}</ul></section>{{end}}
<main>{{range .Groups}}{{template "group" .}}{{end}}<ul>{{range .Items}}
  {{template "item" .}}
{{end}}</ul></main>`},
	{name: "break and continue", src: `<ol>{{range .Items}}{{if .Done}}{{continue}}{{end}}{{if eq .Title "stop"}}<li>stopped</li>{{break}}{{end}}<li>{{.Title}}{{range .Tags}}{{if eq . "green"}}{{break}}{{end}}[{{.}}]{{end}}</li>{{end}}</ol>
{{range .Groups}}<div>{{range .Items}}{{if eq .Title "skip"}}{{continue}}{{end}}{{.Title}};{{end}}</div>{{if eq .Name "stop"}}{{break}}{{end}}{{end}}`},
}

func TestPropertyRandomEdits(t *testing.T) {
	const steps = 200
	for ti, tpl := range propTemplates {
		t.Run(tpl.name, func(t *testing.T) {
			for _, seed := range []uint64{1, 2} {
				t.Run(fmt.Sprint("seed", seed), func(t *testing.T) {
					// Seed 2 trusts the builtins, so that more bodies
					// are converted.
					ct, err := CompileWith(parseSrc(t, nil, tpl.src), Options{FuncsKnown: seed == 2})
					require.NoError(t, err)
					exec := parseSrc(t, nil, tpl.src)
					s := newSession(t, ct)
					e := &editor{r: rand.New(rand.NewPCG(seed, uint64(ti)))}
					state := propState{Title: "start"}
					total := 0
					for i := range steps {
						var b strings.Builder
						require.NoError(t, exec.Execute(&b, state))
						patch := s.step(state, b.String())
						total += len(patch)
						if t.Failed() {
							t.Fatalf("step %d, state %+v", i, state)
						}
						state = e.edit(state)
					}
					t.Logf("%d steps, %d patch bytes", steps, total)
				})
			}
		})
	}
}

// TestConcurrentRender renders one compiled template from 8 goroutines at
// once (run with -race), and diffs and encodes the shared trees meanwhile.
func TestConcurrentRender(t *testing.T) {
	tpl := propTemplates[4]
	ct := mustCompile(t, nil, tpl.src)
	exec := parseSrc(t, nil, tpl.src)
	e := &editor{r: rand.New(rand.NewPCG(7, 7))}
	states := make([]propState, 16)
	wants := make([]string, len(states))
	state := propState{}
	for i := range states {
		for range 5 {
			state = e.edit(state)
		}
		states[i] = state
		var b strings.Builder
		require.NoError(t, exec.Execute(&b, state))
		wants[i] = b.String()
	}
	shared, err := ct.Render(states[0])
	require.NoError(t, err)

	var wg sync.WaitGroup
	errs := make(chan string, 8)
	for g := range 8 {
		wg.Go(func() {
			for k := range 40 {
				i := (g + k) % len(states)
				tree, err := ct.Render(states[i])
				if err != nil {
					errs <- err.Error()
					return
				}
				if tree.HTML() != wants[i] {
					errs <- fmt.Sprintf("goroutine %d: state %d differs", g, i)
					return
				}
				p, err := Diff(shared, tree).MarshalJSON()
				if err == nil {
					_, err = shared.Apply(p)
				}
				if err != nil {
					errs <- err.Error()
					return
				}
			}
		})
	}
	wg.Wait()
	close(errs)
	for msg := range errs {
		assert.Fail(t, msg)
	}
}
