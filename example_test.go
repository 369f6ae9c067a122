package livetemplate_test

import (
	"context"
	"errors"
	"fmt"
	"io"
	"net/http"
	"net/http/httptest"
	"regexp"
	"time"

	"github.com/lvtgo/livetemplate"
)

// Clicks is a store: its exported fields are the page's state.
type Clicks struct{ N int }

// Change handles the page's actions.
func (c *Clicks) Change(ctx *livetemplate.ActionContext) error {
	if ctx.Action() != "click" {
		return livetemplate.ErrUnknownAction
	}
	c.N++
	return nil
}

func ExampleTemplate_Handle() {
	tmpl := livetemplate.Must(livetemplate.New("clicks", livetemplate.WithText(
		`<body><p>{{.N}} clicks</p><button lvt-click="click">Click</button></body>`)))
	h := tmpl.Handle(&Clicks{})
	defer h.Close()
	srv := httptest.NewServer(h)
	defer srv.Close()

	resp, err := http.Get(srv.URL)
	if err != nil {
		fmt.Println(err)
		return
	}
	defer resp.Body.Close()
	page, _ := io.ReadAll(resp.Body)
	// The page is the template's output, with the client's script tag added.
	fmt.Println(regexp.MustCompile(`<script [^>]*></script>`).ReplaceAllString(string(page), "<script …></script>"))
	// Output: <body><p>0 clicks</p><button lvt-click="click">Click</button><script …></script></body>
}

func ExampleNamed() {
	tmpl := livetemplate.Must(livetemplate.New("page", livetemplate.WithText(
		`<body>{{.clicks.N}} {{.draft.Text}}</body>`)))
	// With several stores the template sees a map by name, and actions are
	// named "clicks.click". PerConnection keeps the draft private to each tab.
	h := tmpl.Handle(livetemplate.Named("clicks", &Clicks{}), livetemplate.PerConnection(livetemplate.Named("draft", &draftStore{})))
	defer h.Close()
	fmt.Println("ok")
	// Output: ok
}

type draftStore struct{ Text string }

func (d *draftStore) Change(ctx *livetemplate.ActionContext) error {
	d.Text = ctx.GetString("text")
	return nil
}

// Adder is a store with a validated action.
type Adder struct{ Sum int }

// Change handles "add", whose "by" must be a whole number.
func (a *Adder) Change(ctx *livetemplate.ActionContext) error {
	by, err := ctx.GetInt("by")
	if err != nil {
		return err
	}
	a.Sum += by
	return nil
}

// Change can be called directly, without a server, to unit-test a store.
func ExampleNewActionContext() {
	a := &Adder{}
	for _, by := range []any{"2", 3, "x"} {
		actx, _ := livetemplate.NewActionContext(context.Background(), livetemplate.ActionInput{
			Action: "add", Data: map[string]any{"by": by},
		})
		err := a.Change(actx)
		fmt.Println(a.Sum, livetemplate.FieldErrors(err))
	}
	// Output:
	// 2 map[]
	// 5 map[]
	// 5 map[by:must be a whole number]
}

// Clock is a store every page shares (Global): the server sets it.
type Clock struct{ Now string }

// Change handles the server's "tick".
func (c *Clock) Change(ctx *livetemplate.ActionContext) error {
	if ctx.Action() != "tick" {
		return livetemplate.ErrUnknownAction
	}
	c.Now = ctx.GetString("now")
	return nil
}

// A goroutine the application owns pushes the time to every page every
// second, and stops with the handler.
func ExampleHandler_Broadcast() {
	tmpl := livetemplate.Must(livetemplate.New("clock", livetemplate.WithText(`<body>It is {{.Now}}.</body>`)))
	h := tmpl.Handle(livetemplate.Global(&Clock{}))
	srv := httptest.NewServer(h)
	defer srv.Close()

	stopped := make(chan struct{})
	go func() {
		defer close(stopped)
		tick := time.NewTicker(time.Second)
		defer tick.Stop()
		for now := time.Now(); ; now = <-tick.C {
			_, err := h.Broadcast(context.Background(), livetemplate.All(), "tick",
				map[string]any{"now": now.Format(time.TimeOnly)})
			if errors.Is(err, livetemplate.ErrClosed) {
				return // the handler shut down
			}
		}
	}()

	// ... serve pages; then, when the server stops:
	_ = h.Close()
	<-stopped
	fmt.Println("clock stopped")
	// Output: clock stopped
}
