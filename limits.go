package livetemplate

import (
	"math"
	"sync"
	"time"

	"golang.org/x/time/rate"
)

// rates holds one token-bucket limiter per key (a session group or a client
// address). A limiter that has refilled completely is equivalent to a new
// one, so sweep drops those; the map holds at most maxKeys limiters, and
// keys past that share one overflow limiter, so a flood of new keys costs
// bounded memory and gains no capacity.
type rates struct {
	limit rate.Limit
	burst int

	mu       sync.Mutex
	m        map[string]*rate.Limiter
	overflow *rate.Limiter
}

// maxRateKeys bounds the limiters one rates keeps between sweeps.
const maxRateKeys = 100_000

func newRates(perSecond float64, burst int) *rates {
	r := &rates{limit: rate.Limit(perSecond), burst: burst, m: make(map[string]*rate.Limiter)}
	if perSecond < 0 || burst < 0 {
		r.limit = rate.Inf
	}
	r.overflow = rate.NewLimiter(r.limit, r.burst)
	return r
}

// reserve takes one token for key at now. When none is left it takes
// nothing and returns how long until one will be.
func (r *rates) reserve(key string, now time.Time) (ok bool, retry time.Duration) {
	if r.limit == rate.Inf {
		return true, 0
	}
	r.mu.Lock()
	l := r.m[key]
	if l == nil {
		if len(r.m) >= maxRateKeys {
			l = r.overflow
		} else {
			l = rate.NewLimiter(r.limit, r.burst)
			r.m[key] = l
		}
	}
	r.mu.Unlock()
	if l.AllowN(now, 1) {
		return true, 0
	}
	wait := time.Second
	if r.limit > 0 {
		wait = time.Duration(math.Ceil(float64(time.Second) / float64(r.limit)))
	}
	return false, wait
}

// sweep drops the limiters that are full again at now.
func (r *rates) sweep(now time.Time) {
	if r.limit == rate.Inf {
		return
	}
	r.mu.Lock()
	defer r.mu.Unlock()
	for k, l := range r.m {
		if l.TokensAt(now) >= float64(r.burst) {
			delete(r.m, k)
		}
	}
}

// counts counts live connections per key with a bound per key.
type counts struct {
	max int // < 0: no bound

	mu sync.Mutex
	m  map[string]int
}

func newCounts(max int) *counts { return &counts{max: max, m: make(map[string]int)} }

// add counts one more for key unless key is at its bound.
func (c *counts) add(key string) bool {
	c.mu.Lock()
	defer c.mu.Unlock()
	if c.max >= 0 && c.m[key] >= c.max {
		return false
	}
	c.m[key]++
	return true
}

// done undoes one add.
func (c *counts) done(key string) {
	c.mu.Lock()
	defer c.mu.Unlock()
	if c.m[key] <= 1 {
		delete(c.m, key)
		return
	}
	c.m[key]--
}
