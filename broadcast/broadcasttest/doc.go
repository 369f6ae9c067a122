// Package broadcasttest checks that a broadcast.Bus keeps the bus contract.
//
// [Run] is a conformance suite in the spirit of testing/slogtest and
// watermill's universal pub/sub tests: every Bus adapter calls it from its
// own tests with a constructor for two connected buses, A and B, standing
// for two instances of one application. The in-process adapter
// (broadcast.Local) and the Redis adapter (broadcast/redisbus) then promise
// the facade exactly the same behaviour.
//
// # Checks
//
//   - Delivery: what A publishes, B receives intact (opaque bytes, empty and
//     64 KiB messages, copied on Publish) and in publish order; A never
//     receives its own messages; both publish at once from several
//     goroutines, under the race detector.
//   - Lifetime: cancelling Subscribe's context ends it with nil; Publish
//     with a done context fails with the context's error.
//   - Close, when the bus implements io.Closer: it ends a running
//     Subscribe, is idempotent, and later calls fail with
//     broadcast.ErrClosed.
//
// A subscription of a real backend starts asynchronously, so before each
// check the suite publishes probe messages until the subscriber has
// received one; receivers ignore probes.
package broadcasttest
