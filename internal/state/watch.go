package state

import (
	"encoding/json"
	"maps"
	"slices"
)

// Watch is one page that the Watcher stores of a state count as viewing it:
// on which instances of the app it is live, who views it, and which stores
// counted it. A page counts once, however many instances serve it (an HTTP
// page that moves between instances without affinity): its stores hear
// Connected when the first instance takes it, Disconnected when the last
// lets go, or when the instances that had it are gone (killed).
type Watch struct {
	Instances []string `json:"i"`
	User      string   `json:"u,omitempty"`
	Group     string   `json:"g,omitempty"`
	Stores    []string `json:"s"`
}

// watchKey is the reserved snapshot entry of the watches, by page (a hash
// of its token: tokens never reach the store).
const watchKey = "lvt.watch"

// Watches returns the pages the state's Watcher stores count, by page.
// The map is the caller's.
func (sn *Snapshot) Watches() map[string]Watch {
	var m map[string]Watch
	_ = json.Unmarshal(sn.raw[watchKey], &m)
	if m == nil {
		m = map[string]Watch{}
	}
	return m
}

// WithWatches returns a snapshot like sn whose watches are m.
func (sn *Snapshot) WithWatches(m map[string]Watch) *Snapshot {
	next := sn.With(nil, nil, nil, "")
	for _, d := range slices.Collect(maps.Keys(sn.raw)) {
		if v, ok := sn.decoded.Load(d); ok {
			next.decoded.Store(d, v)
		}
	}
	if len(m) == 0 {
		delete(next.raw, watchKey)
	} else {
		next.raw[watchKey], _ = json.Marshal(m)
	}
	return next
}
