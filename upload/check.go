package upload

import (
	"bytes"
	"fmt"
	"net/http"
	"strings"
	"unicode"
	"unicode/utf8"
)

// MaxNameBytes is the longest file name accepted.
const MaxNameBytes = 255

// CheckName returns nil when name is acceptable as a file's name: valid
// UTF-8 of 1 to MaxNameBytes bytes, without path separators ('/', '\\'),
// control characters or NUL, and neither "." nor "..". Otherwise it returns
// an error wrapping ErrName. A name that passes is still never used as a
// path: storage adapters make their own keys.
func CheckName(name string) error {
	switch {
	case name == "" || len(name) > MaxNameBytes:
		return fmt.Errorf("%w: empty or longer than %d bytes", ErrName, MaxNameBytes)
	case !utf8.ValidString(name):
		return fmt.Errorf("%w: not UTF-8", ErrName)
	case name == "." || name == "..":
		return fmt.Errorf("%w: a directory", ErrName)
	case strings.ContainsAny(name, `/\`):
		return fmt.Errorf("%w: a path separator", ErrName)
	}
	for _, r := range name {
		if unicode.IsControl(r) || r == utf8.RuneError || r == '\u2028' || r == '\u2029' {
			return fmt.Errorf("%w: a control character", ErrName)
		}
	}
	return nil
}

// SniffLen is how many first bytes of a file Detect looks at.
const SniffLen = 512

// magic lists the types Detect recognises by their signatures, before
// falling back to net/http's sniffing.
var magic = []struct {
	typ    string
	prefix []byte
	at     int    // offset of a second signature, with second
	second []byte // checked at at
}{
	{"image/png", []byte("\x89PNG\r\n\x1a\n"), 0, nil},
	{"image/jpeg", []byte("\xff\xd8\xff"), 0, nil},
	{"image/gif", []byte("GIF87a"), 0, nil},
	{"image/gif", []byte("GIF89a"), 0, nil},
	{"image/webp", []byte("RIFF"), 8, []byte("WEBP")},
	{"application/pdf", []byte("%PDF-"), 0, nil},
	{"application/zip", []byte("PK\x03\x04"), 0, nil},
}

// Detect returns the media type of a file from its first bytes (up to
// SniffLen are used), without parameters: "image/png", "image/jpeg",
// "image/gif", "image/webp", "application/pdf" by their signatures, else
// what http.DetectContentType finds ("text/plain", or
// "application/octet-stream" for unknown content). A text file named
// photo.png is "text/plain".
func Detect(head []byte) string {
	head = head[:min(len(head), SniffLen)]
	for _, m := range magic {
		if bytes.HasPrefix(head, m.prefix) && (m.second == nil || len(head) >= m.at+len(m.second) && bytes.Equal(head[m.at:m.at+len(m.second)], m.second)) {
			return m.typ
		}
	}
	t, _, _ := strings.Cut(http.DetectContentType(head), ";")
	return strings.TrimSpace(t)
}
