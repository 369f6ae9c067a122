package persistence

import (
	"log/slog"
	"net/http"
	"strings"
	"testing"
	"time"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"

	"github.com/lvtgo/livetemplate"
	"github.com/lvtgo/livetemplate/internal/testutil"
	"github.com/lvtgo/livetemplate/livetest"
)

// While Redis is down, actions are refused with "unavailable" and the
// outage is logged once; when it is back, actions work again.
func TestRedisOutage(t *testing.T) {
	rdb := testutil.StartRedis(t)
	store, client, err := OpenRedis(t.Context(), rdb.URL())
	require.NoError(t, err)
	t.Cleanup(func() { _ = client.Close() })
	var logs testutil.Logs
	app := livetest.App(t, livetemplate.WithSessionStore(store),
		livetemplate.WithLogger(slog.New(slog.NewTextHandler(&logs, nil))))
	h, err := NewHandler(app)
	require.NoError(t, err)
	srv := livetest.Start(t, h)
	p := srv.Open("/")
	require.NoError(t, p.Click("#add"))

	rdb.Stop()
	for range 2 {
		err = p.Click("#add")
		var ae *livetest.ActionError
		require.ErrorAs(t, err, &ae)
		assert.Equal(t, "unavailable", ae.Code)
		assert.Equal(t, "Changes cannot be saved right now. Please try again shortly.", ae.Message)
	}
	assert.Equal(t, "1 items", p.Text("#n"), "the page keeps the last state")
	resp, err := http.Get(srv.URL + "/")
	require.NoError(t, err)
	resp.Body.Close()
	assert.Equal(t, http.StatusServiceUnavailable, resp.StatusCode, "a page load needs its state")
	assert.Equal(t, "5", resp.Header.Get("Retry-After"))
	assert.Equal(t, 1, strings.Count(logs.String(), "session store failing; changes are refused until it recovers"), logs.String())
	assert.NotContains(t, logs.String(), "action failed")

	rdb.Start()
	assert.Eventually(t, func() bool { return p.Click("#add") == nil }, 5*time.Second, 50*time.Millisecond)
	assert.Contains(t, logs.String(), "session store recovered")
}
