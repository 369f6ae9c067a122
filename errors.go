package livetemplate

import (
	"errors"
	"fmt"

	"github.com/lvtgo/livetemplate/internal/fault"
)

// ErrUnknownAction is what Change returns for an action name it does not
// handle; the client is told the action is unknown, and the server logs
// the name once.
var ErrUnknownAction = errors.New("livetemplate: unknown action")

// FieldError is a validation error for one form field. Returned from Change
// (several can be combined with errors.Join), it rolls the action back and the
// client shows Message next to the field named Field.
type FieldError struct {
	Field   string
	Message string
}

// Error implements error.
func (e FieldError) Error() string { return e.Field + ": " + e.Message }

// UserError is an error whose Message is safe to show to the user. Change
// returns it to fail an action with that message; any other error is logged
// and the user sees a generic message.
type UserError struct {
	Message string
}

// Error implements error.
func (e *UserError) Error() string { return e.Message }

// UserErrorf returns a *UserError with a formatted message.
func UserErrorf(format string, args ...any) error {
	return &UserError{Message: fmt.Sprintf(format, args...)}
}

// FieldErrors returns the field errors in err's tree (see FieldError), by
// field name, as the page would show them; nil if there are none.
func FieldErrors(err error) map[string]string {
	var out map[string]string
	var walk func(error)
	walk = func(e error) {
		switch x := e.(type) {
		case nil:
		case FieldError:
			if out == nil {
				out = make(map[string]string)
			}
			if _, dup := out[x.Field]; !dup {
				out[x.Field] = x.Message
			}
		case *FieldError:
			walk(*x)
		case interface{ Unwrap() []error }:
			for _, e := range x.Unwrap() {
				walk(e)
			}
		case interface{ Unwrap() error }:
			walk(x.Unwrap())
		}
	}
	walk(err)
	return out
}

// userFault returns what the user is told of err, an error of user code: its
// field errors, its user message, an unknown action; any other error is an
// internal one (logged, never sent).
func userFault(err error) error {
	if err == nil {
		return nil
	}
	if fields := FieldErrors(err); fields != nil {
		msg := ""
		if len(fields) == 1 {
			for _, v := range fields {
				msg = v
			}
		}
		return &fault.Error{Kind: fault.Invalid, Message: msg, Fields: fields, Cause: err}
	}
	var ue *UserError
	switch {
	case errors.As(err, &ue):
		return &fault.Error{Kind: fault.Failed, Message: ue.Message, Cause: err}
	case errors.Is(err, ErrUnknownAction):
		return &fault.Error{Kind: fault.UnknownAction, Cause: err}
	}
	return err
}

// closedErr turns the runtime's refusal after shutdown into ErrClosed.
func closedErr(err error) error {
	var fe *fault.Error
	if errors.As(err, &fe) && fe.Kind == fault.ShuttingDown {
		return ErrClosed
	}
	return err
}
