package redisbus_test

import (
	"context"
	"fmt"
	"log"
	"time"

	"github.com/redis/go-redis/v9"

	"github.com/lvtgo/livetemplate/broadcast"
	"github.com/lvtgo/livetemplate/broadcast/redisbus"
	"github.com/lvtgo/livetemplate/internal/testutil"
)

// Every instance of an application opens a Bus on the same Redis and
// channel, subscribes for as long as it runs, and publishes its changes.
// Here the two instances are two Buses on one client, and the Redis is a
// redis-server of the example's own.
func Example() {
	srv, stop := testutil.ExampleRedis()
	addr := srv.Addr() // yours is, say, "localhost:6379"
	defer stop()
	client := redis.NewClient(&redis.Options{
		Addr:                  addr,
		DialTimeout:           time.Second,
		ReadTimeout:           time.Second,
		WriteTimeout:          time.Second,
		ContextTimeoutEnabled: true,
	})
	defer client.Close()
	one, err := redisbus.New(client, &redisbus.Options{Channel: "myapp"})
	if err != nil {
		log.Fatal(err)
	}
	defer one.Close() // before client.Close: deferred calls run last first
	two, err := redisbus.New(client, &redisbus.Options{Channel: "myapp"})
	if err != nil {
		log.Fatal(err)
	}
	defer two.Close()

	// Each instance subscribes until it stops (here, until cancel).
	ctx, cancel := context.WithCancel(context.Background())
	received := make(chan string, 2)
	subscribe := func(name string, bus *redisbus.Bus) <-chan error {
		done := make(chan error, 1)
		go func() {
			done <- bus.Subscribe(ctx, broadcast.ReceiverFuncs{
				OnReceive: func(msg []byte) { received <- fmt.Sprintf("%s receives %q", name, msg) },
				OnResync:  func() { received <- name + ": messages may have been lost: reload" },
			})
		}()
		return done
	}
	done := []<-chan error{subscribe("one", one), subscribe("two", two)}
	waitSubscribed(client, "myapp", 2) // Redis confirms subscriptions a moment later

	if err := one.Publish(ctx, []byte("group g1 changed at version 7")); err != nil {
		log.Print(err) // Redis is down, or ctx ended
	}
	select {
	case msg := <-received:
		fmt.Println(msg) // the other instance; one never receives its own
	case <-time.After(5 * time.Second):
		fmt.Println("nothing received")
	}
	cancel()
	for _, d := range done {
		fmt.Println("Subscribe returned", <-d)
	}
	fmt.Println(len(received), "more messages")
	// Output:
	// two receives "group g1 changed at version 7"
	// Subscribe returned <nil>
	// Subscribe returned <nil>
	// 0 more messages
}

// waitSubscribed waits until channel has n subscribers, for at most 5 s.
func waitSubscribed(client *redis.Client, channel string, n int64) {
	deadline := time.Now().Add(5 * time.Second)
	for time.Now().Before(deadline) {
		subs, err := client.PubSubNumSub(context.Background(), channel).Result()
		if err == nil && subs[channel] >= n {
			return
		}
		time.Sleep(10 * time.Millisecond)
	}
	log.Fatalf("%s has no %d subscribers after 5 s", channel, n)
}
