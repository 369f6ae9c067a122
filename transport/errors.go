package transport

import (
	"errors"
	"fmt"
	"net/http"
)

// ErrClosed is returned by [Conn.Send] and [Conn.Close] once the connection
// has started closing, for whatever reason.
var ErrClosed = errors.New("transport: connection closed")

// ErrSlowConsumer is returned by the [Conn.Send] call that found the send
// queue full. That call also starts closing the connection, so later calls
// return [ErrClosed]; [Session.Closed] receives ErrSlowConsumer.
var ErrSlowConsumer = errors.New("transport: slow consumer")

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
// WebSocket status code when the open callback returns it (directly or
// wrapped). Code is 1000–1014 (RFC 6455) or 3000–4999 (applications);
// Reason must be safe to send to the client and is cut to 123 bytes.
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
