package proxy_test

import (
	"bufio"
	"encoding/json"
	"net/http"
	"os"
	"os/exec"
	"path/filepath"
	"regexp"
	"strconv"
	"strings"
	"syscall"
	"testing"
	"time"

	"github.com/stretchr/testify/require"

	"github.com/lvtgo/livetemplate/internal/testutil"
)

// buildChat builds the chat example's command into a directory of the
// test and returns its path.
func buildChat(t *testing.T) string {
	t.Helper()
	bin := filepath.Join(t.TempDir(), "chat")
	out, err := exec.Command("go", "build", "-o", bin, "github.com/lvtgo/livetemplate/examples/chat").CombinedOutput()
	require.NoError(t, err, "go build: %s", out)
	return bin
}

// chat is one instance of the chat example, run as its own process.
type chat struct {
	addr string // its public address
	ops  string // its operations address (/metrics)
	logs *testutil.Logs
}

// startChat runs the chat at bin as a user would, with args after its
// address and operations flags, its log in JSON lines, and env; it stops
// (SIGTERM) when the test ends.
func startChat(t *testing.T, bin string, env []string, args ...string) *chat {
	t.Helper()
	c := &chat{addr: freeAddr(t), ops: freeAddr(t), logs: &testutil.Logs{}}
	cmd := exec.Command(bin, append([]string{"-addr", c.addr, "-ops-addr", c.ops, "-log-format", "json"}, args...)...)
	cmd.Env = append(os.Environ(), env...)
	cmd.Stdout, cmd.Stderr = c.logs, c.logs
	require.NoError(t, cmd.Start())
	exited := make(chan error, 1)
	go func() { exited <- cmd.Wait() }() // owned: the cleanup waits for it
	t.Cleanup(func() {
		if t.Failed() {
			t.Logf("the log of the chat at %s:\n%s", c.addr, c.logs)
		}
		_ = cmd.Process.Signal(syscall.SIGTERM)
		select {
		case <-exited:
		case <-time.After(15 * time.Second):
			_ = cmd.Process.Kill()
			<-exited
		}
	})
	require.Eventually(t, func() bool {
		res, err := http.Get("http://" + c.ops + "/readyz")
		if err != nil {
			return false
		}
		res.Body.Close()
		return res.StatusCode == http.StatusOK
	}, 20*time.Second, 20*time.Millisecond, "the chat at %s does not start: %s", c.addr, c.logs)
	return c
}

// metricRE matches a sample of the Prometheus text format.
var metricRE = regexp.MustCompile(`^([a-z_]+)(\{[^}]*\})? (\S+)$`)

// metrics returns the instance's samples, by name and labels
// (`livetemplate_actions_total{outcome="ok",store="room"}`).
func (c *chat) metrics(t *testing.T) map[string]float64 {
	t.Helper()
	res, err := http.Get("http://" + c.ops + "/metrics")
	require.NoError(t, err)
	defer res.Body.Close()
	m := map[string]float64{}
	sc := bufio.NewScanner(res.Body)
	for sc.Scan() {
		if s := metricRE.FindStringSubmatch(sc.Text()); s != nil {
			v, err := strconv.ParseFloat(s[3], 64)
			require.NoError(t, err)
			m[s[1]+s[2]] = v
		}
	}
	require.NoError(t, sc.Err())
	return m
}

// sum adds the samples of every instance whose name and labels start with
// prefix.
func sum(t *testing.T, prefix string, instances ...*chat) float64 {
	t.Helper()
	var n float64
	for _, c := range instances {
		for k, v := range c.metrics(t) {
			if strings.HasPrefix(k, prefix) {
				n += v
			}
		}
	}
	return n
}

// logLines returns the instance's JSON log lines whose msg starts with
// msg.
func (c *chat) logLines(t *testing.T, msg string) []map[string]any {
	t.Helper()
	var out []map[string]any
	for line := range strings.Lines(c.logs.String()) {
		var m map[string]any
		if json.Unmarshal([]byte(line), &m) == nil {
			if s, _ := m["msg"].(string); strings.HasPrefix(s, msg) {
				out = append(out, m)
			}
		}
	}
	return out
}
