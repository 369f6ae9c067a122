package redisstore

import (
	"context"
	"crypto/rand"
	"errors"
	"fmt"

	"github.com/redis/go-redis/v9"
)

// Secret returns the secret of size random bytes stored under key, making
// and storing it first if there is none, so that every instance sharing
// the Redis server gets the same one: say the key that signs anonymous
// cookies (auth.AnonymousOptions.Key), which several instances must share.
// The first instance to ask makes it (SET NX); the secret never expires.
// Anyone who can read the Redis server can read it.
func Secret(ctx context.Context, client redis.UniversalClient, key string, size int) ([]byte, error) {
	if client == nil {
		return nil, errors.New("redisstore: secret: nil client")
	}
	if size <= 0 {
		return nil, fmt.Errorf("redisstore: secret: size %d", size)
	}
	fresh := make([]byte, size)
	_, _ = rand.Read(fresh) // never fails (crypto/rand)
	if err := client.SetNX(ctx, key, fresh, 0).Err(); err != nil {
		return nil, fmt.Errorf("redisstore: secret: %w", err)
	}
	got, err := client.Get(ctx, key).Bytes()
	if err != nil {
		return nil, fmt.Errorf("redisstore: secret: %w", err)
	}
	if len(got) != size {
		return nil, fmt.Errorf("redisstore: secret: %q holds %d bytes, want %d", key, len(got), size)
	}
	return got, nil
}
