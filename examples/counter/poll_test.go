package main

import (
	"context"
	"io"
	"net/http"
	"net/http/cookiejar"
	"net/http/httptest"
	"regexp"
	"strings"
	"testing"
	"time"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"

	"github.com/lvtgo/livetemplate/examples/counter/counter"
	"github.com/lvtgo/livetemplate/livetest"
)

// TestEngineAnHTTPActionLeavesTheWaitingPollWaiting shows an engine bug
// (a regression of the reshape): in HTTP mode the browser client keeps a
// long poll waiting and sends its actions as other POSTs, whose replies
// carry their patches. internal/protocol.Server.poll calls p.Poll(seq) with
// the poll's seq on every wake-up, so when an action's reply moves the page
// on (seq 2), the waiting poll (seq 1) wakes and answers a full tree of the
// whole page (seq 3) instead of waiting on: every action over HTTP costs a
// full tree. Before the reshape (post.go at e44626c^) the full-tree check
// was made once, before waiting, and the loop only sent patches. A
// consequence: a server that restarts right after an action often has no
// poll waiting, so the client never sees the 503 shutting_down and fires no
// lvt:reconnected (e2e/counter's TestE2EHTTPModeSurvivesARestartWithoutALoop
// works around it with pollAgain).
func TestEngineAnHTTPActionLeavesTheWaitingPollWaiting(t *testing.T) {
	app := livetest.App(t)
	h, err := counter.NewHandler(app)
	require.NoError(t, err)
	srv := httptest.NewServer(h)
	t.Cleanup(srv.Close)
	jar, err := cookiejar.New(nil)
	require.NoError(t, err)
	client := &http.Client{Jar: jar, Timeout: 10 * time.Second}
	resp, err := client.Get(srv.URL)
	require.NoError(t, err)
	page, err := io.ReadAll(resp.Body)
	resp.Body.Close()
	require.NoError(t, err)
	m := regexp.MustCompile(`data-lvt-token="([^"]+)"`).FindSubmatch(page)
	require.NotNil(t, m, "the page's token")
	post := func(body string) (int, string) {
		resp, err := client.Post(srv.URL, "application/json", strings.NewReader(body))
		require.NoError(t, err)
		defer resp.Body.Close()
		b, err := io.ReadAll(resp.Body)
		require.NoError(t, err)
		return resp.StatusCode, string(b)
	}
	status, body := post(`{"t":"sync","token":"` + string(m[1]) + `","seq":0}`)
	require.Equal(t, http.StatusOK, status, body)
	require.Contains(t, body, `"seq":1`)

	type answer struct {
		status int
		body   string
	}
	polled := make(chan answer, 1)
	go func() {
		status, body := post(`{"t":"poll","token":"` + string(m[1]) + `","seq":1}`)
		polled <- answer{status, body}
	}()
	time.Sleep(200 * time.Millisecond) // the poll waits: nothing changed
	// An action of the page, answered with its patch (seq 2): the poll,
	// which holds seq 1, is not woken for it (the client has the patch).
	status, body = post(`{"t":"action","ref":1,"name":"increment","data":{},"token":"` + string(m[1]) + `","seq":1}`)
	require.Equal(t, http.StatusOK, status, body)
	require.Contains(t, body, `"seq":2`)
	time.Sleep(200 * time.Millisecond)
	select {
	case a := <-polled:
		t.Fatalf("the poll ended before the shutdown: %d %s", a.status, a.body)
	default:
	}
	ctx, cancel := context.WithTimeout(t.Context(), 5*time.Second)
	defer cancel()
	require.NoError(t, app.Shutdown(ctx))
	a := <-polled
	assert.Equal(t, http.StatusServiceUnavailable, a.status, a.body)
	assert.Contains(t, a.body, `"code":"shutting_down"`)
}
