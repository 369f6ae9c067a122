package diff

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
