package livetemplate

import (
	"cmp"
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
	return fault.Fields(err, func(e error) (string, string, bool) {
		switch x := e.(type) {
		case FieldError:
			return x.Field, x.Message, true
		case *FieldError:
			return x.Field, x.Message, true
		}
		return "", "", false
	})
}

// userFault returns what the user is told of err, an error of user code.
func userFault(err error) error {
	if err == nil {
		return nil
	}
	var ue *UserError
	msg := ""
	if errors.As(err, &ue) {
		msg = cmp.Or(ue.Message, fault.Failed.Message())
	}
	return fault.User(err, FieldErrors(err), msg, errors.Is(err, ErrUnknownAction))
}

// closedErr turns the runtime's refusal after shutdown into ErrClosed.
func closedErr(err error) error {
	var fe *fault.Error
	if errors.As(err, &fe) && fe.Kind == fault.ShuttingDown {
		return ErrClosed
	}
	return err
}
