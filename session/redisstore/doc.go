// Package redisstore is a session.Store over Redis, for several server
// instances that share session groups.
//
// # Map
//
//   - [New] wraps a go-redis client ([redis.UniversalClient]: a single
//     server, Sentinel or Cluster) in a [Store], tuned by [Options] whose
//     zero value selects the defaults.
//   - [Store] implements session.Store (Get and a versioned Put) and
//     session.Deleter. It does not implement session.Lister: listing would
//     mean scanning the keys of a shared server.
//   - [Secret] gets or makes a random secret every instance shares (the key
//     that signs anonymous cookies, say).
//
// # Keys
//
// With the default prefix "livetemplate:session:", a group's state lives in
// the hash "livetemplate:session:g:GROUP" (fields s, the state, and v, its
// version) and expires TTL after its last Get or Put. The string
// "livetemplate:session:version" is a counter that never expires: every
// Put takes its version from it with INCR, so versions grow across all
// groups and are never reused, not even after a group expired or was
// deleted. A version read before then can never match again. The counter
// never falls behind the server's clock in microseconds either, so even if
// Redis loses its data (a restart without persistence, a failover that
// lost writes) new versions stay above every version issued before, as
// long as the server's clock does not go back.
//
// A Put is two round trips: a Lua script that increments the counter, then
// a Lua script that compares the group's version with the caller's and, if
// they match, writes the state and the new version and sets the TTL,
// atomically. Keeping the counter out of the compare-and-set keeps every
// script on one key, so the store works with Redis Cluster too. A Put that
// loses the race wastes a version number, which is harmless. A Get is one
// script that reads the hash and restarts its TTL. The scripts need Redis
// 5 or later.
//
// # Timeouts and outages
//
// Every method checks its context first and wraps ctx.Err() in its error
// when the context ended during the call. go-redis only bounds a command
// by the context's deadline when the client's ContextTimeoutEnabled option
// is set; set it, and set DialTimeout and ReadTimeout to what an outage may
// cost a request. During an outage methods return go-redis's errors,
// wrapped; they work again once the server is back, as go-redis redials.
//
// The Store does not own the client: closing the client is the caller's
// job, and after it the Store's methods return errors wrapping
// session.ErrClosed.
//
// # Errors
//
// Errors read "redisstore: OP: cause" and wrap session.ErrNotFound,
// session.ErrConflict, session.ErrClosed, ctx.Err() or a go-redis error.
// They never contain group ids, which identify users.
package redisstore
