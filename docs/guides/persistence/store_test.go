package persistence

import (
	"context"
	"fmt"
	"time"

	"github.com/redis/go-redis/v9"

	"github.com/lvtgo/livetemplate"
	"github.com/lvtgo/livetemplate/session/redisstore"
)

// Cart is the state of a session group.
type Cart struct {
	Items []string
}

func (c *Cart) Change(ctx *livetemplate.ActionContext) error {
	if ctx.Action() != "add" {
		return livetemplate.ErrUnknownAction
	}
	c.Items = append(c.Items, ctx.GetString("sku"))
	return nil
}

const page = `<body><p id="n">{{len .Items}} items</p><button id="add" lvt-click="add" lvt-data-sku="007">Add</button></body>`

// NewHandler mounts the cart on app, whose session store keeps it.
func NewHandler(app *livetemplate.App) (*livetemplate.Handler, error) {
	tmpl, err := livetemplate.New("cart", livetemplate.WithText(page))
	if err != nil {
		return nil, err
	}
	return app.Mount(tmpl, &Cart{})
}

// quote:redis
// OpenRedis connects to Redis at url ("redis://127.0.0.1:6379/0") and
// returns a session store over it. Close the client after the apps that
// use the store have shut down.
func OpenRedis(ctx context.Context, url string) (*redisstore.Store, *redis.Client, error) {
	o, err := redis.ParseURL(url)
	if err != nil {
		return nil, nil, err
	}
	// Bound every call, so that an outage fails actions in seconds
	// instead of holding them.
	o.DialTimeout, o.ReadTimeout, o.WriteTimeout = 2*time.Second, 2*time.Second, 2*time.Second
	o.ContextTimeoutEnabled = true
	client := redis.NewClient(o)
	if err := client.Ping(ctx).Err(); err != nil {
		client.Close()
		return nil, nil, fmt.Errorf("redis at %s: %w", o.Addr, err)
	}
	store, err := redisstore.New(client, &redisstore.Options{
		TTL: 7 * 24 * time.Hour, // a group is forgotten a week after its last use (default 24h)
	})
	if err != nil {
		client.Close()
		return nil, nil, err
	}
	return store, client, nil
}

// quote:end
