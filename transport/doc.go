// Package transport carries livetemplate messages over WebSocket and over
// plain HTTP POST. It frames, limits, paces and guards bytes; what the
// bytes mean (docs/protocol.md §3) is the business of the livetemplate
// facade, which calls this package. It never imports the facade: the facade
// implements the small [Session] interface instead.
//
// # Map
//
//   - websocket.go: [WebSocket] ([NewWebSocket], [WebSocketOptions]) upgrades
//     requests ([IsUpgrade], [WebSocket.Serve]), tracks its connections and
//     stops them ([WebSocket.Shutdown], [WebSocket.Close]); [Session] is what
//     the facade implements to receive messages and to hand over the ones
//     to write.
//   - conn.go: [Conn], one connection: [Conn.Wake] (there is something to
//     write), [Conn.Close] with a status code, the reader, the writer on
//     demand and the keepalive pings.
//   - origin.go: [Origins] ([ParseOrigins]), the cross-origin policy that
//     WebSocket and HTTP apply the same way ([Origins.Allowed]).
//   - http.go: [HTTP] ([NewHTTP], [HTTPOptions]) checks and reads a POSTed
//     message ([HTTP.ReadMessage]); [WriteMessage] and [WriteError] answer.
//   - errors.go: [ErrClosed], [ErrStalled], the Close status codes
//     ([CloseNormal] …), the HTTP refusal [Error] with its codes, and
//     [CloseError] for refusing a connection.
//
// # Goroutines
//
// Serve upgrades the request, calls the open callback and returns, so the
// handler's goroutine and net/http's buffers are not kept. Each connection
// then has one goroutine for its lifetime, the reader, owned by the
// WebSocket: it runs the read loop and calls Handle, TooLarge and, at the
// end, Closed, one at a time. A writer goroutine exists only while there is
// something to write: [Conn.Wake] starts one, which calls [Session.Next]
// and writes until Next returns nil, then exits. A keepalive ping runs on a
// timer's goroutine (time.AfterFunc, re-armed after each ping) only while
// it waits for its pong. An idle connection thus costs one goroutine and
// small buffers (1 KiB to read, 2 KiB to write: a message up to about
// 2 KiB leaves in one write). The connection waits for its writer and
// ping before it calls Closed, and [WebSocket.Shutdown] waits for every
// connection.
//
// The connection's context derives from the WebSocket's lifetime context,
// never from the request's, and reads carry no per-read timeout:
// coder/websocket closes a connection whose read context ends.
//
// # Backpressure
//
// The writer pulls: nothing is queued in the transport. A Session that has
// more to say than the client takes keeps its state and answers Next with
// one message that covers everything since the last one (the facade sends
// a patch from the state the client has to the state now), so a client
// that falls behind gets fewer, fresher messages and is never dropped for
// having many updates. A broadcast only records state and calls Wake,
// which never blocks.
//
// Each write must complete within WriteTimeout. One that does not means
// the client made no progress: the connection is cut and Closed receives
// [ErrStalled]. Going the other way, a Session whose Handle blocks (its
// outbox is full) stops the read loop, and TCP slows the client down.
//
// # Limits
//
// A text message up to ReadLimit goes to [Session.Handle]; a longer one is
// read to its end and its first ReadLimit bytes go to [Session.TooLarge],
// so the client still gets an answer and the connection stays open. A
// message above HardLimit closes the connection with [CloseTooBig], and a
// binary message with [CloseUnsupportedData]. HTTP bodies are limited to
// MaxBody (413).
//
// # Origins
//
// Same-origin requests are always allowed (by http.CrossOriginProtection's
// rules: Sec-Fetch-Site, else Origin against Host); a cross-origin upgrade
// or POST is allowed only if its Origin matches a pattern of [Origins],
// and refused with 403 otherwise. Chromium sends no Sec-Fetch-Site on
// WebSocket handshakes, so for upgrades Origin against Host decides: a
// proxy in front must pass on the Host the browser sent. HTTP messages must moreover be POSTs of
// application/json, a type a plain form cannot send. Skipping the origin
// check takes an option named Insecure….
//
// # Logging
//
// One line per connection event, never per message and never with message
// contents: opened and ended at Debug, stalled or no pong at Info, a
// Session panic at Error.
//
// # Drain and shutdown
//
// [WebSocket.Drain] comes first when a server restarts: it closes the
// connections with a code the client reconnects on ([CloseServiceRestart])
// in batches spread over a period, and those upgraded meanwhile at once, so
// that clients come back spread out, to other instances. http.Server.Shutdown
// does not see hijacked connections, so a server calls [WebSocket.Shutdown]
// as well: it refuses new upgrades (503), closes every connection left with
// [CloseGoingAway] after writing what Next still returns, and waits for
// their goroutines. WebSocketOptions.Refused hears of every upgrade refused
// before the Session opens (cross-origin, after Shutdown).
package transport
