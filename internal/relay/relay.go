package relay

import (
	"cmp"
	"context"
	"encoding/json"
	"errors"
	"log/slog"
	"sync"
	"sync/atomic"
	"time"

	"github.com/lvtgo/livetemplate/broadcast"
	"github.com/lvtgo/livetemplate/telemetry"
)

// Receiver is what a Relay hands the messages of other instances to. Its
// methods are called from the Relay's goroutines and must not block long.
type Receiver interface {
	// Holds reports whether the state named name is in memory here (only
	// those are caught up).
	Holds(name string) bool
	// Events hands the pages of the state named name events made with its
	// change to version, once the state caught up with it.
	Events(ctx context.Context, name string, version uint64, events [][]byte)
	// CatchUp reloads the state named name if it is older than version,
	// and re-renders its pages. It runs on a catch-up worker.
	CatchUp(ctx context.Context, name string, version uint64)
	// Push applies a server action another instance pushed.
	Push(ctx context.Context, view string, p Push)
	// Refresh renders the targeted pages again.
	Refresh(view string, t Target)
	// Disconnect closes the targeted pages' connections.
	Disconnect(view string, t Target)
	// Resync reloads every state in memory: messages may have been lost.
	Resync(ctx context.Context)
}

// Queue bounds the messages waiting to be published; past it messages are
// dropped (and that is logged once): other instances then show a state
// late, until its next change or their next resync.
const Queue = 4096

// PublishTimeout is the default bound of one publish.
const PublishTimeout = 2 * time.Second

// Catch-up workers and the queue of each (a full one holds the bus's
// receiver back).
const (
	Workers     = 8
	WorkerQueue = 256
)

// Relay publishes this instance's messages and receives the others'. It is
// safe for concurrent use.
type Relay struct {
	bus  broadcast.Bus
	recv Receiver
	log  *slog.Logger
	sink telemetry.Sink

	out      chan []byte
	timeout  time.Duration
	catchUps []chan catchUp
	dropped  atomic.Bool
	failing  atomic.Bool

	ctx    context.Context
	cancel context.CancelFunc
	wg     sync.WaitGroup
}

// catchUp is a state to catch up with version, and the events to hand its
// pages once it did (nil: none).
type catchUp struct {
	name    string
	version uint64
	events  [][]byte
}

// New returns a relay over bus that hands received messages to recv; sink
// (nil: none) receives a BusCall event for each publish and for each
// subscription that ends. Each publish must be done within timeout (0:
// PublishTimeout). Start starts it.
func New(bus broadcast.Bus, recv Receiver, log *slog.Logger, sink telemetry.Sink, timeout time.Duration) *Relay {
	if sink == nil {
		sink = telemetry.SinkFunc(func(telemetry.Event) {})
	}
	if timeout <= 0 {
		timeout = PublishTimeout
	}
	r := &Relay{bus: bus, recv: recv, log: log, sink: sink, out: make(chan []byte, Queue), timeout: timeout}
	r.ctx, r.cancel = context.WithCancel(context.Background())
	for range Workers {
		r.catchUps = append(r.catchUps, make(chan catchUp, WorkerQueue))
	}
	return r
}

// Start starts the publisher, the subscription and the catch-up workers.
func (r *Relay) Start() {
	for _, ch := range r.catchUps {
		r.wg.Go(func() { r.worker(ch) })
	}
	r.wg.Go(r.publishLoop)
	r.wg.Go(r.subscribeLoop)
}

// Close stops every goroutine of the relay and waits for them. Messages
// still queued are dropped. It does not close the bus.
func (r *Relay) Close() {
	r.cancel()
	r.wg.Wait()
}

// Announce tells the other instances that the state named name changed to
// version.
func (r *Relay) Announce(name string, version uint64) {
	r.Send(Message{Kind: KindChanged, State: name, Version: version})
}

// Events tells the other instances' pages of the state named name the
// events made with its change to version.
func (r *Relay) Events(name string, version uint64, events [][]byte) {
	m := Message{Kind: KindEvents, State: name, Version: version, Events: make([]json.RawMessage, len(events))}
	for i, e := range events {
		m.Events[i] = e
	}
	r.Send(m)
}

// Send queues m for the other instances; it never blocks.
func (r *Relay) Send(m Message) {
	m.V = Version
	js, err := json.Marshal(m)
	if err != nil {
		r.log.Error("bus message does not encode", "err", err)
		return
	}
	select {
	case r.out <- js:
		r.dropped.Store(false)
	default:
		if r.dropped.CompareAndSwap(false, true) {
			r.log.Warn("bus queue full; other instances will catch up later")
		}
	}
}

func (r *Relay) publishLoop() {
	for {
		select {
		case <-r.ctx.Done():
			return
		case msg := <-r.out:
			ctx, cancel := context.WithTimeout(r.ctx, r.timeout)
			start := time.Now()
			err := r.bus.Publish(ctx, msg)
			cancel()
			r.called(telemetry.OpPublish, time.Since(start), err)
			switch {
			case err != nil && r.ctx.Err() == nil:
				if r.failing.CompareAndSwap(false, true) {
					r.log.Error("bus publish failing; other instances will catch up later", "err", err)
				}
			case err == nil:
				if r.failing.CompareAndSwap(true, false) {
					r.log.Info("bus publish recovered")
				}
			}
		}
	}
}

func (r *Relay) subscribeLoop() {
	for r.ctx.Err() == nil {
		err := r.bus.Subscribe(r.ctx, broadcast.ReceiverFuncs{OnReceive: r.receive, OnResync: func() { r.recv.Resync(r.ctx) }})
		if r.ctx.Err() != nil {
			return
		}
		r.called(telemetry.OpSubscribe, 0, cmp.Or(err, errEnded))
		r.log.Error("bus subscription ended; retrying", "err", err)
		select {
		case <-r.ctx.Done():
			return
		case <-time.After(time.Second):
		}
		r.recv.Resync(r.ctx)
	}
}

// receive handles one message from another instance.
func (r *Relay) receive(msg []byte) {
	var m Message
	if err := json.Unmarshal(msg, &m); err != nil || m.V != Version {
		return // another version's, or not ours
	}
	switch m.Kind {
	case KindChanged:
		if r.recv.Holds(m.State) {
			r.queueCatchUp(catchUp{name: m.State, version: m.Version})
		}
	case KindEvents:
		if r.recv.Holds(m.State) && len(m.Events) > 0 {
			c := catchUp{name: m.State, version: m.Version, events: make([][]byte, len(m.Events))}
			for i, e := range m.Events {
				c.events[i] = e
			}
			r.queueCatchUp(c) // after the state's own, on the same worker
		}
	case KindPush:
		if m.Push != nil {
			r.recv.Push(r.ctx, m.View, *m.Push)
		}
	case KindRefresh:
		r.recv.Refresh(m.View, m.Target)
	case KindDisconnect:
		r.recv.Disconnect(m.View, m.Target)
	}
}

// queueCatchUp hands a changed state (and its events) to its worker: one
// per state name, so that a state's messages are handled in order.
func (r *Relay) queueCatchUp(c catchUp) {
	var hash uint32 = 2166136261 // FNV-1a
	for i := 0; i < len(c.name); i++ {
		hash = (hash ^ uint32(c.name[i])) * 16777619
	}
	select {
	case r.catchUps[hash%uint32(len(r.catchUps))] <- c:
	case <-r.ctx.Done():
	}
}

func (r *Relay) worker(ch chan catchUp) {
	for {
		select {
		case <-r.ctx.Done():
			return
		case c := <-ch:
			if c.events != nil {
				r.recv.Events(r.ctx, c.name, c.version, c.events)
			} else {
				r.recv.CatchUp(r.ctx, c.name, c.version)
			}
		}
	}
}

// errEnded stands for a subscription that ended without an error.
var errEnded = errors.New("relay: subscription ended")

// called reports a call to the bus; one given up because the relay
// closes is no failure.
func (r *Relay) called(op string, d time.Duration, err error) {
	e := telemetry.Event{Kind: telemetry.BusCall, Op: op, Outcome: telemetry.OK, Duration: d}
	switch {
	case err == nil:
	case r.ctx.Err() != nil:
		e.Outcome = telemetry.Canceled
	default:
		e.Outcome, e.Err = telemetry.Error, true
	}
	r.sink.Record(e)
}
