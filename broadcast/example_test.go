package broadcast_test

import (
	"context"
	"errors"
	"fmt"
	"sync"
	"time"

	"github.com/lvtgo/livetemplate/broadcast"
)

// Two endpoints of one hub stand for two instances. B subscribes; A says
// hello until B has heard it (a subscription starts asynchronously, and a
// bus is not a queue), then publishes a change.
func ExampleLocal() {
	hub := broadcast.NewLocal()
	defer hub.Close()
	a, b := hub.Bus(), hub.Bus()

	ctx, cancel := context.WithCancel(context.Background())
	defer cancel()
	heard := make(chan struct{})
	var once sync.Once
	r := broadcast.ReceiverFuncs{
		OnReceive: func(msg []byte) {
			if string(msg) == "hello" {
				once.Do(func() { close(heard) })
				return
			}
			fmt.Printf("B received %q\n", msg)
			cancel() // ends Subscribe
		},
		OnResync: func() { fmt.Println("B lost messages: reload") },
	}
	done := make(chan error, 1)
	go func() { done <- b.Subscribe(ctx, r) }()

	for ready := false; !ready; {
		_ = a.Publish(ctx, []byte("hello"))
		select {
		case <-heard:
			ready = true
		case <-time.After(10 * time.Millisecond):
		}
	}
	_ = a.Publish(ctx, []byte("group g1 changed at version 7"))
	fmt.Println("Subscribe returned", <-done)
	// Output:
	// B received "group g1 changed at version 7"
	// Subscribe returned <nil>
}

// After Close, Publish and Subscribe fail with ErrClosed.
func ExampleEndpoint_Close() {
	hub := broadcast.NewLocal()
	a := hub.Bus()
	_ = a.Close()

	err := a.Publish(context.Background(), []byte("x"))
	fmt.Println(errors.Is(err, broadcast.ErrClosed), err)
	// Output:
	// true broadcast: publish: closed
}
