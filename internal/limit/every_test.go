package limit_test

import (
	"fmt"
	"testing"
	"testing/synctest"
	"time"

	"github.com/stretchr/testify/assert"

	"github.com/lvtgo/livetemplate/internal/limit"
)

func TestEveryOncePerPeriodPerKey(t *testing.T) {
	synctest.Test(t, func(t *testing.T) {
		e := limit.NewEvery(time.Minute, 100)
		assert.True(t, e.Allow("a", "*", time.Now()))
		assert.False(t, e.Allow("a", "*", time.Now()), "again at once")
		assert.True(t, e.Allow("b", "*", time.Now()), "another key is its own")
		time.Sleep(59 * time.Second)
		assert.False(t, e.Allow("a", "*", time.Now()), "within the minute")
		time.Sleep(time.Second)
		assert.True(t, e.Allow("a", "*", time.Now()), "a minute later")
	})
}

func TestEveryIsBounded(t *testing.T) {
	synctest.Test(t, func(t *testing.T) {
		e := limit.NewEvery(time.Minute, 10)
		for i := range 10 {
			assert.True(t, e.Allow(fmt.Sprint(i), "*", time.Now()))
		}
		assert.True(t, e.Allow("new", "*", time.Now()), "full of fresh keys: a new one counts as the overflow key")
		assert.False(t, e.Allow("newer", "*", time.Now()), "which has its period too")
		assert.Equal(t, 11, e.Len(), "the keys and the overflow key")
		assert.False(t, e.Allow("3", "*", time.Now()), "a remembered key keeps its period")
		time.Sleep(time.Minute)
		assert.True(t, e.Allow("new", "*", time.Now()), "expired keys are swept to make room")
		assert.Equal(t, 1, e.Len())
		for i := range 100_000 {
			e.Allow(fmt.Sprint(i), "*", time.Now())
		}
		assert.Equal(t, 11, e.Len(), "a flood of keys stays within the bound")
		e.Sweep(time.Now().Add(time.Minute))
		assert.Zero(t, e.Len())
	})
}
