package redisbus

const (
	// envelopeVersion is the version of the envelope this package writes
	// and reads.
	envelopeVersion = 1
	// originLen is the length of an origin id.
	originLen = 16
	// headerLen is the length of the envelope before the message: the
	// version byte and the origin id.
	headerLen = 1 + originLen
)

// seal returns msg in an envelope from origin: the version byte, the
// origin id, then msg.
func seal(origin [originLen]byte, msg []byte) []byte {
	env := make([]byte, headerLen+len(msg))
	env[0] = envelopeVersion
	copy(env[1:headerLen], origin[:])
	copy(env[headerLen:], msg)
	return env
}

// openResult says what [open] found in an envelope.
type openResult int

const (
	opened    openResult = iota // a message from another origin
	own                         // a message from the given origin
	newer                       // a newer envelope version
	malformed                   // too short, or version 0
)

// open returns the message in env and what it found; msg is a new slice,
// and nil unless the result is opened.
func open(origin [originLen]byte, env string) (msg []byte, res openResult) {
	switch {
	case len(env) < headerLen || env[0] == 0:
		return nil, malformed
	case env[0] > envelopeVersion:
		return nil, newer
	case env[1:headerLen] == string(origin[:]):
		return nil, own
	}
	return []byte(env[headerLen:]), opened
}
