package auth

import (
	"net/url"
	"strings"
)

// NextParam is the query parameter that carries the page a visitor asked
// for to the sign-in page, so that signing in can lead back there:
// [SignIn] sets it, and a login handler reads it with [SafeNext].
const NextParam = "next"

// LocalPath parses ref, a URL reference such as a "next" parameter or a
// redirect target, and returns it, re-encoded, when it can only name a page
// of the site that serves it; ok is false otherwise.
//
// It accepts a path-absolute reference ("/orders/7?tab=items#top"): no
// scheme, no host, no user info, and a path that starts with exactly one
// "/" both as written and once percent-decoded, without "." or ".."
// segments. Control characters (tab, CR and LF among them) and backslashes
// are refused anywhere in ref, and in the decoded path too, since browsers
// drop the first and read the second as "/": "/\t/evil.example",
// "/%09/evil.example", "/\\evil.example", "/%5Cevil.example",
// "//evil.example", "/%2F%2Fevil.example", "javascript:…" and relative
// paths are all refused. The query and fragment of an accepted path are
// kept; non-ASCII bytes and spaces come back percent-encoded, so the
// result is safe to send as a Location header as it is.
func LocalPath(ref string) (path string, ok bool) {
	if !strings.HasPrefix(ref, "/") || strings.HasPrefix(ref, "//") || strings.ContainsFunc(ref, unsafeInURL) {
		return "", false
	}
	u, err := url.Parse(ref)
	if err != nil || u.Scheme != "" || u.Host != "" || u.User != nil || u.Opaque != "" {
		return "", false
	}
	p := u.Path
	if !strings.HasPrefix(p, "/") || strings.HasPrefix(p, "//") || strings.ContainsFunc(p, unsafeInURL) {
		return "", false
	}
	for seg := range strings.SplitSeq(p[1:], "/") {
		if seg == "." || seg == ".." {
			return "", false
		}
	}
	out := u.EscapedPath()
	if !strings.HasPrefix(out, "/") || strings.HasPrefix(out, "//") {
		return "", false
	}
	if u.RawQuery != "" || u.ForceQuery {
		out += "?" + escapeLoose(u.RawQuery)
	}
	if u.Fragment != "" {
		out += "#" + u.EscapedFragment()
	}
	return out, true
}

// SafeNext returns where to send a visitor after signing in: next, as
// [LocalPath] re-encodes it, when it is a path of this site, and "/" for
// anything else (empty, another host, a scheme, a trick). Pass it the
// [NextParam] query parameter of the sign-in request:
//
//	http.Redirect(w, r, auth.SafeNext(r.URL.Query().Get(auth.NextParam)), http.StatusSeeOther)
func SafeNext(next string) string {
	if p, ok := LocalPath(next); ok {
		return p
	}
	return "/"
}

// unsafeInURL reports the characters LocalPath refuses: ASCII control
// characters, which browsers strip or stop at, and backslashes, which they
// read as "/".
func unsafeInURL(r rune) bool {
	return r < 0x20 || r == 0x7f || r == '\\'
}

// escapeLoose percent-encodes the bytes of s that a URL must not hold raw
// but url.URL keeps raw in a query: spaces and non-ASCII bytes.
func escapeLoose(s string) string {
	const hex = "0123456789ABCDEF"
	var b strings.Builder
	for i := range len(s) {
		c := s[i]
		if c == ' ' || c >= 0x80 {
			b.WriteByte('%')
			b.WriteByte(hex[c>>4])
			b.WriteByte(hex[c&15])
			continue
		}
		b.WriteByte(c)
	}
	return b.String()
}
