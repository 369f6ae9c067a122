package runtime

import (
	"fmt"
	"net/http"
	"strings"
	"sync"

	"github.com/lvtgo/livetemplate/auth"
	"github.com/lvtgo/livetemplate/diff"
	"github.com/lvtgo/livetemplate/internal/schema"
	"github.com/lvtgo/livetemplate/internal/state"
	"github.com/lvtgo/livetemplate/upload"
)

// Slot is one store of a view: its declaration and, for a Keyed store, the
// function that derives its key from the request that opens a page and the
// viewer.
type Slot struct {
	Decl *schema.Decl
	Key  func(*http.Request, auth.Identity) string
	// Uploads is what the store accepts in each file field (an
	// upload.Acceptor's), nil when it takes no files.
	Uploads map[string]upload.Accept
}

// Shape is what a view's template reads of its data.
type Shape struct {
	// Map: the template's data is a map of the stores by name, plus
	// "viewer" and "flash"; else it is the one store itself.
	Map bool
	// Viewer: renders depend on who views the page (the template reads
	// .viewer).
	Viewer bool
}

// Reserved data keys of a map-shaped page, and the reserved store name of
// the built-in actions.
const (
	ViewerKey = "viewer"
	FlashKey  = "flash"
	Builtin   = "lvt"
)

// View is one page of the app as a Handler serves it: a template and the
// stores it shows. Every page (a browser tab) of the view renders through
// it; it shares renders among pages that show the same thing and patches
// among pages that hold the same trees. It is safe for concurrent use.
type View struct {
	rt      *Runtime
	id      string
	tmpl    *diff.Template
	slots   []Slot
	shape   Shape
	explain func(error) error

	keyOf          []int // for each slot, its state's index among a page's keys; -1: page-scoped
	private        bool  // some slot is page-scoped
	group          bool  // some slot is shared by the session group
	shared         bool  // some slot is shared
	watchers       bool  // some slot is a Watcher
	sharedWatchers bool  // some shared slot is a Watcher

	renders renderCache
	patches patchCache
	unknown onceSet // action names no store handles, logged once
}

// ID returns the view's name in the app: its template's name, made unique.
func (v *View) ID() string { return v.id }

// Mount adds a view to the app: template tmpl showing slots, whose data
// has shape; explain turns a render error into a clearer one (or returns
// it). Shared stores are declared in the app's catalog, so that a name
// means one store on every page; Mount fails when a declaration disagrees
// with another page's.
func (rt *Runtime) Mount(name string, tmpl *diff.Template, slots []Slot, shape Shape, explain func(error) error) (*View, error) {
	v := &View{rt: rt, tmpl: tmpl, shape: shape, explain: explain, slots: make([]Slot, len(slots))}
	for i, s := range slots {
		d, err := rt.catalog.Declare(*s.Decl)
		if err != nil {
			return nil, err
		}
		if err := rt.checkUploads(d.Name, s.Uploads); err != nil {
			return nil, err
		}
		v.slots[i] = Slot{Decl: d, Key: s.Key, Uploads: s.Uploads}
		v.private = v.private || !d.Shared()
		v.group = v.group || d.Scope == schema.Group
		v.shared = v.shared || d.Shared()
		v.watchers = v.watchers || d.Watcher
		if d.Watcher && d.Shared() {
			v.sharedWatchers = true
			rt.watching.Store(true)
		}
	}
	v.keyOf = keysOf(v.slots)
	if v.explain == nil {
		v.explain = func(err error) error { return err }
	}
	rt.viewsMu.Lock()
	defer rt.viewsMu.Unlock()
	v.id = name
	for n := 2; rt.views[v.id] != nil; n++ {
		v.id = fmt.Sprintf("%s#%d", name, n)
	}
	rt.views[v.id] = v
	return v, nil
}

// keysOf maps each slot to the index of its state among a page's keys
// (Keys' order): one state for the group's stores, one for the user's, one
// per keyed store; -1 for page-scoped slots.
func keysOf(slots []Slot) []int {
	out := make([]int, len(slots))
	next, group, user := 0, -1, -1
	for i, s := range slots {
		switch s.Decl.Scope {
		case schema.Page:
			out[i] = -1
		case schema.Group:
			if group < 0 {
				group, next = next, next+1
			}
			out[i] = group
		case schema.User:
			if user < 0 {
				user, next = next, next+1
			}
			out[i] = user
		case schema.Keyed:
			out[i], next = next, next+1
		}
	}
	return out
}

// Keys returns the states a page of the view opened by r for id shows, in
// the order of keysOf.
func (v *View) Keys(r *http.Request, id auth.Identity) []state.Key {
	var keys []state.Key
	group, user := false, false
	for _, s := range v.slots {
		switch s.Decl.Scope {
		case schema.Group:
			if !group {
				group = true
				keys = append(keys, state.GroupKey(id.GroupID))
			}
		case schema.User:
			if !user {
				user = true
				keys = append(keys, state.UserKey(id.UserID))
			}
		case schema.Keyed:
			keys = append(keys, state.KeyedKey(s.Decl.Name, s.Key(r, id)))
		}
	}
	return keys
}

// decls returns the declarations of the stores the view shows in its
// state number k.
func (v *View) decls(k int) []*schema.Decl {
	var out []*schema.Decl
	for i, s := range v.slots {
		if v.keyOf[i] == k {
			out = append(out, s.Decl)
		}
	}
	return out
}

// route splits "store.action" and finds the slot; a page with one store
// takes unprefixed names.
func (v *View) route(name string) (slot int, action string, ok bool) {
	if prefix, rest, found := strings.Cut(name, "."); found {
		for i, s := range v.slots {
			if s.Decl.Name == prefix {
				return i, rest, rest != ""
			}
		}
	}
	if len(v.slots) == 1 {
		return 0, name, true
	}
	return 0, "", false
}

// Accepts returns what the store of action name accepts in file field
// field, or nil when it accepts nothing there (or no store handles name).
func (v *View) Accepts(name, field string) *upload.Accept {
	i, _, ok := v.route(name)
	if !ok {
		return nil
	}
	if a, ok := v.slots[i].Uploads[field]; ok {
		return &a
	}
	return nil
}

// Accepts returns what store accepts in each file field when it is an
// upload.Acceptor, else nil.
func Accepts(store any) map[string]upload.Accept {
	if a, ok := store.(upload.Acceptor); ok {
		return a.Accepts()
	}
	return nil
}

// checkUploads checks the file fields store declares: each must be
// acceptable, and the app must have a storage for them.
func (rt *Runtime) checkUploads(store string, fields map[string]upload.Accept) error {
	if len(fields) == 0 {
		return nil
	}
	if !rt.uploads.Enabled() {
		return fmt.Errorf("store %q accepts files: give the app a storage for them (WithUploads)", store)
	}
	for name, a := range fields {
		if err := a.Check(); err != nil {
			return fmt.Errorf("store %q, file field %q: %w", store, name, err)
		}
	}
	return nil
}

// StoreOf returns the name of the store that action name goes to on the
// view's pages (Builtin for a built-in action), or "" when none handles
// it: a name fixed by the program, never the client's.
func (v *View) StoreOf(name string) string {
	if name == Dismiss {
		return Builtin
	}
	if i, _, ok := v.route(name); ok {
		return v.slots[i].Decl.Name
	}
	return ""
}

// Names returns the names of the view's stores.
func (v *View) Names() []string {
	out := make([]string, len(v.slots))
	for i, s := range v.slots {
		out[i] = s.Decl.Name
	}
	return out
}

// onceSet remembers up to maxOnce strings, for logging each once.
type onceSet struct {
	mu sync.Mutex
	m  map[string]struct{}
}

const maxOnce = 256

// first reports whether s is new (and then remembers it), while fewer than
// maxOnce are remembered.
func (o *onceSet) first(s string) bool {
	o.mu.Lock()
	defer o.mu.Unlock()
	if _, ok := o.m[s]; ok || len(o.m) >= maxOnce {
		return false
	}
	if o.m == nil {
		o.m = make(map[string]struct{})
	}
	o.m[s] = struct{}{}
	return true
}
