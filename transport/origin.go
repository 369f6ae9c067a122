package transport

import (
	"errors"
	"fmt"
	"net/http"
	"net/url"
	"path"
	"strings"
)

// Origins is a cross-origin policy shared by [WebSocket] and [HTTP], so that
// one list of patterns means the same for an upgrade and for a POST. Build
// it with [ParseOrigins]. A nil *Origins allows same-origin requests only.
// It is immutable and safe for concurrent use.
type Origins struct {
	patterns []originPattern
}

// originPattern is one validated pattern, lower-cased.
type originPattern struct {
	scheme string // "" matches any scheme
	host   string // a path.Match pattern for the Origin's host[:port]
}

// ParseOrigins validates patterns once and returns the policy that allows
// them. A pattern is a host, optionally with a port and a scheme:
// "example.com", "*.example.com", "example.com:8443", "https://example.com",
// "https://*.example.com". The host part is matched case-insensitively with
// path.Match against the Origin's host (with its port, if any, so
// "example.com" does not allow "example.com:8443"); with a scheme, the
// Origin's scheme must be the same. A pattern that allows every host ("*")
// is refused: use InsecureSkipOriginCheck to say so. The error reports every
// bad pattern (joined with errors.Join).
func ParseOrigins(patterns []string) (*Origins, error) {
	o := &Origins{patterns: make([]originPattern, 0, len(patterns))}
	var errs []error
	for _, p := range patterns {
		op, err := parseOriginPattern(p)
		if err != nil {
			errs = append(errs, fmt.Errorf("transport: origin pattern %q: %w", p, err))
			continue
		}
		o.patterns = append(o.patterns, op)
	}
	if len(errs) > 0 {
		return nil, errors.Join(errs...)
	}
	return o, nil
}

func parseOriginPattern(p string) (originPattern, error) {
	var op originPattern
	host := p
	if scheme, rest, ok := strings.Cut(p, "://"); ok {
		if !validScheme(scheme) {
			return op, errors.New("malformed scheme")
		}
		op.scheme, host = strings.ToLower(scheme), rest
	}
	switch {
	case host == "":
		return op, errors.New("no host")
	case strings.ContainsAny(host, "/?#@ \t\r\n"):
		return op, errors.New("not a host[:port] (no path, query, user or spaces)")
	case strings.Trim(host, "*") == "":
		return op, errors.New("allows every origin; use InsecureSkipOriginCheck instead")
	}
	op.host = strings.ToLower(host)
	if _, err := path.Match(op.host, ""); err != nil {
		return op, err
	}
	return op, nil
}

// validScheme reports whether s is an RFC 3986 scheme.
func validScheme(s string) bool {
	if s == "" {
		return false
	}
	for i, r := range s {
		switch {
		case r >= 'a' && r <= 'z', r >= 'A' && r <= 'Z':
		case i > 0 && (r >= '0' && r <= '9' || r == '+' || r == '-' || r == '.'):
		default:
			return false
		}
	}
	return true
}

// Allowed reports whether r may proceed. A same-origin request is always
// allowed, by the rules of http.CrossOriginProtection (applied to every
// method, although CrossOriginProtection itself lets GET, HEAD and OPTIONS
// through, and a WebSocket upgrade is a GET):
//
//   - Sec-Fetch-Site is "same-origin" or "none" (a browser says so), or
//   - there is no Sec-Fetch-Site header and either no Origin header (not
//     a browser, or a browser too old to send it) or an Origin whose host
//     equals r.Host.
//
// Any other request is allowed only if its Origin matches a pattern. A nil
// *Origins has no patterns.
//
// Browsers send Sec-Fetch-Site only to HTTPS and localhost URLs, and
// Chromium sends none on WebSocket handshakes (e2e/proxy checks it): for
// upgrades, Origin against Host decides, so a reverse proxy must pass on
// the Host header the browser sent, port included.
func (o *Origins) Allowed(r *http.Request) bool {
	return sameOrigin(r) || o.match(r.Header.Get("Origin"))
}

// sameOrigin applies http.CrossOriginProtection's rules (without trusted
// origins) to a request of any method.
func sameOrigin(r *http.Request) bool {
	switch r.Header.Get("Sec-Fetch-Site") {
	case "same-origin", "none":
		return true
	case "":
	default:
		return false
	}
	origin := r.Header.Get("Origin")
	if origin == "" {
		return true
	}
	u, err := url.Parse(origin)
	return err == nil && u.Host == r.Host
}

// match reports whether origin matches one of the patterns.
func (o *Origins) match(origin string) bool {
	if o == nil || origin == "" {
		return false
	}
	u, err := url.Parse(origin)
	if err != nil || u.Host == "" {
		return false // includes "null", sent by sandboxed and file pages
	}
	scheme, host := strings.ToLower(u.Scheme), strings.ToLower(u.Host)
	for _, p := range o.patterns {
		if p.scheme != "" && p.scheme != scheme {
			continue
		}
		if ok, _ := path.Match(p.host, host); ok { // validated in ParseOrigins
			return true
		}
	}
	return false
}
