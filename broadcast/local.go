package broadcast

import (
	"bytes"
	"context"
	"errors"
	"io"
	"sync"
)

// LocalQueueSize is how many messages a subscription of a [Local] hub
// buffers for a receiver that is busy. When a publisher gets further ahead,
// the oldest buffered messages are dropped, and the receiver's next call is
// Resync, followed by the newer messages that were kept.
const LocalQueueSize = 1024

// Local is an in-process hub: every endpoint it hands out ([Local.Bus])
// stands for one instance, and what one endpoint publishes, the
// subscriptions of every other endpoint receive. It starts no goroutines:
// a subscription delivers from the goroutine that called Subscribe.
//
// Publish never waits for a receiver. Each subscription has a queue of
// [LocalQueueSize] messages; on overflow the oldest messages are dropped and
// the receiver gets one Resync call before the messages that were kept.
//
// Local is safe for concurrent use. Close closes every endpoint.
type Local struct {
	mu        sync.Mutex
	endpoints map[*Endpoint]struct{}     // open endpoints
	subs      map[*subscription]struct{} // running subscriptions of all endpoints
	closed    bool
}

// NewLocal returns an empty hub with no endpoints.
func NewLocal() *Local {
	return &Local{
		endpoints: make(map[*Endpoint]struct{}),
		subs:      make(map[*subscription]struct{}),
	}
}

// Bus returns a new endpoint of the hub, with its own identity: it receives
// what the hub's other endpoints publish, never its own messages. An
// endpoint returned after [Local.Close] is closed already.
func (l *Local) Bus() *Endpoint {
	e := &Endpoint{hub: l, done: make(chan struct{})}
	l.mu.Lock()
	defer l.mu.Unlock()
	if l.closed {
		e.closed = true
		close(e.done)
		return e
	}
	l.endpoints[e] = struct{}{}
	return e
}

// Close closes every endpoint of the hub, as [Endpoint.Close] does, and
// makes later endpoints closed from the start. It waits for every running
// Subscribe to return and always returns nil; calling it again does
// nothing. It must not be called from a [Receiver].
func (l *Local) Close() error {
	l.mu.Lock()
	l.closed = true
	endpoints := make([]*Endpoint, 0, len(l.endpoints))
	for e := range l.endpoints {
		endpoints = append(endpoints, e)
	}
	l.mu.Unlock()
	for _, e := range endpoints {
		_ = e.Close()
	}
	return nil
}

// Endpoint is one [Bus] of a [Local] hub, standing for one instance. It is
// safe for concurrent use, and any number of Subscribe calls may run on it
// at once.
type Endpoint struct {
	hub  *Local
	done chan struct{} // closed by Close
	wg   sync.WaitGroup

	// closed is guarded by hub.mu.
	closed bool
}

var (
	_ Bus       = (*Endpoint)(nil)
	_ io.Closer = (*Endpoint)(nil)
	_ io.Closer = (*Local)(nil)
)

// subscription is one running Subscribe call.
type subscription struct {
	from *Endpoint     // its messages are not delivered here
	wake chan struct{} // capacity 1: the queue may have changed

	// Guarded by hub.mu.
	queue [][]byte // oldest first, at most LocalQueueSize
	lost  bool     // messages were dropped just before queue[0]
}

// Publish copies msg to the queue of every running subscription of the
// hub's other endpoints and returns without waiting for their receivers.
// It returns an error wrapping ctx's error if ctx is done, and one wrapping
// [ErrClosed] after Close; nothing is delivered then.
func (e *Endpoint) Publish(ctx context.Context, msg []byte) error {
	if err := ctx.Err(); err != nil {
		return failed("publish", err)
	}
	h := e.hub
	h.mu.Lock()
	defer h.mu.Unlock()
	if e.closed {
		return failed("publish", ErrClosed)
	}
	for s := range h.subs {
		if s.from == e {
			continue
		}
		if len(s.queue) == LocalQueueSize {
			s.queue[0] = nil
			s.queue = s.queue[1:]
			s.lost = true
		}
		s.queue = append(s.queue, bytes.Clone(msg))
		select {
		case s.wake <- struct{}{}:
		default:
		}
	}
	return nil
}

// Subscribe delivers to r what the hub's other endpoints publish from now
// on, in publish order, until ctx is done or the endpoint is closed, and
// then returns nil. It calls r from the calling goroutine, one message at a
// time. It returns at once an error wrapping [ErrClosed] if the endpoint is
// closed already, or an error if r is nil.
func (e *Endpoint) Subscribe(ctx context.Context, r Receiver) error {
	if r == nil {
		return failed("subscribe", errors.New("nil receiver"))
	}
	h := e.hub
	s := &subscription{from: e, wake: make(chan struct{}, 1)}
	h.mu.Lock()
	if e.closed {
		h.mu.Unlock()
		return failed("subscribe", ErrClosed)
	}
	e.wg.Add(1)
	h.subs[s] = struct{}{}
	h.mu.Unlock()

	defer func() {
		h.mu.Lock()
		delete(h.subs, s)
		h.mu.Unlock()
		e.wg.Done()
	}()

	for {
		select {
		case <-ctx.Done():
			return nil
		case <-e.done:
			return nil
		default:
		}
		resync, msg, ok := s.next(&h.mu)
		switch {
		case resync:
			r.Resync()
		case ok:
			r.Receive(msg)
		default:
			select {
			case <-ctx.Done():
				return nil
			case <-e.done:
				return nil
			case <-s.wake:
			}
		}
	}
}

// next takes what to deliver next under mu: a resync owed before the
// queued messages, or the oldest queued message, or nothing (ok false).
func (s *subscription) next(mu *sync.Mutex) (resync bool, msg []byte, ok bool) {
	mu.Lock()
	defer mu.Unlock()
	if s.lost {
		s.lost = false
		return true, nil, false
	}
	if len(s.queue) == 0 {
		return false, nil, false
	}
	msg = s.queue[0]
	s.queue[0] = nil
	s.queue = s.queue[1:]
	return false, msg, true
}

// Close closes the endpoint: it ends the endpoint's running Subscribe calls,
// waits for them to return, and makes later calls of Publish and Subscribe
// return an error wrapping [ErrClosed]. Messages still queued for its
// subscriptions are dropped. Close always returns nil; calling it again does
// nothing. It must not be called from a [Receiver].
func (e *Endpoint) Close() error {
	h := e.hub
	h.mu.Lock()
	if !e.closed {
		e.closed = true
		close(e.done)
		delete(h.endpoints, e)
	}
	h.mu.Unlock()
	e.wg.Wait()
	return nil
}
