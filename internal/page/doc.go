// Package page keeps an app's live pages: what each page's client holds
// and how to reach it (Page), and the one Table that finds pages by token,
// session group, user, shared state, view and client address, and counts
// the connections those limits apply to.
//
// # Map
//
//   - page.go: Page: identity, the states it shows, its private data.
//   - output.go: what a page's client holds (the tree last sent, its seq,
//     the statics it has) and the messages that move it on: the next
//     message for a WebSocket's writer (replies first, in order), the
//     answer to an HTTP message.
//   - private.go: Private, the immutable snapshot of a page's own stores
//     and flash messages.
//   - table.go: Table, every index of live pages under one lock, the pages
//     waiting for their connection or for a reconnect (bounded in count and
//     in time), and the connection counts per group and per address.
//
// # Locks
//
// A Page's mu guards what its client holds and how to reach it. It is held
// only for short work on those fields (a diff, an encode, a queue), never
// across user code (a render runs templates, which may call methods), never
// across I/O and never while waiting. A page's actions are ordered by its
// turn, which nothing that delivers output takes. The Table's mu guards its
// indexes; when both are needed, the Table's is taken first.
package page
