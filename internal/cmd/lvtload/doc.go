// Command lvtload puts a livetemplate page under load over real WebSocket
// connections on 127.0.0.1, speaking only the documented protocol
// (docs/protocol.md §3), and reports what the server and its clients saw.
// docs/benchmarks.md ("Load") records its figures and the commands that
// produced them.
//
// # Subcommands
//
//	lvtload serve [-addr 127.0.0.1:0] [-for 30m]
//
// serves the counter page (one shared count, one "increment" action) with
// every per-client limit lifted, and prints its URL.
//
//	lvtload run -scenario idle|fanout|actions [-conns N] [-groups G] [flags]
//
// starts "lvtload serve" as a child process, so that the server's memory and
// CPU (/proc/PID/status and stat) are its own, or loads -url (with -pid to
// observe that server). Every tab is a page load (GET, which gives the
// group's anonymous cookie and the page's data-lvt-token), a WebSocket to the
// same URL with the page's Origin, and a join; tab i belongs to group
// i mod G, and the tabs of a group share one cookie jar, as the tabs of one
// browser do. Tabs connect 50 at a time (-concurrency).
//
// # Scenarios
//
//   - idle: open the tabs, wait -settle, and report the server's resident
//     memory before and after, per tab.
//   - fanout: in each group, the first tab sends one increment; every other
//     tab of the group times the patch that shows the new count (send →
//     receipt, p50/p99/max over -rounds rounds), and the sender times its
//     reply.
//   - actions: every tab sends increments for -duration, the next as soon
//     as the reply to the previous one came (one in flight per tab): actions
//     per second and reply latency.
//   - push: the server Broadcasts "increment" to every page (a POST to
//     /lvtload/push of "lvtload serve"), and every tab times the patch that
//     shows its group's new count; with -instances N -redis URL the tabs are
//     spread over N servers that share a Redis (push.go; this scenario needs
//     the facade's Broadcast, so it does not build against older versions).
//
// With -nonreaders F, that fraction of the tabs (never the first of a group)
// join but never read their socket; the report then says how many the server
// dropped and the other tabs' figures show whether they were affected.
//
// # Bounds
//
// Everything stops by itself: each tab's connect within 30s, each fanout
// round and each reply within 30s, the whole run within -timeout (default
// 5m), and the child server at the run's end (it also stops when its stdin
// closes, so it does not outlive a killed run). Only loopback addresses are
// accepted. Opening stops early when more than 1% of the tabs (and at least
// 10) fail, and the failures are reported by step (get, token, dial, join).
//
// The client side is kept cheap, as it shares the machine's cores with the
// server: messages are read into a reused buffer and scanned for their keys
// instead of decoded, and the report gives the CPU time of both processes.
// Go raises the soft limit on open files to the hard limit at start-up; run
// refuses -conns above it.
package main
