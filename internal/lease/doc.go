// Package lease runs work on one instance of an application at a time:
// periodic server work (a clock, a cleanup) that every instance would
// otherwise do once each. The instances share a session store; for each
// name they lead, they keep a lease in it, a record naming the holder,
// written with the store's compare-and-set Put.
//
// # The lease
//
// The holder renews its lease every Renew (default 3 s) and runs the work
// while it holds it. The others read the record every Renew, and take it
// (a Put with the version they read) once its version has not changed for
// Lease (default 10 s) by their own clock, or at once when it is free.
// Nothing compares clocks across instances: each measures, with its own
// monotonic clock, how long it has seen one version unchanged, and the
// version is the fencing token that makes one Put of several win.
//
// A holder's run ends (its context is cancelled) Lease minus a fifth after
// its last successful renewal began, when a renewal finds another holder,
// and when the Runner stops; another instance takes over no sooner than
// Lease after it saw that renewal. So two runs overlap only when a
// process stalls for more than a fifth of Lease (a long pause, a suspended
// machine), when clocks run at rates a fifth apart, or when run goes on
// after its context ended. When the store fails, the holder's run stops
// within Lease and nobody runs until the store answers: at most one runs,
// rather than two.
//
// # Timeline
//
//   - One instance: the first Put of a name succeeds; run starts at once.
//   - The holder stops (Runner.Stop): its run ends, then it marks the lease
//     free; another instance takes it within Renew.
//   - The holder dies or loses the store: another takes over within Lease
//     plus Renew of the holder's last renewal (13 s by default).
//
// A run that returns (or panics, which is logged) while its instance still
// holds the lease is called again after Renew.
package lease
