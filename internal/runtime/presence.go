package runtime

import (
	"context"
	"encoding/json"
	"errors"
	"strconv"
	"sync"
	"time"

	"github.com/lvtgo/livetemplate/internal/state"
	"github.com/lvtgo/livetemplate/session"
)

// Who views a state is kept in the state itself (state.Watch), with the
// instances that serve each page. Instances that show Watcher stores write
// a heartbeat to the session store every beatEvery; an instance whose
// heartbeat is older than deadAfter (or gone) is dead, and the others
// disconnect its pages from the states they hold, as its own Disconnected
// calls would have: presence heals within about deadAfter + beatEvery of a
// crash, with no page reloading or acting.
const (
	beatEvery = 3 * time.Second
	deadAfter = 10 * time.Second
)

// heartbeat is what an instance writes under its key.
type heartbeat struct {
	At int64 `json:"at"` // unix milliseconds
}

// beatKey is the session store key of an instance's heartbeat.
func beatKey(instance string) string { return "lvt:i:" + instance }

// beats is an instance's heartbeat, and its view of the others' liveness.
type beats struct {
	beatMu  sync.Mutex // orders beat
	version uint64     // of this instance's heartbeat
	lastOK  time.Time  // when a heartbeat was last written

	mu      sync.Mutex
	checked map[string]beatCheck // by instance
}

type beatCheck struct {
	alive bool
	at    time.Time
}

// presence runs the heartbeat and the healing while the runtime lives.
func (rt *Runtime) presence() {
	tick := time.NewTicker(beatEvery)
	defer tick.Stop()
	for {
		select {
		case <-rt.ctx.Done():
			return
		case now := <-tick.C:
			if !rt.watching.Load() {
				continue
			}
			if rt.beat(now) && rt.announcing.CompareAndSwap(false, true) {
				// Not in this loop: many pages to announce must not
				// delay the heartbeat.
				rt.wg.Go(func() {
					defer rt.announcing.Store(false)
					rt.announceAll()
				})
			}
			rt.heal(now)
		}
	}
}

// firstBeat writes this instance's first heartbeat, before its first page
// is counted in a state: until then, the others would take it for dead.
func (rt *Runtime) firstBeat() {
	b := &rt.beats
	b.beatMu.Lock()
	first := b.lastOK.IsZero()
	b.beatMu.Unlock()
	if first {
		rt.beat(time.Now())
	}
}

// beat writes this instance's heartbeat. When the last one it wrote is so
// old that the others may have taken it for dead, it announces its live
// pages again (announce): beat reports whether it is time to.
func (rt *Runtime) beat(now time.Time) (late bool) {
	b := &rt.beats
	b.beatMu.Lock()
	defer b.beatMu.Unlock()
	js, _ := json.Marshal(heartbeat{At: now.UnixMilli()})
	for range 2 {
		ctx, cancel := context.WithTimeout(rt.ctx, rt.o.Limits.StoreTimeout)
		v, err := rt.o.Sessions.Put(ctx, beatKey(rt.instance), js, b.version)
		cancel()
		if err == nil {
			b.version = v
			late := !b.lastOK.IsZero() && now.Sub(b.lastOK) > deadAfter/2
			b.lastOK = now
			return late
		}
		if !errors.Is(err, session.ErrConflict) {
			return false // the store is failing: the state table logs that
		}
		// The store lost or changed the key: learn its version and retry.
		ctx, cancel = context.WithTimeout(rt.ctx, rt.o.Limits.StoreTimeout)
		_, v, err = rt.o.Sessions.Get(ctx, beatKey(rt.instance))
		cancel()
		if errors.Is(err, session.ErrNotFound) {
			v, err = 0, nil
		}
		if err != nil {
			return false
		}
		b.version = v
	}
	return false
}

// announceAll announces every live page again (announce).
func (rt *Runtime) announceAll() {
	for _, p := range rt.pages.All() {
		if rt.ctx.Err() != nil {
			return
		}
		rt.announce(p)
	}
}

// endBeat removes this instance's heartbeat as it closes, when the store
// can delete: otherwise it expires with the store's TTL.
func (rt *Runtime) endBeat() {
	d, ok := rt.o.Sessions.(session.Deleter)
	if !ok || !rt.watching.Load() {
		return
	}
	ctx, cancel := context.WithTimeout(context.Background(), rt.o.Limits.StoreTimeout)
	defer cancel()
	_ = d.Delete(ctx, beatKey(rt.instance))
}

// alive reports whether instance wrote a heartbeat lately (this one always
// is; an instance whose heartbeat cannot be read now counts as alive).
func (rt *Runtime) alive(instance string, now time.Time) bool {
	if instance == rt.instance {
		return true
	}
	b := &rt.beats
	b.mu.Lock()
	c, ok := b.checked[instance]
	b.mu.Unlock()
	if ok && now.Sub(c.at) < beatEvery {
		return c.alive
	}
	ctx, cancel := context.WithTimeout(rt.ctx, rt.o.Limits.StoreTimeout)
	js, _, err := rt.o.Sessions.Get(ctx, beatKey(instance))
	cancel()
	alive := true
	var h heartbeat
	switch {
	case errors.Is(err, session.ErrNotFound):
		alive = false
	case err != nil:
	case json.Unmarshal(js, &h) == nil:
		alive = now.Sub(time.UnixMilli(h.At)) <= deadAfter
	}
	b.mu.Lock()
	if b.checked == nil || len(b.checked) > 10_000 {
		b.checked = make(map[string]beatCheck)
	}
	b.checked[instance] = beatCheck{alive: alive, at: now}
	b.mu.Unlock()
	return alive
}

// heal disconnects, from the states this instance holds, the pages whose
// every instance is dead.
func (rt *Runtime) heal(now time.Time) {
	for _, st := range rt.states.All() {
		cur := st.Current()
		if cur == nil || !rt.hasDead(cur.Watches(), now) {
			continue
		}
		_, err := st.Change(rt.ctx, func(cur *state.Snapshot) (*state.Snapshot, error) {
			ws := cur.Watches()
			next := cur
			for wid, w := range ws {
				dead := func(i string) bool { return !rt.alive(i, now) }
				if !anyOf(w.Instances, dead) {
					continue
				}
				var err error
				if next, err = rt.leave(rt.ctx, next, ws, wid, dead); err != nil {
					return nil, err
				}
				ws = next.Watches()
			}
			return next, nil
		}, nil)
		if err != nil && rt.ctx.Err() == nil && rt.watchFailed.first("heal\x00"+st.Name()) {
			rt.log.Error("disconnecting the pages of a dead instance failed", "err", err)
		}
	}
}

// hasDead reports whether a watch of ws names a dead instance.
func (rt *Runtime) hasDead(ws map[string]state.Watch, now time.Time) bool {
	for _, w := range ws {
		if anyOf(w.Instances, func(i string) bool { return !rt.alive(i, now) }) {
			return true
		}
	}
	return false
}

func anyOf(s []string, f func(string) bool) bool {
	for _, x := range s {
		if f(x) {
			return true
		}
	}
	return false
}

// newInstanceID names this instance in watches and heartbeats.
func newInstanceID() string {
	return strconv.FormatInt(time.Now().UnixMilli(), 36) + "-" + NewToken()[:8]
}
