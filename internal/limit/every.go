package limit

import (
	"sync"
	"time"
)

// Every lets a thing happen at most once per period for each key: a log
// line per kind of refusal and client address, say, never one per message.
// It remembers at most max keys; while that many are fresh, a new key is
// counted under its overflow key instead (the kind alone, say), so a flood
// of addresses costs bounded memory and still shows. It is safe for
// concurrent use.
type Every struct {
	period time.Duration
	max    int

	mu    sync.Mutex
	last  map[string]time.Time
	swept time.Time
}

// NewEvery returns an Every that allows each key once per period and
// remembers at most max keys (plus the overflow keys it is given).
func NewEvery(period time.Duration, max int) *Every {
	return &Every{period: period, max: max, last: make(map[string]time.Time)}
}

// Allow reports whether key may happen at now: not within period of the
// last time it was allowed. A key not remembered while max keys are (after
// sweeping the expired ones, at most once a second) is counted as overflow
// instead, which should be one of a few keys.
func (e *Every) Allow(key, overflow string, now time.Time) bool {
	e.mu.Lock()
	defer e.mu.Unlock()
	if _, ok := e.last[key]; !ok && len(e.last) >= e.max {
		if now.Sub(e.swept) >= time.Second {
			e.sweepLocked(now)
		}
		if len(e.last) >= e.max {
			key = overflow
		}
	}
	if t, ok := e.last[key]; ok && now.Sub(t) < e.period {
		return false
	}
	e.last[key] = now
	return true
}

// Sweep forgets the keys whose period has passed at now.
func (e *Every) Sweep(now time.Time) {
	e.mu.Lock()
	e.sweepLocked(now)
	e.mu.Unlock()
}

func (e *Every) sweepLocked(now time.Time) {
	e.swept = now
	for k, t := range e.last {
		if now.Sub(t) >= e.period {
			delete(e.last, k)
		}
	}
}

// Len returns how many keys are remembered.
func (e *Every) Len() int {
	e.mu.Lock()
	defer e.mu.Unlock()
	return len(e.last)
}
