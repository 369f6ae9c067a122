package ops_test

import (
	"bufio"
	"bytes"
	"encoding/json"
	"flag"
	"fmt"
	"log/slog"
	"net/http"
	"net/http/httptest"
	"os"
	"regexp"
	"slices"
	"strings"
	"testing"
	"time"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"

	"github.com/lvtgo/livetemplate"
	"github.com/lvtgo/livetemplate/examples/internal/ops"
	"github.com/lvtgo/livetemplate/internal/testutil"
	"github.com/lvtgo/livetemplate/telemetry"
)

// every has one event of each kind.
var every = []telemetry.Event{
	{Kind: telemetry.PageLoad, View: "v", Transport: telemetry.HTTP, Outcome: telemetry.OK, Duration: 7 * time.Millisecond, ReplyBytes: 900},
	{Kind: telemetry.Join, View: "v", Transport: telemetry.HTTP},
	{Kind: telemetry.Join, View: "v", Transport: telemetry.WebSocket},
	{Kind: telemetry.Leave, View: "v", Transport: telemetry.WebSocket},
	{Kind: telemetry.Action, View: "v", Store: "s", Transport: telemetry.HTTP, Outcome: "invalid", Duration: time.Millisecond, ReplyBytes: 120, PatchBytes: 2},
	{Kind: telemetry.Action, View: "v", Store: "s", Transport: telemetry.HTTP, Outcome: telemetry.OK, Duration: 2 * time.Second},
	{Kind: telemetry.Push, Op: telemetry.OpBroadcast, Outcome: telemetry.OK, Target: telemetry.TargetAll, States: 3, Pages: 7},
	{Kind: telemetry.StoreCall, Op: telemetry.OpPut, Outcome: telemetry.Conflict, Duration: 3 * time.Millisecond},
	{Kind: telemetry.StoreCall, Op: telemetry.OpGet, Outcome: telemetry.Error, Err: true},
	{Kind: telemetry.BusCall, Op: telemetry.OpPublish, Outcome: telemetry.OK, Duration: 30 * time.Second},
	{Kind: telemetry.BusCall, Op: telemetry.OpSubscribe, Outcome: telemetry.Error, Err: true},
	{Kind: telemetry.Refusal, Refusal: telemetry.RefusedTooMany, Reason: "per client address", Transport: telemetry.WebSocket},
	{Kind: telemetry.Upload, Outcome: telemetry.OK, Bytes: 4096, Duration: time.Second},
}

func scrape(t *testing.T, m *ops.Metrics) string {
	t.Helper()
	rec := httptest.NewRecorder()
	m.ServeHTTP(rec, httptest.NewRequest(http.MethodGet, "/metrics", nil))
	assert.Equal(t, "text/plain; version=0.0.4; charset=utf-8", rec.Header().Get("Content-Type"))
	return rec.Body.String()
}

func TestMetricsExposition(t *testing.T) {
	m := ops.NewMetrics()
	for _, e := range every {
		m.Record(e)
	}
	got := scrape(t, m)
	for _, want := range []string{
		"# HELP livetemplate_connections Live pages: served by a WebSocket or by HTTP polls.\n# TYPE livetemplate_connections gauge\n" +
			`livetemplate_connections{transport="http"} 1` + "\n" + `livetemplate_connections{transport="websocket"} 0` + "\n",
		"# TYPE livetemplate_actions_total counter\n" +
			`livetemplate_actions_total{outcome="invalid",store="s"} 1` + "\n" + `livetemplate_actions_total{outcome="ok",store="s"} 1` + "\n",
		"# TYPE livetemplate_action_duration_seconds histogram\n" +
			`livetemplate_action_duration_seconds_bucket{store="s",le="0.005"} 1` + "\n",
		`livetemplate_action_duration_seconds_bucket{store="s",le="1"} 1` + "\n" +
			`livetemplate_action_duration_seconds_bucket{store="s",le="2.5"} 2` + "\n",
		`livetemplate_action_duration_seconds_bucket{store="s",le="+Inf"} 2` + "\n" +
			`livetemplate_action_duration_seconds_sum{store="s"} 2.001` + "\n" +
			`livetemplate_action_duration_seconds_count{store="s"} 2` + "\n",
		`livetemplate_reply_bytes_bucket{le="64"} 0` + "\n" + `livetemplate_reply_bytes_bucket{le="256"} 1` + "\n",
		`livetemplate_reply_bytes_bucket{le="1.048576e+06"} 1` + "\n", // as client_golang writes it
		`livetemplate_bus_call_duration_seconds_bucket{op="publish",le="10"} 0` + "\n" +
			`livetemplate_bus_call_duration_seconds_bucket{op="publish",le="+Inf"} 1` + "\n",
		`livetemplate_bus_calls_total{op="subscribe",outcome="error"} 1` + "\n",
		`livetemplate_push_pages_total{op="broadcast"} 7` + "\n",
		`livetemplate_push_states_total{op="broadcast"} 3` + "\n",
		`livetemplate_refusals_total{kind="too_many_connections",transport="websocket"} 1` + "\n",
		`livetemplate_store_calls_total{op="get",outcome="error"} 1` + "\n" + `livetemplate_store_calls_total{op="put",outcome="conflict"} 1` + "\n",
		`livetemplate_page_load_duration_seconds_count 1` + "\n",
	} {
		assert.Contains(t, got, want)
	}
	assert.NotContains(t, got, `livetemplate_bus_call_duration_seconds_count{op="subscribe"}`, "only publishes are timed")
}

// Every metric the operations port exposes is listed in
// docs/production.md, as telemetry/promsink's are (a test there checks
// them): the two serve the same names.
func TestMetricsAreDocumented(t *testing.T) {
	m := ops.NewMetrics()
	for _, e := range every {
		m.Record(e)
	}
	var exposed []string
	for line := range strings.Lines(scrape(t, m)) {
		if name, ok := strings.CutPrefix(line, "# TYPE "); ok {
			exposed = append(exposed, strings.Fields(name)[0])
		}
	}
	f, err := os.Open("../../../docs/production.md")
	require.NoError(t, err)
	defer f.Close()
	row := regexp.MustCompile("^\\| `(livetemplate_[a-z_]+)`")
	var documented []string
	for sc := bufio.NewScanner(f); sc.Scan(); {
		if m := row.FindStringSubmatch(sc.Text()); m != nil {
			documented = append(documented, m[1])
		}
	}
	slices.Sort(documented)
	assert.Equal(t, slices.Compact(documented), exposed)
}

func TestFlags(t *testing.T) {
	fs := flag.NewFlagSet("x", flag.ContinueOnError)
	of := ops.Register(fs)
	require.NoError(t, fs.Parse(nil))
	assert.Equal(t, ops.Flags{LogFormat: "text"}, *of, "the defaults: text logs, no operations server, no drain")
	opts, closeOpts, err := of.Options(t.Context(), slog.New(slog.DiscardHandler))
	require.NoError(t, err)
	assert.Len(t, opts, 1, "the drain only: no telemetry without -ops-addr, no keys, no proxies, no Redis")
	require.NoError(t, closeOpts())
	stop, err := of.Start(nil, nil)
	require.NoError(t, err)
	stop()

	require.NoError(t, fs.Parse([]string{"-log-format", "json", "-drain", "2s"}))
	var buf bytes.Buffer
	logger, err := of.Logger(&buf)
	require.NoError(t, err)
	logger.Info("hello", "n", 1)
	var line map[string]any
	require.NoError(t, json.Unmarshal(buf.Bytes(), &line))
	assert.Equal(t, "hello", line["msg"])
	assert.Equal(t, 2*time.Second, of.Drain)

	of.LogFormat = "xml"
	_, err = of.Logger(&buf)
	assert.ErrorContains(t, err, `-log-format "xml"`)
}

func ExampleMetrics() {
	m := ops.NewMetrics() // livetemplate.WithTelemetry(m), served at /metrics
	m.Record(telemetry.Event{Kind: telemetry.Join, Transport: telemetry.WebSocket})
	m.Record(telemetry.Event{Kind: telemetry.Refusal, Refusal: telemetry.RefusedRateLimited, Transport: telemetry.HTTP})
	rec := httptest.NewRecorder()
	m.ServeHTTP(rec, httptest.NewRequest(http.MethodGet, "/metrics", nil))
	for line := range strings.Lines(rec.Body.String()) {
		if !strings.HasPrefix(line, "#") {
			fmt.Print(line)
		}
	}
	// Output:
	// livetemplate_connections{transport="http"} 0
	// livetemplate_connections{transport="websocket"} 1
	// livetemplate_joins_total{transport="websocket"} 1
	// livetemplate_refusals_total{kind="rate_limited",transport="http"} 1
}

// -secret (or $LIVETEMPLATE_SECRET; the flag wins) and -trusted-proxy
// (repeated, or with commas) become app options, with or without -redis;
// the secret is never printed, neither in the usage nor in an error.
func TestSecretAndProxyFlags(t *testing.T) {
	const fromEnv = "a secret from the environment, 32 bytes or more"
	t.Setenv(ops.SecretEnv, fromEnv)
	fs := flag.NewFlagSet("x", flag.ContinueOnError)
	var usage bytes.Buffer
	fs.SetOutput(&usage)
	of := ops.Register(fs)
	require.NoError(t, fs.Parse([]string{"-trusted-proxy", "10.0.0.0/8, 192.0.2.1", "-trusted-proxy", "::1"}))
	assert.Equal(t, []string{"10.0.0.0/8", "192.0.2.1", "::1"}, of.TrustedProxies)
	assert.Equal(t, fromEnv, of.Secret(), "from the environment")
	fs.PrintDefaults()
	assert.NotContains(t, usage.String(), fromEnv)
	assert.Contains(t, usage.String(), "-trusted-proxy value")

	var logs bytes.Buffer
	logger := slog.New(slog.NewTextHandler(&logs, nil))
	opts, closeOpts, err := of.Options(t.Context(), logger)
	require.NoError(t, err)
	assert.Len(t, opts, 3, "the drain, the secret, the proxies")
	require.NoError(t, closeOpts())
	app, err := livetemplate.NewApp(opts...)
	require.NoError(t, err, "options NewApp takes")
	require.NoError(t, app.Close())

	require.NoError(t, fs.Parse([]string{"-secret", "short"}))
	assert.Equal(t, "short", of.Secret(), "the flag wins")
	_, _, err = of.Options(t.Context(), logger)
	assert.ErrorContains(t, err, "-secret (or $LIVETEMPLATE_SECRET) has 5 bytes, want at least 32")
	assert.NotContains(t, err.Error(), "short")

	rdb := testutil.StartRedis(t)
	require.NoError(t, fs.Parse([]string{"-secret", fromEnv + "!", "-redis", rdb.URL()}))
	opts, closeOpts, err = of.Options(t.Context(), logger)
	require.NoError(t, err)
	assert.Len(t, opts, 5, "the drain, and the cluster's store, bus, proxies and secret")
	app, err = livetemplate.NewApp(opts...)
	require.NoError(t, err)
	require.NoError(t, app.Close())
	require.NoError(t, closeOpts(), "after the app")
	assert.NotContains(t, logs.String(), fromEnv)
}
