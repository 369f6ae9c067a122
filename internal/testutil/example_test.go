package testutil_test

import (
	"context"
	"fmt"
	"strings"

	"github.com/lvtgo/livetemplate/internal/testutil"
)

// A test starts its own redis-server and talks to it with a client that
// fails fast; both are gone when the test ends. StartRedis takes the
// test's testing.TB: a test passes its t, and this example, which has
// none, passes an ExampleTB whose cleanups it runs itself.
func Example() {
	tb := &testutil.ExampleTB{} // in a test: t
	defer tb.Stop()
	ctx := context.Background()

	srv := testutil.StartRedis(tb)
	client := srv.Client(tb)
	n, err := client.Incr(ctx, "counter").Result()
	fmt.Println(n, err)

	srv.Stop() // an outage: calls now fail within about a second
	fmt.Println("during the outage:", client.Incr(ctx, "counter").Err() != nil)

	srv.Start() // back on the same port, empty
	n, err = client.Incr(ctx, "counter").Result()
	fmt.Println(n, err)
	// Output:
	// 1 <nil>
	// during the outage: true
	// 1 <nil>
}

// Logs collects the lines a logger writes, from any goroutine.
func ExampleLogs() {
	var logs testutil.Logs
	logs.Logger().Warn("the store fails", "attempt", 1)
	fmt.Println(strings.Contains(logs.String(), `level=WARN msg="the store fails" attempt=1`))
	// Output: true
}
