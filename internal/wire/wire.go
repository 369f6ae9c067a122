package wire

import (
	"encoding/json"
	"errors"
	"fmt"
	"regexp"
	"strconv"
	"strings"
	"unicode/utf8"
)

// Client message types.
const (
	TypeJoin   = "join"
	TypeAction = "action"
	TypeSync   = "sync"
	TypePoll   = "poll"
	// TypeNavigate moves a live connection to another page of the app,
	// named by the token a navigation GET answered with.
	TypeNavigate = "navigate"
	// TypePing asks the server to answer at once with a pong (with the
	// ping's ref): the client checks that its connection is alive.
	TypePing = "ping"
	// TypeUpload declares the files of one field of a form, before they
	// are sent (docs/uploads.md); TypeChunk carries one chunk of a file;
	// TypeResume asks where a file continues after a reconnect; TypeCancel
	// drops one file.
	TypeUpload = "upload"
	TypeChunk  = "chunk"
	TypeResume = "resume"
	TypeCancel = "cancel"
)

// NavigateHeader is the request header of a navigation GET: the token of
// the page the client leaves (empty when none). A live page answers such a
// GET with a page message instead of HTML.
const NavigateHeader = "Lvt-Navigate"

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
	CodeTooMany       = "too_many_connections"
	CodeUnavailable   = "unavailable"
	CodeShuttingDown  = "shutting_down"
	CodeUnknownPage   = "unknown_page"
	CodeForbidden     = "forbidden"
	// CodeMethodNotAllowed and CodeUnsupportedMediaType refuse HTTP
	// requests that are not JSON POSTs (GET and HEAD load the page).
	CodeMethodNotAllowed     = "method_not_allowed"
	CodeUnsupportedMediaType = "unsupported_media_type"
)

// WebSocket close codes the server uses besides RFC 6455's own (1000 normal,
// 1001 going away, 1008 policy violation, 1011 internal error, 1012 service
// restart, 1013 try again later). docs/protocol.md §3.5 says what a client does for each.
const (
	// CloseUnauthorized: the identity is missing, invalid or expired; the
	// client stops until the page is loaded again.
	CloseUnauthorized = 4001
	// CloseForbidden: this client may not open the page; do not retry.
	CloseForbidden = 4003
	// CloseJoinTimeout: no join arrived in time; the client may reconnect.
	CloseJoinTimeout = 4008
	// CloseTooMany: too many connections for the session group or the
	// client's address; the client backs off and retries.
	CloseTooMany = 4029
)

// MaxRef is the largest action ref accepted: refs are small positive
// integers that a JavaScript number holds exactly.
const MaxRef = 1<<53 - 1

// MaxEcho is the most bytes of client input (an action name) that an error
// message repeats.
const MaxEcho = 64

// Message is one client message.
type Message struct {
	T      string                     `json:"t"`
	Ref    int64                      `json:"-"` // RawRef, checked by Decode
	RawRef json.RawMessage            `json:"ref,omitempty"`
	Name   string                     `json:"name,omitempty"`
	Data   map[string]json.RawMessage `json:"data,omitempty"`
	Token  string                     `json:"token,omitempty"`
	Seq    uint64                     `json:"seq,omitempty"`
	// Uploads names the upload batches an action claims.
	Uploads []string `json:"uploads,omitempty"`
	// Field, Files and Auto are an upload's: the form field, its files,
	// and whether they were just chosen (not submitted).
	Field string     `json:"field,omitempty"`
	Files []FileDecl `json:"files,omitempty"`
	Auto  bool       `json:"auto,omitempty"`
	// ID names a file of an upload (chunk, resume, cancel); N is a chunk's
	// index from 0 and B its bytes (base64 in JSON).
	ID string `json:"id,omitempty"`
	N  uint64 `json:"n,omitempty"`
	B  []byte `json:"b,omitempty"`
}

// FileDecl is a file as an upload message declares it.
type FileDecl struct {
	Name string `json:"name"`
	Size int64  `json:"size"`
}

// ErrMalformed is wrapped by Decode's errors.
var ErrMalformed = errors.New("wire: malformed message")

// Decode parses one client message and checks its type and fields.
func Decode(b []byte) (Message, error) {
	var m Message
	// Unmarshal refuses trailing data itself ("invalid character after
	// top-level value"), and costs less than a Decoder per message.
	if err := json.Unmarshal(b, &m); err != nil {
		return m, fmt.Errorf("%w: %w", ErrMalformed, err)
	}
	if len(m.RawRef) > 0 {
		ref, ok := parseRef(string(m.RawRef))
		if !ok {
			return m, fmt.Errorf("%w: ref must be an integer from 1 to 2^53-1", ErrMalformed)
		}
		m.Ref = ref
	}
	switch m.T {
	case TypeJoin, TypeSync, TypePoll, TypePing:
	case TypeNavigate:
		if m.Token == "" {
			return m, fmt.Errorf("%w: navigate without a token", ErrMalformed)
		}
	case TypeAction:
		if m.Name == "" {
			return m, fmt.Errorf("%w: action without a name", ErrMalformed)
		}
	case TypeUpload:
		if m.Name == "" || m.Field == "" || m.Ref == 0 {
			return m, fmt.Errorf("%w: upload without an action, a field or a ref", ErrMalformed)
		}
	case TypeChunk, TypeResume, TypeCancel:
		if m.ID == "" {
			return m, fmt.Errorf("%w: %s without an id", ErrMalformed, m.T)
		}
	default:
		return m, fmt.Errorf("%w: unknown type %q", ErrMalformed, m.T)
	}
	return m, nil
}

// parseRef accepts a plain decimal integer from 1 to MaxRef: no sign,
// fraction, exponent or leading zero.
func parseRef(s string) (int64, bool) {
	if len(s) == 0 || len(s) > 16 || s[0] == '0' {
		return 0, false
	}
	for i := 0; i < len(s); i++ {
		if s[i] < '0' || s[i] > '9' {
			return 0, false
		}
	}
	n, err := strconv.ParseInt(s, 10, 64)
	if err != nil || n > MaxRef {
		return 0, false
	}
	return n, true
}

// refPattern finds a ref that is a whole JSON number: digits not followed by
// another digit, a fraction or an exponent.
var refPattern = regexp.MustCompile(`"ref"\s*:\s*([1-9]\d{0,15})(?:[^\d.eE]|$)`)

// FindRef extracts an action's ref from the start of a message that could not
// be decoded (too large, or cut short), so that it can still be answered.
// It returns 0 when there is none or when it is not a valid ref.
func FindRef(prefix []byte) int64 {
	m := refPattern.FindSubmatch(prefix)
	if m == nil {
		return 0
	}
	n, ok := parseRef(string(m[1]))
	if !ok {
		return 0
	}
	return n
}

// Echo returns s cut to at most MaxEcho bytes on a rune boundary, with "…"
// appended when it was cut: for repeating client input in an error message.
func Echo(s string) string {
	if len(s) <= MaxEcho {
		return s
	}
	s = s[:MaxEcho]
	for len(s) > 0 && !utf8.ValidString(s) {
		s = s[:len(s)-1]
	}
	return s + "…"
}

// AppendTree appends {"t":"tree","seq":seq,"tree":tree}, with "token"
// when token is not empty (a page the server has just made for the client,
// which sends that token from now on) and "ref" when ref is not 0 (the
// navigate message the tree answers).
func AppendTree(b []byte, seq uint64, tree []byte, token string, ref int64) []byte {
	b = append(b, `{"t":"tree","seq":`...)
	b = strconv.AppendUint(b, seq, 10)
	if token != "" {
		b = append(b, `,"token":`...)
		b = strconv.AppendQuote(b, token)
	}
	if ref != 0 {
		b = append(b, `,"ref":`...)
		b = strconv.AppendInt(b, ref, 10)
	}
	b = append(b, `,"tree":`...)
	b = append(b, tree...)
	return append(b, '}')
}

// AppendPage appends {"t":"page","token":token}: the answer to a
// navigation GET.
func AppendPage(b []byte, token string) []byte {
	b = append(b, `{"t":"page","token":`...)
	b = strconv.AppendQuote(b, token)
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

// AppendReply appends a successful reply carrying the action's patch, and
// "redirect" when redirect is not empty (the action asked the client to
// go there).
func AppendReply(b []byte, ref int64, seq uint64, patch []byte, redirect string) []byte {
	b = append(b, `{"t":"reply","ref":`...)
	b = strconv.AppendInt(b, ref, 10)
	b = append(b, `,"seq":`...)
	b = strconv.AppendUint(b, seq, 10)
	b = append(b, `,"patch":`...)
	b = append(b, patch...)
	if redirect != "" {
		b = append(b, `,"redirect":`...)
		rb, _ := json.Marshal(redirect) // a string always encodes
		b = append(b, rb...)
	}
	return append(b, '}')
}

// AppendPong appends {"t":"pong","ref":ref}, the answer to a ping (without
// "ref" when ref is 0).
func AppendPong(b []byte, ref int64) []byte {
	b = append(b, `{"t":"pong"`...)
	if ref != 0 {
		b = append(b, `,"ref":`...)
		b = strconv.AppendInt(b, ref, 10)
	}
	return append(b, '}')
}

// WithEvents returns msg, a JSON object, with "events":[e0,e1,…] added
// at its end: each event is the JSON array ["name",payload] EncodeEvent
// made. The client handles the events after the rest of the message (its
// tree or patch), in order. msg is returned as is when events is empty.
func WithEvents(msg []byte, events [][]byte) []byte {
	if len(events) == 0 || len(msg) < 2 || msg[len(msg)-1] != '}' {
		return msg
	}
	b := append(msg[:len(msg)-1:len(msg)-1], `,"events":[`...)
	for i, e := range events {
		if i > 0 {
			b = append(b, ',')
		}
		b = append(b, e...)
	}
	return append(b, "]}"...)
}

// MaxEventName is the longest event name EncodeEvent accepts.
const MaxEventName = 64

// ErrEventName is wrapped by EncodeEvent for a name it refuses.
var ErrEventName = errors.New("wire: event name must be 1-64 letters, digits or -_.: and not a name the client uses itself")

// reservedEvents are the lvt:* events the client fires itself.
var reservedEvents = map[string]bool{
	"connected": true, "disconnected": true, "reconnected": true, "success": true,
	"error": true, "navigated": true, "loading": true,
}

// EncodeEvent returns the event ["name",payload] as it travels in a
// message's "events", payload encoded as JSON.
func EncodeEvent(name string, payload any) ([]byte, error) {
	if name == "" || len(name) > MaxEventName || reservedEvents[name] || strings.IndexFunc(name, func(r rune) bool {
		return !(r >= 'a' && r <= 'z' || r >= 'A' && r <= 'Z' || r >= '0' && r <= '9' || strings.ContainsRune("-_.:", r))
	}) >= 0 {
		return nil, fmt.Errorf("%w: %q", ErrEventName, Echo(name))
	}
	js, err := json.Marshal([]any{name, payload})
	if err != nil {
		return nil, fmt.Errorf("wire: event %q: %w", name, err)
	}
	return js, nil
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

// AppendUploadStarted appends the answer to upload message ref:
// {"t":"upload","ref":ref,"batch":batch,"files":[ids],"chunk":chunk}, or
// with later (the field's files go with the submit)
// {"t":"upload","ref":ref,"later":true}.
func AppendUploadStarted(b []byte, ref int64, batch string, files []string, chunk int, later bool) []byte {
	b = append(b, `{"t":"upload","ref":`...)
	b = strconv.AppendInt(b, ref, 10)
	if later {
		return append(b, `,"later":true}`...)
	}
	b = append(b, `,"batch":`...)
	b = strconv.AppendQuote(b, batch)
	b = append(b, `,"files":[`...)
	for i, id := range files {
		if i > 0 {
			b = append(b, ',')
		}
		b = strconv.AppendQuote(b, id)
	}
	b = append(b, `],"chunk":`...)
	b = strconv.AppendInt(b, int64(chunk), 10)
	return append(b, '}')
}

// AppendProgress appends {"t":"upload","id":id,"n":next} (with
// "done":true once the whole file is stored): the server holds next
// chunks of file id.
func AppendProgress(b []byte, id string, next uint64, done bool) []byte {
	b = append(b, `{"t":"upload","id":`...)
	b = strconv.AppendQuote(b, id)
	b = append(b, `,"n":`...)
	b = strconv.AppendUint(b, next, 10)
	if done {
		b = append(b, `,"done":true`...)
	}
	return append(b, '}')
}

// AppendUploadError appends a refused upload: {"t":"upload","ref":ref,
// "id":id,"error":{"code":code,"message":message},"fields":{field:message}}:
// ref for a refused upload message (0: none), id for a refused file
// ("": none), no fields when field is empty.
func AppendUploadError(b []byte, ref int64, id, field, code, message string) []byte {
	var fields map[string]string
	if field != "" {
		fields = map[string]string{field: message}
	}
	js, _ := json.Marshal(struct { // only strings: cannot fail
		T      string            `json:"t"`
		Ref    int64             `json:"ref,omitempty"`
		ID     string            `json:"id,omitempty"`
		Error  ReplyError        `json:"error"`
		Fields map[string]string `json:"fields,omitempty"`
	}{"upload", ref, id, ReplyError{Code: code, Message: message}, fields})
	return append(b, js...)
}
