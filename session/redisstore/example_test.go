package redisstore_test

import (
	"context"
	"errors"
	"log"
	"time"

	"github.com/redis/go-redis/v9"

	"github.com/lvtgo/livetemplate/session"
	"github.com/lvtgo/livetemplate/session/redisstore"
)

// Every instance of an application opens the same Redis. The client's
// timeouts bound what an outage costs a request, and ContextTimeoutEnabled
// makes go-redis honour ctx deadlines. This example needs a Redis server,
// so it has no output; the package's tests run the same steps against a
// real one.
func Example() {
	client := redis.NewClient(&redis.Options{
		Addr:                  "localhost:6379",
		DialTimeout:           time.Second,
		ReadTimeout:           time.Second,
		WriteTimeout:          time.Second,
		ContextTimeoutEnabled: true,
	})
	defer client.Close()
	store, err := redisstore.New(client, &redisstore.Options{TTL: time.Hour})
	if err != nil {
		log.Fatal(err)
	}

	// Two instances read version v1 of group g1; the first Put wins.
	ctx := context.Background()
	v1, err := store.Put(ctx, "g1", []byte(`{"count":0}`), 0)
	if err != nil {
		log.Fatal(err) // Redis is down, or ctx ended
	}
	if _, err := store.Put(ctx, "g1", []byte(`{"count":1}`), v1); err != nil {
		log.Fatal(err)
	}
	_, err = store.Put(ctx, "g1", []byte(`{"count":1}`), v1)
	if errors.Is(err, session.ErrConflict) {
		state, version, _ := store.Get(ctx, "g1") // reload and retry
		_, _ = state, version
	}
}
