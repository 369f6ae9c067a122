package auth

// reasonError is a refusal with a safe, human-readable reason. It matches
// [ErrUnauthenticated] under errors.Is and never carries credentials.
type reasonError struct {
	reason string
}

// unauthenticated returns a refusal explained by reason, which must not
// contain credentials or other request data.
func unauthenticated(reason string) error {
	return &reasonError{reason: reason}
}

// Error returns the reason prefixed with the package name.
func (e *reasonError) Error() string { return "auth: " + e.reason }

// Unwrap returns [ErrUnauthenticated].
func (e *reasonError) Unwrap() error { return ErrUnauthenticated }
