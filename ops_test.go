package livetemplate_test

import (
	"bytes"
	"context"
	"encoding/json"
	"io"
	"net/http"
	"net/http/cookiejar"
	"net/http/httptest"
	"slices"
	"strings"
	"sync"
	"testing"
	"time"

	"github.com/coder/websocket"
	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"

	"github.com/lvtgo/livetemplate"
	"github.com/lvtgo/livetemplate/internal/testutil"
	"github.com/lvtgo/livetemplate/livetest"
	"github.com/lvtgo/livetemplate/telemetry"
	"github.com/lvtgo/livetemplate/telemetry/telemetrytest"
)

// tally is the store of the operations tests.
type tally struct{ N int }

func (s *tally) Change(ctx *livetemplate.ActionContext) error {
	switch ctx.Action() {
	case "inc":
		s.N++
	case "bad":
		return livetemplate.FieldError{Field: "n", Message: "No."}
	default:
		return livetemplate.ErrUnknownAction
	}
	return nil
}

const tallyPage = `<!DOCTYPE html><html><body><p id="n">{{.N}}</p><button id="inc" lvt-click="inc">+</button></body></html>`

func tallyHandler(t *testing.T, opts ...livetemplate.Option) (*livetemplate.App, *livetemplate.Handler) {
	t.Helper()
	app := on(t, append([]livetemplate.Option{livetemplate.WithLogger(quietLogger())}, opts...)...)
	tmpl, err := livetemplate.New("tally", livetemplate.WithText(tallyPage))
	require.NoError(t, err)
	return app, app.Handle(tmpl, &tally{})
}

// wait returns the first event match accepts, waiting for it.
func wait(t *testing.T, rec *telemetrytest.Recorder, what string, match func(telemetry.Event) bool) telemetry.Event {
	t.Helper()
	ctx, cancel := context.WithTimeout(t.Context(), 5*time.Second)
	defer cancel()
	e, err := rec.Wait(ctx, match)
	require.NoError(t, err, "no %s event in %+v", what, rec.Events())
	return e
}

// Over each transport, a page's life records an event of each kind where
// it happens: the page load, the join, actions (ok, invalid, unknown), a
// push with its reach, the session store's calls, a refusal, the leave.
func TestTelemetryOfAPage(t *testing.T) {
	for _, tr := range []livetest.Transport{livetest.WebSocket, livetest.HTTP} {
		t.Run(tr.String(), func(t *testing.T) {
			rec := &telemetrytest.Recorder{}
			app, h := tallyHandler(t, livetemplate.WithTelemetry(rec),
				livetemplate.WithLimits(livetemplate.Limits{ActionBurst: 5, ActionsPerSecond: 0.001}))
			srv := livetest.Start(t, h)
			via := map[livetest.Transport]string{livetest.WebSocket: telemetry.WebSocket, livetest.HTTP: telemetry.HTTP}[tr]
			p := srv.NewBrowser(&livetest.BrowserOptions{Transport: tr}).Open("/")

			load := wait(t, rec, "page load", func(e telemetry.Event) bool { return e.Kind == telemetry.PageLoad })
			assert.Equal(t, "tally", load.View)
			assert.Equal(t, telemetry.OK, load.Outcome)
			assert.Equal(t, telemetry.HTTP, load.Transport)
			assert.Positive(t, load.ReplyBytes)
			assert.Positive(t, load.Duration)
			join := wait(t, rec, "join", func(e telemetry.Event) bool { return e.Kind == telemetry.Join })
			assert.Equal(t, telemetry.Event{Kind: telemetry.Join, View: "tally", Transport: via, Duration: join.Duration}, join)

			require.NoError(t, p.Click("#inc"))
			ok := wait(t, rec, "action", func(e telemetry.Event) bool { return e.Kind == telemetry.Action })
			assert.Equal(t, "tally", ok.View)
			assert.Equal(t, "tally", ok.Store)
			assert.Equal(t, via, ok.Transport)
			assert.Equal(t, telemetry.OK, ok.Outcome)
			assert.Positive(t, ok.Duration)
			assert.Greater(t, ok.ReplyBytes, ok.PatchBytes)
			assert.Positive(t, ok.PatchBytes, "the patch of the new count")
			require.Error(t, p.Send("bad", nil))
			require.Error(t, p.Send("no such action <script>", nil))
			actions := wait(t, rec, "unknown action", func(e telemetry.Event) bool { return e.Kind == telemetry.Action && e.Outcome == "unknown_action" })
			assert.Equal(t, "tally", actions.Store, "the page's one store got it (and said it does not know it); never the client's name")
			wait(t, rec, "invalid action", func(e telemetry.Event) bool {
				return e.Kind == telemetry.Action && e.Outcome == "invalid" && e.Store == "tally"
			})

			reach, err := app.Broadcast(t.Context(), livetemplate.All(), "inc", nil)
			require.NoError(t, err)
			push := wait(t, rec, "push", func(e telemetry.Event) bool { return e.Kind == telemetry.Push })
			assert.Equal(t, telemetry.Event{Kind: telemetry.Push, Op: telemetry.OpBroadcast, Outcome: telemetry.OK, Target: telemetry.TargetAll,
				States: reach.States, Pages: reach.Pages, Duration: push.Duration}, push)
			assert.Equal(t, 1, push.States)
			assert.Equal(t, 1, push.Pages)

			get := wait(t, rec, "store get", func(e telemetry.Event) bool { return e.Kind == telemetry.StoreCall && e.Op == telemetry.OpGet })
			assert.Equal(t, telemetry.NotFound, get.Outcome, "a group's first load finds nothing")
			put := wait(t, rec, "store put", func(e telemetry.Event) bool { return e.Kind == telemetry.StoreCall && e.Op == telemetry.OpPut })
			assert.Equal(t, telemetry.OK, put.Outcome)
			assert.False(t, put.Err)
			assert.Positive(t, put.Duration)

			var refused error
			for range 10 {
				if refused = p.Send("inc", nil); refused != nil {
					break
				}
			}
			var ae *livetest.ActionError
			require.ErrorAs(t, refused, &ae)
			assert.Equal(t, "rate_limited", ae.Code)
			assert.Equal(t, telemetry.Event{Kind: telemetry.Refusal, Refusal: telemetry.RefusedRateLimited, Reason: "per session group", Transport: via},
				wait(t, rec, "refusal", func(e telemetry.Event) bool { return e.Kind == telemetry.Refusal }))
			wait(t, rec, "rate-limited action", func(e telemetry.Event) bool { return e.Kind == telemetry.Action && e.Outcome == "rate_limited" })

			if tr == livetest.WebSocket {
				p.Close()
				assert.Equal(t, telemetry.Event{Kind: telemetry.Leave, View: "tally", Transport: telemetry.WebSocket},
					wait(t, rec, "leave", func(e telemetry.Event) bool { return e.Kind == telemetry.Leave }))
			}
			for _, e := range rec.Events() {
				for _, label := range []string{e.View, e.Store, e.Transport, e.Outcome, e.Op, e.Target, e.Refusal, e.Reason} {
					assert.NotContains(t, label, "script", "no label carries what the client sent: %+v", e)
				}
			}
		})
	}
}

// A refused connection is counted every time and logged once a minute per
// address, with the reason.
func TestRefusedConnectionsAreCountedAndLoggedOnce(t *testing.T) {
	var logs testutil.Logs
	rec := &telemetrytest.Recorder{}
	_, h := tallyHandler(t, livetemplate.WithTelemetry(rec), livetemplate.WithLogger(slogTo(&logs)),
		livetemplate.WithLimits(livetemplate.Limits{MaxConnsPerAddress: 1}))
	srv := serve(t, h)
	newBrowser(t, srv).open("/")
	for range 3 {
		ctx, cancel := context.WithTimeout(t.Context(), 5*time.Second)
		ws, _, err := websocket.Dial(ctx, "ws"+strings.TrimPrefix(srv.URL, "http")+"/", nil)
		require.NoError(t, err)
		_, _, err = ws.Read(ctx)
		assert.Equal(t, websocket.StatusCode(4029), websocket.CloseStatus(err))
		cancel()
	}
	refusals := rec.Of(telemetry.Refusal)
	require.Len(t, refusals, 3)
	assert.Equal(t, telemetry.Event{Kind: telemetry.Refusal, Refusal: telemetry.RefusedTooMany, Reason: "per client address", Transport: telemetry.WebSocket}, refusals[0])
	assert.Equal(t, 1, strings.Count(logs.String(), "refused a client"), logs.String())
	assert.Contains(t, logs.String(), "refusal=too_many_connections addr=127.0.0.1")
}

// Shutdown with a drain: readiness fails before any page is closed, page
// loads are still served, and the live pages are closed with 1012 in
// batches spread over the drain, the last when it ends.
func TestShutdownDrainsThePagesInBatches(t *testing.T) {
	const drain = 600 * time.Millisecond
	app, h := tallyHandler(t, livetemplate.WithDrain(drain))
	srv := serve(t, h)
	health := httptest.NewServer(app.Health())
	defer health.Close()
	readyz := func() int {
		resp, err := http.Get(health.URL + "/readyz")
		require.NoError(t, err)
		resp.Body.Close()
		return resp.StatusCode
	}
	require.Equal(t, http.StatusOK, readyz())

	type closed struct {
		after  time.Duration
		code   websocket.StatusCode
		readyz int
	}
	var start time.Time
	closes := make(chan closed, 3)
	begin := make(chan struct{})
	for range 3 {
		p := newBrowser(t, srv).open("/")
		go func() {
			<-begin
			_, _, err := p.ws.Read(context.Background())
			c := closed{after: time.Since(start), code: websocket.CloseStatus(err)}
			c.readyz = readyz()
			closes <- c
		}()
	}
	start = time.Now()
	close(begin)
	shut := make(chan error, 1)
	go func() {
		ctx, cancel := context.WithTimeout(context.Background(), 10*time.Second)
		defer cancel()
		shut <- app.Shutdown(ctx)
	}()
	require.Eventually(t, func() bool { return readyz() == http.StatusServiceUnavailable }, time.Second, time.Millisecond)
	html, _ := newBrowser(t, srv).get("/")
	assert.Contains(t, html, `<p id="n">`, "a page load during the drain is served")

	var got []closed
	for range 3 {
		got = append(got, <-closes)
	}
	slices.SortFunc(got, func(a, b closed) int { return int(a.after - b.after) })
	for i, c := range got {
		assert.Equal(t, websocket.StatusServiceRestart, c.code, "close %d", i)
		assert.Equal(t, http.StatusServiceUnavailable, c.readyz, "readiness had failed before close %d", i)
		assert.GreaterOrEqual(t, c.after, time.Duration(i+1)*drain/3, "close %d comes with its batch", i)
	}
	require.NoError(t, <-shut)
	assert.GreaterOrEqual(t, time.Since(start), drain)
	healthz, err := http.Get(health.URL + "/healthz")
	require.NoError(t, err)
	healthz.Body.Close()
	assert.Equal(t, http.StatusOK, healthz.StatusCode, "liveness is the process's")
}

// During the drain, a waiting HTTP poll is answered at once with 503
// shutting_down and Retry-After, and so is a new one; actions are still
// applied.
func TestDrainAnswersHTTPPolls(t *testing.T) {
	app, h := tallyHandler(t, livetemplate.WithDrain(2*time.Second))
	srv := serve(t, h)
	jar, err := cookiejar.New(nil)
	require.NoError(t, err)
	hc := &http.Client{Jar: jar, Timeout: 10 * time.Second}
	resp, err := hc.Get(srv.URL + "/")
	require.NoError(t, err)
	body, _ := io.ReadAll(resp.Body)
	resp.Body.Close()
	token := tokenRE.FindStringSubmatch(string(body))[1]
	post := func(msg map[string]any) (*http.Response, map[string]any) {
		msg["token"] = token
		js, _ := json.Marshal(msg)
		resp, err := hc.Post(srv.URL+"/", "application/json", bytes.NewReader(js))
		require.NoError(t, err)
		defer resp.Body.Close()
		var m map[string]any
		_ = json.NewDecoder(resp.Body).Decode(&m)
		return resp, m
	}
	_, tree := post(map[string]any{"t": "sync", "seq": 0})
	require.Equal(t, "tree", tree["t"])
	seq := tree["seq"]

	type answer struct {
		resp *http.Response
		msg  map[string]any
		at   time.Duration
	}
	polled := make(chan answer, 1)
	var start time.Time
	var once sync.Once
	ready := make(chan struct{})
	go func() {
		once.Do(func() { close(ready) })
		resp, m := post(map[string]any{"t": "poll", "seq": seq})
		polled <- answer{resp, m, time.Since(start)}
	}()
	<-ready
	time.Sleep(100 * time.Millisecond) // the poll waits
	start = time.Now()
	shut := make(chan error, 1)
	go func() { shut <- app.Close() }()

	a := <-polled
	assert.Equal(t, http.StatusServiceUnavailable, a.resp.StatusCode)
	assert.Equal(t, "5", a.resp.Header.Get("Retry-After"))
	assert.Equal(t, "shutting_down", a.msg["error"].(map[string]any)["code"])
	assert.Less(t, a.at, time.Second, "answered at the start of the drain, not at its end")

	again, _ := post(map[string]any{"t": "poll", "seq": seq})
	assert.Equal(t, http.StatusServiceUnavailable, again.StatusCode, "a poll during the drain is answered at once")
	act, reply := post(map[string]any{"t": "action", "ref": 1, "name": "inc"})
	assert.Equal(t, http.StatusOK, act.StatusCode)
	assert.Equal(t, "reply", reply["t"], "an action during the drain is applied: %v", reply)
	assert.Nil(t, reply["error"])
	select {
	case err := <-shut:
		t.Fatalf("Shutdown returned during the drain: %v", err)
	default:
	}
	require.NoError(t, <-shut)
}

// A Shutdown whose context ends before the drain would shortens the
// drain, so that it still stops in time: half the time left is for that.
func TestShutdownFitsTheDrainInItsContext(t *testing.T) {
	app, h := tallyHandler(t, livetemplate.WithDrain(time.Minute))
	srv := serve(t, h)
	p := newBrowser(t, srv).open("/")
	closed := make(chan error, 1)
	go func() { // a client reads, and so answers the close handshake
		_, _, err := p.ws.Read(context.Background())
		closed <- err
	}()
	ctx, cancel := context.WithTimeout(t.Context(), 2*time.Second)
	defer cancel()
	start := time.Now()
	require.NoError(t, app.Shutdown(ctx))
	took := time.Since(start)
	assert.GreaterOrEqual(t, took, 900*time.Millisecond, "it drained for about half the time")
	assert.Less(t, took, 2*time.Second)
	assert.Equal(t, websocket.StatusServiceRestart, websocket.CloseStatus(<-closed))
}
