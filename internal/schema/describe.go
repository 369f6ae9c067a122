package schema

import (
	"encoding/json"
	"fmt"
	"reflect"
	"slices"
	"strings"
	"unicode"
	"unicode/utf8"
)

// Describe returns the declaration of store s, the i-th of a page, named
// name (empty: its type's name with a lower-case first letter) and shared by
// scope: it checks that s is a non-nil pointer to a struct whose state
// encodes as JSON, and that its name has no dot and is not one of reserved.
func Describe(i int, s any, name string, scope Scope, reserved []string) (*Decl, error) {
	v := reflect.ValueOf(s)
	if s == nil || v.Kind() != reflect.Pointer || v.IsNil() || v.Elem().Kind() != reflect.Struct {
		return nil, fmt.Errorf("store %d: must be a non-nil pointer to a struct, got %T", i, s)
	}
	d := &Decl{Name: name, Scope: scope, Type: v.Type()}
	if d.Name == "" {
		d.Name = lowerFirst(d.Type.Elem().Name())
	}
	switch {
	case d.Name == "" || strings.Contains(d.Name, "."):
		return nil, fmt.Errorf("store %d (%T): name %q: give it a name without dots with Named", i, s, d.Name)
	case slices.Contains(reserved, d.Name):
		return nil, fmt.Errorf("store %d (%T): the name %q is reserved; choose another with Named", i, s, d.Name)
	}
	js, err := json.Marshal(s)
	if err != nil {
		return nil, fmt.Errorf("store %q: state must encode as JSON: %w", d.Name, err)
	}
	d.Proto = js
	return d, nil
}

func lowerFirst(s string) string {
	r, n := utf8.DecodeRuneInString(s)
	if n == 0 {
		return ""
	}
	return string(unicode.ToLower(r)) + s[n:]
}
