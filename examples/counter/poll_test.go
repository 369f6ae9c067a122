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

// In HTTP mode the browser client keeps a long poll waiting and sends its
// actions as other POSTs, whose replies carry their patches: the waiting
// poll is not answered for the action (the client has its patch; a full
// tree there would cost the whole page per action), and it still ends with
// the server, so the client hears of a restart at once.
func TestAnHTTPActionLeavesTheWaitingPollWaiting(t *testing.T) {
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
