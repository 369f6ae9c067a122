package instances

import (
	"log/slog"
	"net/http"
	"net/http/httptest"
	"testing"
	"time"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"
	"go.uber.org/goleak"

	"github.com/lvtgo/livetemplate"
	"github.com/lvtgo/livetemplate/internal/testutil"
	"github.com/lvtgo/livetemplate/livetest"
)

func TestMain(m *testing.M) { goleak.VerifyTestMain(m) }

// Two instances, one Redis, no sticky sessions: a browser whose requests
// land on either sees one count.
func TestTwoInstances(t *testing.T) {
	rdb := testutil.StartRedis(t)
	logger := slog.New(slog.DiscardHandler)
	instance := func() *livetest.Server {
		opts, closeRedis, err := Shared(t.Context(), rdb.URL(), logger)
		require.NoError(t, err)
		t.Cleanup(func() { _ = closeRedis() }) // runs after the app's Close
		app, err := livetemplate.NewApp(opts...)
		require.NoError(t, err)
		t.Cleanup(func() { _ = app.Close() })
		h, err := NewHandler(app)
		require.NoError(t, err)
		return livetest.Start(t, h)
	}
	a, b := instance(), instance()
	onA := a.Open("/")
	onB := b.NewBrowser(&livetest.BrowserOptions{Cookies: onA.Browser().Cookies()}).Open("/")

	require.NoError(t, onA.Click("#inc"))
	require.NoError(t, onB.WaitText("#n", "1", 2*time.Second))
	require.NoError(t, onB.Click("#inc"))
	require.NoError(t, onA.WaitText("#n", "2", 2*time.Second))
	assert.Equal(t, "0", b.Open("/").Text("#n"), "another browser")
}

func TestClientAddress(t *testing.T) {
	r := httptest.NewRequest(http.MethodGet, "/", nil)
	assert.Equal(t, "192.0.2.1", clientAddress(r))
	r.Header.Add("X-Forwarded-For", "10.0.0.1, 203.0.113.7")
	assert.Equal(t, "203.0.113.7", clientAddress(r))
}
