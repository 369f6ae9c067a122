package proxy_test

import (
	"crypto/rand"
	"encoding/hex"
	"fmt"
	"maps"
	"slices"
	"strconv"
	"strings"
	"testing"
	"time"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"

	"github.com/lvtgo/livetemplate/e2e/internal/browsertest"
	"github.com/lvtgo/livetemplate/internal/testutil"
)

// How many messages each browser sends over each transport: fewer over
// HTTP, where they are slow (see below).
const (
	wsRounds   = 10
	httpRounds = 5
)

// The chat example twice, as processes, on one Redis server, behind
// Debian's nginx configured with the file docs/instances.md shows
// (round-robin, no affinity), each instance started with
// -trusted-proxy 127.0.0.1/32. Ann and Bob reach nginx from addresses of
// their own (127.0.0.2 and 127.0.0.3, through SOCKS proxies that bind
// them), as visitors on two machines would. Their messages flow between
// instances over WebSockets, then over the HTTP fallback behind a proxy
// that refuses upgrades, with no action refused; the instances know each
// visitor by their own address, which a forged X-Forwarded-For does not
// change; and a proxy that sends Host $host (no port) gets every upgrade
// refused, logged with a hint.
func TestE2EChatBehindNginx(t *testing.T) {
	rdb := testutil.StartRedis(t)
	bin := buildChat(t)
	env := []string{"LIVETEMPLATE_SECRET=" + hex.EncodeToString(randomBytes(32))}
	args := []string{"-redis", rdb.URL(), "-trusted-proxy", "127.0.0.1/32"}
	a, b := startChat(t, bin, env, args...), startChat(t, bin, env, args...)
	both := []*chat{a, b}
	nx := startNginx(t, [2]string{a.addr, b.addr})
	viaAnn, viaBob := startSocks(t, "127.0.0.2"), startSocks(t, "127.0.0.3")

	br := browsertest.New(t)
	ann, bob := br.ContextVia(t, viaAnn).Tab(t), br.ContextVia(t, viaBob).Tab(t)
	for _, tab := range []*browsertest.Tab{ann, bob} {
		tab.OnNewDocument(`window.modes = [];
			document.addEventListener('lvt:connected', (e) => window.modes.push(e.detail.transport));`)
		tab.AllowConsole(`WebSocket connection to .* failed`)
		tab.AllowConsole(`status of 415 \(Unsupported Media Type\)`) // the refusals the test asks for
	}

	// Over WebSockets.
	{
		front := "http://" + nx.doc
		signIn(ann, front, "ann")
		signIn(bob, front, "bob")
		apart(t, a, b, bob)
		exchange(t, ann, bob, both, "over WebSockets", wsRounds)
		assert.Equal(t, []string{"websocket"}, browsertest.Eval[[]string](ann, "window.modes"))
	}

	// Over the HTTP fallback, round-robin without affinity.
	{
		front := "http://" + nx.noUpgrade
		for _, tab := range []*browsertest.Tab{ann, bob} {
			tab.Navigate(front + "/") // signed in already: cookies belong to the host, not the port
			tab.WaitClass("html", "lvt-connected")
			require.Equal(t, []string{"http"}, browsertest.Eval[[]string](tab, "window.modes"), "upgrades are refused")
		}
		onA, onB := actions(t, a), actions(t, b)
		// Each instance numbers its patches of the page itself: a poll
		// that reaches the other instance is answered with a full tree,
		// the client polls ever slower, and a message may take seconds.
		ann.SetTimeout(45 * time.Second)
		bob.SetTimeout(45 * time.Second)
		exchange(t, ann, bob, both, "over the HTTP fallback, round-robin without affinity", httpRounds)
		sentA, _ := diff(onA, actions(t, a))
		sentB, _ := diff(onB, actions(t, b))
		assert.True(t, sentA > 0 && sentB > 0, "both instances took actions: %d and %d", sentA, sentB)
		assert.Zero(t, sum(t, `livetemplate_connections{transport="websocket"}`, both...), "no WebSocket")
	}

	// The client addresses.
	{
		// A refusal from each (a POST the protocol does not take), Bob's
		// with a forged X-Forwarded-For: the instances log who they see.
		post := `(xff) => fetch("/", {method: "POST", headers: Object.assign({"Content-Type": "text/plain"}, xff ? {"X-Forwarded-For": xff} : {}), body: "x"}).then((r) => r.status)`
		assert.Equal(t, 415, browsertest.Eval[int](ann, "("+post+`)("")`))
		assert.Equal(t, 415, browsertest.Eval[int](bob, "("+post+`)("203.0.113.9")`))
		seen := map[string]bool{}
		for _, c := range both {
			for _, l := range c.logLines(t, "refused a client") {
				if l["refusal"] == "method" {
					seen[l["addr"].(string)] = true
				}
			}
		}
		assert.Equal(t, []string{"127.0.0.2", "127.0.0.3"}, slices.Sorted(maps.Keys(seen)),
			"each visitor by the address nginx saw; the forged 203.0.113.9 changes nothing")
	}

	// A proxy that passes Host without its port.
	{
		// proxy_set_header Host $host: the upgrade's Origin has the port,
		// the Host it reaches the app with has not.
		front := "http://" + nx.hostOnly
		ann.Navigate(front + "/")
		ann.WaitClass("html", "lvt-connected")
		require.Equal(t, []string{"http"}, browsertest.Eval[[]string](ann, "window.modes"), "every upgrade is refused")
		var lines []map[string]any
		require.Eventually(t, func() bool {
			lines = append(a.logLines(t, "refused a WebSocket upgrade"), b.logLines(t, "refused a WebSocket upgrade")...)
			return len(lines) > 0
		}, 5*time.Second, 20*time.Millisecond)
		l := lines[0]
		assert.Equal(t, "127.0.0.1", l["host"])
		assert.Equal(t, front, l["origin"])
		assert.Equal(t, "127.0.0.2", l["addr"])
		assert.Contains(t, l["hint"], "proxy_set_header Host $http_host")
		t.Logf("logged: %v", l)
	}
}

// signIn opens the chat at base in tab, signs in as name on the form it is
// sent to, and waits for the room's live connection.
func signIn(tab *browsertest.Tab, base, name string) {
	tab.Navigate(base + "/")
	tab.WaitJS(`() => location.pathname === "/login"`)
	tab.Fill("#login input[name=name]", name)
	tab.Click("#login button")
	tab.WaitJS(`() => location.pathname === "/"`)
	tab.WaitClass("html", "lvt-connected")
}

// apart makes sure that the two visitors' WebSockets are on different
// instances, reloading the second's page until round-robin puts it on the
// other one.
func apart(t *testing.T, a, b *chat, second *browsertest.Tab) {
	t.Helper()
	const ws = `livetemplate_connections{transport="websocket"}`
	for range 8 {
		var onA, onB float64
		require.Eventually(t, func() bool {
			onA, onB = sum(t, ws, a), sum(t, ws, b)
			return onA+onB == 2
		}, 5*time.Second, 20*time.Millisecond, "two WebSockets")
		if onA == 1 {
			return
		}
		// One request more, so that the next page load and upgrade take
		// the other turns of the round.
		browsertest.Eval[int](second, `fetch("/login").then((r) => r.status)`)
		second.Reload()
		second.WaitClass("html", "lvt-connected")
	}
	t.Fatal("round-robin kept both WebSockets on one instance")
}

// exchange has Ann and Bob talk, over how (a transport) and logs and
// checks what the instances counted: every action applied, none refused.
func exchange(t *testing.T, ann, bob *browsertest.Tab, instances []*chat, how string, rounds int) {
	t.Helper()
	before := actions(t, instances...)
	slowest := talk(ann, bob, how, rounds)
	sent, refused := diff(before, actions(t, instances...))
	t.Logf("%s through nginx: %d actions sent, %d refused; the slowest message took %v", how, sent, refused, slowest)
	assert.Equal(t, 2*rounds, sent)
	assert.Zero(t, refused)
}

// talk has one and two send rounds messages each, in turn, each waiting
// for the other's message to arrive, and returns how long the slowest took.
// A message is typed and sent in one step (a script), as a page whose
// input may be morphed away between two steps of a driver needs.
func talk(one, two *browsertest.Tab, what string, rounds int) (slowest time.Duration) {
	for i := range rounds {
		for _, p := range []struct {
			from, to *browsertest.Tab
			name     string
		}{{one, two, "ann"}, {two, one, "bob"}} {
			text := fmt.Sprintf("%s %s %d", p.name, what, i)
			start := time.Now()
			browsertest.Eval[bool](p.from, `((text) => { const f = document.getElementById("send"), i = f.querySelector("input[name=text]");
				i.value = text; i.dispatchEvent(new Event("input", {bubbles: true})); f.querySelector("button").click(); return true; })(`+strconv.Quote(text)+`)`)
			p.to.WaitJS(`(author, text) => { const li = document.querySelector("#messages li:last-child"); return !!li && li.querySelector(".author").textContent === author && li.querySelector(".text").textContent === text; }`, p.name, text)
			slowest = max(slowest, time.Since(start))
			p.from.WaitJS(`() => document.querySelector("#send input[name=text]").value === ""`)
		}
	}
	return slowest
}

// actions returns the actions the instances counted, by outcome.
func actions(t *testing.T, instances ...*chat) map[string]float64 {
	t.Helper()
	out := map[string]float64{}
	for _, c := range instances {
		for k, v := range c.metrics(t) {
			if rest, ok := strings.CutPrefix(k, `livetemplate_actions_total{outcome="`); ok {
				outcome, _, _ := strings.Cut(rest, `"`)
				out[outcome] += v
			}
		}
	}
	return out
}

// diff returns how many actions were counted between before and after,
// and how many of them did not succeed.
func diff(before, after map[string]float64) (sent, refused int) {
	for outcome, n := range after {
		d := int(n - before[outcome])
		sent += d
		if outcome != "ok" {
			refused += d
		}
	}
	return sent, refused
}

func randomBytes(n int) []byte {
	b := make([]byte, n)
	_, _ = rand.Read(b)
	return b
}
