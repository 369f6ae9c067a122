package livetemplate_test

import (
	"context"
	"errors"
	"fmt"
	"net/http"
	"strings"
	"time"

	"github.com/lvtgo/livetemplate"
	"github.com/lvtgo/livetemplate/auth"
	"github.com/lvtgo/livetemplate/broadcast"
	"github.com/lvtgo/livetemplate/livetest"
	"github.com/lvtgo/livetemplate/session"
)

// exampleT stands in for a test's *testing.T in examples that drive pages
// with livetest.
type exampleT struct{ cleanups []func() }

func (t *exampleT) Helper()                        {}
func (t *exampleT) Cleanup(f func())               { t.cleanups = append(t.cleanups, f) }
func (t *exampleT) Errorf(format string, a ...any) { fmt.Printf("error: "+format+"\n", a...) }
func (t *exampleT) Fatalf(format string, a ...any) { panic(fmt.Sprintf(format, a...)) }

// done runs the cleanups, last registered first, as a test does.
func (t *exampleT) done() {
	for i := len(t.cleanups) - 1; i >= 0; i-- {
		t.cleanups[i]()
	}
}

// Votes is a poll's tally.
type Votes struct{ Yes, No int }

// Change counts a vote.
func (v *Votes) Change(ctx *livetemplate.ActionContext) error {
	switch ctx.Action() {
	case "yes":
		v.Yes++
	case "no":
		v.No++
	default:
		return livetemplate.ErrUnknownAction
	}
	return nil
}

// A store scoped by a key from the URL: every page of one room shares the
// room's poll, whoever opens it; another room has its own.
func ExampleScoped() {
	t := &exampleT{}
	defer t.done()
	room := func(r *http.Request, _ auth.Identity) string { return r.URL.Query().Get("room") }
	tmpl := livetemplate.Must(livetemplate.New("poll", livetemplate.WithText(
		`<body><p id="tally">{{.Yes}} yes, {{.No}} no</p><button id="yes" lvt-click="yes">Yes</button></body>`)))
	h := on(t, livetemplate.WithLogger(quietLogger())).Handle(tmpl, livetemplate.Scoped(&Votes{}, room))
	t.Cleanup(func() { _ = h.Close() })
	srv := livetest.Start(t, h)

	alice := srv.Open("/?room=red") // two browsers in one room
	bob := srv.Open("/?room=red")
	carol := srv.Open("/?room=blue") // and one in another
	_ = alice.Click("#yes")
	_ = bob.WaitText("#tally", "1 yes, 0 no", time.Second)
	fmt.Println(bob.Text("#tally"))
	fmt.Println(carol.Text("#tally"))
	// Output:
	// 1 yes, 0 no
	// 0 yes, 0 no
}

// Online counts the pages open on a store: a Watcher learns when pages
// connect and disconnect.
type Online struct{ Pages int }

// Change handles no action of its own.
func (o *Online) Change(*livetemplate.ActionContext) error { return livetemplate.ErrUnknownAction }

// Connected counts a page in.
func (o *Online) Connected(*livetemplate.ActionContext) error { o.Pages++; return nil }

// Disconnected counts a page out.
func (o *Online) Disconnected(*livetemplate.ActionContext) error { o.Pages--; return nil }

func ExampleWatcher() {
	t := &exampleT{}
	defer t.done()
	tmpl := livetemplate.Must(livetemplate.New("online", livetemplate.WithText(`<body><p id="n">{{.Pages}} online</p></body>`)))
	h := on(t, livetemplate.WithLogger(quietLogger())).Handle(tmpl, livetemplate.Global(&Online{}))
	t.Cleanup(func() { _ = h.Close() })
	srv := livetest.Start(t, h)

	first := srv.Open("/")
	second := srv.Open("/")
	_ = first.WaitText("#n", "2 online", time.Second)
	fmt.Println(first.Text("#n"))
	second.Close()
	_ = first.WaitText("#n", "1 online", time.Second)
	fmt.Println(first.Text("#n"))
	// Output:
	// 2 online
	// 1 online
}

// Prefs is what a user chose, on every device.
type Prefs struct{ Theme string }

// Change sets the theme.
func (p *Prefs) Change(ctx *livetemplate.ActionContext) error {
	p.Theme = ctx.GetString("theme")
	return nil
}

// A store per user: every browser where the Authenticator names the same
// user shares it (here the user comes from a header, as from a proxy).
func ExamplePerUser() {
	t := &exampleT{}
	defer t.done()
	byHeader := auth.AuthenticatorFunc(func(_ http.ResponseWriter, r *http.Request) (auth.Identity, error) {
		u, device, _ := strings.Cut(r.Header.Get("X-User"), "/")
		return auth.Identity{UserID: u, GroupID: u + "/" + device}, nil
	})
	tmpl := livetemplate.Must(livetemplate.New("prefs", livetemplate.WithText(`<body><p id="theme">{{.Theme}}</p><button id="dark" lvt-click="set" lvt-data-theme="dark">Dark</button></body>`)))
	h := on(t, livetemplate.WithLogger(quietLogger()), livetemplate.WithAuthenticator(byHeader)).Handle(tmpl, livetemplate.PerUser(&Prefs{Theme: "light"}))
	t.Cleanup(func() { _ = h.Close() })
	srv := livetest.Start(t, h)

	phone := srv.NewBrowser(&livetest.BrowserOptions{Header: http.Header{"X-User": {"ann/phone"}}}).Open("/")
	laptop := srv.NewBrowser(&livetest.BrowserOptions{Header: http.Header{"X-User": {"ann/laptop"}}}).Open("/")
	_ = phone.Click("#dark")
	_ = laptop.WaitText("#theme", "dark", time.Second)
	fmt.Println(laptop.Text("#theme"))
	// Output: dark
}

// Refresh re-renders pages whose template reads data through a function.
func ExampleHandler_Refresh() {
	t := &exampleT{}
	defer t.done()
	motd := "Welcome"
	tmpl := livetemplate.Must(livetemplate.New("motd", livetemplate.WithFuncs(map[string]any{"motd": func() string { return motd }}), livetemplate.WithText(`<body><p id="motd">{{motd}}</p>{{.N}}</body>`)))
	h := on(t, livetemplate.WithLogger(quietLogger())).Handle(tmpl, &Clicks{})
	t.Cleanup(func() { _ = h.Close() })
	srv := livetest.Start(t, h)
	p := srv.Open("/")

	motd = "Maintenance at noon" // the page does not know yet
	r, _ := h.Refresh(context.Background(), livetemplate.All())
	_ = p.WaitText("#motd", motd, time.Second)
	fmt.Println(r.Pages, p.Text("#motd"))
	// Output: 1 Maintenance at noon
}

// Disconnect closes a user's pages everywhere, for a sign-out.
func ExampleHandler_Disconnect() {
	t := &exampleT{}
	defer t.done()
	byHeader := auth.AuthenticatorFunc(func(_ http.ResponseWriter, r *http.Request) (auth.Identity, error) {
		return auth.Identity{UserID: r.Header.Get("X-User"), GroupID: r.Header.Get("X-User")}, nil
	})
	tmpl := livetemplate.Must(livetemplate.New("p", livetemplate.WithText(`<body>{{.N}}</body>`)))
	h := on(t, livetemplate.WithLogger(quietLogger()), livetemplate.WithAuthenticator(byHeader)).Handle(tmpl, &Clicks{})
	t.Cleanup(func() { _ = h.Close() })
	srv := livetest.Start(t, h)
	ann := srv.NewBrowser(&livetest.BrowserOptions{Header: http.Header{"X-User": {"ann"}}}).Open("/")
	srv.NewBrowser(&livetest.BrowserOptions{Header: http.Header{"X-User": {"bob"}}}).Open("/")

	r, _ := h.Disconnect(context.Background(), livetemplate.Users("ann"))
	err := ann.Send("click", nil) // ann's page is closed now
	fmt.Println(r.Pages, err != nil)
	// Output: 1 true
}

// Two instances that share a session store and a bus serve the same
// groups: a change on one reaches the pages on the other. Here both run in
// one process on an in-process bus; in production they share Redis
// (session/redisstore, broadcast/redisbus).
func ExampleWithBus() {
	t := &exampleT{}
	defer t.done()
	store, hub := session.NewMemory(nil), broadcast.NewLocal()
	t.Cleanup(func() { _ = store.Close(); _ = hub.Close() })
	id, _ := auth.NewAnonymous(&auth.AnonymousOptions{Key: []byte(strings.Repeat("k", auth.AnonymousKeySize))})
	instance := func() *livetemplate.Handler {
		tmpl := livetemplate.Must(livetemplate.New("clicks", livetemplate.WithText(`<body><p id="n">{{.N}}</p><button id="click" lvt-click="click">+</button></body>`)))
		h := on(t, livetemplate.WithLogger(quietLogger()), livetemplate.WithSessionStore(store), livetemplate.WithBus(hub.Bus()), livetemplate.WithAuthenticator(id)).Handle(tmpl, &Clicks{})
		t.Cleanup(func() { _ = h.Close() })
		return h
	}
	mux := http.NewServeMux()
	mux.Handle("/a/", instance())
	mux.Handle("/b/", instance())
	srv := livetest.Start(t, mux)

	onA := srv.Open("/a/")
	onB := onA.Tab("/b/") // the same browser on the other instance
	_ = onA.Click("#click")
	_ = onB.WaitText("#n", "1", time.Second)
	fmt.Println(onB.Text("#n"))
	// Output: 1
}

// A store's Change returns a FieldError (several, with errors.Join) to
// refuse an action with messages for the form's fields, or a UserError with
// a message for the page; either way the action is rolled back.
func ExampleFieldError() {
	signup := func(name, email string) error {
		var errs []error
		if name == "" {
			errs = append(errs, livetemplate.FieldError{Field: "name", Message: "Please enter your name."})
		}
		if !strings.Contains(email, "@") {
			errs = append(errs, livetemplate.FieldError{Field: "email", Message: "That is not an email address."})
		}
		return errors.Join(errs...)
	}
	fmt.Println(livetemplate.FieldErrors(signup("", "ann")))
	fmt.Println(livetemplate.UserErrorf("The room %q is full.", "lobby"))
	// Output:
	// map[email:That is not an email address. name:Please enter your name.]
	// The room "lobby" is full.
}

// Bind fills a struct from an action's values.
func ExampleActionContext_Bind() {
	var form struct {
		Title string `lvt:"title"`
		Done  bool   `lvt:"done"`
		Votes int    `lvt:"votes"`
	}
	actx, _ := livetemplate.NewActionContext(context.Background(), livetemplate.ActionInput{
		Action: "save", Data: map[string]any{"title": "Ship it", "done": "on", "votes": "3"},
	})
	err := actx.Bind(&form)
	fmt.Printf("%+v %v\n", form, err)
	// Output: {Title:Ship it Done:true Votes:3} <nil>
}
