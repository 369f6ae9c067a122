// Package cluster wires an App for several server instances behind a load
// balancer, sharing one Redis server, in one call: [Open] connects to Redis
// from a URL and returns a [Cluster], whose [Cluster.Options] are the
// livetemplate.NewApp options every instance needs.
//
//	c, err := cluster.Open(ctx, "redis://redis.internal:6379/0", &cluster.Options{
//		Secret:         secret,                  // from your secret store: 32 bytes or more
//		TrustedProxies: []string{"10.0.0.0/8"}, // the load balancer's network
//	})
//	if err != nil { ... }
//	defer c.Close() // after the app has shut down
//	app, err := livetemplate.NewApp(append(c.Options(), livetemplate.WithLogger(logger))...)
//
// It is not about Redis Cluster: the URL names one Redis server
// ("redis://", or "rediss://" over TLS).
//
// # What the instances share
//
//   - The state: a session/redisstore Store, so that every instance reads
//     and writes the same states ([Cluster.Store]).
//   - The changes: a broadcast/redisbus Bus, so that a change made on one
//     instance reaches the pages on the others ([Cluster.Bus]).
//   - The keys. Page tokens must be checked by every instance (the HTTP
//     fallback needs no balancer affinity), and the anonymous visitors'
//     cookies too. With [Options.Secret], tokens are signed with it and
//     cookies with a key derived from it (livetemplate.WithSecret):
//     identities and tokens then survive a wipe of Redis and any order of
//     restarts. Without, each key is made by the
//     first instance to ask and kept in Redis ([AnonymousKeyName],
//     [TokenKeyName]; session/redisstore.Secret): they survive restarts,
//     but not a wipe, after which every visitor gets a new identity.
//   - The proxies: [Options.TrustedProxies] (livetemplate.WithTrustedProxies),
//     so that the per-address limits and the logs see each client's address
//     and cookies are Secure behind a proxy that terminates TLS.
//
// The Redis client's dial, read and write timeouts are 2 seconds (see
// [Options.Timeout]), and it honours contexts' deadlines, so that during an
// outage an action fails in seconds.
//
// # Credentials
//
// A Redis URL may hold a password. No error of Open quotes it: a URL that
// does not parse is not repeated, and one that go-redis refuses is quoted
// with its password replaced by "xxxxx".
package cluster
