package redisstore_test

import (
	"bytes"
	"context"
	"fmt"

	"github.com/redis/go-redis/v9"

	"github.com/lvtgo/livetemplate/auth"
	"github.com/lvtgo/livetemplate/internal/testutil"
	"github.com/lvtgo/livetemplate/session/redisstore"
)

// Every instance gets the same key to sign anonymous cookies with, so a
// visitor keeps their identity whichever instance serves them. Here two
// instances ask the example's own redis-server for it.
func ExampleSecret() {
	srv, stop := testutil.ExampleRedis()
	addr := srv.Addr() // yours is, say, "localhost:6379"
	defer stop()
	client := redis.NewClient(&redis.Options{Addr: addr})
	defer client.Close()
	key, err := redisstore.Secret(context.Background(), client, "myapp:cookie-key", auth.AnonymousKeySize)
	if err != nil {
		fmt.Println(err)
		return
	}
	anon, err := auth.NewAnonymous(&auth.AnonymousOptions{Key: key})
	fmt.Println(anon != nil, err)

	other, err := redisstore.Secret(context.Background(), client, "myapp:cookie-key", auth.AnonymousKeySize)
	fmt.Println("the same key for another instance:", bytes.Equal(key, other), err)
	// Output:
	// true <nil>
	// the same key for another instance: true <nil>
}
