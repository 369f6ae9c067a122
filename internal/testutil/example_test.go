package testutil_test

import (
	"testing"

	"github.com/stretchr/testify/require"

	"github.com/lvtgo/livetemplate/internal/testutil"
)

// A test starts its own redis-server and talks to it with a client that
// fails fast; both are gone when the test ends. StartRedis needs a
// testing.TB, so this example has no output; put the body of testCounter in
// a TestXxx function.
func Example() {
	testCounter := func(t *testing.T) {
		srv := testutil.StartRedis(t)
		client := srv.Client(t)

		n, err := client.Incr(t.Context(), "counter").Result()
		require.NoError(t, err)
		require.Equal(t, int64(1), n)

		srv.Stop() // an outage: calls now fail within about a second
		require.Error(t, client.Ping(t.Context()).Err())
		srv.Start() // back on the same port, empty
	}
	_ = testCounter
}
