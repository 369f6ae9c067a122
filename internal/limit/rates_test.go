package limit_test

import (
	"fmt"
	"testing"
	"time"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"

	"github.com/lvtgo/livetemplate/internal/limit"
)

func TestBurstThenRate(t *testing.T) {
	r := limit.NewRates(10, 3)
	now := time.Unix(1000, 0)
	for i := range 3 {
		ok, _ := r.Reserve("g", now)
		require.True(t, ok, "token %d of the burst", i)
	}
	ok, retry := r.Reserve("g", now)
	assert.False(t, ok)
	assert.Equal(t, 100*time.Millisecond, retry)
	ok, _ = r.Reserve("other", now)
	assert.True(t, ok, "keys have their own buckets")
	ok, _ = r.Reserve("g", now.Add(100*time.Millisecond))
	assert.True(t, ok, "one token back after 1/rate")
}

func TestUnlimited(t *testing.T) {
	r := limit.NewRates(-1, 0)
	for range 1000 {
		ok, _ := r.Reserve("g", time.Now())
		require.True(t, ok)
	}
	assert.Zero(t, r.Len(), "no limiter is kept without a limit")
}

// A sweep forgets only the buckets that are full again: one that is still
// partly drained keeps its debt, or a client could reset its limit by
// waiting for a sweep.
func TestSweepKeepsPartlyDrainedBuckets(t *testing.T) {
	r := limit.NewRates(1, 4)
	now := time.Unix(1000, 0)
	for range 4 {
		ok, _ := r.Reserve("drained", now)
		require.True(t, ok)
	}
	ok, _ := r.Reserve("touched", now)
	require.True(t, ok)
	r.Sweep(now.Add(2 * time.Second)) // "touched" is full again, "drained" holds 2 of 4
	assert.Equal(t, 1, r.Len())
	later := now.Add(2 * time.Second)
	for range 2 {
		ok, _ = r.Reserve("drained", later)
		require.True(t, ok)
	}
	ok, _ = r.Reserve("drained", later)
	assert.False(t, ok, "the sweep did not refill the drained bucket")
}

// A bucket one token short of full is still partly drained: a sweep keeps
// each bucket, however little it owes, until it is full.
func TestSweepKeepsEveryBucketShortOfFull(t *testing.T) {
	const burst = 4
	r := limit.NewRates(1, burst)
	now := time.Unix(1000, 0)
	for taken := 1; taken <= burst; taken++ {
		for range taken {
			ok, _ := r.Reserve(fmt.Sprint("took-", taken), now)
			require.True(t, ok)
		}
	}
	later := now.Add(500 * time.Millisecond) // half a token back each
	r.Sweep(later)
	require.Equal(t, burst, r.Len(), "no bucket is full yet")
	for taken := 1; taken <= burst; taken++ {
		key := fmt.Sprint("took-", taken)
		for i := range burst - taken {
			ok, _ := r.Reserve(key, later)
			require.True(t, ok, "%s: token %d of the %d left", key, i+1, burst-taken)
		}
		ok, _ := r.Reserve(key, later)
		assert.False(t, ok, "%s: the sweep kept its debt", key)
	}

	r.Sweep(later.Add(burst * time.Second))
	assert.Zero(t, r.Len(), "full again: forgotten")
}

func TestKeysBeyondTheBoundShareOneBucket(t *testing.T) {
	if testing.Short() {
		t.Skip("fills MaxKeys limiters")
	}
	r := limit.NewRates(1, 1)
	now := time.Unix(1000, 0)
	for i := range limit.MaxKeys {
		ok, _ := r.Reserve(fmt.Sprint("k", i), now)
		require.True(t, ok)
	}
	assert.Equal(t, limit.MaxKeys, r.Len())
	ok, _ := r.Reserve("new-1", now)
	assert.True(t, ok, "the overflow bucket's one token")
	ok, _ = r.Reserve("new-2", now)
	assert.False(t, ok, "new keys share the overflow bucket: a flood gains nothing")
	assert.Equal(t, limit.MaxKeys, r.Len(), "the map does not grow past MaxKeys")
}

func ExampleRates() {
	r := limit.NewRates(1, 2) // 1 action a second, 2 at once
	now := time.Unix(0, 0)
	for range 3 {
		ok, retry := r.Reserve("group-1", now)
		fmt.Println(ok, retry)
	}
	// Output:
	// true 0s
	// true 0s
	// false 1s
}
