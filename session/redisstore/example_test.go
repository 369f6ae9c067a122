package redisstore_test

import (
	"context"
	"errors"
	"fmt"
	"log"
	"time"

	"github.com/redis/go-redis/v9"

	"github.com/lvtgo/livetemplate/internal/testutil"
	"github.com/lvtgo/livetemplate/session"
	"github.com/lvtgo/livetemplate/session/redisstore"
)

// Every instance of an application opens the same Redis. The client's
// timeouts bound what an outage costs a request, and ContextTimeoutEnabled
// makes go-redis honour ctx deadlines. Here the two instances are two
// Stores on one client, and the Redis is a redis-server of the example's
// own.
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
	one, err := redisstore.New(client, &redisstore.Options{TTL: time.Hour})
	if err != nil {
		log.Fatal(err)
	}
	two, err := redisstore.New(client, &redisstore.Options{TTL: time.Hour})
	if err != nil {
		log.Fatal(err)
	}

	ctx := context.Background()
	v1, err := one.Put(ctx, "g1", []byte(`{"count":0}`), 0)
	if err != nil {
		log.Fatal(err) // Redis is down, or ctx ended
	}
	// Both instances read version v1 of group g1; the first Put wins.
	if _, err := one.Put(ctx, "g1", []byte(`{"count":1}`), v1); err != nil {
		log.Fatal(err)
	}
	_, err = two.Put(ctx, "g1", []byte(`{"count":1}`), v1)
	fmt.Println("conflict:", errors.Is(err, session.ErrConflict))

	// The second reloads, applies its change again and retries.
	state, version, err := two.Get(ctx, "g1")
	if err != nil {
		log.Fatal(err)
	}
	fmt.Printf("reloaded %s\n", state)
	_, err = two.Put(ctx, "g1", []byte(`{"count":2}`), version)
	fmt.Println("retried:", err)
	state, _, _ = one.Get(ctx, "g1")
	fmt.Printf("both see %s\n", state)
	// Output:
	// conflict: true
	// reloaded {"count":1}
	// retried: <nil>
	// both see {"count":2}
}
