package limit

import (
	"math"
	"sync"
	"time"

	"golang.org/x/time/rate"
)

// Rates holds one token-bucket limiter per key. A limiter that has
// refilled completely is equivalent to a new one, so Sweep drops those; the
// map holds at most MaxKeys limiters, and keys past that share one
// overflow limiter, so a flood of new keys costs bounded memory and gains
// no capacity. It is safe for concurrent use.
type Rates struct {
	limit rate.Limit
	burst int

	mu       sync.Mutex
	m        map[string]*rate.Limiter
	overflow *rate.Limiter
}

// MaxKeys bounds the limiters one Rates keeps between sweeps.
const MaxKeys = 100_000

// NewRates returns limiters of perSecond tokens a second with bursts of
// burst; a negative value of either means no limit.
func NewRates(perSecond float64, burst int) *Rates {
	r := &Rates{limit: rate.Limit(perSecond), burst: burst, m: make(map[string]*rate.Limiter)}
	if perSecond < 0 || burst < 0 {
		r.limit = rate.Inf
	}
	r.overflow = rate.NewLimiter(r.limit, r.burst)
	return r
}

// Reserve takes one token for key at now. When none is left it takes
// nothing and returns how long until one will be.
func (r *Rates) Reserve(key string, now time.Time) (ok bool, retry time.Duration) {
	if r.limit == rate.Inf {
		return true, 0
	}
	r.mu.Lock()
	l := r.m[key]
	if l == nil {
		if len(r.m) >= MaxKeys {
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

// Sweep drops the limiters that are full again at now.
func (r *Rates) Sweep(now time.Time) {
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

// Len returns how many limiters are kept.
func (r *Rates) Len() int {
	r.mu.Lock()
	defer r.mu.Unlock()
	return len(r.m)
}
