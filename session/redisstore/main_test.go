package redisstore_test

import (
	"testing"

	"go.uber.org/goleak"

	"github.com/lvtgo/livetemplate/internal/testutil"
)

func TestMain(m *testing.M) {
	testutil.SkipExamplesWithoutRedis()
	goleak.VerifyTestMain(m)
}

// exampleRedis starts a redis-server of its own for an Example, and
// returns its address and the func that stops it.
func exampleRedis() (addr string, stop func()) {
	r, stop := testutil.ExampleRedis()
	return r.Addr(), stop
}
