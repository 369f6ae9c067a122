package lease_test

import (
	"context"
	"fmt"

	"github.com/lvtgo/livetemplate/internal/lease"
	"github.com/lvtgo/livetemplate/session"
)

// One instance leads at once; Close ends the run and frees the lease.
func Example() {
	store := session.NewMemory(nil)
	defer store.Close()
	r := lease.New(lease.Options{Store: store, Holder: "instance-1"})
	started := make(chan struct{})
	if err := r.Lead("clock", func(ctx context.Context) {
		close(started)
		<-ctx.Done() // tick until the lease is lost or the Runner stops
	}); err != nil {
		fmt.Println(err)
		return
	}
	<-started
	fmt.Println("leading")
	r.Close()
	js, _, _ := store.Get(context.Background(), lease.Key("clock"))
	fmt.Println(string(js))
	// Output:
	// leading
	// {"holder":""}
}
