package jwtauth

import "github.com/lvtgo/livetemplate/auth"

// Reasons for refusing a request. They are fixed strings: no part of a token,
// of its header or of its claims is ever copied into an error.
const (
	reasonNoToken       = "no token"
	reasonTooLarge      = "token too large"
	reasonMalformed     = "malformed token"
	reasonMethod        = "signing method not accepted"
	reasonSignature     = "invalid signature"
	reasonCritical      = "unsupported critical header"
	reasonExpired       = "token expired"
	reasonNotYetValid   = "token not valid yet"
	reasonIssuedLater   = "token issued in the future"
	reasonIssuer        = "wrong issuer"
	reasonAudience      = "wrong audience"
	reasonNoExpiry      = "token has no exp claim"
	reasonNoIssuer      = "token has no iss claim"
	reasonNoAudience    = "token has no aud claim"
	reasonClaimType     = "claim of the wrong type"
	reasonNoSubject     = "token has no sub claim"
	reasonGroup         = "group claim is not a string"
	reasonInvalidClaims = "invalid claims"
)

// reasonError is a refused token with a safe reason. It matches
// [auth.ErrUnauthenticated] under errors.Is.
type reasonError struct {
	reason string
}

// refuse returns a reasonError explained by reason, one of the reason constants.
func refuse(reason string) error {
	return &reasonError{reason: reason}
}

// Error returns the reason prefixed with the package name.
func (e *reasonError) Error() string { return "jwtauth: " + e.reason }

// Unwrap returns [auth.ErrUnauthenticated].
func (e *reasonError) Unwrap() error { return auth.ErrUnauthenticated }
