package session_test

import (
	"context"
	"errors"
	"fmt"

	"github.com/lvtgo/livetemplate/session"
)

// Two writers read version 1; the first Put wins and the second must reload.
func ExampleMemory() {
	ctx := context.Background()
	store := session.NewMemory(nil)
	defer store.Close()

	v1, _ := store.Put(ctx, "g1", []byte(`{"count":0}`), 0)
	v2, _ := store.Put(ctx, "g1", []byte(`{"count":1}`), v1)
	fmt.Println(v2 > v1)

	_, err := store.Put(ctx, "g1", []byte(`{"count":1}`), v1)
	fmt.Println(errors.Is(err, session.ErrConflict), err)

	state, version, _ := store.Get(ctx, "g1")
	fmt.Println(string(state), version == v2)
	// Output:
	// true
	// true session: put: version conflict
	// {"count":1} true
}

// Delete is an optional capability: ask the store for it with a type
// assertion, and fall back to letting the group expire.
func ExampleDeleter() {
	ctx := context.Background()
	m := session.NewMemory(nil)
	defer m.Close()
	var store session.Store = m

	_, _ = store.Put(ctx, "g1", []byte(`{"count":3}`), 0)
	if d, ok := store.(session.Deleter); ok {
		fmt.Println(d.Delete(ctx, "g1"))
	}
	_, _, err := store.Get(ctx, "g1")
	fmt.Println(errors.Is(err, session.ErrNotFound))
	// Output:
	// <nil>
	// true
}

// Listing every group is optional too; Memory offers it, a store over a
// shared backend may not.
func ExampleLister() {
	ctx := context.Background()
	m := session.NewMemory(nil)
	defer m.Close()
	var store session.Store = m

	for _, g := range []string{"b", "a"} {
		_, _ = store.Put(ctx, g, []byte("{}"), 0)
	}
	if l, ok := store.(session.Lister); ok {
		groups, err := l.Groups(ctx)
		fmt.Println(groups, err)
	}
	// Output:
	// [a b] <nil>
}
