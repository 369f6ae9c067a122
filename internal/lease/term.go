package lease

import (
	"context"
	"fmt"
	"runtime/debug"
	"sync"
	"time"
)

// term is one spell of this instance holding a lease: run goes on (called
// again when it returns early) until the term's context ends, which its
// timer does at the deadline unless renewals move the deadline on.
type term struct {
	ctx    context.Context
	cancel context.CancelFunc
	done   chan struct{} // closed when the last call of run has returned

	mu       sync.Mutex
	deadline time.Time
	timer    *time.Timer // cancels the term at the deadline
	ended    bool        // end stopped the timer: it is not re-armed
}

// begin starts a term whose deadline is until, running run on a goroutine
// of r's until it ends.
func (l *lead) begin(until time.Time) *term {
	t := &term{done: make(chan struct{}), deadline: until}
	t.ctx, t.cancel = context.WithCancel(l.r.ctx)
	t.mu.Lock()
	t.timer = time.AfterFunc(time.Until(until), t.expire)
	t.mu.Unlock()
	l.r.wg.Go(func() {
		defer close(t.done)
		l.runs(t.ctx)
	})
	return t
}

// extend moves the deadline on to until (never back).
func (t *term) extend(until time.Time) {
	t.mu.Lock()
	defer t.mu.Unlock()
	if until.After(t.deadline) {
		t.deadline = until
	}
}

// expire ends the term if its deadline has passed, or waits for the
// deadline a renewal moved on.
func (t *term) expire() {
	t.mu.Lock()
	defer t.mu.Unlock()
	if left := time.Until(t.deadline); left > 0 && !t.ended {
		t.timer.Reset(left)
		return
	}
	t.cancel()
}

// expired reports whether the term ended: at its deadline, or as the
// Runner stopped.
func (t *term) expired() bool { return t.ctx.Err() != nil }

// end ends the term and waits for run to return.
func (t *term) end() {
	t.cancel()
	t.mu.Lock()
	t.ended = true
	t.timer.Stop()
	t.mu.Unlock()
	<-t.done
}

// runs calls run until ctx ends, again after Renew when it returns early.
func (l *lead) runs(ctx context.Context) {
	pause := time.NewTimer(0)
	defer pause.Stop()
	for {
		select {
		case <-ctx.Done():
			return
		case <-pause.C:
		}
		if ctx.Err() != nil {
			return
		}
		l.call(ctx)
		pause.Reset(l.r.o.Renew)
	}
}

// call calls run once, logging a panic (at most once a minute).
func (l *lead) call(ctx context.Context) {
	defer func() {
		if p := recover(); p != nil {
			if now := time.Now(); now.Sub(l.panicked) >= time.Minute {
				l.panicked = now
				l.log.Error("the led function panicked; it runs again while this instance leads",
					"err", fmt.Errorf("panic: %v", p), "stack", string(debug.Stack()))
			}
		}
	}()
	l.run(ctx)
}
