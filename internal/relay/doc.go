// Package relay carries what the instances of an app tell each other over
// a broadcast.Bus: a shared state changed (so that the others reload it and
// re-render the pages that show it), a server action to apply, pages to
// render again, pages to disconnect.
//
// # Map
//
//   - message.go: Message, its kinds and its JSON form (versioned: an
//     instance ignores the messages of another version).
//   - relay.go: Relay: a bounded queue drained by one publisher goroutine
//     (a slow bus never holds a state's lock or a client), the subscription
//     loop that hands what arrives to a Receiver, and the workers that catch
//     states up, each state always on the same worker so that its reloads
//     stay in order while different states reload in parallel.
//
// Every goroutine belongs to the Relay: Start starts them, Close stops them
// and waits.
package relay
