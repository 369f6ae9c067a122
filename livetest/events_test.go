package livetest_test

import (
	"context"
	"testing"
	"time"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"

	"github.com/lvtgo/livetemplate"
	"github.com/lvtgo/livetemplate/broadcast"
	"github.com/lvtgo/livetemplate/livetest"
	"github.com/lvtgo/livetemplate/session"
)

// Chart pushes events to the page's hooks.
type Chart struct{ Points []int }

func (c *Chart) Change(ctx *livetemplate.ActionContext) error {
	switch ctx.Action() {
	case "add":
		n, err := ctx.GetInt("n")
		if err != nil {
			return err
		}
		c.Points = append(c.Points, n)
		return ctx.PushEvent("points", map[string]any{"count": len(c.Points), "last": n})
	case "bad":
		return ctx.PushEvent("connected", nil) // a name the client uses itself
	case "fail":
		_ = ctx.PushEvent("points", 1)
		return livetemplate.UserErrorf("no")
	}
	return livetemplate.ErrUnknownAction
}

const chartPage = `<!DOCTYPE html><html><body><p id="n">{{len .Points}}</p>
<button id="add" lvt-click="add" lvt-data-n="7">add</button></body></html>`

func TestPushEventArrivesWithItsPatch(t *testing.T) {
	for _, tr := range transports {
		t.Run(tr.String(), func(t *testing.T) {
			tmpl, err := livetemplate.New("page", livetemplate.WithText(chartPage))
			require.NoError(t, err)
			h := livetest.App(quiet{t}).Handle(tmpl, &Chart{})
			srv := livetest.Start(t, h)
			p := srv.NewBrowser(&livetest.BrowserOptions{Transport: tr}).Open("/")
			other := p.Tab("/") // same group: sees the state change, not the event

			require.NoError(t, p.Click("#add"))
			e, err := p.WaitEvent("points", time.Second)
			require.NoError(t, err)
			assert.JSONEq(t, `{"count":1,"last":7}`, string(e.Payload))
			assert.Equal(t, "1", p.Text("#n"), "the patch of the same action came first")

			// Failing actions send no events.
			err = p.Send("fail", nil)
			require.Error(t, err)
			err = p.Send("bad", nil)
			var ae *livetest.ActionError
			require.ErrorAs(t, err, &ae)
			assert.Len(t, p.Events(), 1)

			// A server push: every page of the state gets its event.
			_, err = h.Broadcast(t.Context(), livetemplate.All(), "add", map[string]any{"n": 9})
			require.NoError(t, err)
			e, err = p.WaitEvent("points", time.Second)
			require.NoError(t, err)
			assert.JSONEq(t, `{"count":2,"last":9}`, string(e.Payload))
			assert.Equal(t, "2", p.Text("#n"))
			e, err = other.WaitEvent("points", time.Second)
			require.NoError(t, err)
			assert.JSONEq(t, `{"count":2,"last":9}`, string(e.Payload), "the other tab missed the action's event, not the push's")
			assert.Equal(t, "2", other.Text("#n"))
		})
	}
}

// Report starts slow work and shows its pending state, result and error.
type Report struct {
	Loading bool
	Rows    int
	Error   string
}

func (r *Report) Change(ctx *livetemplate.ActionContext) error {
	switch ctx.Action() {
	case "run":
		r.Loading, r.Error = true, ""
		fail := ctx.GetBool("fail")
		return ctx.Async("done", func(c context.Context) (map[string]any, error) {
			select {
			case <-gate(c):
			case <-c.Done():
				cancelled <- struct{}{}
				return nil, c.Err()
			}
			if fail {
				return nil, livetemplate.UserErrorf("The report server is down.")
			}
			return map[string]any{"rows": 42}, nil
		})
	case "done":
		r.Loading = false
		r.Error = ctx.GetString("error")
		if r.Error == "" {
			n, err := ctx.GetInt("rows")
			if err != nil {
				return err
			}
			r.Rows = n
		}
		return ctx.PushEvent("report", r.Rows)
	}
	return livetemplate.ErrUnknownAction
}

// release lets the work of the test's reports finish; cancelled hears of
// work that was cancelled instead. Tests using them do not run in parallel.
var (
	release   = make(chan struct{})
	cancelled = make(chan struct{}, 8)
)

func gate(context.Context) <-chan struct{} { return release }

const reportPage = `<!DOCTYPE html><html><body>
{{if .Loading}}<p id="status">Loading…</p>{{else if .Error}}<p id="status" role="alert">{{.Error}}</p>{{else}}<p id="status">{{.Rows}} rows</p>{{end}}
<button id="run" lvt-click="run">run</button>
<button id="runbad" lvt-click="run" lvt-data-fail="true">run</button></body></html>`

func TestAsyncShowsPendingThenItsResult(t *testing.T) {
	for _, tr := range transports {
		for _, scope := range []string{"page", "shared"} {
			t.Run(tr.String()+"/"+scope, func(t *testing.T) {
				tmpl, err := livetemplate.New("page", livetemplate.WithText(reportPage))
				require.NoError(t, err)
				var store livetemplate.Store = &Report{}
				if scope == "page" {
					store = livetemplate.PerConnection(&Report{})
				}
				srv := livetest.Start(t, livetest.App(quiet{t}).Handle(tmpl, store))
				p := srv.NewBrowser(&livetest.BrowserOptions{Transport: tr}).Open("/")

				require.NoError(t, p.Click("#run"))
				assert.Equal(t, "Loading…", p.Text("#status"), "the action's own reply shows the pending state")
				release <- struct{}{} // the work ends
				require.NoError(t, p.WaitText("#status", "42 rows", 2*time.Second))
				_, err = p.WaitEvent("report", time.Second)
				require.NoError(t, err, "the result's action can push events too")

				require.NoError(t, p.Click("#runbad"))
				release <- struct{}{}
				require.NoError(t, p.WaitText("#status", "The report server is down.", 2*time.Second))
			})
		}
	}
}

func TestAsyncIsCancelledWhenTheAppCloses(t *testing.T) {
	tmpl, err := livetemplate.New("page", livetemplate.WithText(reportPage))
	require.NoError(t, err)
	app := livetest.App(quiet{t})
	srv := livetest.Start(t, app.Handle(tmpl, livetemplate.PerConnection(&Report{})))
	p := srv.Open("/")
	require.NoError(t, p.Click("#run"))
	p.Close()
	require.NoError(t, app.Close()) // waits for the work, which sees its ctx end
	select {
	case <-cancelled:
	default:
		t.Fatal("the work was not cancelled")
	}
}

func TestAsyncIsCancelledWhenThePageIsForgotten(t *testing.T) {
	tmpl, err := livetemplate.New("page", livetemplate.WithText(reportPage))
	require.NoError(t, err)
	app := livetest.App(quiet{t}, livetemplate.WithIdleTimeout(50*time.Millisecond))
	srv := livetest.Start(t, app.Handle(tmpl, livetemplate.PerConnection(&Report{})))
	p := srv.Open("/")
	require.NoError(t, p.Click("#run"))
	p.Close() // the page waits for a reconnect, then is forgotten
	select {
	case <-cancelled:
	case <-time.After(10 * time.Second):
		t.Fatal("the work of a forgotten page was not cancelled")
	}
}

// A push's events reach the pages of the state on every instance: the
// instance that applies it tells the others, after the change.
func TestPushEventsReachEveryInstance(t *testing.T) {
	store := session.NewMemory(nil)
	t.Cleanup(func() { _ = store.Close() })
	hub := broadcast.NewLocal()
	t.Cleanup(func() { _ = hub.Close() })
	instance := func() (*livetemplate.Handler, *livetest.Server) {
		tmpl, err := livetemplate.New("page", livetemplate.WithText(chartPage))
		require.NoError(t, err)
		h := livetest.App(quiet{t}, livetemplate.WithSecret([]byte("0123456789abcdef0123456789abcdef")),
			livetemplate.WithSessionStore(store), livetemplate.WithBus(hub.Bus())).Handle(tmpl, &Chart{})
		return h, livetest.Start(t, h)
	}
	ha, sa := instance()
	_, sb := instance()
	ba := sa.NewBrowser(nil)
	onA := ba.Open("/")
	onB := sb.NewBrowser(&livetest.BrowserOptions{Cookies: ba.Cookies()}).Open("/") // the same group, on B

	_, err := ha.Broadcast(t.Context(), livetemplate.All(), "add", map[string]any{"n": 5})
	require.NoError(t, err)
	for _, p := range []*livetest.Page{onA, onB} {
		e, err := p.WaitEvent("points", 2*time.Second)
		require.NoError(t, err)
		assert.JSONEq(t, `{"count":1,"last":5}`, string(e.Payload))
		assert.Equal(t, "1", p.Text("#n"), "with the change it came with")
	}
	time.Sleep(100 * time.Millisecond) // a second copy, if one (wrongly) came
	assert.Len(t, onB.Events(), 1)
	assert.Len(t, onA.Events(), 1)
}

// Shared work whose page is forgotten is cancelled, and its store hears of
// it (the outcome's action gets "error"), so the other pages of the state
// do not stay pending.
func TestAsyncOnASharedStoreEndsPendingWhenItsPageGoes(t *testing.T) {
	tmpl, err := livetemplate.New("page", livetemplate.WithText(reportPage))
	require.NoError(t, err)
	app := livetest.App(quiet{t}, livetemplate.WithIdleTimeout(50*time.Millisecond))
	srv := livetest.Start(t, app.Handle(tmpl, &Report{}))
	b := srv.NewBrowser(nil)
	p, other := b.Open("/"), b.Open("/")
	require.NoError(t, p.Click("#run"))
	require.NoError(t, other.WaitText("#status", "Loading…", time.Second))
	p.Close() // the page waits for a reconnect, then is forgotten
	select {
	case <-cancelled:
	case <-time.After(10 * time.Second):
		t.Fatal("the work of a forgotten page was not cancelled")
	}
	require.NoError(t, other.WaitText("#status", "Cancelled: the page that started it closed.", 5*time.Second))
}
