package main

import (
	"context"
	"errors"
	"fmt"
	"math"
	"net"
	"net/http"
	"net/url"
	"sort"
	"strings"
	"sync"
	"sync/atomic"
	"time"
)

// fleetOptions says how many tabs to open and how.
type fleetOptions struct {
	// Conns is the number of tabs (WebSocket connections).
	Conns int
	// Groups is the number of simulated browsers the tabs are spread over
	// (tab i belongs to group i mod Groups).
	Groups int
	// NonReaders is the fraction of tabs that never read their socket. The
	// first tab of each group always reads (it is the one that acts).
	NonReaders float64
	// Concurrency is how many tabs connect at once (default 50).
	Concurrency int
	// ConnectTimeout bounds one tab's page load, dial and join (default 30s).
	ConnectTimeout time.Duration
}

// fleet is the set of simulated tabs of one run. Its counters are updated by
// the tabs' readers; close stops and waits for every reader.
type fleet struct {
	ctx     context.Context // lifetime of the readers; cancelled by close
	cancel  context.CancelFunc
	tr      *http.Transport
	groups  []*group
	tabs    []*tab // tabs that joined (readers) or sent join (non-readers)
	readers sync.WaitGroup
	closing atomic.Bool

	received     atomic.Int64 // messages read
	gaps         atomic.Int64 // seq numbers that skipped
	dropped      atomic.Int64 // reading tabs whose connection ended early
	errReplies   atomic.Int64 // replies with an error
	strayReplies atomic.Int64 // replies nobody waited for
	reloads      atomic.Int64
	unknown      atomic.Int64

	round atomic.Pointer[round] // the fanout round being measured

	mu       sync.Mutex
	errCount map[string]int
	errFirst map[string]string
}

// connectReport says how opening the tabs went.
type connectReport struct {
	Readers, NonReaders int // tabs open
	Failed              map[string]int
	FirstErr            map[string]string
	Elapsed             time.Duration
}

func (r connectReport) String() string {
	s := fmt.Sprintf("%d tabs open (%d reading, %d never reading) in %.1fs", r.Readers+r.NonReaders, r.Readers, r.NonReaders, r.Elapsed.Seconds())
	if len(r.Failed) > 0 {
		var parts []string
		for step, n := range r.Failed {
			parts = append(parts, fmt.Sprintf("%s: %d (first: %s)", step, n, r.FirstErr[step]))
		}
		sort.Strings(parts)
		s += "; FAILED " + strings.Join(parts, "; ")
	}
	return s
}

// openFleet opens the tabs on page and returns once every tab has joined or
// failed. Too many failures (more than 1% and at least 10) stop it early.
// The fleet must be closed even when err is not nil.
func openFleet(ctx context.Context, pages []*url.URL, o fleetOptions) (*fleet, connectReport, error) {
	if o.Concurrency <= 0 {
		o.Concurrency = 50
	}
	if o.ConnectTimeout <= 0 {
		o.ConnectTimeout = 30 * time.Second
	}
	if o.Groups <= 0 || o.Conns < o.Groups {
		return nil, connectReport{}, fmt.Errorf("need at least one tab per group (conns %d, groups %d)", o.Conns, o.Groups)
	}
	dialer := &net.Dialer{Timeout: o.ConnectTimeout}
	f := &fleet{
		tr: &http.Transport{
			DialContext:         dialer.DialContext,
			MaxIdleConnsPerHost: o.Concurrency,
			IdleConnTimeout:     10 * time.Second,
		},
		errCount: map[string]int{},
		errFirst: map[string]string{},
	}
	f.ctx, f.cancel = context.WithCancel(context.Background())
	for i := range o.Groups {
		f.groups = append(f.groups, newGroup(i, f.tr))
	}
	every := 0 // every n-th tab after the first of each group never reads
	if o.NonReaders > 0 {
		every = max(1, int(math.Round(1/o.NonReaders)))
	}
	all := make([]*tab, o.Conns)
	for i := range all {
		g := f.groups[i%o.Groups]
		reader := every == 0 || i < o.Groups || (i-o.Groups)%every != every-1
		all[i] = &tab{f: f, g: g, reader: reader, joined: make(chan struct{}), replies: make(chan reply, 1)}
	}

	start := time.Now()
	ctx, stop := context.WithCancel(ctx)
	defer stop()
	var failed atomic.Int64
	limit := int64(max(10, o.Conns/100))
	ok := make([]bool, len(all))
	open := func(from, to int) {
		next := make(chan int)
		var wg sync.WaitGroup
		for range o.Concurrency {
			wg.Go(func() {
				for i := range next {
					err := all[i].connect(ctx, pages[i%len(pages)], o.ConnectTimeout)
					if err == nil {
						ok[i] = true
						continue
					}
					f.noteErr(stepOf(err), err)
					if failed.Add(1) > limit {
						stop()
					}
				}
			})
		}
	feed:
		for i := from; i < to; i++ {
			select {
			case next <- i:
			case <-ctx.Done():
				break feed
			}
		}
		close(next)
		wg.Wait()
	}
	open(0, o.Groups) // the first tab of each group gets the group's cookie
	open(o.Groups, o.Conns)

	rep := connectReport{Elapsed: time.Since(start)}
	for i, t := range all {
		if !ok[i] {
			t.abandoned.Store(true)
			if t.conn != nil {
				_ = t.conn.CloseNow()
			}
			continue
		}
		t.idx = len(f.tabs)
		f.tabs = append(f.tabs, t)
		t.g.tabs = append(t.g.tabs, t)
		if t.g.sender == nil && t.reader {
			t.g.sender = t
		}
		if t.reader {
			rep.Readers++
		} else {
			rep.NonReaders++
		}
	}
	f.mu.Lock()
	rep.Failed, rep.FirstErr = f.errCount, f.errFirst
	f.errCount, f.errFirst = map[string]int{}, map[string]string{}
	f.mu.Unlock()
	f.tr.CloseIdleConnections() // page loads are done: keep only the WebSockets
	switch {
	case failed.Load() > limit:
		return f, rep, fmt.Errorf("too many tabs failed to open: %s", rep)
	case ctx.Err() != nil:
		return f, rep, fmt.Errorf("opening tabs: %w", ctx.Err())
	}
	return f, rep, nil
}

func stepOf(err error) string {
	var se *stepError
	if errors.As(err, &se) {
		return se.step
	}
	return "connect"
}

// noteErr counts an error by step and keeps the first of each step.
func (f *fleet) noteErr(step string, err error) {
	f.mu.Lock()
	defer f.mu.Unlock()
	if f.errCount[step] == 0 {
		f.errFirst[step] = err.Error()
	}
	f.errCount[step]++
}

// errors returns and resets the errors noted since openFleet.
func (f *fleet) errors() map[string]string {
	f.mu.Lock()
	defer f.mu.Unlock()
	out := map[string]string{}
	for step, n := range f.errCount {
		out[step] = fmt.Sprintf("%d (first: %s)", n, f.errFirst[step])
	}
	f.errCount, f.errFirst = map[string]int{}, map[string]string{}
	return out
}

// close closes every tab and waits for the readers.
func (f *fleet) close() {
	if f == nil {
		return
	}
	f.closing.Store(true)
	f.cancel()
	for _, t := range f.tabs {
		_ = t.conn.CloseNow()
	}
	f.readers.Wait()
	f.tr.CloseIdleConnections()
}

// round is one fanout round: the latency of each tab's delivery, by tab
// index (0: not yet), and how many deliveries are still awaited.
type round struct {
	lat     []atomic.Int64 // nanoseconds + 1
	pending atomic.Int64
	done    chan struct{}
	all     bool // the sending tab counts too (a server push)
}

// delivered records that tab t received a patch showing count at now.
func (f *fleet) delivered(t *tab, count int64, now time.Time) {
	r := f.round.Load()
	if r == nil || count != t.g.expect.Load() || (t == t.g.sender && !r.all) {
		return
	}
	lat := now.UnixNano() - t.g.sentAt.Load()
	if r.lat[t.idx].CompareAndSwap(0, lat+1) && r.pending.Add(-1) == 0 {
		close(r.done)
	}
}
