package runtime

import (
	"sync"
	"time"

	"github.com/lvtgo/livetemplate/internal/page"
)

// Flash messages that go with a redirect the browser follows itself (a
// Mount that answers a page load with 303) cannot ride on the page: they
// wait here, under a random id the response sets as a cookie, until the
// client's next page load of the same session group takes them, or a
// minute passes. At most maxParked wait at once: past it the oldest is
// dropped (its message is lost; nothing else is).
type parked struct {
	mu sync.Mutex
	m  map[string]parkedFlash
}

type parkedFlash struct {
	group   string
	flash   []page.Flash
	expires time.Time
}

const (
	maxParked = 10_000
	parkedTTL = time.Minute
)

// park keeps flash for the next page load of group and returns its id.
func (pk *parked) park(group string, flash []page.Flash, now time.Time) string {
	pk.mu.Lock()
	defer pk.mu.Unlock()
	if pk.m == nil {
		pk.m = make(map[string]parkedFlash)
	}
	if len(pk.m) >= maxParked {
		oldest, at := "", time.Time{}
		for id, f := range pk.m {
			if oldest == "" || f.expires.Before(at) {
				oldest, at = id, f.expires
			}
		}
		delete(pk.m, oldest)
	}
	id := NewToken()
	pk.m[id] = parkedFlash{group: group, flash: flash, expires: now.Add(parkedTTL)}
	return id
}

// take returns, once, the flash parked under id for group.
func (pk *parked) take(id, group string, now time.Time) []page.Flash {
	pk.mu.Lock()
	defer pk.mu.Unlock()
	f, ok := pk.m[id]
	if !ok || f.group != group {
		return nil
	}
	delete(pk.m, id)
	if now.After(f.expires) {
		return nil
	}
	return f.flash
}

// sweep drops the flash that waited too long.
func (pk *parked) sweep(now time.Time) {
	pk.mu.Lock()
	defer pk.mu.Unlock()
	for id, f := range pk.m {
		if now.After(f.expires) {
			delete(pk.m, id)
		}
	}
}
