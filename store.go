package livetemplate

import (
	"encoding/json"
	"fmt"
	"net/http"
	"reflect"
	"strings"
	"unicode"
	"unicode/utf8"

	"github.com/lvtgo/livetemplate/auth"
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
// that opens a page: its URL path and query, headers and identity
// (ctx.Request(), ctx.UserID()). Mount is called with ctx.Action() == "mount":
// on a PerConnection store, for every new connection; on a shared store,
// when its state is started afresh (not found in the session store). An
// error fails the page load (a *UserError's message is shown; other errors
// give a 500). A shared state that a server push (Handler.Broadcast) starts
// has no request: ctx.Request() is nil then.
type Mounter interface {
	Mount(ctx *ActionContext) error
}

// Named gives a store the name templates and actions use for it: with
// several stores the template sees a map from names to stores
// ({{.counter.Count}}) and actions are named "store.action". Without Named a
// store's name is its type's name with a lower-case first letter.
func Named(name string, s Store) Store {
	return named{name: name, Store: s}
}

// PerConnection makes a store private to each connection (each tab) instead
// of shared by the session group: every connection starts from its own copy.
func PerConnection(s Store) Store {
	return scoped{kind: scopeConn, Store: s}
}

// PerUser makes a store shared by every page of one user, as the
// Authenticator names them (auth.Identity.UserID): all tabs of all their
// browsers and devices, instead of one session group.
func PerUser(s Store) Store {
	return scoped{kind: scopeUser, Store: s}
}

// Scoped makes a store shared by every page whose key is the same, across
// users and session groups: key derives it from the request that opens the
// page and who opens it (a room from the URL, a document id). Each key's
// state is stored under its own name in the session store, changed one
// action at a time with compare-and-set, and every page that shows it, on
// every instance, sees each change. The page's other stores keep their own
// scope. key must be fast and must not block; it runs for every page load
// and connection.
func Scoped(s Store, key func(r *http.Request, id auth.Identity) string) Store {
	return scoped{kind: scopeKeyed, key: key, Store: s}
}

// Global makes a store one state shared by every page that shows it: a
// Scoped store whose key is always the same.
func Global(s Store) Store {
	return scoped{kind: scopeKeyed, key: func(*http.Request, auth.Identity) string { return "" }, Store: s}
}

// scopeKind is what a store's state is shared by.
type scopeKind uint8

const (
	scopeGroup scopeKind = iota // the session group (the default)
	scopeConn                   // one page (PerConnection)
	scopeUser                   // one user (PerUser)
	scopeKeyed                  // a key of the application's (Scoped, Global)
)

type named struct {
	name string
	Store
}

type scoped struct {
	kind scopeKind
	key  func(*http.Request, auth.Identity) string
	Store
}

// storeSpec is one store given to Handle.
type storeSpec struct {
	name    string
	private bool // kind == scopeConn
	kind    scopeKind
	key     func(*http.Request, auth.Identity) string // scopeKeyed
	watcher bool                                      // the store is a Watcher
	typ     reflect.Type                              // pointer type
	proto   []byte                                    // JSON of the prototype
}

func specsOf(stores []Store) ([]storeSpec, error) {
	specs := make([]storeSpec, 0, len(stores))
	seen := map[string]bool{}
	for i, s := range stores {
		sp := storeSpec{}
		for {
			switch x := s.(type) {
			case named:
				if sp.name == "" {
					sp.name = x.name
				}
				s = x.Store
				continue
			case scoped:
				if sp.kind == scopeGroup {
					sp.kind, sp.key = x.kind, x.key
				}
				s = x.Store
				continue
			}
			break
		}
		sp.private = sp.kind == scopeConn
		if sp.kind == scopeKeyed && sp.key == nil {
			return nil, fmt.Errorf("store %d: Scoped needs a key function", i)
		}
		v := reflect.ValueOf(s)
		if s == nil || v.Kind() != reflect.Pointer || v.IsNil() {
			return nil, fmt.Errorf("store %d: must be a non-nil pointer, got %T", i, s)
		}
		sp.typ = v.Type()
		_, sp.watcher = s.(Watcher)
		if sp.name == "" {
			sp.name = lowerFirst(sp.typ.Elem().Name())
		}
		if sp.name == "" || strings.Contains(sp.name, ".") {
			return nil, fmt.Errorf("store %d (%T): name %q: give it a name without dots with Named", i, s, sp.name)
		}
		if sp.name == viewerKey {
			return nil, fmt.Errorf("store %d (%T): the name %q is the template's; choose another with Named", i, s, sp.name)
		}
		if seen[sp.name] {
			return nil, fmt.Errorf("two stores named %q: tell them apart with Named", sp.name)
		}
		seen[sp.name] = true
		js, err := json.Marshal(s)
		if err != nil {
			return nil, fmt.Errorf("store %q: state must encode as JSON: %w", sp.name, err)
		}
		sp.proto = js
		if _, err := sp.decode(js); err != nil {
			return nil, err
		}
		specs = append(specs, sp)
	}
	return specs, nil
}

// decode makes a new store of the spec's type from its JSON state.
func (sp *storeSpec) decode(state []byte) (Store, error) {
	v := reflect.New(sp.typ.Elem())
	if err := json.Unmarshal(state, v.Interface()); err != nil {
		return nil, fmt.Errorf("store %q: decode state: %w", sp.name, err)
	}
	s, ok := v.Interface().(Store)
	if !ok {
		return nil, fmt.Errorf("store %q: %s has no Change method", sp.name, sp.typ)
	}
	return s, nil
}

// fresh returns a new copy of the prototype.
func (sp *storeSpec) fresh() Store {
	s, err := sp.decode(sp.proto)
	if err != nil { // checked by specsOf
		panic(err)
	}
	return s
}

func lowerFirst(s string) string {
	r, n := utf8.DecodeRuneInString(s)
	if n == 0 {
		return ""
	}
	return string(unicode.ToLower(r)) + s[n:]
}
