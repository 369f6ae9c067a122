package livetemplate

import (
	"encoding/json"
	"fmt"
	"reflect"
	"strings"
	"unicode"
	"unicode/utf8"
)

// Store holds a page's state. Change is called for every action sent to the
// store, one at a time per session group; it may change the store and returns
// nil, or an error to roll the change back (see FieldError, UserError and
// ErrUnknownAction). A store must be a pointer to a struct; its state is the
// JSON encoding of its exported fields.
type Store interface {
	Change(ctx *ActionContext) error
}

// Mounter is implemented by stores that load their state from the request
// that opens a page: its URL path and query, headers and identity
// (ctx.Request(), ctx.UserID()). Mount is called with ctx.Action() == "mount":
// on a PerConnection store, for every new connection; on a shared store, once
// when its session group is created. An error fails the page load (a
// *UserError's message is shown; other errors give a 500).
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
	return private{Store: s}
}

type named struct {
	name string
	Store
}

type private struct{ Store }

// storeSpec is one store given to Handle.
type storeSpec struct {
	name    string
	private bool
	typ     reflect.Type // pointer type
	proto   []byte       // JSON of the prototype
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
			case private:
				sp.private = true
				s = x.Store
				continue
			}
			break
		}
		v := reflect.ValueOf(s)
		if s == nil || v.Kind() != reflect.Pointer || v.IsNil() {
			return nil, fmt.Errorf("store %d: must be a non-nil pointer, got %T", i, s)
		}
		sp.typ = v.Type()
		if sp.name == "" {
			sp.name = lowerFirst(sp.typ.Elem().Name())
		}
		if sp.name == "" || strings.Contains(sp.name, ".") {
			return nil, fmt.Errorf("store %d (%T): name %q: give it a name without dots with Named", i, s, sp.name)
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
