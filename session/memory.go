package session

import (
	"sync"
	"time"
)

const (
	defaultTTL             = 24 * time.Hour
	defaultCleanupInterval = time.Minute
)

// MemoryOptions tunes a [Memory] store. The zero value, and a nil pointer,
// select the defaults.
type MemoryOptions struct {
	// TTL is how long a group lives after its last Get or Put.
	// Default: 24 hours. A negative value means groups never expire.
	TTL time.Duration
	// CleanupInterval is how often a background sweep frees expired groups.
	// Expired groups are invisible from the moment they expire; the sweep
	// only reclaims their memory. Default: one minute. A negative value
	// disables the sweep, and expired groups are then freed when next
	// touched. No sweep runs when groups never expire.
	CleanupInterval time.Duration
}

// Memory is an in-process [Store] that also implements [Deleter] and
// [Lister]. It keeps state in a map guarded by a
// mutex, so it suits a single server instance and tests; use a shared
// backend when several instances serve one application.
//
// Memory is safe for concurrent use. [NewMemory] starts a sweeper goroutine
// that [Memory.Close] stops; after Close every method returns an error
// wrapping [ErrClosed].
type Memory struct {
	ttl  time.Duration // 0 means groups never expire
	stop chan struct{} // closed by Close to stop the sweeper
	wg   sync.WaitGroup

	mu          sync.Mutex
	groups      map[string]*entry
	lastVersion uint64 // store-wide, so versions are never reused
	closed      bool
	claimed     bool
}

// entry is one group's stored state.
type entry struct {
	state      []byte
	version    uint64
	lastAccess time.Time
}

var (
	_ Store   = (*Memory)(nil)
	_ Deleter = (*Memory)(nil)
	_ Lister  = (*Memory)(nil)
	_ Claimer = (*Memory)(nil)
)

// Claim implements [Claimer]: one claim at a time.
func (m *Memory) Claim() (release func(), err error) {
	m.mu.Lock()
	defer m.mu.Unlock()
	if m.claimed {
		return nil, failed("claim", ErrInUse)
	}
	m.claimed = true
	var once sync.Once
	return func() {
		once.Do(func() {
			m.mu.Lock()
			m.claimed = false
			m.mu.Unlock()
		})
	}, nil
}

// NewMemory returns an empty [Memory] store tuned by opts; nil opts select
// the defaults documented on [MemoryOptions]. Call [Memory.Close] to stop its
// sweeper goroutine.
func NewMemory(opts *MemoryOptions) *Memory {
	var o MemoryOptions
	if opts != nil {
		o = *opts
	}
	m := &Memory{
		ttl:    o.TTL,
		stop:   make(chan struct{}),
		groups: make(map[string]*entry),
	}
	switch {
	case m.ttl == 0:
		m.ttl = defaultTTL
	case m.ttl < 0:
		m.ttl = 0
	}
	interval := o.CleanupInterval
	if interval == 0 {
		interval = defaultCleanupInterval
	}
	if m.ttl > 0 && interval > 0 {
		m.wg.Go(func() { m.sweepEvery(interval) })
	}
	return m
}

// Close drops all state and stops the sweeper, waiting for it to exit. It
// is idempotent and always returns nil.
func (m *Memory) Close() error {
	m.mu.Lock()
	if !m.closed {
		m.closed = true
		m.groups = nil
		close(m.stop)
	}
	m.mu.Unlock()
	m.wg.Wait()
	return nil
}

// sweepEvery frees expired groups every interval until Close.
func (m *Memory) sweepEvery(interval time.Duration) {
	ticker := time.NewTicker(interval)
	defer ticker.Stop()
	for {
		select {
		case <-m.stop:
			return
		case <-ticker.C:
			m.sweep(time.Now())
		}
	}
}

// sweep frees the groups that have expired at now.
func (m *Memory) sweep(now time.Time) {
	m.mu.Lock()
	defer m.mu.Unlock()
	for group, e := range m.groups {
		if m.expired(e, now) {
			delete(m.groups, group)
		}
	}
}

// expired reports whether e has expired at now. The caller holds m.mu.
func (m *Memory) expired(e *entry, now time.Time) bool {
	return m.ttl > 0 && now.Sub(e.lastAccess) >= m.ttl
}

// live returns group's unexpired entry, freeing it if it has expired. The
// caller holds m.mu.
func (m *Memory) live(group string, now time.Time) (*entry, bool) {
	e, ok := m.groups[group]
	if !ok {
		return nil, false
	}
	if m.expired(e, now) {
		delete(m.groups, group)
		return nil, false
	}
	return e, true
}
