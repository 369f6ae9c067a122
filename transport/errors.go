package transport

import (
	"errors"
	"fmt"
	"net/http"
)

// ErrClosed is returned by [Conn.Close] once the connection has started
// closing, for whatever reason.
var ErrClosed = errors.New("transport: connection closed")

// ErrStalled is the cause [Session.Closed] receives (wrapped; match it with
// errors.Is) when one write did not complete within WriteTimeout: the client
// stopped reading, so the connection was cut without a close handshake.
// Having many updates to write is never a reason to drop a connection; a
// client that makes no progress is.
var ErrStalled = errors.New("transport: client stalled")

// WebSocket close status codes sent by this package or accepted by
// [Conn.Close] and [CloseError]. Codes 3000–4999 (4000–4999 are for
// applications) are sent as given; a code that may not appear in a close
// frame is replaced by CloseInternal.
const (
	// CloseNormal (1000) ends a connection that did its job.
	CloseNormal = 1000
	// CloseGoingAway (1001) is sent by [WebSocket.Shutdown]: the server is
	// going down, so the client should reconnect (to another instance).
	CloseGoingAway = 1001
	// CloseUnsupportedData (1003) answers a binary message.
	CloseUnsupportedData = 1003
	// ClosePolicy (1008) refuses a connection: it is the default status
	// when the open callback of [WebSocket.Serve] returns an error.
	ClosePolicy = 1008
	// CloseTooBig (1009) answers a message longer than HardLimit.
	CloseTooBig = 1009
	// CloseInternal (1011) reports a server error.
	CloseInternal = 1011
	// CloseServiceRestart (1012) is sent by [WebSocket.Drain]: the server
	// restarts, so the client should reconnect, after a pause with jitter
	// (to another instance, or to this one once it is back).
	CloseServiceRestart = 1012
	// CloseTryAgainLater (1013) asks the client to come back later, for
	// example when the server is overloaded.
	CloseTryAgainLater = 1013
)

// Error codes of an [*Error], as sent in the "code" field of an error reply.
const (
	CodeBadRequest           = "bad_request"
	CodeTooLarge             = "too_large"
	CodeForbidden            = "forbidden"
	CodeMethodNotAllowed     = "method_not_allowed"
	CodeUnsupportedMediaType = "unsupported_media_type"
	CodeInternal             = "internal"
)

// Error is a refused HTTP request. Status is the HTTP status to answer with,
// Code one of the Code constants, and Message a sentence that is safe to
// show a user (it never carries request data or internal details).
// [HTTP.ReadMessage] returns it as an error; [WriteError] writes it.
type Error struct {
	Status  int
	Code    string
	Message string
}

// Error implements error.
func (e *Error) Error() string {
	return fmt.Sprintf("transport: %s: %s", e.Code, e.Message)
}

// errInternal answers errors that are not an *Error.
var errInternal = &Error{Status: http.StatusInternalServerError, Code: CodeInternal, Message: "internal error"}

// CloseError asks [WebSocket.Serve] to close a connection with a specific
// status when the open callback returns it (directly or wrapped). Code is
// one of the Close constants, another code RFC 6455 allows in a close
// frame, or 3000–4999 (4000–4999 for applications); any other code is sent
// as [CloseInternal]. Reason must be safe to send to the client and is cut
// to 123 bytes.
type CloseError struct {
	Code   int
	Reason string
}

// Error implements error.
func (e *CloseError) Error() string {
	return fmt.Sprintf("transport: close %d: %s", e.Code, e.Reason)
}

// Causes handed to Session.Closed. They are unexported: callers log them.
var (
	errBinary      = errors.New("transport: binary message refused")
	errPingTimeout = errors.New("transport: ping timeout")
	errPanic       = errors.New("transport: session panicked")
)
