package main

import (
	"context"
	"fmt"
	"net/http"
	"net/url"
	"time"

	"github.com/lvtgo/livetemplate"
)

// pushPath is where `lvtload serve` takes a push: a POST there makes the
// handler Broadcast "increment" to every page (every group's count goes up
// by one, once per group, on every instance), and answers once this
// instance has applied it.
const pushPath = "/lvtload/push"

// withPush serves h, and the push endpoint beside it.
func withPush(h *livetemplate.Handler) liveHandler {
	mux := http.NewServeMux()
	mux.Handle("/", h)
	mux.HandleFunc(pushPath, func(w http.ResponseWriter, r *http.Request) {
		if r.Method != http.MethodPost {
			http.Error(w, "POST only", http.StatusMethodNotAllowed)
			return
		}
		reach, err := h.Broadcast(r.Context(), livetemplate.All(), "increment", nil)
		if err != nil {
			http.Error(w, err.Error(), http.StatusInternalServerError)
			return
		}
		fmt.Fprintf(w, "%d states, %d pages\n", reach.States, reach.Pages)
	})
	return pushServer{ServeMux: mux, h: h}
}

type pushServer struct {
	*http.ServeMux
	h *livetemplate.Handler
}

func (p pushServer) Close() error { return p.h.Close() }

// pushRounds runs rounds: the first instance is asked to Broadcast an
// increment to every page, and every reading tab (on every instance) times
// the patch that shows its group's new count, from just before the request.
func pushRounds(ctx context.Context, f *fleet, page *url.URL, rounds int, roundTimeout, pause time.Duration) (fanoutResult, error) {
	res := fanoutResult{Rounds: rounds}
	want := 0
	for _, g := range f.groups {
		for _, t := range g.tabs {
			if t.reader {
				want++
			}
		}
	}
	if want == 0 {
		return res, fmt.Errorf("push: no reading tab")
	}
	target := page.ResolveReference(&url.URL{Path: pushPath})
	hc := &http.Client{Timeout: roundTimeout}
	for range rounds {
		now := time.Now().UnixNano()
		for _, g := range f.groups {
			if g.sender != nil {
				g.expect.Store(g.sender.count.Load() + 1)
			}
			g.sentAt.Store(now)
		}
		r := f.startRound(want, true)
		resp, err := hc.Post(target.String(), "text/plain", nil)
		if err != nil {
			f.round.Store(nil)
			return res, fmt.Errorf("push: %w", err)
		}
		resp.Body.Close()
		if resp.StatusCode != http.StatusOK {
			f.round.Store(nil)
			return res, fmt.Errorf("push: %s", resp.Status)
		}
		res.finish(ctx, f, r, want, roundTimeout)
		if ctx.Err() != nil {
			return res, fmt.Errorf("push: %w", ctx.Err())
		}
		time.Sleep(pause)
	}
	return res, nil
}
