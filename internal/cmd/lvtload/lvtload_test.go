package main

import (
	"bytes"
	"encoding/json"
	"fmt"
	"io"
	"net/http/httptest"
	"net/url"
	"os"
	"strings"
	"testing"
	"time"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"
	"go.uber.org/goleak"

	"github.com/lvtgo/livetemplate/cluster"
	"github.com/lvtgo/livetemplate/internal/testutil"
)

// TestMain checks for leaked goroutines. Started as "lvtload.test serve …"
// (by run, in TestRunStartsItsServer) the test binary is the server instead.
func TestMain(m *testing.M) {
	if len(os.Args) > 1 && os.Args[1] == "serve" {
		if err := serveMain(os.Args[2:]); err != nil {
			fmt.Fprintln(os.Stderr, err)
			os.Exit(1)
		}
		os.Exit(0)
	}
	goleak.VerifyTestMain(m)
}

// The tests run each scenario at a tiny scale against an in-process server
// and check counts, never timings.

// newServer serves the counter page on 127.0.0.1 until the test ends.
func newServer(t *testing.T) *url.URL {
	t.Helper()
	live, err := newHandler()
	require.NoError(t, err)
	h := withPush(live)
	srv := httptest.NewServer(h)
	t.Cleanup(func() {
		srv.Close()
		assert.NoError(t, h.Close())
	})
	u, err := url.Parse(srv.URL + "/")
	require.NoError(t, err)
	return u
}

// newFleet opens a fleet that the test closes at its end.
func newFleet(t *testing.T, page *url.URL, o fleetOptions) *fleet {
	t.Helper()
	f, rep, err := openFleet(t.Context(), []*url.URL{page}, o)
	t.Cleanup(f.close)
	require.NoError(t, err)
	require.Empty(t, rep.Failed)
	return f
}

func TestIdleOpensEveryTab(t *testing.T) {
	t.Parallel()
	page := newServer(t)
	f, rep, err := openFleet(t.Context(), []*url.URL{page}, fleetOptions{Conns: 20, Groups: 3, Concurrency: 4})
	t.Cleanup(f.close)
	require.NoError(t, err)
	assert.Equal(t, 20, rep.Readers)
	assert.Zero(t, rep.NonReaders)
	assert.Empty(t, rep.Failed)
	assert.Len(t, f.groups, 3)
	for _, g := range f.groups {
		assert.Len(t, g.tabs, map[int]int{0: 7, 1: 7, 2: 6}[g.id])
		assert.Same(t, g.tabs[0], g.sender)
	}
	assert.Equal(t, int64(20), f.received.Load(), "one tree per tab")
	assert.Zero(t, f.gaps.Load())
}

func TestTabsOfAGroupShareItsState(t *testing.T) {
	t.Parallel()
	f := newFleet(t, newServer(t), fleetOptions{Conns: 4, Groups: 2})
	res, err := fanout(t.Context(), f, 3, 10*time.Second, 0)
	require.NoError(t, err)
	// Groups {0, 2} and {1, 3}: one other tab each, three rounds.
	assert.Equal(t, 6, res.Expected)
	assert.Equal(t, 6, res.Delivered)
	for _, tb := range f.tabs {
		assert.Equal(t, int64(3), tb.count.Load(), "each group counted its own three increments")
	}
}

func TestFanoutReachesEveryOtherTab(t *testing.T) {
	t.Parallel()
	f := newFleet(t, newServer(t), fleetOptions{Conns: 20, Groups: 1, Concurrency: 5})
	res, err := fanout(t.Context(), f, 3, 10*time.Second, 0)
	require.NoError(t, err)
	assert.Equal(t, 3*19, res.Expected)
	assert.Equal(t, 3*19, res.Delivered)
	assert.Len(t, res.Lat, 3*19)
	assert.Len(t, res.RoundP99, 3)
	assert.Len(t, res.Reply, 3)
	assert.Zero(t, res.Timeouts)
	assert.Zero(t, f.gaps.Load())
	assert.Zero(t, f.errReplies.Load())
}

func TestActionsCountsReplies(t *testing.T) {
	t.Parallel()
	f := newFleet(t, newServer(t), fleetOptions{Conns: 20, Groups: 4})
	res := actions(t.Context(), f, 300*time.Millisecond, 10*time.Second)
	assert.Equal(t, 20, res.Actors)
	assert.Positive(t, res.OK)
	assert.Len(t, res.Lat, res.OK)
	assert.Zero(t, res.Timeouts)
	for code, n := range res.Failed {
		assert.Zero(t, n, code)
	}
	// Every success was an increment, so the groups' counts add up to it. A
	// group's count is the one its last action's reply carried: the highest
	// any of its tabs holds (patches of other tabs' actions may still travel).
	var total int64
	for _, g := range f.groups {
		var last int64
		for _, tb := range g.tabs {
			last = max(last, tb.count.Load())
		}
		total += last
	}
	assert.Equal(t, int64(res.OK), total)
}

func TestNonReadersDoNotStopTheOthers(t *testing.T) {
	t.Parallel()
	f, rep, err := openFleet(t.Context(), []*url.URL{newServer(t)}, fleetOptions{Conns: 22, Groups: 2, NonReaders: 0.1})
	t.Cleanup(f.close)
	require.NoError(t, err)
	assert.Equal(t, 2, rep.NonReaders, "every 10th tab after the first of each group")
	assert.Equal(t, 20, rep.Readers)
	res, err := fanout(t.Context(), f, 2, 10*time.Second, 0)
	require.NoError(t, err)
	assert.Equal(t, 2*18, res.Expected) // 10 readers per group, one of them acts
	assert.Equal(t, res.Expected, res.Delivered)
	p := probeNonReaders(t.Context(), f, 200*time.Millisecond)
	assert.Equal(t, 2, p.Open)
	assert.Zero(t, p.Closed)
	// A tree and up to two patches wait for each (a join may have been
	// handled after a round had started).
	assert.GreaterOrEqual(t, p.Messages, 2)
	assert.LessOrEqual(t, p.Messages, 2*3)
}

func TestOpenReportsFailures(t *testing.T) {
	t.Parallel()
	closed, err := url.Parse("http://127.0.0.1:1/") // nothing listens there
	require.NoError(t, err)
	f, rep, err := openFleet(t.Context(), []*url.URL{closed}, fleetOptions{Conns: 12, Groups: 12, ConnectTimeout: 5 * time.Second})
	t.Cleanup(f.close)
	require.Error(t, err, "more than 10 tabs failed")
	assert.Zero(t, rep.Readers)
	assert.Positive(t, rep.Failed["get"])
	assert.Contains(t, rep.String(), "FAILED get: ")
}

func TestRunPrintsAReport(t *testing.T) {
	t.Parallel()
	page := newServer(t)
	for _, scenario := range []string{"idle", "fanout", "actions"} {
		t.Run(scenario, func(t *testing.T) {
			var out bytes.Buffer
			c := runConfig{scenario: scenario, fleet: fleetOptions{Conns: 22, Groups: 2, NonReaders: 0.1},
				rounds: 2, duration: 200 * time.Millisecond, roundWait: 10 * time.Second, probeNonRdr: true}
			require.NoError(t, run(t.Context(), c, page, 0, &out))
			assert.Contains(t, out.String(), "connect: 22 tabs open (20 reading, 2 never reading)")
			assert.Contains(t, out.String(), "non-reading tabs: 2 still open")
			assert.NotContains(t, out.String(), "errors:")
			switch scenario {
			case "fanout":
				assert.Contains(t, out.String(), "fanout: 2 rounds, delivered 36/36, 0 rounds timed out")
			case "actions":
				assert.Contains(t, out.String(), "actions: 20 tabs acting")
			}
		})
	}
}

func TestRunStartsItsServer(t *testing.T) {
	t.Parallel()
	var out bytes.Buffer
	err := runMain([]string{"-scenario", "idle", "-conns", "20", "-groups", "2", "-settle", "0s", "-timeout", "1m"}, &out)
	require.NoError(t, err)
	assert.Contains(t, out.String(), "connect: 20 tabs open (20 reading, 0 never reading)")
	assert.Regexp(t, `idle: server RSS [0-9.]+ MiB before, [0-9.]+ MiB with 20 tabs`, out.String())
	assert.Regexp(t, `during connect: server CPU [0-9.]+s`, out.String())
	assert.Contains(t, out.String(), "server log: nothing")
}

func TestRunRefusesOtherHosts(t *testing.T) {
	t.Parallel()
	err := runMain([]string{"-url", "http://192.0.2.1:8080/"}, io.Discard)
	require.ErrorContains(t, err, "not a loopback address")
}

func TestParseMsgAgreesWithJSON(t *testing.T) {
	t.Parallel()
	msgs := []string{
		`{"t":"tree","seq":1,"tree":{"p":{"0123456789abcdef":["<p id=\"count\">","</p>"]},"s":"0123456789abcdef","0":"0"}}`,
		`{"t":"patch","seq":12,"patch":{"0":"-3"}}`,
		`{"t":"reply","ref":7,"seq":2,"patch":{"0":"41"}}`,
		`{"t":"reply","ref":8,"seq":3,"patch":{}}`,
		`{"t":"reply","ref":9,"error":{"code":"rate_limited","message":"Too many actions; slow down."}}`,
		`{"t":"reload","reason":"session ended"}`,
		`{"seq":4,"patch":{"0":"5"},"t":"patch"}`,
	}
	for _, s := range msgs {
		var full struct {
			T     string          `json:"t"`
			Seq   *uint64         `json:"seq"`
			Ref   int64           `json:"ref"`
			Tree  json.RawMessage `json:"tree"`
			Patch json.RawMessage `json:"patch"`
			Error *struct {
				Code string `json:"code"`
			} `json:"error"`
		}
		require.NoError(t, json.Unmarshal([]byte(s), &full), s)
		var node struct {
			Count *string `json:"0"`
		}
		if body := append(full.Tree, full.Patch...); len(body) > 0 {
			require.NoError(t, json.Unmarshal(body, &node), s)
		}
		got := parseMsg([]byte(s))
		assert.Equal(t, full.T, got.typ, s)
		assert.Equal(t, full.Seq != nil, got.hasSeq, s)
		if full.Seq != nil {
			assert.Equal(t, *full.Seq, got.seq, s)
		}
		assert.Equal(t, full.Ref, got.ref, s)
		assert.Equal(t, node.Count != nil, got.hasCount, s)
		if node.Count != nil {
			assert.Equal(t, strings.TrimSpace(*node.Count), formatInt(got.count), s)
		}
		if full.Error != nil {
			assert.Equal(t, full.Error.Code, got.errCode, s)
		} else {
			assert.Empty(t, got.errCode, s)
		}
	}
}

func formatInt(n int64) string { b, _ := json.Marshal(n); return string(b) }

func TestLoopbackOnly(t *testing.T) {
	t.Parallel()
	for _, ok := range []string{"127.0.0.1:80", "[::1]:8080", "localhost:1"} {
		assert.NoError(t, loopbackOnly(ok), ok)
	}
	for _, bad := range []string{"10.0.0.1:80", "example.com:80", "0.0.0.0:80", ":80"} {
		assert.Error(t, loopbackOnly(bad), bad)
	}
}

func TestLatencyQuantiles(t *testing.T) {
	t.Parallel()
	var l latencies
	for i := 100; i >= 1; i-- {
		l = append(l, time.Duration(i)*time.Millisecond)
	}
	assert.Equal(t, "n=100 p50=50.00ms p99=99.00ms max=100.00ms", l.String())
	assert.Equal(t, "n=0", latencies(nil).String())
}

func TestLogTallyCountsMessages(t *testing.T) {
	t.Parallel()
	var l logTally
	assert.Equal(t, "nothing", l.String())
	_, _ = l.Write([]byte("2026/11/29 13:09:49 WARN slow render component=livetemplate duration=1ms\n2026/11/29 13:09:49 WARN slow"))
	_, _ = l.Write([]byte(" render component=livetemplate duration=2ms\ntime=x level=INFO msg=hello\n"))
	assert.Equal(t, `"WARN slow render" ×2, "time=x level=INFO msg=hello" ×1`, l.String())
}

// A push reaches every reading tab of every group, the first tab too.
func TestPushReachesEveryTab(t *testing.T) {
	t.Parallel()
	page := newServer(t)
	f := newFleet(t, page, fleetOptions{Conns: 20, Groups: 4})
	res, err := pushRounds(t.Context(), f, page, 3, 10*time.Second, 0)
	require.NoError(t, err)
	assert.Equal(t, 60, res.Expected)
	assert.Equal(t, 60, res.Delivered)
	assert.Zero(t, res.Timeouts)
	assert.Zero(t, f.gaps.Load())
}

// Two instances sharing a real Redis: the tabs spread over both, the push
// made on the first reaches the tabs on the second.
func TestPushAcrossInstances(t *testing.T) {
	t.Parallel()
	rdb := testutil.StartRedis(t)
	var pages []*url.URL
	for range 2 {
		c, err := cluster.Open(t.Context(), rdb.URL(), nil)
		require.NoError(t, err)
		live, err := newHandler(c.Options()...)
		require.NoError(t, err)
		srv := httptest.NewServer(withPush(live))
		t.Cleanup(func() {
			srv.Close()
			assert.NoError(t, live.Close())
			assert.NoError(t, c.Close())
		})
		u, err := url.Parse(srv.URL + "/")
		require.NoError(t, err)
		pages = append(pages, u)
	}
	f, rep, err := openFleet(t.Context(), pages, fleetOptions{Conns: 12, Groups: 3})
	t.Cleanup(f.close)
	require.NoError(t, err)
	require.Empty(t, rep.Failed)
	res, err := pushRounds(t.Context(), f, pages[0], 2, 10*time.Second, 0)
	require.NoError(t, err)
	assert.Equal(t, 24, res.Delivered, "each of 12 tabs on two instances, twice")
}
