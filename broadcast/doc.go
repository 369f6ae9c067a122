// Package broadcast carries messages between the server instances of one
// application.
//
// When several instances serve one application, a change made on one of
// them (a group's state moved to a new version, an action to apply to some
// targets, a page to refresh) must reach the connections held by the
// others. The facade publishes such a change as a small, opaque message on
// a [Bus], and every other instance receives it and updates its own
// connections. Delivery to the connections of the publishing instance stays
// in the facade: a bus never echoes a message back to its publisher.
//
// The package depends on the standard library only.
//
// # Map
//
//   - [Bus] is the port: Publish and Subscribe. [Receiver] is what
//     Subscribe delivers to, and [ReceiverFuncs] adapts two functions to it.
//     [ErrClosed] is the sentinel error of a closed bus.
//   - [Local] is the in-process adapter: a hub whose endpoints
//     ([Local.Bus], [Endpoint]) see each other's messages. One endpoint of a
//     private Local is the facade's default, for a single instance; several
//     endpoints stand in for several instances in tests.
//   - Package broadcasttest holds the conformance suite every Bus must pass;
//     package redisbus is the adapter over Redis Pub/Sub.
//
// # Losing messages
//
// A bus is not a queue: a message published while an instance is not
// subscribed (it is starting, or its backend connection is down) is lost
// for that instance, and a bounded bus drops messages for a receiver that
// falls too far behind. Whenever that may have happened to a running
// subscription, the bus calls [Receiver.Resync] once the subscription
// works again, and the receiver reloads what it shows from the session
// store instead of relying on the messages it missed.
package broadcast
