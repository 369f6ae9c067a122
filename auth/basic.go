package auth

import (
	"crypto/sha256"
	"crypto/subtle"
	"net/http"
	"strings"
)

// defaultRealm is the realm [NewBasic] uses when given an empty one.
const defaultRealm = "livetemplate"

// BasicOptions tunes a [Basic] authenticator. The zero value, and a nil
// pointer, select the defaults.
type BasicOptions struct {
	// GroupOf returns the session group of an authenticated user, so several
	// users can share one group's state. It must be safe for concurrent use.
	// An empty result puts the user in a group of its own.
	// Default: every user has its own group, named after the user.
	GroupOf func(user string) string
}

// Basic authenticates requests with HTTP basic authentication against a
// fixed set of users.
//
// Credentials are compared in constant time: the user name and the password
// are both compared on every request, against a dummy entry when the user is
// unknown, so response times do not reveal which user names exist. Only
// SHA-256 digests of the passwords are kept.
//
// Basic sends credentials in the clear on every request; serve it over TLS.
// A Basic is safe for concurrent use and is not modified after [NewBasic]
// returns.
type Basic struct {
	challenge string
	users     map[string]credential
	groupOf   func(user string) string
}

// credential holds the digests of one user's name and password.
type credential struct {
	user     [sha256.Size]byte
	password [sha256.Size]byte
}

var _ Authenticator = (*Basic)(nil)

// NewBasic returns a [Basic] authenticator for users, a map from user name to
// password, with the protection space realm (default "livetemplate"). It
// copies what it needs from users, so later changes to the map have no
// effect. A nil opts selects the defaults documented on [BasicOptions].
func NewBasic(realm string, users map[string]string, opts *BasicOptions) *Basic {
	if realm == "" {
		realm = defaultRealm
	}
	b := &Basic{
		challenge: `Basic realm="` + quoteEscaper.Replace(realm) + `", charset="UTF-8"`,
		users:     make(map[string]credential, len(users)),
	}
	for user, password := range users {
		b.users[user] = credential{
			user:     sha256.Sum256([]byte(user)),
			password: sha256.Sum256([]byte(password)),
		}
	}
	if opts != nil {
		b.groupOf = opts.GroupOf
	}
	return b
}

// quoteEscaper escapes a realm for use inside an HTTP quoted-string.
var quoteEscaper = strings.NewReplacer(`\`, `\\`, `"`, `\"`)

// Identify checks the request's basic-auth credentials. On success it returns
// Identity{UserID: user, GroupID: group}, where group comes from
// [BasicOptions.GroupOf]. On failure it sets a WWW-Authenticate challenge on
// w (when w is not nil) and returns an error wrapping [ErrUnauthenticated];
// the caller writes the 401 status. Errors never contain user names or
// passwords.
func (b *Basic) Identify(w http.ResponseWriter, r *http.Request) (Identity, error) {
	user, password, ok := r.BasicAuth()
	if !ok {
		b.refuse(w)
		return Identity{}, unauthenticated("basic: missing credentials")
	}
	if !b.valid(user, password) {
		b.refuse(w)
		return Identity{}, unauthenticated("basic: invalid credentials")
	}
	return Identity{UserID: user, GroupID: b.group(user)}, nil
}

// valid reports whether user and password match a known user. It compares
// both digests on every path, so its duration does not depend on whether the
// user exists or which part is wrong.
func (b *Basic) valid(user, password string) bool {
	want, found := b.users[user] // the zero credential serves as the dummy
	gotUser := sha256.Sum256([]byte(user))
	gotPassword := sha256.Sum256([]byte(password))
	userOK := subtle.ConstantTimeCompare(gotUser[:], want.user[:])
	passwordOK := subtle.ConstantTimeCompare(gotPassword[:], want.password[:])
	return userOK&passwordOK == 1 && found
}

// group returns the session group of an authenticated user.
func (b *Basic) group(user string) string {
	if b.groupOf == nil {
		return user
	}
	if g := b.groupOf(user); g != "" {
		return g
	}
	return user
}

// refuse asks the client for credentials.
func (b *Basic) refuse(w http.ResponseWriter) {
	if w != nil {
		w.Header().Set("WWW-Authenticate", b.challenge)
	}
}
