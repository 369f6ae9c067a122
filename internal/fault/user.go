package fault

// Fields collects the form-field errors in err's tree: field reports, for
// each error, the field it is about and its message; the first message of
// a field wins. It returns nil when there are none.
func Fields(err error, field func(error) (name, msg string, ok bool)) map[string]string {
	var out map[string]string
	var walk func(error)
	walk = func(e error) {
		if e == nil {
			return
		}
		if name, msg, ok := field(e); ok {
			if out == nil {
				out = make(map[string]string)
			}
			if _, dup := out[name]; !dup {
				out[name] = msg
			}
			return
		}
		switch x := e.(type) {
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

// User returns what a client is told of err, returned by user code: Invalid
// with fields when there are field errors (with the message of the one
// field, if one), Failed with message when message is not empty (a message
// for the user), UnknownAction when unknown, else err itself (an internal
// error, logged and never sent).
func User(err error, fields map[string]string, message string, unknown bool) error {
	switch {
	case err == nil:
		return nil
	case fields != nil:
		msg := ""
		if len(fields) == 1 {
			for _, v := range fields {
				msg = v
			}
		}
		return &Error{Kind: Invalid, Message: msg, Fields: fields, Cause: err}
	case message != "":
		return &Error{Kind: Failed, Message: message, Cause: err}
	case unknown:
		return &Error{Kind: UnknownAction, Cause: err}
	}
	return err
}
