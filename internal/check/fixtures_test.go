package check_test

import (
	"html/template"
	"iter"
	"os"
	"path/filepath"
	"strconv"
	"strings"
	"testing"
	"time"

	"github.com/stretchr/testify/require"
	"go.uber.org/goleak"
)

func TestMain(m *testing.M) { goleak.VerifyTestMain(m) }

// Counter is a store with something of every kind a template reads.
type Counter struct {
	Count  int
	N      int
	Step   *int
	hidden int
	Items  []Item
	ByID   map[string]Item
	ByNum  map[int]Item
	Attrs  map[string]any
	Values []any
	Any    any
	Owner  **User
	Arr    [2]Item
	Ch     chan Item
	Fn     func(int) Item
	Label  Labeler
	Tree   *Node
	When   time.Time
	Base
	*Extra
}

func (c *Counter) Double() int                             { return 2 * c.Count }
func (c *Counter) Add(n int) int                           { return c.Count + n }
func (c *Counter) Join(sep string, parts ...string) string { return strings.Join(parts, sep) }
func (c *Counter) Find(id int) (*Item, error)              { return &c.Items[0], nil }
func (c *Counter) Reset()                                  { c.Count = 0 }
func (c *Counter) Pick() any                               { return map[string]int{"Whatever": 1} }

func (c *Counter) All() iter.Seq[Item] {
	return func(yield func(Item) bool) {
		for _, it := range c.Items {
			if !yield(it) {
				return
			}
		}
	}
}

func (c *Counter) Pairs() iter.Seq2[string, Item] {
	return func(yield func(string, Item) bool) {
		for _, it := range c.Items {
			if !yield(it.Title, it) {
				return
			}
		}
	}
}

// Base is embedded in Counter: its fields and methods are promoted.
type Base struct{ Name string }

func (b Base) Hello() string { return "hello " + b.Name }

// Extra is embedded in Counter by pointer.
type Extra struct{ Note string }

// Item is an element of Counter's lists.
type Item struct {
	ID    int
	Title string
	Done  bool
	Tags  []string
	Owner *User
}

func (i Item) Summary() string { return i.Title }
func (i *Item) Ptr() string    { return i.Title }

// User is reached through pointers.
type User struct{ Name string }

func (u *User) Greeting(greet string) string { return greet + " " + u.Name }

// Node is recursive.
type Node struct {
	Name string
	Kids []*Node
}

// Labeler is an interface with a method; what is inside it is not known.
type Labeler interface{ Label() string }

type label struct{ Anything string }

func (l label) Label() string { return l.Anything }

// newCounter returns a Counter with every list, map and pointer filled, so
// that executing a template takes its branches.
func newCounter() *Counter {
	u := &User{Name: "ann"}
	items := []Item{
		{ID: 1, Title: "one", Tags: []string{"a"}, Owner: u},
		{ID: 2, Title: "two", Done: true, Owner: &User{Name: "bob"}},
	}
	step := 3
	ch := make(chan Item, 2)
	ch <- items[0]
	close(ch)
	return &Counter{
		Count: 1, N: 2, Step: &step, hidden: 4,
		Items:  items,
		ByID:   map[string]Item{"first": items[0]},
		ByNum:  map[int]Item{1: items[0]},
		Attrs:  map[string]any{"anything": map[string]any{"deeper": 1}},
		Values: []any{map[string]any{"Whatever": 1}},
		Any:    map[string]int{"Foo": 1},
		Owner:  &u,
		Arr:    [2]Item{items[0], items[1]},
		Ch:     ch,
		Fn:     func(int) Item { return items[0] },
		Label:  label{Anything: "x"},
		Tree:   &Node{Name: "root", Kids: []*Node{{Name: "leaf"}}},
		When:   time.Date(2025, 1, 2, 3, 4, 5, 0, time.UTC),
		Base:   Base{Name: "c"},
		Extra:  &Extra{Note: "n"},
	}
}

// funcs is the FuncMap the test templates are parsed with.
var funcs = template.FuncMap{
	"user":  func(name string) *User { return &User{Name: name} },
	"items": func() []Item { return newCounter().Items },
	"add":   func(a, b int) int { return a + b },
	"anyOf": func() any { return map[string]int{"Whatever": 1} },
	"maybe": func(id int) (Item, error) { return Item{ID: id}, nil },
}

// Viewer, Flash, Todos and View are what a page with several stores holds.
type Viewer struct{ UserID, GroupID string }

type Flash struct{ Kind, Message string }

type Todos struct{ Items []Item }

func (t *Todos) Left() int { return len(t.Items) }

type View struct{ Filter string }

func (v *View) Shows(it Item) bool { return v.Filter == "" || it.Done }

// newPage returns a page's data map for pageData.
func newPage() map[string]any {
	c := newCounter()
	return map[string]any{
		"counter": c,
		"todos":   &Todos{Items: c.Items},
		"view":    &View{},
		"viewer":  Viewer{UserID: "ann"},
		"flash":   &Flash{Kind: "info", Message: "hi"},
	}
}

// parse parses src as the page template "t", with funcs.
func parse(tb testing.TB, src string) *template.Template {
	tb.Helper()
	t, err := template.New("t").Funcs(funcs).Parse(src)
	require.NoError(tb, err)
	return t
}

func writeFile(tb testing.TB, dir, name, text string) {
	tb.Helper()
	require.NoError(tb, os.WriteFile(filepath.Join(dir, name), []byte(text), 0o600))
}

func itoa(n int) string { return strconv.Itoa(n) }
