package instances_test

import (
	"io"
	"log/slog"
	"net/http"
	"testing"
	"time"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"
	"go.uber.org/goleak"

	"github.com/lvtgo/livetemplate"
	"github.com/lvtgo/livetemplate/examples/instances"
	"github.com/lvtgo/livetemplate/internal/testutil"
	"github.com/lvtgo/livetemplate/livetest"
)

func TestMain(m *testing.M) { goleak.VerifyTestMain(m) }

type counter struct{ N int }

func (c *counter) Change(*livetemplate.ActionContext) error { c.N++; return nil }

// Two instances wired by Redis, mounted side by side, serve one browser's
// tabs as one group: a click on one shows on the other.
func TestTwoInstancesOneGroup(t *testing.T) {
	rdb := testutil.StartRedis(t)
	log := slog.New(slog.NewTextHandler(io.Discard, nil))
	tmpl := livetemplate.Must(livetemplate.New("n",
		livetemplate.WithText(`<body><p id="n">{{.N}}</p><button id="inc" lvt-click="inc">+</button></body>`)))
	instance := func() *livetemplate.Handler {
		opts, closeRedis, err := instances.Redis(t.Context(), rdb.URL(), log)
		require.NoError(t, err)
		t.Cleanup(func() { assert.NoError(t, closeRedis()) }) // after the app's own cleanup
		return livetest.App(t, append(opts, livetemplate.WithLogger(log))...).Handle(tmpl, &counter{})
	}
	mux := http.NewServeMux()
	mux.Handle("/a/", instance())
	mux.Handle("/b/", instance())
	srv := livetest.Start(t, mux)
	onA := srv.Open("/a/")
	onB := onA.Tab("/b/") // same cookies: the instances share the signing key
	require.NoError(t, onA.Click("#inc"))
	require.NoError(t, onB.WaitText("#n", "1", 5*time.Second))
	require.NoError(t, onB.Click("#inc"))
	require.NoError(t, onA.WaitText("#n", "2", 5*time.Second))
	other := srv.Open("/b/")
	assert.Equal(t, "0", other.Text("#n"), "another browser is another group")
}

func TestBadURL(t *testing.T) {
	_, _, err := instances.Redis(t.Context(), "not a url", slog.New(slog.NewTextHandler(io.Discard, nil)))
	assert.Error(t, err)
	_, _, err = instances.Redis(t.Context(), "redis://127.0.0.1:1/0", slog.New(slog.NewTextHandler(io.Discard, nil)))
	assert.Error(t, err, "nothing listens there")
}
