package diff

import (
	"strconv"
	"unicode/utf8"
)

// Text patches (docs/protocol.md §2.1): a text dynamic whose new value
// starts with part of the old one may travel as [n, "suffix"], the first n
// UTF-16 code units of the old text followed by suffix. Counting UTF-16 code
// units of the text as the client decoded it from JSON lets a browser keep
// the prefix with a plain slice; an invalid byte, which the wire form turns
// into one U+FFFD, counts as one unit on both sides.

// appendText appends the patch value that turns the old text dynamic into
// text: [units, "suffix"] when that is strictly shorter than text as a JSON
// string, else the string.
func appendText(b []byte, old, text string) []byte {
	mark := len(b)
	b = appendString(b, text)
	k, units := commonPrefix(old, text)
	if k == 0 {
		return b
	}
	// Write the other form after the string and keep the shorter.
	whole := len(b) - mark
	alt := len(b)
	b = append(b, '[')
	b = strconv.AppendInt(b, int64(units), 10)
	b = append(b, ',')
	b = appendString(b, text[k:])
	b = append(b, ']')
	if len(b)-alt >= whole {
		return b[:alt]
	}
	return b[:mark+copy(b[mark:], b[alt:])]
}

// commonPrefix returns the length in bytes of the longest common prefix of
// a and b that ends where both a's and b's characters end, and its length in
// UTF-16 code units of the wire form. A character is what
// utf8.DecodeRuneInString reads: a valid encoding, or one invalid byte (sent
// as U+FFFD, one unit).
func commonPrefix(a, b string) (k, units int) {
	for k < len(a) && k < len(b) {
		c := a[k]
		if c < utf8.RuneSelf {
			if c != b[k] {
				break
			}
			k++
			units++
			continue
		}
		r, size := utf8.DecodeRuneInString(a[k:])
		if _, bs := utf8.DecodeRuneInString(b[k:]); bs != size || a[k:k+size] != b[k:k+size] {
			break
		}
		k += size
		units += utf16Len(r)
	}
	return k, units
}

// keptPrefix returns the length in bytes of the first n UTF-16 code units of
// s (counted as commonPrefix counts them), and false when s has fewer units
// or the n-th unit is the first half of a surrogate pair.
func keptPrefix(s string, n int) (int, bool) {
	units := 0
	for k := 0; k < len(s); {
		if units == n {
			return k, true
		}
		c := s[k]
		if c < utf8.RuneSelf {
			k++
			units++
			continue
		}
		r, size := utf8.DecodeRuneInString(s[k:])
		k += size
		if units += utf16Len(r); units > n {
			return 0, false
		}
	}
	return len(s), units == n
}

// utf16Len returns the number of UTF-16 code units of r: 2 above the Basic
// Multilingual Plane, else 1 (utf8.RuneError, read for an invalid byte,
// included).
func utf16Len(r rune) int {
	if r >= 0x10000 {
		return 2
	}
	return 1
}
