package serve

import (
	"testing"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"
	"go.uber.org/goleak"

	"github.com/lvtgo/livetemplate"
)

func TestMain(m *testing.M) { goleak.VerifyTestMain(m) }

type nop struct{}

func (*nop) Change(*livetemplate.ActionContext) error { return nil }

func TestRunReportsListenErrors(t *testing.T) {
	h := livetemplate.Must(livetemplate.New("p", livetemplate.WithText("<body></body>"))).Handle(&nop{})
	defer h.Close()
	err := Run("127.0.0.1:-1", h)
	require.Error(t, err)
}

func TestPortOf(t *testing.T) {
	assert.Equal(t, ":8080", portOf(":8080"))
	assert.Equal(t, ":9", portOf("127.0.0.1:9"))
	assert.Equal(t, "", portOf("nohost"))
}
