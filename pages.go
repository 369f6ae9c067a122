package livetemplate

import (
	"container/list"
	"crypto/rand"
	"encoding/base64"
	"sync"
	"time"

	"github.com/lvtgo/livetemplate/auth"
)

// pageTimeout is how long a rendered page waits for its live connection
// (a WebSocket join or a first HTTP message) before it is forgotten.
const pageTimeout = time.Minute

// pages is the handler's table of pages by token. Live pages stay in it
// while their connection lasts; the others wait in one of two lists, oldest
// first: fresh (rendered, never connected: forgotten after pageTimeout) and
// idle (their connection ended: forgotten after the idle timeout, so that a
// reconnecting page resumes). Both lists together hold at most max pages;
// past it the oldest page is forgotten at once. A forgotten page's token
// names nothing: its client starts afresh with a new token.
type pages struct {
	max  int // < 0: no bound
	idle time.Duration

	mu      sync.Mutex
	byToken map[string]*conn
	fresh   list.List
	rest    list.List
}

func newPages(max int, idle time.Duration) *pages {
	return &pages{max: max, idle: idle, byToken: make(map[string]*conn)}
}

// newToken returns a random 128-bit token.
func newToken() string {
	var b [16]byte
	_, _ = rand.Read(b[:]) // never fails (crypto/rand)
	return base64.RawURLEncoding.EncodeToString(b[:])
}

// addFresh remembers a newly rendered page until its connection comes.
func (p *pages) addFresh(c *conn) {
	p.mu.Lock()
	defer p.mu.Unlock()
	p.byToken[c.token] = c
	p.park(c, &p.fresh)
}

// addLive remembers a page that is live from the start (a connection that
// came without a known token).
func (p *pages) addLive(c *conn) {
	p.mu.Lock()
	defer p.mu.Unlock()
	p.byToken[c.token] = c
}

// lookup returns the page token names if it belongs to the group of id.
func (p *pages) lookup(token string, id auth.Identity) *conn {
	if token == "" {
		return nil
	}
	p.mu.Lock()
	defer p.mu.Unlock()
	c := p.byToken[token]
	if c == nil || c.id.GroupID != id.GroupID {
		return nil
	}
	return c
}

// claim takes c out of the waiting lists because a connection serves it
// now. It reports false if c was forgotten meanwhile.
func (p *pages) claim(c *conn) bool {
	p.mu.Lock()
	defer p.mu.Unlock()
	if c.gone {
		return false
	}
	if c.list != nil {
		c.list.Remove(c.elem)
		c.list, c.elem = nil, nil
	}
	return true
}

// release puts c, whose connection ended, on the idle list.
func (p *pages) release(c *conn) {
	p.mu.Lock()
	defer p.mu.Unlock()
	if c.gone || c.list != nil {
		return
	}
	p.park(c, &p.rest)
}

// forget drops c from the table.
func (p *pages) forget(c *conn) {
	p.mu.Lock()
	defer p.mu.Unlock()
	p.drop(c)
}

// park appends c to l and enforces the bound. p.mu is held.
func (p *pages) park(c *conn, l *list.List) {
	c.touch()
	c.elem, c.list = l.PushBack(c), l
	for p.max >= 0 && p.fresh.Len()+p.rest.Len() > p.max {
		p.drop(p.oldest())
	}
}

// oldest returns the page that has waited longest. p.mu is held.
func (p *pages) oldest() *conn {
	f, r := p.fresh.Front(), p.rest.Front()
	switch {
	case f == nil:
		return r.Value.(*conn)
	case r == nil:
		return f.Value.(*conn)
	}
	fc, rc := f.Value.(*conn), r.Value.(*conn)
	if fc.seen.Load() <= rc.seen.Load() {
		return fc
	}
	return rc
}

// drop forgets c. p.mu is held.
func (p *pages) drop(c *conn) {
	if c.gone {
		return
	}
	c.gone = true
	c.h.cache.give(c.cost.Swap(0))
	if p.byToken[c.token] == c {
		delete(p.byToken, c.token)
	}
	if c.list != nil {
		c.list.Remove(c.elem)
		c.list, c.elem = nil, nil
	}
}

// sweep forgets the pages that have waited too long at now.
func (p *pages) sweep(now time.Time) {
	p.mu.Lock()
	defer p.mu.Unlock()
	for _, l := range []struct {
		l   *list.List
		ttl time.Duration
	}{{&p.fresh, min(pageTimeout, p.idle)}, {&p.rest, p.idle}} {
		for e := l.l.Front(); e != nil; e = l.l.Front() {
			c := e.Value.(*conn)
			if now.Sub(c.lastSeen()) <= l.ttl {
				break
			}
			p.drop(c)
		}
	}
}
