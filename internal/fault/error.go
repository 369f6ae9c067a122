package fault

import (
	"context"
	"errors"
	"net/http"
	"time"

	"github.com/lvtgo/livetemplate/transport"
)

// Error is one failure as the client will hear of it: its Kind, a Message
// safe to show a user (the kind's default when empty), form-field messages
// for Invalid, how long to wait for RateLimited and the kinds that say so,
// and the Cause, which is logged and never sent.
type Error struct {
	Kind       Kind
	Message    string
	Fields     map[string]string
	RetryAfter time.Duration
	Cause      error
}

// New returns an *Error of kind k with message msg (the kind's default when
// empty).
func New(k Kind, msg string) *Error { return &Error{Kind: k, Message: msg} }

// Wrap returns an *Error of kind k caused by err, with the kind's message.
func Wrap(k Kind, err error) *Error { return &Error{Kind: k, Cause: err} }

// Error implements error: the kind's code, the message and the cause.
func (e *Error) Error() string {
	s := e.Kind.Code() + ": " + e.UserMessage()
	if e.Cause != nil {
		s += ": " + e.Cause.Error()
	}
	return s
}

// Unwrap returns the cause.
func (e *Error) Unwrap() error { return e.Cause }

// UserMessage returns the message the client is sent.
func (e *Error) UserMessage() string {
	if e.Message != "" {
		return e.Message
	}
	return e.Kind.Message()
}

// Retry returns how long the client should wait before trying again: the
// error's RetryAfter, else its kind's default.
func (e *Error) Retry() time.Duration {
	if e.RetryAfter > 0 {
		return e.RetryAfter
	}
	return e.Kind.RetryAfter()
}

// Logged reports whether the error is worth a log line when it answers a
// client: an internal error is (its cause says what broke); the others are
// the client's business or are logged where they begin (an outage once).
func (e *Error) Logged() bool { return e.Kind == Internal }

// As returns err as an *Error: the one in its chain if there is one, a
// transport refusal mapped to its kind, context cancellation as
// ShuttingDown, and anything else as Internal caused by err. It returns nil
// for a nil err.
func As(err error) *Error {
	if err == nil {
		return nil
	}
	var fe *Error
	if errors.As(err, &fe) {
		return fe
	}
	var te *transport.Error
	if errors.As(err, &te) {
		return fromTransport(te)
	}
	if errors.Is(err, context.Canceled) {
		return &Error{Kind: ShuttingDown, Cause: err}
	}
	return &Error{Kind: Internal, Cause: err}
}

// fromTransport maps a refusal of transport.HTTP.ReadMessage to its kind,
// keeping its message.
func fromTransport(te *transport.Error) *Error {
	k := Internal
	switch te.Status {
	case http.StatusBadRequest:
		k = Malformed
	case http.StatusForbidden:
		k = Forbidden
	case http.StatusMethodNotAllowed:
		k = MethodNotAllowed
	case http.StatusRequestEntityTooLarge:
		k = TooLarge
	case http.StatusUnsupportedMediaType:
		k = UnsupportedMedia
	}
	e := &Error{Kind: k, Cause: te}
	if k != Internal {
		e.Message = te.Message
	}
	return e
}
