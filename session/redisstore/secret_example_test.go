package redisstore_test

import (
	"context"
	"fmt"

	"github.com/redis/go-redis/v9"

	"github.com/lvtgo/livetemplate/auth"
	"github.com/lvtgo/livetemplate/session/redisstore"
)

// Every instance gets the same key to sign anonymous cookies with, so a
// visitor keeps their identity whichever instance serves them.
func ExampleSecret() {
	client := redis.NewClient(&redis.Options{Addr: "127.0.0.1:6379"})
	defer client.Close()
	key, err := redisstore.Secret(context.Background(), client, "myapp:cookie-key", auth.AnonymousKeySize)
	if err != nil {
		fmt.Println(err)
		return
	}
	anon, err := auth.NewAnonymous(&auth.AnonymousOptions{Key: key})
	fmt.Println(anon != nil, err)
}
