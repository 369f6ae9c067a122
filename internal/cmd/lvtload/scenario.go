package main

import (
	"context"
	"fmt"
	"slices"
	"sync"
	"sync/atomic"
	"time"
)

// latencies is a set of measured durations.
type latencies []time.Duration

// quantile returns the nearest-rank q-quantile (0 < q <= 1) of sorted l.
func (l latencies) quantile(q float64) time.Duration {
	if len(l) == 0 {
		return 0
	}
	i := int(float64(len(l))*q+0.999999) - 1
	return l[min(max(i, 0), len(l)-1)]
}

// String sorts l and summarises it.
func (l latencies) String() string {
	if len(l) == 0 {
		return "n=0"
	}
	slices.Sort(l)
	return fmt.Sprintf("n=%d p50=%s p99=%s max=%s", len(l), ms(l.quantile(0.5)), ms(l.quantile(0.99)), ms(l[len(l)-1]))
}

func ms(d time.Duration) string { return fmt.Sprintf("%.2fms", float64(d)/float64(time.Millisecond)) }

// fanoutResult is what the fanout scenario measured.
type fanoutResult struct {
	Rounds    int
	Expected  int       // deliveries awaited: every other reading tab of each acting group, each round
	Delivered int       // deliveries received in time
	Lat       latencies // send → patch received, for every delivery
	RoundP99  []time.Duration
	Reply     latencies // send → reply received, for the acting tab
	Timeouts  int       // rounds that ended before every delivery arrived
}

// fanout runs rounds: in every group the sending tab sends one increment,
// and every other reading tab of the group times the patch that shows the new
// count. Each round waits for all deliveries (at most roundTimeout) and then
// for pause.
func fanout(ctx context.Context, f *fleet, rounds int, roundTimeout, pause time.Duration) (fanoutResult, error) {
	res := fanoutResult{Rounds: rounds}
	var acting []*group
	want := 0
	for _, g := range f.groups {
		readers := 0
		for _, t := range g.tabs {
			if t.reader {
				readers++
			}
		}
		if g.sender != nil && readers > 1 {
			acting = append(acting, g)
			want += readers - 1
		}
	}
	if want == 0 {
		return res, fmt.Errorf("fanout: no group has two reading tabs")
	}
	for n := range rounds {
		r := f.startRound(want, false)
		for _, g := range acting {
			g.expect.Store(g.sender.count.Load() + 1)
			g.sentAt.Store(time.Now().UnixNano())
			if err := g.sender.act(ctx, int64(n+1)); err != nil {
				f.round.Store(nil)
				return res, fmt.Errorf("fanout: send: %w", err)
			}
		}
		res.finish(ctx, f, r, want, roundTimeout)
		for _, g := range acting {
			if rp, ok := waitReply(ctx, g.sender, int64(n+1), roundTimeout); ok {
				res.Reply = append(res.Reply, rp.at.Sub(time.Unix(0, g.sentAt.Load())))
			}
		}
		if ctx.Err() != nil {
			return res, fmt.Errorf("fanout: %w", ctx.Err())
		}
		time.Sleep(pause)
	}
	return res, nil
}

// startRound makes r the round being measured, awaiting want deliveries
// (with all, the sending tabs' too).
func (f *fleet) startRound(want int, all bool) *round {
	r := &round{lat: make([]atomic.Int64, len(f.tabs)), done: make(chan struct{}), all: all}
	r.pending.Store(int64(want))
	f.round.Store(r)
	return r
}

// finish waits for round r's want deliveries (at most timeout), ends the
// round and adds what arrived to res.
func (res *fanoutResult) finish(ctx context.Context, f *fleet, r *round, want int, timeout time.Duration) {
	timer := time.NewTimer(timeout)
	select {
	case <-r.done:
	case <-timer.C:
		res.Timeouts++
	case <-ctx.Done():
	}
	timer.Stop()
	f.round.Store(nil)
	var this latencies
	for i := range r.lat {
		if v := r.lat[i].Load(); v > 0 {
			this = append(this, time.Duration(v-1))
		}
	}
	res.Expected += want
	res.Delivered += len(this)
	res.Lat = append(res.Lat, this...)
	slices.Sort(this)
	res.RoundP99 = append(res.RoundP99, this.quantile(0.99))
}

// waitReply waits for the reply to ref, skipping replies to earlier actions.
func waitReply(ctx context.Context, t *tab, ref int64, timeout time.Duration) (reply, bool) {
	timer := time.NewTimer(timeout)
	defer timer.Stop()
	for {
		select {
		case rp := <-t.replies:
			if rp.ref == ref {
				return rp, true
			}
		case <-timer.C:
			return reply{}, false
		case <-ctx.Done():
			return reply{}, false
		}
	}
}

// actionsResult is what the actions scenario measured.
type actionsResult struct {
	Actors   int // reading tabs that acted
	Elapsed  time.Duration
	OK       int // successful replies
	Failed   map[string]int
	Timeouts int // actions without a reply in time (the tab then stopped)
	Lat      latencies
}

// Rate is the number of successful actions per second.
func (r actionsResult) Rate() float64 { return float64(r.OK) / r.Elapsed.Seconds() }

// actions makes every reading tab send increments for d, each as soon as the
// reply to its previous one arrived (one in flight per tab).
func actions(ctx context.Context, f *fleet, d, replyTimeout time.Duration) actionsResult {
	res := actionsResult{Failed: map[string]int{}}
	var actors []*tab
	for _, t := range f.tabs {
		if t.reader {
			actors = append(actors, t)
		}
	}
	res.Actors = len(actors)
	type tally struct {
		lat      latencies
		failed   map[string]int
		timeouts int
	}
	tallies := make([]tally, len(actors))
	start := time.Now()
	deadline := start.Add(d)
	var wg sync.WaitGroup
	for i, t := range actors {
		wg.Go(func() {
			tl := &tallies[i]
			tl.lat = make(latencies, 0, 256)
			tl.failed = map[string]int{}
			for ref := int64(1); time.Now().Before(deadline) && ctx.Err() == nil; ref++ {
				sent := time.Now()
				if err := t.act(ctx, ref); err != nil {
					tl.failed["send"]++
					return
				}
				rp, ok := waitReply(ctx, t, ref, replyTimeout)
				switch {
				case !ok:
					tl.timeouts++
					return
				case rp.errCode != "":
					tl.failed[rp.errCode]++
				default:
					tl.lat = append(tl.lat, rp.at.Sub(sent))
				}
			}
		})
	}
	wg.Wait()
	res.Elapsed = time.Since(start)
	for _, tl := range tallies {
		res.OK += len(tl.lat)
		res.Lat = append(res.Lat, tl.lat...)
		res.Timeouts += tl.timeouts
		for k, v := range tl.failed {
			res.Failed[k] += v
		}
	}
	return res
}

// probeResult says what happened to the tabs that never read.
type probeResult struct {
	Open, Closed int // still open, or closed by the server
	Messages     int // messages waiting for them, in total
}

// probeNonReaders finally reads what waits on each non-reading tab's
// socket, until it is idle for idle, to tell whether the server kept it.
func probeNonReaders(ctx context.Context, f *fleet, idle time.Duration) probeResult {
	var res probeResult
	var mu sync.Mutex
	sem := make(chan struct{}, 50)
	var wg sync.WaitGroup
	for _, t := range f.tabs {
		if t.reader {
			continue
		}
		sem <- struct{}{}
		wg.Go(func() {
			defer func() { <-sem }()
			n, closed := 0, false
			for {
				rctx, cancel := context.WithTimeout(ctx, idle)
				_, err := t.read(rctx)
				timedOut := rctx.Err() != nil
				cancel()
				if err != nil {
					closed = !timedOut
					break
				}
				n++
			}
			mu.Lock()
			defer mu.Unlock()
			res.Messages += n
			if closed {
				res.Closed++
			} else {
				res.Open++
			}
		})
	}
	wg.Wait()
	return res
}
