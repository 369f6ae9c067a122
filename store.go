package livetemplate

import (
	"cmp"
	"fmt"
	"net/http"

	"github.com/lvtgo/livetemplate/auth"
	"github.com/lvtgo/livetemplate/internal/runtime"
	"github.com/lvtgo/livetemplate/internal/schema"
)

// Store holds a page's state. Change is called for every action sent to the
// store, one at a time per state (per session group by default; see
// PerConnection, PerUser and Scoped); it may change the store and returns
// nil, or an error to roll the change back (see FieldError, UserError and
// ErrUnknownAction). A store must be a pointer to a struct; its state is the
// JSON encoding of its exported fields. Change runs on a copy decoded from
// that encoding, which replaces the state only if Change succeeds: a store
// never changes while a page renders it.
type Store interface {
	Change(ctx *ActionContext) error
}

// Mounter is implemented by stores that load their state from the request
// that opens a page (ctx.Request(), ctx.UserID()); ctx.Action() is "mount".
// Mount runs on a PerConnection store for every new page (a load, a live
// navigation, a connection the server knows no page of), and on a shared
// store when its state starts afresh (with no request for a server push).
// An error fails the page load (a *UserError's message is shown; others
// give a 500). A PerConnection store's Mount may Redirect and Flash.
type Mounter interface {
	Mount(ctx *ActionContext) error
}

// Watcher is implemented by stores that want to know who is viewing them
// (who is online in a chat room). Connected runs when a page that shows the
// store gets its live connection, Disconnected when it ends, each as an
// action of its own ("connect", "disconnect"; UserID the viewer; Request
// what opened the connection): kept and shown like any change, rolled back
// and logged on error. Connected's Context ends when the page disconnects.
// A page that changes transport, reconnects or navigates disconnects and
// connects again. An instance that crashes never calls Disconnected.
type Watcher interface {
	Connected(ctx *ActionContext) error
	Disconnected(ctx *ActionContext) error
}

// Named gives a store the name templates and actions use for it: with
// several stores the template sees a map from names to stores
// ({{.counter.Count}}) and actions are named "store.action". Without Named a
// store's name is its type's name with a lower-case first letter. Pages of
// one App that show a shared store of the same name share its state.
func Named(name string, s Store) Store { return named{name: name, Store: s} }

// PerConnection makes a store private to each page (each tab) instead of
// shared by the session group: every page starts from its own copy.
func PerConnection(s Store) Store { return scoped{scope: schema.Page, Store: s} }

// PerUser makes a store shared by every page of one user, as the
// Authenticator names them (auth.Identity.UserID): all tabs of all their
// browsers and devices, instead of one session group.
func PerUser(s Store) Store { return scoped{scope: schema.User, Store: s} }

// Scoped makes a store shared by every page whose key is the same, across
// users and session groups: key derives it from the request that opens the
// page and who opens it (a room from the URL, a document id). Each key's
// state is stored under its own name in the session store, changed one
// action at a time with compare-and-set, and every page that shows it, on
// every instance, sees each change. The page's other stores keep their own
// scope. key must be fast and must not block; it runs for every page load
// and connection.
func Scoped(s Store, key func(r *http.Request, id auth.Identity) string) Store {
	return scoped{scope: schema.Keyed, key: key, Store: s}
}

// Global makes a store one state shared by every page that shows it: a
// Scoped store whose key is always the same.
func Global(s Store) Store {
	return scoped{scope: schema.Keyed, key: func(*http.Request, auth.Identity) string { return "" }, Store: s}
}

type named struct {
	name string
	Store
}

type scoped struct {
	scope schema.Scope
	key   func(*http.Request, auth.Identity) string
	Store
}

// reserved are names a store cannot take: the keys of a page's data and
// the built-in actions' store.
var reserved = []string{runtime.ViewerKey, runtime.FlashKey, runtime.Builtin}

// slotsOf checks the stores given to Mount and describes them.
func slotsOf(stores []Store) ([]runtime.Slot, error) {
	if len(stores) == 0 {
		return nil, fmt.Errorf("no store: a page needs at least one")
	}
	slots := make([]runtime.Slot, 0, len(stores))
	seen := map[string]bool{}
	for i, s := range stores {
		name, scope := "", schema.Group
		var key func(*http.Request, auth.Identity) string
	unwrap:
		for {
			switch x := s.(type) {
			case named:
				name = cmp.Or(name, x.name)
				s = x.Store
			case scoped:
				if scope == schema.Group {
					scope, key = x.scope, x.key
				}
				s = x.Store
			default:
				break unwrap
			}
		}
		if scope == schema.Keyed && key == nil {
			return nil, fmt.Errorf("store %d: Scoped needs a key function", i)
		}
		d, err := schema.Describe(i, s, name, scope, reserved)
		if err != nil {
			return nil, err
		}
		if seen[d.Name] {
			return nil, fmt.Errorf("two stores named %q: tell them apart with Named", d.Name)
		}
		seen[d.Name] = true
		_, d.Watcher = s.(Watcher)
		_, d.Mounter = s.(Mounter)
		slots = append(slots, runtime.Slot{Decl: d, Key: key, Uploads: runtime.Accepts(s)})
	}
	return slots, nil
}

func namesOf(slots []runtime.Slot) []string {
	out := make([]string, len(slots))
	for i, s := range slots {
		out[i] = s.Decl.Name
	}
	return out
}
