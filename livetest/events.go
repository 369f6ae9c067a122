package livetest

import (
	"encoding/json"
	"fmt"
	"time"
)

// Event is a server event a page received (ActionContext.PushEvent): its
// name and its payload as JSON.
type Event struct {
	Name    string
	Payload json.RawMessage
}

// maxEvents bounds the events a page keeps: the oldest are forgotten.
const maxEvents = 1024

// eventsLocked records the events of a message. p.mu is held.
func (p *Page) eventsLocked(events []json.RawMessage) {
	for _, raw := range events {
		var e []json.RawMessage
		var name string
		if json.Unmarshal(raw, &e) != nil || len(e) != 2 || json.Unmarshal(e[0], &name) != nil {
			p.report("an event that is not [name, payload]: %s", clip(raw))
			continue
		}
		p.events = append(p.events, Event{Name: name, Payload: e[1]})
	}
	if over := len(p.events) - maxEvents; over > 0 {
		p.events = append(p.events[:0:0], p.events[over:]...)
		p.taken = max(0, p.taken-over)
	}
}

// Events returns the server events the page received, in order (the last
// 1,024).
func (p *Page) Events() []Event {
	p.mu.Lock()
	defer p.mu.Unlock()
	return append([]Event(nil), p.events...)
}

// WaitEvent waits for the next event named name that WaitEvent has not
// returned yet (events of other names are passed over for good), and
// returns it; an error after timeout or once the page is closed.
func (p *Page) WaitEvent(name string, timeout time.Duration) (Event, error) {
	timer := time.NewTimer(timeout)
	defer timer.Stop()
	for {
		p.mu.Lock()
		for p.taken < len(p.events) {
			e := p.events[p.taken]
			p.taken++
			if e.Name == name {
				p.mu.Unlock()
				return e, nil
			}
		}
		ch, stopped := p.changed, p.err
		p.mu.Unlock()
		if stopped != nil {
			return Event{}, fmt.Errorf("livetest: WaitEvent %q: %w", name, stopped)
		}
		select {
		case <-ch:
		case <-timer.C:
			return Event{}, fmt.Errorf("livetest: WaitEvent %q: no such event within %v", name, timeout)
		}
	}
}
