package livetemplate

import (
	"errors"
	"fmt"
)

// ErrUnknownAction is what Change returns for an action name it does not
// handle; the client is told the action is unknown.
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

// fieldErrors collects every FieldError in err's tree.
func fieldErrors(err error) map[string]string {
	var out map[string]string
	var walk func(error)
	walk = func(e error) {
		switch x := e.(type) {
		case nil:
			return
		case FieldError:
			if out == nil {
				out = make(map[string]string)
			}
			if _, dup := out[x.Field]; !dup {
				out[x.Field] = x.Message
			}
			return
		case *FieldError:
			walk(*x)
			return
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
