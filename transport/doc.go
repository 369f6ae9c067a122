// Package transport carries livetemplate messages over WebSocket and over
// plain HTTP POST. It frames, limits, queues and guards bytes; what the
// bytes mean (docs/protocol.md §3) is the business of the livetemplate
// facade, which calls this package. It never imports the facade: the facade
// implements the small [Session] interface instead.
//
// # Map
//
//   - websocket.go: [WebSocket] ([NewWebSocket], [WebSocketOptions]) upgrades
//     requests ([IsUpgrade], [WebSocket.Serve]), tracks its connections and
//     stops them ([WebSocket.Shutdown], [WebSocket.Close]); [Session] is what
//     the facade implements to receive messages.
//   - conn.go: [Conn], one connection: a non-blocking [Conn.Send] into a
//     bounded queue, [Conn.Close], the read loop, the writer and the pinger.
//   - http.go: [HTTP] ([NewHTTP], [HTTPOptions]) checks and reads a POSTed
//     message ([HTTP.ReadMessage]); [WriteMessage] and [WriteError] answer.
//   - errors.go: [ErrClosed], [ErrSlowConsumer], the HTTP refusal [Error]
//     with its codes, and [CloseError] for refusing a connection.
//
// # Goroutines
//
// Each connection has exactly one reader (the goroutine that called
// Serve), one writer goroutine and, unless pings are disabled, one pinger;
// Serve starts them and returns only after they have stopped. Session
// methods run on the reader, one at a time. The connection's context
// derives from the WebSocket's lifetime context, never from the request's,
// and reads carry no per-read timeout: coder/websocket closes a connection
// whose read context ends.
//
// # Backpressure
//
// [Conn.Send] never blocks. Messages wait in a bounded queue (SendQueue);
// when it is full the connection is dropped as a slow consumer (close
// status 1013), so one stalled client never slows a broadcast to the others.
// The client is expected to reconnect and ask for a fresh tree.
//
// # Limits
//
// A text message up to ReadLimit goes to [Session.Handle]; a longer one is
// read to its end and its first ReadLimit bytes go to [Session.TooLarge],
// so the client still gets an answer and the connection stays open. A
// message above HardLimit closes the connection with status 1009, and a
// binary message with 1003. HTTP bodies are limited to MaxBody (413).
//
// # Origins
//
// Upgrades from another origin are refused with 403 unless listed in
// OriginPatterns; HTTP messages must be POSTs of application/json (a type a
// plain form cannot send) and not cross-site, checked with
// http.CrossOriginProtection. Skipping either check takes an option named
// Insecure….
//
// # Shutdown
//
// http.Server.Shutdown does not see hijacked connections, so a server calls
// [WebSocket.Shutdown] as well: it refuses new upgrades (503), closes every
// connection with status 1001 and waits for their goroutines.
package transport
