package session

import "strings"

// opError reports a failed store operation. Its message names the operation
// but never the group, and it unwraps to the cause (a sentinel error or a
// context error).
type opError struct {
	op  string
	err error
}

// failed wraps err as the failure of operation op.
func failed(op string, err error) error {
	return &opError{op: op, err: err}
}

// Error returns "session: op: cause", without repeating the package prefix
// of a sentinel cause.
func (e *opError) Error() string {
	return "session: " + e.op + ": " + strings.TrimPrefix(e.err.Error(), "session: ")
}

// Unwrap returns the cause.
func (e *opError) Unwrap() error { return e.err }
