package main

import (
	"bytes"
	"strconv"
)

// msg is what a tab needs from one server message (docs/protocol.md §3.3).
type msg struct {
	typ      string // "tree", "patch", "reply", "reload", or "" if unknown
	seq      uint64
	hasSeq   bool
	ref      int64
	count    int64 // the counter page's one dynamic, "0"
	hasCount bool
	errCode  string // a failed reply's error code
}

var (
	keyT     = []byte(`"t":"`)
	keySeq   = []byte(`"seq":`)
	keyRef   = []byte(`"ref":`)
	keyCount = []byte(`"0":"`)
	keyCode  = []byte(`"code":"`)
	keyError = []byte(`"error":`)
)

// parseMsg reads a server message by looking up its keys instead of decoding
// it, so that the load generator spends little of the CPU it shares with the
// server. It relies only on JSON, not on key order: inside a JSON string a
// quote is always escaped, so `"seq":` can only be a key. It is exact for the
// counter page, whose tree and patches have no nested node (the only "0" is
// the count); msg_test.go checks it against encoding/json.
func parseMsg(b []byte) msg {
	var m msg
	if v, ok := stringAt(b, keyT); ok {
		switch string(v) { // no allocation: the compiler compares in place
		case "tree":
			m.typ = "tree"
		case "patch":
			m.typ = "patch"
		case "reply":
			m.typ = "reply"
		case "reload":
			m.typ = "reload"
		}
	}
	if n, ok := intAt(b, keySeq); ok && n >= 0 {
		m.seq, m.hasSeq = uint64(n), true
	}
	if n, ok := intAt(b, keyRef); ok {
		m.ref = n
	}
	if v, ok := stringAt(b, keyCount); ok {
		if n, err := strconv.ParseInt(string(v), 10, 64); err == nil {
			m.count, m.hasCount = n, true
		}
	}
	if i := bytes.Index(b, keyError); i >= 0 {
		m.errCode = "unknown"
		if v, ok := stringAt(b[i:], keyCode); ok {
			m.errCode = string(v)
		}
	}
	return m
}

// stringAt returns the string value after key (which ends with the opening
// quote), up to the closing quote; values with escapes are not needed here.
func stringAt(b, key []byte) ([]byte, bool) {
	i := bytes.Index(b, key)
	if i < 0 {
		return nil, false
	}
	rest := b[i+len(key):]
	j := bytes.IndexByte(rest, '"')
	if j < 0 {
		return nil, false
	}
	return rest[:j], true
}

// intAt returns the integer value after key.
func intAt(b, key []byte) (int64, bool) {
	i := bytes.Index(b, key)
	if i < 0 {
		return 0, false
	}
	rest := b[i+len(key):]
	j := 0
	for j < len(rest) && (rest[j] == '-' || rest[j] >= '0' && rest[j] <= '9') {
		j++
	}
	n, err := strconv.ParseInt(string(rest[:j]), 10, 64)
	return n, err == nil
}
