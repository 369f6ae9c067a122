package state

import (
	"context"
	"errors"
	"fmt"
	"math/rand/v2"
	"time"

	"github.com/lvtgo/livetemplate/internal/fault"
	"github.com/lvtgo/livetemplate/session"
)

// MaxConflicts is how many times a change is made again when other
// instances keep storing the state first; between attempts it waits a
// jittered pause that doubles each time (from 1 ms, at most 64 ms), so that
// contending instances spread out.
const MaxConflicts = 16

// Change changes the state: under the state's lock, next makes the next
// snapshot from the current one (or returns it, or nil, to change nothing);
// the result is stored with compare-and-set on the current one's version
// and only then published, after which Options.Changed is told. When
// another instance stored the state first, the state is reloaded and next
// runs again on what it stored. next runs user code (a store's Change) and
// may fail: nothing changes then, and its error is returned. stored, when
// not nil, is called once the new snapshot is stored, just before it is
// published. Change reports whether the state changed.
func (s *State) Change(ctx context.Context, next func(cur *Snapshot) (*Snapshot, error), stored func()) (bool, error) {
	if err := s.mu.LockContext(ctx); err != nil {
		return false, fault.Wrap(fault.ShuttingDown, err)
	}
	changed, err := s.change(ctx, next, stored)
	s.mu.Unlock()
	if changed {
		s.t.o.Changed(s, true)
	}
	return changed, err
}

// change runs Change's loop. s.mu is held.
func (s *State) change(ctx context.Context, next func(cur *Snapshot) (*Snapshot, error), stored func()) (bool, error) {
	for attempt := 1; ; attempt++ {
		cur := s.cur.Load()
		sn, err := next(cur)
		if err != nil {
			return false, err
		}
		if sn == nil || sn == cur {
			return false, nil
		}
		err = s.persist(ctx, sn, cur.version)
		if err == nil {
			if stored != nil {
				stored()
			}
			s.publish(sn)
			return true, nil
		}
		if !errors.Is(err, session.ErrConflict) {
			return false, err
		}
		if attempt == MaxConflicts {
			return false, fault.Wrap(fault.Unavailable, fmt.Errorf("store state: %w", err))
		}
		// Another instance stored the state first: change what it stored.
		pause := time.Millisecond << min(attempt-1, 6)
		if err := sleep(ctx, pause/2+time.Duration(rand.Int64N(int64(pause)))); err != nil {
			return false, fault.Wrap(fault.ShuttingDown, err)
		}
		if err := s.reload(ctx); err != nil {
			return false, err
		}
	}
}

// persist stores sn, made from the snapshot of version from, with
// compare-and-set, and sets its new version. s.mu is held.
func (s *State) persist(ctx context.Context, sn *Snapshot, from uint64) error {
	state, err := sn.encode()
	if err != nil {
		return fmt.Errorf("encode state: %w", err)
	}
	v, err := s.t.put(ctx, s.name, state, from)
	switch {
	case err == nil:
		s.t.recovered()
		sn.version, sn.stored = v, true
		return nil
	case errors.Is(err, session.ErrConflict):
		return err
	case ctx.Err() != nil:
		return fault.Wrap(fault.ShuttingDown, ctx.Err())
	}
	return s.t.failed(fmt.Errorf("store state: %w", err))
}

// sleep waits for d or until ctx ends.
func sleep(ctx context.Context, d time.Duration) error {
	t := time.NewTimer(d)
	defer t.Stop()
	select {
	case <-t.C:
		return nil
	case <-ctx.Done():
		return ctx.Err()
	}
}
