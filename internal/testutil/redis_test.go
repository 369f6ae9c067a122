package testutil_test

import (
	"context"
	"fmt"
	"runtime"
	"testing"
	"time"

	"github.com/redis/go-redis/v9"
	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"

	"github.com/lvtgo/livetemplate/internal/testutil"
)

func TestStartRedis(t *testing.T) {
	t.Parallel()
	srv := testutil.StartRedis(t)

	opts, err := redis.ParseURL(srv.URL())
	require.NoError(t, err)
	assert.Equal(t, srv.Addr(), opts.Addr)
	assert.Regexp(t, `^127\.0\.0\.1:\d+$`, srv.Addr())

	client := srv.Client(t)
	require.NoError(t, client.Set(t.Context(), "k", "v", 0).Err())
	assert.Equal(t, "v", client.Get(t.Context(), "k").Val())
}

func TestStopStart(t *testing.T) {
	t.Parallel()
	srv := testutil.StartRedis(t)
	client := srv.Client(t)
	require.NoError(t, client.Set(t.Context(), "k", "v", 0).Err())

	srv.Stop()
	srv.Stop() // stopping twice does nothing
	ctx, cancel := context.WithTimeout(t.Context(), 5*time.Second)
	defer cancel()
	start := time.Now()
	require.Error(t, client.Ping(ctx).Err(), "the server is down")
	assert.Less(t, time.Since(start), 4*time.Second, "the client fails fast")

	srv.Start()
	srv.Start() // starting twice does nothing
	require.Eventually(t, func() bool { return client.Ping(t.Context()).Err() == nil },
		5*time.Second, 20*time.Millisecond, "the same client reaches the restarted server")
	assert.ErrorIs(t, client.Get(t.Context(), "k").Err(), redis.Nil, "a restarted server is empty")
}

// TestMissingRedisServer checks what StartRedis does without redis-server
// in PATH: skip on a developer machine, fail in CI.
func TestMissingRedisServer(t *testing.T) {
	tests := []struct {
		name     string
		ci       string
		wantSkip bool
	}{
		{name: "developer machine", ci: "", wantSkip: true},
		{name: "CI", ci: "true", wantSkip: false},
	}
	for _, tc := range tests {
		t.Run(tc.name, func(t *testing.T) {
			t.Setenv("PATH", t.TempDir())
			t.Setenv("CI", tc.ci)

			tb := &recordingTB{}
			done := make(chan struct{})
			go func() {
				defer close(done)
				testutil.StartRedis(tb)
			}()
			<-done

			assert.Equal(t, tc.wantSkip, tb.skipped, "skipped")
			assert.Equal(t, !tc.wantSkip, tb.failed, "failed")
			assert.Contains(t, tb.msg, "scripts/test.sh")
		})
	}
}

// recordingTB records a Skip or Fatal call and ends the goroutine, as
// testing.T does.
type recordingTB struct {
	testing.TB // nil: any other method panics
	skipped    bool
	failed     bool
	msg        string
}

func (tb *recordingTB) Helper() {}

func (tb *recordingTB) Skip(args ...any) {
	tb.skipped, tb.msg = true, fmt.Sprint(args...)
	runtime.Goexit()
}

func (tb *recordingTB) Fatal(args ...any) {
	tb.failed, tb.msg = true, fmt.Sprint(args...)
	runtime.Goexit()
}
