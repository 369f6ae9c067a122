package state

import (
	"context"
	"errors"
	"fmt"

	"github.com/lvtgo/livetemplate/session"
)

// reload replaces the state's snapshot with what the session store holds.
// Stores the state holds in memory but the stored snapshot lacks (started
// here, not stored yet) are kept. s.mu is held.
func (s *State) reload(ctx context.Context) error {
	t := s.t
	cur := s.cur.Load()
	state, version, err := t.get(ctx, s.name)
	if errors.Is(err, session.ErrNotFound) {
		// The store lost it (it expired, or a store without persistence
		// restarted): keep what this instance holds, to be stored afresh
		// by the next change.
		t.recovered()
		if cur.version != 0 {
			next := cur.With(nil, nil, nil, "")
			next.version = 0
			s.publish(next)
		}
		return nil
	}
	if err != nil {
		if ctx.Err() != nil {
			return ctx.Err()
		}
		return t.failed(fmt.Errorf("reload state: %w", err))
	}
	t.recovered()
	sn, err := decodeSnapshot(state, version, nil, &t.ids)
	if err != nil {
		return fmt.Errorf("reload state: %w", err)
	}
	for name, js := range cur.raw {
		if _, ok := sn.raw[name]; !ok {
			sn.raw[name], sn.stored = js, false
		}
	}
	s.publish(sn)
	return nil
}

// CatchUp reloads the state if the session store may hold a newer snapshot
// than version v (v == 0: always check), and tells Options.Changed when it
// did. Other instances announce their changes; this is how they reach the
// pages here.
func (s *State) CatchUp(ctx context.Context, v uint64) {
	if cur := s.cur.Load(); cur == nil || (v != 0 && cur.version >= v) {
		return // still loading (it reads the store itself), or up to date
	}
	if err := s.mu.LockContext(ctx); err != nil {
		return
	}
	changed := false
	if s.loaded {
		before := s.cur.Load()
		if v == 0 || before.version < v {
			if err := s.reload(ctx); err == nil {
				changed = s.cur.Load().version != before.version
			}
		}
	}
	s.mu.Unlock()
	if changed {
		s.t.o.Changed(s, false)
	}
}
