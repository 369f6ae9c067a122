package fault_test

import (
	"errors"
	"fmt"
	"testing"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"

	"github.com/lvtgo/livetemplate/internal/fault"
	"github.com/lvtgo/livetemplate/internal/form"
)

// field reports the form field a *form.FieldError is about, as the facade's
// FieldError does.
func field(err error) (string, string, bool) {
	var fe *form.FieldError
	if errors.As(err, &fe) && err == error(fe) {
		return fe.Field, fe.Message, true
	}
	return "", "", false
}

func TestFields(t *testing.T) {
	t.Parallel()
	email := &form.FieldError{Field: "email", Message: "must contain @"}
	name := &form.FieldError{Field: "name", Message: "required"}
	tests := []struct {
		name string
		err  error
		want map[string]string
	}{
		{name: "nil", err: nil, want: nil},
		{name: "no field errors", err: errors.New("boom"), want: nil},
		{name: "one", err: email, want: map[string]string{"email": "must contain @"}},
		{name: "wrapped", err: fmt.Errorf("save: %w", email), want: map[string]string{"email": "must contain @"}},
		{name: "joined", err: errors.Join(email, errors.New("other"), fmt.Errorf("x: %w", name)), want: map[string]string{"email": "must contain @", "name": "required"}},
		{name: "the first message of a field wins", err: errors.Join(email, &form.FieldError{Field: "email", Message: "too long"}), want: map[string]string{"email": "must contain @"}},
		{name: "several wrapped at once", err: fmt.Errorf("%w and %w", name, email), want: map[string]string{"email": "must contain @", "name": "required"}},
	}
	for _, tc := range tests {
		t.Run(tc.name, func(t *testing.T) {
			t.Parallel()
			assert.Equal(t, tc.want, fault.Fields(tc.err, field))
		})
	}
}

func TestUser(t *testing.T) {
	t.Parallel()
	cause := errors.New("from user code")
	tests := []struct {
		name    string
		err     error
		fields  map[string]string
		message string
		unknown bool
		kind    fault.Kind
		user    string
		plain   bool // err is returned as it is: an internal error
	}{
		{name: "one field: its message", err: cause, fields: map[string]string{"email": "must contain @"}, kind: fault.Invalid, user: "must contain @"},
		{name: "several fields: the kind's message", err: cause, fields: map[string]string{"a": "x", "b": "y"}, kind: fault.Invalid, user: fault.Invalid.Message()},
		{name: "fields before a message", err: cause, fields: map[string]string{"a": "x"}, message: "No.", kind: fault.Invalid, user: "x"},
		{name: "a message for the user", err: cause, message: "Out of stock.", kind: fault.Failed, user: "Out of stock."},
		{name: "unknown action", err: cause, unknown: true, kind: fault.UnknownAction, user: fault.UnknownAction.Message()},
		{name: "anything else", err: cause, plain: true},
	}
	for _, tc := range tests {
		t.Run(tc.name, func(t *testing.T) {
			t.Parallel()
			err := fault.User(tc.err, tc.fields, tc.message, tc.unknown)
			if tc.plain {
				assert.Same(t, cause, err)
				assert.Equal(t, fault.Internal, fault.As(err).Kind)
				return
			}
			var fe *fault.Error
			require.ErrorAs(t, err, &fe)
			assert.Equal(t, tc.kind, fe.Kind)
			assert.Equal(t, tc.user, fe.UserMessage())
			assert.Equal(t, tc.fields, fe.Fields)
			assert.ErrorIs(t, err, cause, "the cause is kept for the log")
		})
	}
	assert.NoError(t, fault.User(nil, map[string]string{"a": "x"}, "No.", true))
}
