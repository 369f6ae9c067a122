package runtime_test

import (
	"context"
	"strings"
	"testing"
	"time"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"

	"github.com/lvtgo/livetemplate/auth"
	"github.com/lvtgo/livetemplate/internal/fault"
	"github.com/lvtgo/livetemplate/internal/form"
	"github.com/lvtgo/livetemplate/internal/runtime"
	"github.com/lvtgo/livetemplate/internal/schema"
	"github.com/lvtgo/livetemplate/internal/wire"
)

func TestPushEventAndAsyncRefuse(t *testing.T) {
	c := runtime.NewCall(t.Context(), "go", auth.Identity{}, nil, nil, func(string) any { return nil })
	for range runtime.MaxCallEvents {
		require.NoError(t, c.PushEvent("tick", 1))
	}
	assert.ErrorIs(t, c.PushEvent("tick", 1), runtime.ErrTooManyEvents)
	c = runtime.NewCall(t.Context(), "go", auth.Identity{}, nil, nil, func(string) any { return nil })
	assert.ErrorIs(t, c.PushEvent("error", 1), wire.ErrEventName, "a name the client uses itself")
	err := c.Async("done", func(context.Context) (map[string]any, error) { return nil, nil })
	assert.ErrorIs(t, err, runtime.ErrNoAsync, "no page acts")
}

// slow is a page's own store whose "start" waits in the background for a
// value on its gate.
type slow struct{ Text string }

var slowDecl = decl("slow", schema.Page, &slow{}, `{"Text":""}`)

func (s *slow) change(call *runtime.Call) error {
	switch call.Action() {
	case "start":
		s.Text = "pending"
		gate := slowGate
		return call.Async("done", func(ctx context.Context) (map[string]any, error) {
			select {
			case v := <-gate:
				return map[string]any{"text": v}, nil
			case <-ctx.Done():
				return nil, ctx.Err()
			}
		})
	case "done":
		s.Text, _ = form.Text(call.Data()["text"])
		return nil
	}
	return &fault.Error{Kind: fault.UnknownAction}
}

// slowGate feeds the work of slow stores (tests using it do not run in
// parallel).
var slowGate = make(chan string)

// Background work of a page whose connection ended meanwhile delivers its
// outcome once the page's client is back.
func TestAsyncWaitsForThePageToComeBack(t *testing.T) {
	a := newApp(t, appOptions{})
	v := a.mount(t, "slow", `<p>{{.Text}}</p>`, runtime.Shape{}, nil, slowDecl)
	tb := a.open(t, v, ada)
	_, err := tb.act("start", "")
	require.NoError(t, err)
	assert.Equal(t, "<p>pending</p>", tb.html())

	a.Detach(tb.p, tb.sock) // the client goes away
	slowGate <- "done"
	waitLog(t, a, "waiting for its page's connection")

	sock := newSocket()
	_, err = a.Attach(t.Context(), tb.p, sock, request("/"), tb.seq, 0)
	require.NoError(t, err)
	t.Cleanup(func() { a.Detach(tb.p, sock) })
	tb.sock = sock
	for deadline := time.Now().Add(5 * time.Second); tb.drain() != "<p>done</p>"; {
		require.True(t, time.Now().Before(deadline), "the outcome did not come; the page shows %s", tb.html())
		select {
		case <-sock.woke:
		case <-time.After(time.Second):
		}
	}
}

// waitLog waits until a's log has a line containing s.
func waitLog(t *testing.T, a *app, s string) {
	t.Helper()
	for deadline := time.Now().Add(5 * time.Second); ; time.Sleep(5 * time.Millisecond) {
		for _, l := range a.logs.lines() {
			if strings.Contains(l, s) {
				return
			}
		}
		require.True(t, time.Now().Before(deadline), "no log line %q in %v", s, a.logs.lines())
	}
}
