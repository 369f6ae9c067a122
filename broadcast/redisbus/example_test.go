package redisbus_test

import (
	"context"
	"fmt"
	"log"
	"os"
	"os/signal"
	"time"

	"github.com/redis/go-redis/v9"

	"github.com/lvtgo/livetemplate/broadcast"
	"github.com/lvtgo/livetemplate/broadcast/redisbus"
)

// Every instance of an application opens a Bus on the same Redis and
// channel, subscribes for as long as it runs, and publishes its changes.
// This example needs a Redis server, so it has no output; the package's
// tests run the same steps against a real one.
func Example() {
	client := redis.NewClient(&redis.Options{
		Addr:                  "localhost:6379",
		DialTimeout:           time.Second,
		ReadTimeout:           time.Second,
		WriteTimeout:          time.Second,
		ContextTimeoutEnabled: true,
	})
	defer client.Close()
	bus, err := redisbus.New(client, &redisbus.Options{Channel: "myapp"})
	if err != nil {
		log.Fatal(err)
	}
	defer bus.Close() // before client.Close: deferred calls run last first

	ctx, stop := signal.NotifyContext(context.Background(), os.Interrupt)
	defer stop()
	go func() {
		_ = bus.Subscribe(ctx, broadcast.ReceiverFuncs{
			OnReceive: func(msg []byte) { fmt.Printf("another instance says %q\n", msg) },
			OnResync:  func() { fmt.Println("messages may have been lost: reload") },
		})
	}()

	if err := bus.Publish(ctx, []byte("group g1 changed at version 7")); err != nil {
		log.Print(err) // Redis is down, or ctx ended
	}
	<-ctx.Done()
}
