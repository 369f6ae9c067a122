package schema

import (
	"encoding/json"
	"fmt"
	"reflect"
)

// Scope is who shares a store's state.
type Scope uint8

// Scopes.
const (
	// Group: the session group (the tabs of one browser, by default).
	Group Scope = iota
	// Page: one page (livetemplate.PerConnection).
	Page
	// User: every page of one user (livetemplate.PerUser).
	User
	// Keyed: every page whose key is the same (livetemplate.Scoped,
	// livetemplate.Global).
	Keyed
)

// String returns the scope's name, for messages.
func (s Scope) String() string {
	switch s {
	case Group:
		return "session group"
	case Page:
		return "page"
	case User:
		return "user"
	case Keyed:
		return "key"
	}
	return fmt.Sprintf("scope(%d)", uint8(s))
}

// Decl is one store as an app knows it: immutable once declared.
type Decl struct {
	// Name is what templates and actions call the store ("counter").
	Name string
	// Scope is who shares its state.
	Scope Scope
	// Type is the store's type: a pointer to a struct.
	Type reflect.Type
	// Proto is the JSON of the initial state.
	Proto []byte
	// Watcher reports whether the store wants to hear of pages that
	// connect and disconnect.
	Watcher bool
	// Mounter reports whether the store loads its state from the request
	// that opens a page.
	Mounter bool
}

// Decode returns a new store of the declaration's type holding state.
func (d *Decl) Decode(state []byte) (any, error) {
	v := reflect.New(d.Type.Elem())
	if err := json.Unmarshal(state, v.Interface()); err != nil {
		return nil, fmt.Errorf("store %q: decode state: %w", d.Name, err)
	}
	return v.Interface(), nil
}

// Fresh returns a new store in its initial state.
func (d *Decl) Fresh() any {
	s, err := d.Decode(d.Proto)
	if err != nil { // Proto was encoded from this very type, and checked
		panic(err)
	}
	return s
}

// Shared reports whether the store's state is shared by several pages
// (every scope but Page).
func (d *Decl) Shared() bool { return d.Scope != Page }

// Encode returns the state of store s, a value of d's type.
func (d *Decl) Encode(s any) ([]byte, error) {
	js, err := json.Marshal(s)
	if err != nil {
		return nil, fmt.Errorf("store %q: encode state: %w", d.Name, err)
	}
	return js, nil
}
