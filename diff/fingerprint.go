package diff

import "strconv"

// FNV-1a 64-bit parameters.
const (
	fnvOffset uint64 = 14695981039346656037
	fnvPrime  uint64 = 1099511628211
)

// hashString is FNV-1a 64 of s.
func hashString(s string) uint64 {
	h := fnvOffset
	for i := 0; i < len(s); i++ {
		h ^= uint64(s[i])
		h *= fnvPrime
	}
	return h
}

// mixHash folds the hash of one part into a running hash. A fingerprint of
// statics is mixHash applied to each static's hashString, starting from
// fnvOffset; the position of every part matters.
func mixHash(h, part uint64) uint64 {
	h ^= part * 0x9e3779b97f4a7c15
	h *= fnvPrime
	h ^= h >> 29
	return h
}

// fingerprint returns the fingerprint of a statics array.
func fingerprint(statics []string) uint64 {
	h := fnvOffset
	for _, s := range statics {
		h = mixHash(h, hashString(s))
	}
	return h
}

// fpString formats a fingerprint for the wire: 16 lower-case hex digits.
func fpString(fp uint64) string { return string(appendFPHex(nil, fp)) }

// appendFPHex appends fp as 16 lower-case hex digits.
func appendFPHex(b []byte, fp uint64) []byte {
	var tmp [16]byte
	h := strconv.AppendUint(tmp[:0], fp, 16)
	for i := len(h); i < 16; i++ {
		b = append(b, '0')
	}
	return append(b, h...)
}
