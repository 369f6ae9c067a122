package livetest_test

import (
	"errors"
	"fmt"
	"net/url"
	"strings"
	"time"

	"github.com/lvtgo/livetemplate"
	"github.com/lvtgo/livetemplate/auth"
	"github.com/lvtgo/livetemplate/livetest"
)

// Todos is a list with a validated form, for the examples.
type Todos struct{ Items []string }

func (l *Todos) Change(ctx *livetemplate.ActionContext) error {
	switch ctx.Action() {
	case "add":
		title := strings.TrimSpace(ctx.GetString("title"))
		if title == "" {
			return livetemplate.FieldError{Field: "title", Message: "Please enter a title."}
		}
		l.Items = append(l.Items, title)
		return nil
	}
	return livetemplate.ErrUnknownAction
}

const todosPage = `<html><body>
<ul id="items">{{range .Items}}<li>{{.}}</li>{{else}}<li>Nothing to do.</li>{{end}}</ul>
<form id="add" lvt-submit="add"><input name="title"><p lvt-error="title"></p><button>Add</button></form>
</body></html>`

// A test of a live page: two tabs of one browser share the list, and a
// refused form shows its field error. In a test, pass the test's t to
// Start; the example stands one in.
func Example() {
	t := newExampleT()
	defer t.cleanup()

	tmpl := livetemplate.Must(livetemplate.New("todos", livetemplate.WithText(todosPage)))
	h := tmpl.Handle(&Todos{})
	t.Cleanup(func() { _ = h.Close() })

	srv := livetest.Start(t, h)
	tab := srv.Open("/")
	other := tab.Tab("/") // same browser: same session group

	err := tab.Submit("#add", url.Values{"title": {"  "}})
	var refused *livetest.ActionError
	if errors.As(err, &refused) {
		fmt.Println(refused.Code, refused.Fields["title"])
	}
	fmt.Println("shown:", tab.FieldError("title"))

	if err := tab.Submit("#add", url.Values{"title": {"Buy milk"}}); err != nil {
		fmt.Println(err)
	}
	fmt.Println("shown:", tab.FieldError("title") == "")
	fmt.Println(tab.Text("#items"))

	// The other tab gets the change pushed.
	if err := other.WaitText("#items li", "Buy milk", time.Second); err != nil {
		fmt.Println(err)
	}
	fmt.Println(other.Count("#items li"))

	// Output:
	// invalid Please enter a title.
	// shown: Please enter a title.
	// shown: true
	// Buy milk
	// 1
}

// exampleT stands in for a test's *testing.T in examples.
type exampleT struct{ cleanups []func() }

func newExampleT() *exampleT { return &exampleT{} }

func (t *exampleT) Helper()                        {}
func (t *exampleT) Cleanup(f func())               { t.cleanups = append(t.cleanups, f) }
func (t *exampleT) Errorf(format string, a ...any) { fmt.Printf("error: "+format+"\n", a...) }
func (t *exampleT) Fatalf(format string, a ...any) { panic(fmt.Sprintf(format, a...)) }

// cleanup runs the cleanups, last registered first, as a test does.
func (t *exampleT) cleanup() {
	for i := len(t.cleanups) - 1; i >= 0; i-- {
		t.cleanups[i]()
	}
}

// Browsers with an identity (any auth.Authenticator: here HTTP basic
// authentication) and a transport (here HTTP POSTs and a long poll).
func ExampleServer_NewBrowser() {
	t := newExampleT()
	defer t.cleanup()

	basic := auth.NewBasic("example", map[string]string{"ann": "secret"}, nil)
	tmpl := livetemplate.Must(livetemplate.New("who",
		livetemplate.WithText(`<html><body><p id="who">{{.Seen}}</p><button lvt-click="who">Who?</button></body></html>`)))
	app := livetest.App(t, livetemplate.WithAuthenticator(basic))
	srv := livetest.Start(t, app.Handle(tmpl, &Whoami{}))
	ann := srv.NewBrowser(&livetest.BrowserOptions{
		Header:    livetest.BasicAuth("ann", "secret"),
		Transport: livetest.HTTP,
	}).Open("/")
	if err := ann.Click("button"); err != nil {
		fmt.Println(err)
	}
	fmt.Println(ann.Text("#who"))
	// Output:
	// ann
}
