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
