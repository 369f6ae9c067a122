package promsink_test

import (
	"bufio"
	"fmt"
	"net/http"
	"net/http/httptest"
	"os"
	"regexp"
	"slices"
	"strings"
	"testing"
	"time"

	"github.com/prometheus/client_golang/prometheus"
	"github.com/prometheus/client_golang/prometheus/promhttp"
	"github.com/prometheus/client_golang/prometheus/testutil"
	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"

	"github.com/lvtgo/livetemplate"
	"github.com/lvtgo/livetemplate/livetest"
	"github.com/lvtgo/livetemplate/telemetry"
	"github.com/lvtgo/livetemplate/telemetry/promsink"
)

// counter is the page's store.
type counter struct{ Count int }

func (c *counter) Change(ctx *livetemplate.ActionContext) error {
	switch ctx.Action() {
	case "inc":
		c.Count++
	case "fail":
		return livetemplate.UserErrorf("no")
	default:
		return livetemplate.ErrUnknownAction
	}
	return nil
}

const page = `<!DOCTYPE html><html><body><p id="n">{{.Count}}</p><button id="inc" lvt-click="inc">+</button><button id="fail" lvt-click="fail">!</button></body></html>`

func newSink(t *testing.T) (*prometheus.Registry, *promsink.Sink) {
	t.Helper()
	reg := prometheus.NewRegistry()
	sink, err := promsink.New(reg, nil)
	require.NoError(t, err)
	return reg, sink
}

// A real app over a real WebSocket: the page load, the join, the actions
// and the leave show in the registry.
func TestMetricsOfALivePage(t *testing.T) {
	reg, sink := newSink(t)
	app := livetest.App(t, livetemplate.WithTelemetry(sink))
	tmpl, err := livetemplate.New("counter", livetemplate.WithText(page))
	require.NoError(t, err)
	srv := livetest.Start(t, app.Handle(tmpl, &counter{}))

	p := srv.Open("/")
	require.NoError(t, p.Click("#inc"))
	require.NoError(t, p.Click("#inc"))
	require.Error(t, p.Click("#fail"))
	require.Error(t, p.Send("nope", nil))

	require.NoError(t, testutil.GatherAndCompare(reg, strings.NewReader(`
# HELP livetemplate_actions_total Actions answered, by store and outcome (ok or the reply's error code).
# TYPE livetemplate_actions_total counter
livetemplate_actions_total{outcome="failed",store="counter"} 1
livetemplate_actions_total{outcome="ok",store="counter"} 2
livetemplate_actions_total{outcome="unknown_action",store="counter"} 1
# HELP livetemplate_connections Live pages: served by a WebSocket or by HTTP polls.
# TYPE livetemplate_connections gauge
livetemplate_connections{transport="http"} 0
livetemplate_connections{transport="websocket"} 1
# HELP livetemplate_page_loads_total Page loads (GET), by outcome.
# TYPE livetemplate_page_loads_total counter
livetemplate_page_loads_total{outcome="ok"} 1
`), "livetemplate_actions_total", "livetemplate_connections", "livetemplate_page_loads_total"))
	n, err := testutil.GatherAndCount(reg, "livetemplate_action_duration_seconds")
	require.NoError(t, err)
	assert.Equal(t, 1, n, "one histogram, for the store")

	p.Close()
	require.Eventually(t, func() bool {
		return testutil.GatherAndCompare(reg, strings.NewReader(`
# HELP livetemplate_connections Live pages: served by a WebSocket or by HTTP polls.
# TYPE livetemplate_connections gauge
livetemplate_connections{transport="http"} 0
livetemplate_connections{transport="websocket"} 0
`), "livetemplate_connections") == nil
	}, 5*time.Second, 10*time.Millisecond, "the page left")
}

// every has one event of each kind.
var every = []telemetry.Event{
	{Kind: telemetry.PageLoad, View: "v", Transport: telemetry.HTTP, Outcome: telemetry.OK, Duration: time.Millisecond, ReplyBytes: 900},
	{Kind: telemetry.Join, View: "v", Transport: telemetry.HTTP},
	{Kind: telemetry.Join, View: "v", Transport: telemetry.WebSocket},
	{Kind: telemetry.Leave, View: "v", Transport: telemetry.WebSocket},
	{Kind: telemetry.Action, View: "v", Store: "s", Transport: telemetry.HTTP, Outcome: "invalid", ReplyBytes: 120, PatchBytes: 2},
	{Kind: telemetry.Push, Op: telemetry.OpBroadcast, Outcome: telemetry.OK, Target: telemetry.TargetAll, States: 3, Pages: 7},
	{Kind: telemetry.StoreCall, Op: telemetry.OpPut, Outcome: telemetry.Conflict},
	{Kind: telemetry.StoreCall, Op: telemetry.OpGet, Outcome: telemetry.Error, Err: true},
	{Kind: telemetry.BusCall, Op: telemetry.OpPublish, Outcome: telemetry.OK},
	{Kind: telemetry.Refusal, Refusal: telemetry.RefusedTooMany, Reason: "per client address", Transport: telemetry.WebSocket},
	{Kind: telemetry.Upload, Outcome: telemetry.OK, Bytes: 4096, Duration: time.Second},
	{Kind: telemetry.Upload, Outcome: "type", Bytes: 0},
}

func TestRecordMapsEveryKind(t *testing.T) {
	reg, sink := newSink(t)
	for _, e := range every {
		sink.Record(e)
	}
	require.NoError(t, testutil.GatherAndCompare(reg, strings.NewReader(`
# HELP livetemplate_connections Live pages: served by a WebSocket or by HTTP polls.
# TYPE livetemplate_connections gauge
livetemplate_connections{transport="http"} 1
livetemplate_connections{transport="websocket"} 0
# HELP livetemplate_joins_total Pages that went live on a connection.
# TYPE livetemplate_joins_total counter
livetemplate_joins_total{transport="http"} 1
livetemplate_joins_total{transport="websocket"} 1
# HELP livetemplate_push_pages_total Pages of this instance reached by server pushes.
# TYPE livetemplate_push_pages_total counter
livetemplate_push_pages_total{op="broadcast"} 7
# HELP livetemplate_push_states_total Shared states changed by server pushes.
# TYPE livetemplate_push_states_total counter
livetemplate_push_states_total{op="broadcast"} 3
# HELP livetemplate_pushes_total Server pushes of this instance, by operation and outcome.
# TYPE livetemplate_pushes_total counter
livetemplate_pushes_total{op="broadcast",outcome="ok"} 1
# HELP livetemplate_refusals_total Clients refused, by kind of refusal and transport.
# TYPE livetemplate_refusals_total counter
livetemplate_refusals_total{kind="too_many_connections",transport="websocket"} 1
# HELP livetemplate_store_calls_total Session store calls, by operation and outcome.
# TYPE livetemplate_store_calls_total counter
livetemplate_store_calls_total{op="get",outcome="error"} 1
livetemplate_store_calls_total{op="put",outcome="conflict"} 1
# HELP livetemplate_bus_calls_total Bus calls, by operation and outcome.
# TYPE livetemplate_bus_calls_total counter
livetemplate_bus_calls_total{op="publish",outcome="ok"} 1
# HELP livetemplate_uploads_total Uploaded files whose transfer ended, by outcome (ok: stored).
# TYPE livetemplate_uploads_total counter
livetemplate_uploads_total{outcome="ok"} 1
livetemplate_uploads_total{outcome="type"} 1
# HELP livetemplate_upload_bytes_total Bytes of uploaded files that arrived, by outcome.
# TYPE livetemplate_upload_bytes_total counter
livetemplate_upload_bytes_total{outcome="ok"} 4096
livetemplate_upload_bytes_total{outcome="type"} 0
`), "livetemplate_connections", "livetemplate_joins_total", "livetemplate_push_pages_total", "livetemplate_push_states_total",
		"livetemplate_pushes_total", "livetemplate_refusals_total", "livetemplate_store_calls_total", "livetemplate_bus_calls_total",
		"livetemplate_uploads_total", "livetemplate_upload_bytes_total"))
	for name, want := range map[string]int{
		"livetemplate_reply_bytes": 1, "livetemplate_patch_bytes": 1, "livetemplate_page_load_duration_seconds": 1,
		"livetemplate_store_call_duration_seconds": 2, "livetemplate_bus_call_duration_seconds": 1,
		"livetemplate_upload_duration_seconds": 1,
	} {
		n, err := testutil.GatherAndCount(reg, name)
		require.NoError(t, err)
		assert.Equal(t, want, n, name)
	}
}

func TestNewRefusesARegistryThatHasTheMetrics(t *testing.T) {
	reg, _ := newSink(t)
	_, err := promsink.New(reg, nil)
	assert.ErrorContains(t, err, "promsink: register the metrics")
}

// Every metric the sink exposes is listed in docs/production.md, and every
// livetemplate_ metric listed there is exposed.
func TestMetricsAreDocumented(t *testing.T) {
	reg, sink := newSink(t)
	for _, e := range every {
		sink.Record(e)
	}
	sink.Record(telemetry.Event{Kind: telemetry.Action, Store: "s", Outcome: telemetry.OK})
	families, err := reg.Gather()
	require.NoError(t, err)
	var exposed []string
	for _, f := range families {
		exposed = append(exposed, f.GetName())
	}
	assert.Equal(t, documented(t, "../../docs/production.md"), exposed)
}

// documented returns the metric names in the first column of the metrics
// table of the doc at path, sorted.
func documented(t *testing.T, path string) []string {
	t.Helper()
	f, err := os.Open(path)
	require.NoError(t, err)
	defer f.Close()
	row := regexp.MustCompile("^\\| `(livetemplate_[a-z_]+)`")
	var names []string
	for sc := bufio.NewScanner(f); sc.Scan(); {
		if m := row.FindStringSubmatch(sc.Text()); m != nil {
			names = append(names, m[1])
		}
	}
	slices.Sort(names)
	return slices.Compact(names)
}

func Example() {
	reg := prometheus.NewRegistry()
	sink, err := promsink.New(reg, nil)
	if err != nil {
		panic(err)
	}
	// livetemplate.NewApp(livetemplate.WithTelemetry(sink)) records events
	// like these:
	sink.Record(telemetry.Event{Kind: telemetry.Join, Transport: telemetry.WebSocket})
	sink.Record(telemetry.Event{Kind: telemetry.Action, Store: "counter", Outcome: telemetry.OK, Duration: 3 * time.Millisecond})

	// What Prometheus scrapes from the operations port:
	rec := httptest.NewRecorder()
	promhttp.HandlerFor(reg, promhttp.HandlerOpts{}).ServeHTTP(rec, httptest.NewRequest(http.MethodGet, "/metrics", nil))
	for sc := bufio.NewScanner(rec.Body); sc.Scan(); {
		if line := sc.Text(); strings.HasPrefix(line, "livetemplate_actions_total") || strings.HasPrefix(line, "livetemplate_connections") {
			fmt.Println(line)
		}
	}
	// Output:
	// livetemplate_actions_total{outcome="ok",store="counter"} 1
	// livetemplate_connections{transport="http"} 0
	// livetemplate_connections{transport="websocket"} 1
}
