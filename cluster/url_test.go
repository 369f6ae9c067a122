package cluster_test

import (
	"context"
	"log/slog"
	"net/url"
	"testing"
	"time"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"

	"github.com/lvtgo/livetemplate/cluster"
	"github.com/lvtgo/livetemplate/internal/testutil"
)

// No error of Open quotes a password, whatever is wrong with the URL: one
// that does not parse (url.Parse's error quotes it whole), one go-redis
// refuses (its errors quote parts of it), one that names the password
// where it does not belong.
func TestURLErrorsNeverQuoteThePassword(t *testing.T) {
	for _, tc := range []struct {
		name, url, want string
	}{
		{name: "bad escape in the path", url: "redis://user:s3cret@host:6379/%zz", want: "the Redis URL is malformed"},
		{name: "bad escape in the password", url: "redis://user:s3cret%zz@host:6379/0", want: "the Redis URL is malformed"},
		{name: "bad port", url: "redis://user:s3cret@host:port/0", want: "the Redis URL is malformed"},
		{name: "control character", url: "redis://user:s3cret@host:6379/0\n", want: "the Redis URL is malformed"},
		{name: "bad database", url: "redis://user:s3cret@host:6379/db", want: `Redis URL redis://user:xxxxx@host:6379/db: redis: invalid database number: "db"`},
		{name: "bad scheme", url: "http://user:s3cret@host:6379/0", want: "redis: invalid URL scheme: http"},
		{name: "the password as an option", url: "redis://user:s3cret@host:6379/0?s3cret=1", want: "redis: unexpected option: xxxxx"},
		{name: "an escaped password as an option", url: "redis://user:s3%3Acret@host:6379/0?s3%3Acret=1&s3:cret=2", want: "redis: unexpected option"},
	} {
		t.Run(tc.name, func(t *testing.T) {
			var logs testutil.Logs
			_, err := cluster.Open(t.Context(), tc.url, &cluster.Options{Logger: slog.New(slog.NewTextHandler(&logs, nil))})
			require.Error(t, err)
			assert.ErrorContains(t, err, tc.want)
			for _, pw := range []string{"s3cret", "s3:cret", "s3%3Acret", "s3%3acret"} {
				assert.NotContains(t, err.Error(), pw)
				assert.NotContains(t, logs.String(), pw)
			}
		})
	}
}

// A server that wants a password: the right one connects, a wrong one is
// refused with an error that quotes neither, and nothing logs them.
func TestAPasswordIsNeverPrinted(t *testing.T) {
	rdb := testutil.StartRedis(t)
	admin := rdb.Client(t)
	require.NoError(t, admin.ConfigSet(t.Context(), "requirepass", "s3cret-pass").Err())
	t.Cleanup(func() { // so that the server stops as usual
		ctx, cancel := context.WithTimeout(context.Background(), 5*time.Second)
		defer cancel()
		_ = admin.Do(ctx, "AUTH", "s3cret-pass").Err()
		_ = admin.ConfigSet(ctx, "requirepass", "").Err()
	})
	withPassword := func(pw string) string {
		return (&url.URL{Scheme: "redis", User: url.UserPassword("default", pw), Host: rdb.Addr(), Path: "/0"}).String()
	}
	var logs testutil.Logs
	o := &cluster.Options{Logger: slog.New(slog.NewTextHandler(&logs, nil))}

	_, err := cluster.Open(t.Context(), withPassword("wr0ng-pass"), o)
	require.Error(t, err)
	assert.NotContains(t, err.Error(), "wr0ng-pass")

	c, err := cluster.Open(t.Context(), withPassword("s3cret-pass"), o)
	require.NoError(t, err)
	require.NoError(t, c.Client().Set(t.Context(), "k", "v", 0).Err())
	require.NoError(t, c.Close())
	assert.NotContains(t, logs.String(), "s3cret-pass")
	assert.NotContains(t, logs.String(), "wr0ng-pass")
}
