package schema

import (
	"bytes"
	"fmt"
	"maps"
	"slices"
	"sync"
)

// Catalog is the stores of one app by name. Two pages that show a shared
// store of the same name show one state, so the name must mean the same
// store on both: the same Go type, scope and initial state. Page-scoped
// stores are private to each page and may differ between pages. It is safe
// for concurrent use.
type Catalog struct {
	mu sync.Mutex
	m  map[string]*Decl
}

// Declare returns the app's declaration of d.Name: the one declared first
// when d agrees with it, or d itself for a new name. It fails when a shared
// store of that name was declared differently, or when d's initial state
// does not decode into its type.
func (c *Catalog) Declare(d Decl) (*Decl, error) {
	if d.Type == nil || d.Name == "" {
		return nil, fmt.Errorf("store %q: no type or name", d.Name)
	}
	if _, err := d.Decode(d.Proto); err != nil {
		return nil, err
	}
	if !d.Shared() {
		return &d, nil
	}
	c.mu.Lock()
	defer c.mu.Unlock()
	old := c.m[d.Name]
	if old == nil {
		if c.m == nil {
			c.m = make(map[string]*Decl)
		}
		c.m[d.Name] = &d
		return &d, nil
	}
	switch {
	case old.Type != d.Type:
		return nil, fmt.Errorf("store %q is %s here but %s on another page of the app: one name, one store (rename one with Named)", d.Name, d.Type, old.Type)
	case old.Scope != d.Scope:
		return nil, fmt.Errorf("store %q is shared by the %s here but by the %s on another page of the app: one name, one store", d.Name, d.Scope, old.Scope)
	case !bytes.Equal(old.Proto, d.Proto):
		return nil, fmt.Errorf("store %q starts as %s here but as %s on another page of the app: pages that share a store must start it alike", d.Name, d.Proto, old.Proto)
	}
	return old, nil
}

// Lookup returns the shared store declared as name, or nil.
func (c *Catalog) Lookup(name string) *Decl {
	c.mu.Lock()
	defer c.mu.Unlock()
	return c.m[name]
}

// Names returns the names of the shared stores declared, sorted.
func (c *Catalog) Names() []string {
	c.mu.Lock()
	defer c.mu.Unlock()
	return slices.Sorted(maps.Keys(c.m))
}
