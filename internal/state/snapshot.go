package state

import (
	"encoding/json"
	"hash/fnv"
	"maps"
	"slices"
	"strconv"
	"sync"
	"sync/atomic"

	"github.com/lvtgo/livetemplate/internal/schema"
)

// Snapshot is one version of a state: the JSON of each store it holds, by
// name, and the session store's version of it (0 while not stored). It is
// immutable: a change makes a new Snapshot. Stores are decoded on first use
// and shared; nobody may change a store a Snapshot returns.
type Snapshot struct {
	raw     map[string]json.RawMessage
	version uint64
	id      uint64         // unique among the table's snapshots
	ids     *atomic.Uint64 // the table's counter of ids
	stored  bool           // exactly what the session store holds at version
	decoded sync.Map       // store name → decoded store
	derived sync.Map       // Derived's values by key
}

// pushesKey is the reserved entry that lists the ids of the last server
// pushes applied to a state, so that each is applied once even when several
// instances try. Store names cannot contain a dot.
const pushesKey = "lvt.pushes"

// maxPushIDs bounds the push ids a state remembers.
const maxPushIDs = 64

// ID returns a number no other snapshot of the table has: renders made
// from a snapshot can be told apart from renders of any other, stored or
// not.
func (sn *Snapshot) ID() uint64 { return sn.id }

// Tag names the snapshot's content: the same for snapshots of one state
// that hold the same (say the state was forgotten and loaded again), so that
// a render made from one can serve another. A stored snapshot is named by
// its version; one that is not (or holds more than what is stored) by a
// hash of its content.
func (sn *Snapshot) Tag() string {
	if sn.stored {
		return "v" + strconv.FormatUint(sn.version, 36)
	}
	h := fnv.New64a()
	for _, k := range slices.Sorted(maps.Keys(sn.raw)) {
		h.Write([]byte(k))
		h.Write([]byte{0})
		h.Write(sn.raw[k])
		h.Write([]byte{0})
	}
	return "h" + strconv.FormatUint(h.Sum64(), 36)
}

// Version returns the session store's version of the snapshot; 0 while it
// was never stored.
func (sn *Snapshot) Version() uint64 { return sn.version }

// Has reports whether the snapshot holds the store named name.
func (sn *Snapshot) Has(name string) bool {
	_, ok := sn.raw[name]
	return ok
}

// Raw returns the JSON of the store named name (nil if absent).
func (sn *Snapshot) Raw(name string) json.RawMessage { return sn.raw[name] }

// Store returns the store d of the snapshot, decoded once and shared: the
// caller must not change it. A store the snapshot lacks is d's initial
// state.
func (sn *Snapshot) Store(d *schema.Decl) (any, error) {
	if v, ok := sn.decoded.Load(d.Name); ok {
		return v, nil
	}
	js, ok := sn.raw[d.Name]
	if !ok {
		js = d.Proto
	}
	v, err := d.Decode(js)
	if err != nil {
		return nil, err
	}
	v, _ = sn.decoded.LoadOrStore(d.Name, v)
	return v, nil
}

// Derived returns the value derived from the snapshot under key: made once
// by make, shared by every caller, and kept as long as the snapshot (say a
// view's render of it, for the thousands of pages that show the state).
func (sn *Snapshot) Derived(key any, make func() any) any {
	if v, ok := sn.derived.Load(key); ok {
		return v
	}
	v, _ := sn.derived.LoadOrStore(key, make())
	return v
}

// Copy returns a new value of store d holding the snapshot's state of it,
// for a change to work on.
func (sn *Snapshot) Copy(d *schema.Decl) (any, error) {
	js, ok := sn.raw[d.Name]
	if !ok {
		js = d.Proto
	}
	return d.Decode(js)
}

// With returns a snapshot like sn where store d is store, whose JSON is js,
// and, when push is not empty, the server push push is recorded as applied.
// The new snapshot has sn's version until it is stored.
func (sn *Snapshot) With(d *schema.Decl, store any, js []byte, push string) *Snapshot {
	next := &Snapshot{raw: make(map[string]json.RawMessage, len(sn.raw)+1), version: sn.version, ids: sn.ids, id: sn.ids.Add(1)}
	for k, v := range sn.raw {
		next.raw[k] = v
	}
	if d != nil {
		next.raw[d.Name] = js
		next.decoded.Store(d.Name, store)
	}
	if push != "" {
		var ids []string
		_ = json.Unmarshal(sn.raw[pushesKey], &ids)
		ids = append(ids, push)
		if len(ids) > maxPushIDs {
			ids = ids[len(ids)-maxPushIDs:]
		}
		next.raw[pushesKey], _ = json.Marshal(ids)
	}
	return next
}

// Applied reports whether the server push push was applied to the state.
func (sn *Snapshot) Applied(push string) bool {
	var ids []string
	_ = json.Unmarshal(sn.raw[pushesKey], &ids)
	return slices.Contains(ids, push)
}

// Equal reports whether store d holds js in the snapshot.
func (sn *Snapshot) Equal(d *schema.Decl, js []byte) bool {
	cur, ok := sn.raw[d.Name]
	if !ok {
		cur = d.Proto
	}
	return string(cur) == string(js)
}

// encode returns the snapshot as the session store keeps it.
func (sn *Snapshot) encode() ([]byte, error) { return json.Marshal(sn.raw) }

// decodeSnapshot returns the snapshot stored as state at version, and checks
// that the stores of decls decode from it.
func decodeSnapshot(state []byte, version uint64, decls []*schema.Decl, ids *atomic.Uint64) (*Snapshot, error) {
	sn := &Snapshot{version: version, ids: ids, id: ids.Add(1), stored: true}
	if err := json.Unmarshal(state, &sn.raw); err != nil {
		return nil, err
	}
	if sn.raw == nil {
		sn.raw = map[string]json.RawMessage{}
	}
	for _, d := range decls {
		if _, err := sn.Store(d); err != nil {
			return nil, err
		}
	}
	return sn, nil
}
