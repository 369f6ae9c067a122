// Package redisbus is a broadcast.Bus over Redis Pub/Sub, for several
// server instances of one application.
//
// # Map
//
//   - [New] wraps a go-redis client ([redis.UniversalClient]) in a [Bus],
//     tuned by [Options] whose zero value selects the defaults.
//   - [Bus] implements broadcast.Bus: Publish sends a message on one Redis
//     channel, Subscribe receives that channel's messages and drops the
//     Bus's own. Close ends every running Subscribe.
//
// # Envelope
//
// Each message travels in a versioned envelope: one byte, the envelope
// version (1), then the 16-byte origin id of the publishing Bus (random,
// made by New), then the message itself. Subscribe drops messages with its
// own origin, so an instance never receives what it published. It ignores
// messages of a newer envelope version, from a newer release of this
// package during a rolling upgrade, and malformed ones, and says so in one
// log line per kind and subscription, never per message.
//
// # Reconnecting
//
// Subscribe keeps its subscription alive by itself. It reads the
// subscription's connection with go-redis's low-level PubSub.ReceiveTimeout
// rather than PubSub.Channel: Channel hides reconnections, and it drops
// messages silently when its Go channel stays full (for 60 seconds by
// default; see WithChannelSize and WithChannelSendTimeout), which a
// receiver could never learn of. Here every message is handed straight to
// the receiver, one at a time, so none is lost inside the process; a
// receiver that falls far behind makes Redis disconnect the subscriber
// (Redis's client-output-buffer-limit for pubsub), which is handled like
// any other interruption.
//
// An interruption is a failed read or write, or a health-check PING that
// goes unanswered: when the connection has been silent for
// HealthCheckInterval, Subscribe pings Redis, and if nothing arrives for
// another interval it gives the connection up. It then subscribes again on
// a new connection, with backoff (50ms doubling to 2s), until Redis
// confirms the subscription. Messages published meanwhile are lost, so
// after the confirmation Subscribe calls the receiver's Resync. It logs one
// warning when an outage begins and one line when the subscription is
// restored, never per attempt. (go-redis may log its own dial failures
// through its package-level logger, which this package leaves alone.)
//
// # Timeouts
//
// Publish checks its context first and wraps ctx.Err() in its error when
// the context ended during the call. go-redis only bounds a command by the
// context's deadline when the client's ContextTimeoutEnabled option is
// set; set it, and set DialTimeout and ReadTimeout to what an outage may
// cost a publisher.
//
// The Bus does not own the client: closing the client is the caller's job,
// after closing the Bus.
package redisbus
