package livetest_test

import (
	"encoding/json"
	"errors"
	"fmt"
	"io"
	"net/http"
	"net/url"
	"strings"
	"testing"
	"time"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"

	"github.com/lvtgo/livetemplate"
	"github.com/lvtgo/livetemplate/auth"
	"github.com/lvtgo/livetemplate/livetest"
)

// serve serves a page of src and stores on a test server. The handler is
// closed after the server (its Cleanup is registered first).
func serve(t *testing.T, src string, opts []livetemplate.Option, stores ...livetemplate.Store) *livetest.Server {
	t.Helper()
	tmpl, err := livetemplate.New("page", livetemplate.WithText(src))
	require.NoError(t, err)
	app := livetest.App(quiet{t}, opts...)
	return livetest.Start(t, app.Handle(tmpl, stores...))
}

// Counter is a shared counter.
type Counter struct{ Count int }

func (c *Counter) Change(ctx *livetemplate.ActionContext) error {
	switch ctx.Action() {
	case "increment":
		c.Count++
	case "add":
		n, err := ctx.GetInt("by")
		if err != nil {
			return err
		}
		c.Count += n
	default:
		return livetemplate.ErrUnknownAction
	}
	return nil
}

const counterPage = `<!DOCTYPE html><html><head><title>Count {{.Count}}</title></head><body>
<p id="count">{{.Count}}</p>
<button id="inc" lvt-click="increment"><span class="label">+1</span></button>
<button id="add10" lvt-click="add" lvt-data-by="10">+10</button>
<button id="bogus" lvt-click="bogus">?</button>
<button id="plain">no binding</button>
</body></html>`

func startCounter(t *testing.T, opts ...livetemplate.Option) *livetest.Server {
	t.Helper()
	return serve(t, counterPage, opts, &Counter{})
}

var transports = []livetest.Transport{livetest.WebSocket, livetest.HTTP}

func TestClickAppliesTheReplyBeforeReturning(t *testing.T) {
	for _, tr := range transports {
		t.Run(tr.String(), func(t *testing.T) {
			srv := startCounter(t)
			p := srv.NewBrowser(&livetest.BrowserOptions{Transport: tr}).Open("/")
			assert.Equal(t, "0", p.Text("#count"))

			require.NoError(t, p.Click("#inc"))
			assert.Equal(t, "1", p.Text("#count"), "applied when Click returns")
			require.NoError(t, p.Click("#inc .label"), "a click inside the bound element")
			require.NoError(t, p.Click("#add10"))
			assert.Equal(t, "12", p.Text("#count"))
			assert.Contains(t, p.HTML(), "<title>Count 12</title>")
		})
	}
}

func TestTabsShareBrowsersAreIsolated(t *testing.T) {
	for _, tr := range transports {
		t.Run(tr.String(), func(t *testing.T) {
			srv := startCounter(t)
			b := srv.NewBrowser(&livetest.BrowserOptions{Transport: tr})
			tabA := b.Open("/")
			tabB := tabA.Tab("/")
			other := srv.NewBrowser(&livetest.BrowserOptions{Transport: tr}).Open("/")

			require.NoError(t, tabA.Click("#inc"))
			require.NoError(t, tabB.WaitText("#count", "1", 2*time.Second), "pushed to the other tab")
			require.NoError(t, tabB.Click("#add10"))
			require.NoError(t, tabA.WaitText("#count", "11", 2*time.Second))

			require.NoError(t, other.Click("#inc"))
			assert.Equal(t, "1", other.Text("#count"), "another browser has its own count")
			assert.Equal(t, "11", tabA.Text("#count"))
		})
	}
}

func TestTransportsMix(t *testing.T) {
	srv := startCounter(t)
	ws := srv.Open("/")
	// The same cookies over HTTP: a tab of the same browser that polls.
	cookies := ws.Browser().Cookies()
	poll := srv.NewBrowser(&livetest.BrowserOptions{Transport: livetest.HTTP, Cookies: cookies}).Open("/")

	require.NoError(t, ws.Click("#inc"))
	require.NoError(t, poll.WaitText("#count", "1", 2*time.Second), "reached the HTTP tab by its long poll")
	require.NoError(t, poll.Click("#add10"))
	require.NoError(t, ws.WaitText("#count", "11", 2*time.Second))
}

func TestServerErrorsAreActionErrors(t *testing.T) {
	srv := startCounter(t)
	p := srv.Open("/")
	err := p.Click("#bogus")
	var ae *livetest.ActionError
	require.ErrorAs(t, err, &ae)
	assert.Equal(t, "unknown_action", ae.Code)
	assert.Equal(t, "bogus", ae.Action)
	assert.Contains(t, err.Error(), `Click("#bogus")`)

	err = p.Send("add", map[string]any{"by": "ten"})
	require.ErrorAs(t, err, &ae)
	assert.NotEqual(t, "unknown_action", ae.Code)
	assert.Equal(t, "0", p.Text("#count"), "rolled back")
}

func TestRateLimitIsAnActionError(t *testing.T) {
	for _, tr := range transports {
		t.Run(tr.String(), func(t *testing.T) {
			srv := startCounter(t, livetemplate.WithLimits(livetemplate.Limits{ActionsPerSecond: 0.001, ActionBurst: 1}))
			p := srv.NewBrowser(&livetest.BrowserOptions{Transport: tr}).Open("/")
			require.NoError(t, p.Click("#inc"))
			err := p.Click("#inc")
			var ae *livetest.ActionError
			require.ErrorAs(t, err, &ae)
			assert.Equal(t, "rate_limited", ae.Code)
			assert.Equal(t, "1", p.Text("#count"))
		})
	}
}

func TestFailuresSayWhatThePageShowed(t *testing.T) {
	srv := startCounter(t)
	p := srv.Open("/")

	err := p.Click("#missing")
	require.Error(t, err)
	assert.Contains(t, err.Error(), `no element matches "#missing"`)
	assert.Contains(t, err.Error(), `<p id="count">0</p>`, "the page is shown")

	err = p.Click("#plain")
	require.Error(t, err)
	assert.Contains(t, err.Error(), `<button id="plain">`)
	assert.Contains(t, err.Error(), "lvt-click")

	err = p.Click("p[")
	require.Error(t, err)
	assert.Contains(t, err.Error(), "bad selector")

	err = p.WaitFor(func(html string) bool { return strings.Contains(html, "never") }, 50*time.Millisecond)
	require.Error(t, err)
	assert.Contains(t, err.Error(), "within 50ms")
	assert.Contains(t, err.Error(), `<p id="count">0</p>`)

	err = p.WaitText("#count", "7", 50*time.Millisecond)
	require.Error(t, err)
	assert.Contains(t, err.Error(), `the element shows "0"`)
}

func TestClosedPageRefusesActions(t *testing.T) {
	srv := startCounter(t)
	p := srv.Open("/")
	p.Close()
	p.Close() // idempotent
	err := p.Click("#inc")
	require.ErrorIs(t, err, livetest.ErrClosed)
	require.ErrorIs(t, p.WaitFor(func(string) bool { return false }, time.Second), livetest.ErrClosed)
}

// Echo shows the last action and its data.
type Echo struct{ Last string }

func (e *Echo) Change(ctx *livetemplate.ActionContext) error {
	js, err := json.Marshal(ctx.Data()) // map keys sorted
	if err != nil {
		return err
	}
	e.Last = ctx.Action() + " " + string(js)
	if ctx.Has("fail") {
		return errors.Join(livetemplate.FieldError{Field: "title", Message: "Bad title."},
			livetemplate.FieldError{Field: "note", Message: "Bad note."})
	}
	return nil
}

const echoPage = `<html><body>
<pre id="last">{{.Last}}</pre>
<form id="f" lvt-submit="save" lvt-type-age="number" lvt-data-extra="x">
  <input name="title" value="Default">
  <input type="hidden" name="id" value="007">
  <input name="age" value="42">
  <input type="checkbox" name="tags" value="a" checked>
  <input type="checkbox" name="tags" value="b">
  <input type="checkbox" name="news" lvt-type="boolean">
  <input type="checkbox" name="agree">
  <input type="radio" name="size" value="s">
  <input type="radio" name="size" value="m" checked>
  <select name="color"><option>red</option><option value="g" selected>green</option></select>
  <select name="langs" multiple><option value="go" selected>Go</option><option value="js">JS</option></select>
  <select name="none" multiple><option value="x">X</option></select>
  <textarea name="note">hello</textarea>
  <input name="off" value="gone" disabled>
  <input type="file" name="upload">
  <button name="go" value="save">Save</button>
  <button type="button" name="nope" value="1">Other</button>
</form>
<form id="v" lvt-submit="check">
  <input name="title">
  <p lvt-error="title"></p>
</form>
<input id="q" name="q" lvt-change="search" lvt-data-page="1" lvt-type-page="number">
<select id="pick" name="pick" lvt-change="pick"><option>one</option><option>two</option></select>
<form id="live" lvt-change="draft"><input name="a" value="1"><input name="b" value="2"></form>
<input id="box" type="checkbox" name="done" value="yes" lvt-click="toggle">
<input id="chat" name="msg" value="hi" lvt-keydown="send" lvt-key="Enter, Space">
<div id="keys" lvt-keydown="key"><span id="inner">x</span></div>
</body></html>`

func startEcho(t *testing.T) *livetest.Page {
	t.Helper()
	return serve(t, echoPage, nil, &Echo{}).Open("/")
}

func TestSubmitSerialisesLikeTheClient(t *testing.T) {
	p := startEcho(t)
	require.NoError(t, p.Submit("#f", nil))
	assert.JSONEq(t, `{"age":42,"color":"g","extra":"x","id":"007","langs":["go"],"news":false,
		"none":[],"note":"hello","size":"m","tags":["a"],"title":"Default"}`, strings.TrimPrefix(p.Text("#last"), "save "))

	require.NoError(t, p.Submit(`#f button[name="go"]`, url.Values{
		"title": {"New"}, "tags": {"a", "b"}, "news": {"on"}, "agree": {"on"}, "size": {"s"},
		"color": {"red"}, "langs": {}, "age": {"x1"}, "note": {"line"},
	}))
	assert.JSONEq(t, `{"age":"x1","agree":"on","color":"red","extra":"x","go":"save","id":"007","langs":[],"news":true,
		"none":[],"note":"line","size":"s","tags":["a","b"],"title":"New"}`, strings.TrimPrefix(p.Text("#last"), "save "))
}

func TestSubmitRefusesWhatTheFormCannotTake(t *testing.T) {
	p := startEcho(t)
	for _, tc := range []struct {
		name   string
		values url.Values
		want   string
	}{
		{name: "unknown field", values: url.Values{"titel": {"x"}}, want: `no field named "titel"`},
		{name: "unknown option", values: url.Values{"color": {"blue"}}, want: `select "color" has no option "blue"`},
		{name: "unknown box value", values: url.Values{"tags": {"c"}}, want: `named "tags" has the value "c"`},
		{name: "disabled", values: url.Values{"off": {"x"}}, want: `field "off" is disabled`},
	} {
		t.Run(tc.name, func(t *testing.T) {
			err := p.Submit("#f", tc.values)
			require.Error(t, err)
			assert.Contains(t, err.Error(), tc.want)
		})
	}
	err := p.Submit("#q", nil)
	require.Error(t, err)
	assert.Contains(t, err.Error(), "neither a form nor a submit button")
	assert.Empty(t, p.Text("#last"), "nothing was sent")
}

func TestFieldErrorsShowAndClear(t *testing.T) {
	p := startEcho(t)
	err := p.Submit("#v", url.Values{"title": {"x"}, "fail": nil})
	require.Error(t, err, "no field named fail")

	// An invalid reply: its fields show in the form they came from.
	err = p.Send("check", map[string]any{"fail": true})
	var ae *livetest.ActionError
	require.ErrorAs(t, err, &ae)
	assert.Equal(t, "invalid", ae.Code)
	assert.Equal(t, map[string]string{"title": "Bad title.", "note": "Bad note."}, ae.Fields)
	// A Send belongs to no form: the document shows them.
	assert.Equal(t, "Bad title.", p.FieldError("title"))
	assert.Equal(t, "Bad note.", p.FieldError("note"))
	assert.Empty(t, p.FieldError("nothing"))
}

// Validator refuses an empty title.
type Validator struct{ Titles []string }

func (v *Validator) Change(ctx *livetemplate.ActionContext) error {
	title := strings.TrimSpace(ctx.GetString("title"))
	if title == "" {
		return livetemplate.FieldError{Field: "title", Message: "Please enter a title."}
	}
	v.Titles = append(v.Titles, title)
	return nil
}

const validatorPage = `<html><body>
<ul>{{range .Titles}}<li>{{.}}</li>{{end}}</ul>
<form id="a" lvt-submit="add"><input name="title"><p lvt-error="title"></p></form>
<form id="b" lvt-submit="add"><input name="title"></form>
</body></html>`

func TestFieldErrorFollowsTheForm(t *testing.T) {
	for _, tr := range transports {
		t.Run(tr.String(), func(t *testing.T) {
			srv := serve(t, validatorPage, nil, &Validator{})
			p := srv.NewBrowser(&livetest.BrowserOptions{Transport: tr}).Open("/")
			err := p.Submit("#b", url.Values{"title": {"  "}})
			var ae *livetest.ActionError
			require.ErrorAs(t, err, &ae)
			assert.Equal(t, map[string]string{"title": "Please enter a title."}, ae.Fields)
			assert.Equal(t, "Please enter a title.", p.FieldError("title"))

			// Another form's success leaves form b's message.
			require.NoError(t, p.Submit("#a", url.Values{"title": {"one"}}))
			assert.Equal(t, "Please enter a title.", p.FieldError("title"))
			assert.Equal(t, 1, p.Count("li"))
			// Form b's own success clears it.
			require.NoError(t, p.Submit("#b", url.Values{"title": {"two"}}))
			assert.Empty(t, p.FieldError("title"))
			assert.Equal(t, 2, p.Count("li"))
		})
	}
}

func TestChangeAndInput(t *testing.T) {
	p := startEcho(t)
	require.NoError(t, p.Change("#q", "12"))
	assert.Equal(t, `search {"page":1,"q":"12"}`, p.Text("#last"))
	require.NoError(t, p.Change("#pick", "two"))
	assert.Equal(t, `pick {"pick":"two"}`, p.Text("#last"))
	// A form's lvt-change sends the whole form, with the changed field.
	require.NoError(t, p.Change(`#live [name="b"]`, "3"))
	assert.Equal(t, `draft {"a":"1","b":"3"}`, p.Text("#last"))

	err := p.Change("#pick", "three")
	require.Error(t, err)
	assert.Contains(t, err.Error(), `no option "three"`)
	err = p.Input("#q", "x")
	require.Error(t, err)
	assert.Contains(t, err.Error(), "lvt-input")
	err = p.Change("#last", "x")
	require.Error(t, err)
	assert.Contains(t, err.Error(), "not a field")
}

func TestClickOnACheckboxTogglesItFirst(t *testing.T) {
	p := startEcho(t)
	require.NoError(t, p.Click("#box"))
	assert.Equal(t, `toggle {"done":"yes"}`, p.Text("#last"))
}

func TestKeyDownFiltersKeys(t *testing.T) {
	p := startEcho(t)
	require.NoError(t, p.KeyDown("#chat", "Enter"))
	assert.Equal(t, `send {"key":"Enter","msg":"hi"}`, p.Text("#last"))
	require.NoError(t, p.KeyDown("#chat", " "))
	assert.Equal(t, `send {"key":" ","msg":"hi"}`, p.Text("#last"))

	err := p.KeyDown("#chat", "a")
	require.ErrorIs(t, err, livetest.ErrNotSent)
	assert.Contains(t, err.Error(), `lvt-key="Enter, Space"`)

	require.NoError(t, p.KeyDown("#inner", "Escape"), "bubbles to the bound element")
	assert.Equal(t, `key {"key":"Escape"}`, p.Text("#last"))
}

// Whoami shows who the authenticator says acts.
type Whoami struct{ Seen string }

func (w *Whoami) Change(ctx *livetemplate.ActionContext) error {
	w.Seen = ctx.UserID()
	return nil
}

func TestIdentityFromHeaders(t *testing.T) {
	basic := auth.NewBasic("test", map[string]string{"ann": "secret", "bob": "hunter2"}, nil)
	for _, tr := range transports {
		t.Run(tr.String(), func(t *testing.T) {
			srv := serve(t, `<html><body><p id="who">{{.Seen}}</p><button lvt-click="who">who</button></body></html>`,
				[]livetemplate.Option{livetemplate.WithAuthenticator(basic)}, &Whoami{})
			ann := srv.NewBrowser(&livetest.BrowserOptions{Transport: tr, Header: livetest.BasicAuth("ann", "secret")}).Open("/")
			bob := srv.NewBrowser(&livetest.BrowserOptions{Transport: tr, Header: livetest.BasicAuth("bob", "hunter2")}).Open("/")
			require.NoError(t, ann.Click("button"))
			require.NoError(t, bob.Click("button"))
			assert.Equal(t, "ann", ann.Text("#who"))
			assert.Equal(t, "bob", bob.Text("#who"))
		})
	}
}

func TestPagesAtOnce(t *testing.T) {
	srv := startCounter(t)
	b := srv.NewBrowser(nil)
	const tabs, clicks = 4, 10
	pages := make([]*livetest.Page, tabs)
	for i := range pages {
		pages[i] = b.Open("/")
	}
	done := make(chan error, tabs)
	for _, p := range pages {
		go func() {
			for range clicks {
				if err := p.Click("#inc"); err != nil {
					done <- err
					return
				}
			}
			done <- nil
		}()
	}
	for range tabs {
		require.NoError(t, <-done)
	}
	for _, p := range pages {
		require.NoError(t, p.WaitText("#count", "40", 2*time.Second))
	}
}

func TestOpenServesAnyHandler(t *testing.T) {
	tmpl := livetemplate.Must(livetemplate.New("page", livetemplate.WithText(counterPage)))
	h := livetest.App(quiet{t}).Handle(tmpl, &Counter{})
	mux := http.NewServeMux()
	mux.Handle("/counter/", http.StripPrefix("/counter", h))
	srv := livetest.Start(t, mux)
	p := srv.Open("/counter/?x=1")
	require.NoError(t, p.Click("#inc"))
	assert.Equal(t, "1", p.Text("#count"))
}

// fatalT records the first Fatalf and ends the calling goroutine's
// operation with a panic, for tests of failures that stop a test.
type fatalT struct {
	testing.TB
	fatal string
}

type fatalPanic struct{}

func (f *fatalT) Fatalf(format string, args ...any) {
	f.fatal = fmt.Sprintf(format, args...)
	panic(fatalPanic{})
}

// fatal runs op and returns the message it failed the test with.
func (f *fatalT) run(op func()) (msg string) {
	defer func() {
		if r := recover(); r != nil {
			if _, ok := r.(fatalPanic); !ok {
				panic(r)
			}
			msg = f.fatal
		}
	}()
	op()
	return ""
}

func TestOpenFailsWithWhatTheServerSent(t *testing.T) {
	ft := &fatalT{TB: t}
	mux := http.NewServeMux()
	mux.HandleFunc("/plain", func(w http.ResponseWriter, r *http.Request) { _, _ = io.WriteString(w, "<p>not live</p>") })
	srv := livetest.Start(ft, mux)
	msg := ft.run(func() { srv.Open("/missing") })
	assert.Contains(t, msg, `Open("/missing")`)
	assert.Contains(t, msg, "404")
	msg = ft.run(func() { srv.Open("/plain") })
	assert.Contains(t, msg, "no live script")
	assert.Contains(t, msg, "<p>not live</p>")
	msg = ft.run(func() { srv.Open("plain") })
	assert.Contains(t, msg, "must start with /")
}

func TestOpenFailsWhenTheServerRefuses(t *testing.T) {
	for _, tr := range transports {
		t.Run(tr.String(), func(t *testing.T) {
			ft := &fatalT{TB: t}
			tmpl := livetemplate.Must(livetemplate.New("page", livetemplate.WithText(counterPage)))
			h := livetest.App(quiet{t}, livetemplate.WithLimits(livetemplate.Limits{MaxConnsPerGroup: 1})).Handle(tmpl, &Counter{})
			srv := livetest.Start(ft, h)
			p := srv.NewBrowser(&livetest.BrowserOptions{Transport: tr}).Open("/")
			msg := ft.run(func() { p.Tab("/") })
			assert.Contains(t, strings.ToLower(msg), "too many connections")
		})
	}
}

func TestAPageWhoseServerGoesAwayIsClosed(t *testing.T) {
	for _, tr := range transports {
		t.Run(tr.String(), func(t *testing.T) {
			tmpl := livetemplate.Must(livetemplate.New("page", livetemplate.WithText(counterPage)))
			h := livetest.App(quiet{t}).Handle(tmpl, &Counter{})
			srv := livetest.Start(t, h)
			p := srv.NewBrowser(&livetest.BrowserOptions{Transport: tr}).Open("/")
			require.NoError(t, p.Click("#inc"))

			require.NoError(t, h.Close())
			err := p.WaitFor(func(string) bool { return false }, 5*time.Second)
			require.ErrorIs(t, err, livetest.ErrClosed)
			assert.Contains(t, err.Error(), `<p id="count">1</p>`, "what the page showed last")
			err = p.Click("#inc")
			require.ErrorIs(t, err, livetest.ErrClosed)
		})
	}
}

func TestFilledValuesTravelWithLaterActions(t *testing.T) {
	p := startEcho(t)
	require.NoError(t, p.Fill("#chat", "hello there"))
	assert.Empty(t, p.Text("#last"), "Fill sends nothing")
	require.NoError(t, p.KeyDown("#chat", "Enter"))
	assert.Equal(t, `send {"key":"Enter","msg":"hello there"}`, p.Text("#last"), "the typed value")

	require.NoError(t, p.Fill(`#f [name="title"]`, "Typed"))
	require.NoError(t, p.Fill(`#f [name="size"][value="s"]`, "on"))
	require.NoError(t, p.Fill(`#f [name="color"]`, "red"))
	require.NoError(t, p.Submit("#f", url.Values{"note": {"given"}}))
	var got map[string]any
	require.NoError(t, json.Unmarshal([]byte(strings.TrimPrefix(p.Text("#last"), "save ")), &got))
	assert.Equal(t, "Typed", got["title"])
	assert.Equal(t, "s", got["size"], "checking a radio button unchecks its group")
	assert.Equal(t, "red", got["color"])
	assert.Equal(t, "given", got["note"])

	// A form's lvt-change sends what was typed in its other fields.
	require.NoError(t, p.Fill(`#live [name="a"]`, "typed a"))
	require.NoError(t, p.Change(`#live [name="b"]`, "3"))
	assert.Equal(t, `draft {"a":"typed a","b":"3"}`, p.Text("#last"))

	err := p.Fill("#last", "x")
	require.Error(t, err)
	assert.Contains(t, err.Error(), "not a field")
}

// Draft has a field whose value the server sets, and echoes actions.
type Draft struct{ Value, Last string }

func (d *Draft) Change(ctx *livetemplate.ActionContext) error {
	js, err := json.Marshal(ctx.Data())
	if err != nil {
		return err
	}
	d.Last = ctx.Action() + " " + string(js)
	if ctx.Action() == "set" {
		d.Value = ctx.GetString("to")
	}
	return nil
}

func TestFilledValuesLastUntilTheServerChangesTheField(t *testing.T) {
	srv := serve(t, `<html><body>
<pre id="last">{{.Last}}</pre>
<form id="f" lvt-submit="save" lvt-reset><input name="v" value="{{.Value}}"><input name="w"></form>
<input id="k" name="k" lvt-keydown="key">
<button id="set" lvt-click="set" lvt-data-to="server">set</button>
<button id="noop" lvt-click="noop">noop</button>
</body></html>`, nil, &Draft{})
	p := srv.Open("/")
	other := p.Tab("/")

	require.NoError(t, p.Fill(`[name="v"]`, "mine"))
	require.NoError(t, p.Fill("#k", "kept"))
	require.NoError(t, other.Click("#noop")) // an update that leaves the fields as they were
	require.NoError(t, p.WaitText("#last", "noop {}", 2*time.Second))
	require.NoError(t, p.KeyDown("#k", "x"))
	assert.Equal(t, `key {"k":"kept","key":"x"}`, p.Text("#last"))

	require.NoError(t, other.Click("#set")) // the server renders field v differently
	require.NoError(t, p.WaitFor(func(html string) bool { return strings.Contains(html, `value="server"`) }, 2*time.Second))
	require.NoError(t, p.Fill(`[name="w"]`, "typed w"))
	require.NoError(t, p.Submit("#f", nil))
	assert.Equal(t, `save {"v":"server","w":"typed w"}`, p.Text("#last"), "v as the server renders it now")
	// The success reset the form (lvt-reset).
	require.NoError(t, p.Submit("#f", nil))
	assert.Equal(t, `save {"v":"server","w":""}`, p.Text("#last"))
}

func TestClickOnASubmitButtonSubmits(t *testing.T) {
	p := startEcho(t)
	require.NoError(t, p.Fill(`#f [name="title"]`, "clicked"))
	require.NoError(t, p.Click(`#f button[name="go"]`))
	var got map[string]any
	require.NoError(t, json.Unmarshal([]byte(strings.TrimPrefix(p.Text("#last"), "save ")), &got))
	assert.Equal(t, "save", got["go"], "the submitter")
	assert.Equal(t, "clicked", got["title"])

	err := p.Click(`#f button[type="button"]`)
	require.Error(t, err, "a plain button submits nothing")
	assert.Contains(t, err.Error(), "lvt-click")
}

type pollPage struct{ Options []string }

func (p *pollPage) Change(*livetemplate.ActionContext) error { return nil }

// quiet is a test without a log stream: livetest.App then logs nowhere
// it would be read, and the app's expected errors stay out of the output.
type quiet struct{ testing.TB }

// App makes an app whose pages are checked when mounted: a template that
// reads a store the page does not have is refused before any request.
func TestAppChecksPagesWhenMounted(t *testing.T) {
	tmpl := livetemplate.Must(livetemplate.New("poll", livetemplate.WithText(`<body>{{range .Options}}<p>{{.}}</p>{{end}}</body>`)))
	_, err := livetest.App(t).Mount(tmpl, livetemplate.Named("poll", &pollPage{}), livetemplate.Named("vote", &pollPage{}))
	require.Error(t, err)
	assert.Contains(t, err.Error(), `no store named "Options"`)
}
