// Package token makes and checks page tokens: the secret names of pages.
// A token is random, bound to the page's view and to who views it, and
// signed with the app's key, so that any instance that shares the key can
// check a token it did not make (a client whose request reaches another
// instance) and open that page there. Keys rotate: tokens are signed with
// the first key and checked with every key.
package token

import (
	"crypto/hmac"
	"crypto/rand"
	"crypto/sha256"
	"encoding/base64"
	"encoding/binary"
	"errors"
	"time"

	"github.com/lvtgo/livetemplate/auth"
)

// MaxAge is how long a token can be checked by an instance that did not
// make it: a page older than that opens afresh there.
const MaxAge = 24 * time.Hour

const (
	nonceSize = 12
	timeSize  = 4 // minutes since the Unix epoch
	macSize   = 16
	size      = nonceSize + timeSize + macSize
)

// Signer makes and checks tokens with its keys. It is safe for concurrent
// use.
type Signer struct {
	keys [][]byte
}

// ErrNoKey is returned by New without a key.
var ErrNoKey = errors.New("token: no key")

// New returns a Signer that signs with keys[0] and checks with every key.
// Each key should hold at least 32 bytes of secret randomness.
func New(keys ...[]byte) (*Signer, error) {
	if len(keys) == 0 || len(keys[0]) == 0 {
		return nil, ErrNoKey
	}
	s := &Signer{}
	for _, k := range keys {
		if len(k) > 0 {
			s.keys = append(s.keys, append([]byte(nil), k...))
		}
	}
	return s, nil
}

// Make returns a new token for a page of view viewed by id, at now.
func (s *Signer) Make(view string, id auth.Identity, now time.Time) string {
	var b [size]byte
	_, _ = rand.Read(b[:nonceSize]) // never fails (crypto/rand)
	binary.BigEndian.PutUint32(b[nonceSize:], uint32(now.Unix()/60))
	copy(b[nonceSize+timeSize:], mac(s.keys[0], b[:nonceSize+timeSize], view, id))
	return base64.RawURLEncoding.EncodeToString(b[:])
}

// Check reports whether token was made by a signer with one of s's keys
// for a page of view viewed by id, less than MaxAge before now.
func (s *Signer) Check(token, view string, id auth.Identity, now time.Time) bool {
	b, err := base64.RawURLEncoding.DecodeString(token)
	if err != nil || len(b) != size {
		return false
	}
	made := time.Unix(int64(binary.BigEndian.Uint32(b[nonceSize:]))*60, 0)
	if now.Sub(made) > MaxAge || made.Sub(now) > time.Minute {
		return false
	}
	for _, k := range s.keys {
		if hmac.Equal(b[nonceSize+timeSize:], mac(k, b[:nonceSize+timeSize], view, id)) {
			return true
		}
	}
	return false
}

// mac is the signature of head for view and id, under key.
func mac(key, head []byte, view string, id auth.Identity) []byte {
	h := hmac.New(sha256.New, key)
	h.Write([]byte("livetemplate page token\x00"))
	h.Write(head)
	for _, s := range []string{view, id.UserID, id.GroupID} {
		var n [4]byte
		binary.BigEndian.PutUint32(n[:], uint32(len(s)))
		h.Write(n[:])
		h.Write([]byte(s))
	}
	return h.Sum(nil)[:macSize]
}
