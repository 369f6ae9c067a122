package wire

import (
	"bytes"
	"encoding/json"
	"errors"
	"fmt"
	"regexp"
	"strconv"
)

// Client message types.
const (
	TypeJoin   = "join"
	TypeAction = "action"
	TypeSync   = "sync"
	TypePoll   = "poll"
)

// Error codes sent in replies.
const (
	CodeBadRequest    = "bad_request"
	CodeTooLarge      = "too_large"
	CodeUnknownAction = "unknown_action"
	CodeRateLimited   = "rate_limited"
	CodeInvalid       = "invalid"
	CodeInternal      = "internal"
	CodeUnauthorized  = "unauthorized"
	CodeFailed        = "failed"
)

// Message is one client message.
type Message struct {
	T     string                     `json:"t"`
	Ref   int64                      `json:"ref,omitempty"`
	Name  string                     `json:"name,omitempty"`
	Data  map[string]json.RawMessage `json:"data,omitempty"`
	Token string                     `json:"token,omitempty"`
	Seq   uint64                     `json:"seq,omitempty"`
}

// ErrMalformed is wrapped by Decode's errors.
var ErrMalformed = errors.New("wire: malformed message")

// Decode parses one client message and checks its type and fields.
func Decode(b []byte) (Message, error) {
	var m Message
	dec := json.NewDecoder(bytes.NewReader(b))
	if err := dec.Decode(&m); err != nil {
		return m, fmt.Errorf("%w: %w", ErrMalformed, err)
	}
	if dec.More() {
		return m, fmt.Errorf("%w: trailing data", ErrMalformed)
	}
	switch m.T {
	case TypeJoin, TypeSync, TypePoll:
	case TypeAction:
		if m.Name == "" {
			return m, fmt.Errorf("%w: action without a name", ErrMalformed)
		}
	default:
		return m, fmt.Errorf("%w: unknown type %q", ErrMalformed, m.T)
	}
	return m, nil
}

var refPattern = regexp.MustCompile(`"ref"\s*:\s*(\d{1,15})`)

// FindRef extracts an action's ref from the start of a message that could not
// be decoded (too large, or cut short), so that it can still be answered.
// It returns 0 when there is none.
func FindRef(prefix []byte) int64 {
	m := refPattern.FindSubmatch(prefix)
	if m == nil {
		return 0
	}
	n, _ := strconv.ParseInt(string(m[1]), 10, 64)
	return n
}

// AppendTree appends {"t":"tree","seq":seq,"tree":tree}.
func AppendTree(b []byte, seq uint64, tree []byte) []byte {
	b = append(b, `{"t":"tree","seq":`...)
	b = strconv.AppendUint(b, seq, 10)
	b = append(b, `,"tree":`...)
	b = append(b, tree...)
	return append(b, '}')
}

// AppendPatch appends {"t":"patch","seq":seq,"patch":patch}.
func AppendPatch(b []byte, seq uint64, patch []byte) []byte {
	b = append(b, `{"t":"patch","seq":`...)
	b = strconv.AppendUint(b, seq, 10)
	b = append(b, `,"patch":`...)
	b = append(b, patch...)
	return append(b, '}')
}

// AppendReply appends a successful reply carrying the action's patch.
func AppendReply(b []byte, ref int64, seq uint64, patch []byte) []byte {
	b = append(b, `{"t":"reply","ref":`...)
	b = strconv.AppendInt(b, ref, 10)
	b = append(b, `,"seq":`...)
	b = strconv.AppendUint(b, seq, 10)
	b = append(b, `,"patch":`...)
	b = append(b, patch...)
	return append(b, '}')
}

// ReplyError is the error part of a failed reply.
type ReplyError struct {
	Code    string `json:"code"`
	Message string `json:"message"`
}

type errorReply struct {
	T      string            `json:"t"`
	Ref    int64             `json:"ref,omitempty"`
	Error  ReplyError        `json:"error"`
	Fields map[string]string `json:"fields,omitempty"`
}

// AppendError appends a failed reply; fields maps form fields to messages.
func AppendError(b []byte, ref int64, code, message string, fields map[string]string) []byte {
	js, err := json.Marshal(errorReply{T: "reply", Ref: ref, Error: ReplyError{Code: code, Message: message}, Fields: fields})
	if err != nil { // cannot happen: only strings
		js = []byte(`{"t":"reply","error":{"code":"internal","message":"internal error"}}`)
	}
	return append(b, js...)
}

// AppendReload appends {"t":"reload","reason":reason}.
func AppendReload(b []byte, reason string) []byte {
	js, _ := json.Marshal(struct {
		T      string `json:"t"`
		Reason string `json:"reason"`
	}{"reload", reason})
	return append(b, js...)
}
