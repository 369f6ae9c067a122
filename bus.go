package livetemplate

import (
	"context"
	"encoding/json"
	"sync/atomic"
	"time"

	"github.com/lvtgo/livetemplate/broadcast"
)

// What instances tell each other over the bus (WithBus): a state changed (so
// that the others reload it and re-render its pages), a server action to
// apply, a refresh. Messages name the page (its template's name), so pages
// of one application may share a bus.

// busVersion is the version of busMessage; newer messages are ignored.
const busVersion = 1

// Kinds of busMessage.
const (
	kindChanged    = "changed"
	kindPush       = "push"
	kindRefresh    = "refresh"
	kindDisconnect = "disconnect"
)

type busMessage struct {
	V       int    `json:"v"`
	Page    string `json:"p"`
	Kind    string `json:"k"`
	Scope   string `json:"s,omitempty"`
	Version uint64 `json:"ver,omitempty"`
	Push    *push  `json:"push,omitempty"`
	Target  target `json:"t,omitzero"`
}

// busQueue bounds the messages waiting to be published; past it, messages
// are dropped (and logged once): other instances then show a state late,
// until its next change or their next resync.
const busQueue = 4096

// busTimeout bounds one publish.
const busTimeout = 5 * time.Second

// relay publishes and receives the handler's bus messages. Publishing goes
// through a bounded queue drained by one goroutine, so a slow bus never
// holds a state's lock or a client.
type relay struct {
	bus     broadcast.Bus
	out     chan []byte
	dropped atomic.Bool
	failing atomic.Bool
	// catchUps feed the workers that reload states other instances
	// changed: a state always goes to the same worker, so its reloads stay
	// in order, while different states reload in parallel (a push to a
	// thousand groups announces a thousand changes at once).
	catchUps []chan catchUp
}

// catchUp asks a worker to reload a state another instance changed.
type catchUp struct {
	key     string
	version uint64
}

// catchUpWorkers is how many states reload at once; catchUpQueue bounds
// each worker's queue (a full one holds the bus's receiver back).
const (
	catchUpWorkers = 8
	catchUpQueue   = 256
)

// startCatchUps starts the reload workers; they stop with the handler.
func (h *Handler) startCatchUps() {
	for range catchUpWorkers {
		ch := make(chan catchUp, catchUpQueue)
		h.relay.catchUps = append(h.relay.catchUps, ch)
		h.wg.Go(func() {
			for {
				select {
				case <-h.ctx.Done():
					return
				case c := <-ch:
					if s := h.inMemory(c.key); s != nil {
						s.catchUp(h.ctx, c.version)
					}
				}
			}
		})
	}
}

// queueCatchUp hands a changed state to its worker.
func (h *Handler) queueCatchUp(key string, version uint64) {
	var hash uint32 = 2166136261
	for i := 0; i < len(key); i++ {
		hash = (hash ^ uint32(key[i])) * 16777619
	}
	select {
	case h.relay.catchUps[hash%uint32(len(h.relay.catchUps))] <- catchUp{key: key, version: version}:
	case <-h.ctx.Done():
	}
}

// announce tells the other instances that s changed.
func (h *Handler) announce(s *scope) {
	h.send(busMessage{Kind: kindChanged, Scope: s.key, Version: s.cur.Load().version}, true)
}

// send queues m for the bus; with ok false it does nothing.
func (h *Handler) send(m busMessage, ok bool) {
	if h.relay == nil || !ok {
		return
	}
	m.V, m.Page = busVersion, h.t.name
	js, err := json.Marshal(m)
	if err != nil {
		h.log.Error("bus message does not encode", "err", err)
		return
	}
	select {
	case h.relay.out <- js:
		h.relay.dropped.Store(false)
	default:
		if h.relay.dropped.CompareAndSwap(false, true) {
			h.log.Warn("bus queue full; other instances will catch up later")
		}
	}
}

// publishLoop publishes queued messages until the handler shuts down.
func (h *Handler) publishLoop() {
	r := h.relay
	for {
		select {
		case <-h.ctx.Done():
			return
		case msg := <-r.out:
			ctx, cancel := context.WithTimeout(h.ctx, busTimeout)
			err := r.bus.Publish(ctx, msg)
			cancel()
			switch {
			case err != nil && h.ctx.Err() == nil:
				if r.failing.CompareAndSwap(false, true) {
					h.log.Error("bus publish failing; other instances will catch up later", "err", err)
				}
			case err == nil:
				if r.failing.CompareAndSwap(true, false) {
					h.log.Info("bus publish recovered")
				}
			}
		}
	}
}

// subscribeLoop receives what other instances publish until the handler
// shuts down.
func (h *Handler) subscribeLoop() {
	for h.ctx.Err() == nil {
		err := h.relay.bus.Subscribe(h.ctx, broadcast.ReceiverFuncs{OnReceive: h.receive, OnResync: h.resync})
		if h.ctx.Err() != nil {
			return
		}
		h.log.Error("bus subscription ended; retrying", "err", err)
		select {
		case <-h.ctx.Done():
			return
		case <-time.After(time.Second):
		}
		h.resync()
	}
}

// receive handles one message from another instance.
func (h *Handler) receive(msg []byte) {
	var m busMessage
	if err := json.Unmarshal(msg, &m); err != nil || m.V != busVersion {
		return // another version's, or not ours
	}
	if m.Page != h.t.name {
		return
	}
	ctx := h.ctx
	switch m.Kind {
	case kindChanged:
		if h.inMemory(m.Scope) != nil {
			h.queueCatchUp(m.Scope, m.Version)
		}
	case kindPush:
		if m.Push == nil {
			return
		}
		if _, _, ok := h.route(m.Push.Action); !ok {
			return
		}
		if _, _, err := h.applyPush(ctx, *m.Push, nil, false); err != nil && ctx.Err() == nil {
			h.log.Error("server action from another instance failed", "action", m.Push.Action, "err", err)
		}
	case kindRefresh:
		h.refreshLocal(m.Target, nil)
	case kindDisconnect:
		h.disconnectLocal(m.Target, nil)
	}
}

// resync reloads every state in memory: messages may have been lost.
func (h *Handler) resync() {
	h.scopes.mu.Lock()
	all := make([]*scope, 0, len(h.scopes.m))
	for _, s := range h.scopes.m {
		all = append(all, s)
	}
	h.scopes.mu.Unlock()
	for _, s := range all {
		s.catchUp(h.ctx, 0)
	}
}

// catchUp reloads the scope's state if the session store may hold a newer
// one than version v (v == 0: always check), and re-renders its pages.
func (s *scope) catchUp(ctx context.Context, v uint64) {
	cur := s.cur.Load()
	if cur == nil {
		return // still loading: it reads the store itself
	}
	if v != 0 && cur.version >= v {
		return
	}
	if err := s.mu.LockContext(ctx); err != nil {
		return
	}
	defer s.mu.Unlock()
	if !s.loaded {
		return // its load failed; the next user loads it again
	}
	before := s.cur.Load().version
	if v != 0 && before >= v {
		return
	}
	if err := s.reload(ctx); err != nil {
		return // logged by storeFailed
	}
	if s.cur.Load().version != before {
		s.changed()
	}
}
