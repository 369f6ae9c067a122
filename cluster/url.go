package cluster

import (
	"errors"
	"fmt"
	"net/url"
	"strings"

	"github.com/redis/go-redis/v9"
)

// errMalformed is the error of a URL that does not parse. It never quotes
// the URL, which may hold a password: url.Parse's errors quote it whole,
// and an invalid %-escape in a password would print it.
var errMalformed = errors.New("cluster: the Redis URL is malformed (check its %-escapes, host and port; it is not quoted here, as it may hold a password)")

// parseURL parses a Redis URL as redis.ParseURL does, with errors that
// never quote its password.
func parseURL(raw string) (*redis.Options, error) {
	u, err := url.Parse(raw)
	if err != nil {
		return nil, errMalformed
	}
	o, err := redis.ParseURL(raw)
	if err != nil {
		return nil, errors.New(redact(fmt.Sprintf("cluster: Redis URL %s: %v", u.Redacted(), err), u))
	}
	return o, nil
}

// redact replaces u's password in msg, as it is and as it was written in
// the URL, with "xxxxx": wherever go-redis quotes it (a password misplaced
// in the query, say).
func redact(msg string, u *url.URL) string {
	pw, ok := u.User.Password()
	if !ok || pw == "" {
		return msg
	}
	written := u.User.String()
	if _, p, ok := strings.Cut(written, ":"); ok && p != "" {
		msg = strings.ReplaceAll(msg, p, "xxxxx")
	}
	return strings.ReplaceAll(msg, pw, "xxxxx")
}
