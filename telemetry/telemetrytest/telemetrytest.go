package telemetrytest

import (
	"context"
	"slices"
	"sync"

	"github.com/lvtgo/livetemplate/telemetry"
)

// Recorder is a telemetry.Sink that keeps every event it receives, in
// order. The zero value is ready to use; it is safe for concurrent use.
type Recorder struct {
	mu     sync.Mutex
	events []telemetry.Event
	more   chan struct{} // closed and replaced on every Record
}

var _ telemetry.Sink = (*Recorder)(nil)

// Record implements telemetry.Sink.
func (r *Recorder) Record(e telemetry.Event) {
	r.mu.Lock()
	r.events = append(r.events, e)
	if r.more != nil {
		close(r.more)
		r.more = nil
	}
	r.mu.Unlock()
}

// Events returns a copy of the events recorded so far.
func (r *Recorder) Events() []telemetry.Event {
	r.mu.Lock()
	defer r.mu.Unlock()
	return slices.Clone(r.events)
}

// Of returns the events of kind k recorded so far.
func (r *Recorder) Of(k telemetry.Kind) []telemetry.Event {
	return r.Match(func(e telemetry.Event) bool { return e.Kind == k })
}

// Match returns the events recorded so far that match reports true for.
func (r *Recorder) Match(match func(telemetry.Event) bool) []telemetry.Event {
	var out []telemetry.Event
	for _, e := range r.Events() {
		if match(e) {
			out = append(out, e)
		}
	}
	return out
}

// Wait returns the first recorded event that match reports true for,
// waiting for it to be recorded, or ctx's error when ctx ends first.
func (r *Recorder) Wait(ctx context.Context, match func(telemetry.Event) bool) (telemetry.Event, error) {
	seen := 0
	for {
		r.mu.Lock()
		for ; seen < len(r.events); seen++ {
			if e := r.events[seen]; match(e) {
				r.mu.Unlock()
				return e, nil
			}
		}
		if r.more == nil {
			r.more = make(chan struct{})
		}
		more := r.more
		r.mu.Unlock()
		select {
		case <-more:
		case <-ctx.Done():
			return telemetry.Event{}, ctx.Err()
		}
	}
}
