package transport

import (
	"errors"
	"io"
	"mime"
	"net/http"

	"github.com/lvtgo/livetemplate/internal/wire"
)

// defaultMaxBody is the default HTTPOptions.MaxBody.
const defaultMaxBody = 64 << 10

// HTTPOptions tunes an [HTTP]. The zero value (or nil) gives the defaults
// documented on each field.
type HTTPOptions struct {
	// MaxBody is the longest request body accepted; a longer one is refused
	// with 413. Default 64 KiB.
	MaxBody int64
	// Origins lists the other origins allowed to post (see [ParseOrigins]);
	// same-origin requests are always accepted. Give WebSocketOptions the
	// same value: both apply it the same way. Default nil: same origin only.
	Origins *Origins
	// InsecureSkipOriginCheck accepts cross-site requests, which lets any
	// web page post actions with the visitor's cookies.
	InsecureSkipOriginCheck bool
}

// HTTP checks and reads messages sent as HTTP POST requests. It holds no
// per-request state and is safe for concurrent use.
type HTTP struct {
	maxBody int64
	cop     *http.CrossOriginProtection // nil with InsecureSkipOriginCheck
	origins *Origins
}

// NewHTTP returns an HTTP with opts applied; nil means all defaults (see
// [HTTPOptions]). Options are validated where they are built
// ([ParseOrigins]), so the error is always nil today; it is kept for
// options that may need checking.
func NewHTTP(opts *HTTPOptions) (*HTTP, error) {
	var o HTTPOptions
	if opts != nil {
		o = *opts
	}
	h := &HTTP{maxBody: o.MaxBody, origins: o.Origins}
	if h.maxBody <= 0 {
		h.maxBody = defaultMaxBody
	}
	if !o.InsecureSkipOriginCheck {
		h.cop = http.NewCrossOriginProtection()
	}
	return h, nil
}

// Refusals of ReadMessage; their messages are safe for users.
var (
	errMethod    = &Error{Status: http.StatusMethodNotAllowed, Code: CodeMethodNotAllowed, Message: "use POST"}
	errMediaType = &Error{Status: http.StatusUnsupportedMediaType, Code: CodeUnsupportedMediaType, Message: "Content-Type must be application/json"}
	errForbidden = &Error{Status: http.StatusForbidden, Code: CodeForbidden, Message: "cross-origin request refused"}
	errTooLarge  = &Error{Status: http.StatusRequestEntityTooLarge, Code: CodeTooLarge, Message: "message too large"}
	errEmpty     = &Error{Status: http.StatusBadRequest, Code: CodeBadRequest, Message: "empty message"}
	errBody      = &Error{Status: http.StatusBadRequest, Code: CodeBadRequest, Message: "could not read the message"}
)

// tooLargePrefix is how much of a body announced as too large is read, to
// find its ref.
const tooLargePrefix = 512

// ReadMessage checks that r is a POST (else 405), same-origin (checked with
// http.CrossOriginProtection: Sec-Fetch-Site, or Origin against Host) or
// from an origin that Origins allows (else 403; the same decision as
// [Origins.Allowed]), of Content-Type application/json (text/plain and the other
// types a form can send without CORS are refused with 415), with a
// non-empty body of at most MaxBody bytes (else 413, or 400 if empty or
// unreadable), and returns the body. Every refusal is an [*Error], ready for
// [WriteError]; with a 413 it also returns the start of the body (up to
// MaxBody bytes, and up to 512 when Content-Length alone gave it away), so
// that the caller can still find the message's ref. It does not parse the
// JSON. Safe for concurrent use.
func (h *HTTP) ReadMessage(r *http.Request) ([]byte, error) {
	if r.Method != http.MethodPost {
		return nil, errMethod
	}
	if h.cop != nil && h.cop.Check(r) != nil && !h.origins.match(r.Header.Get("Origin")) {
		return nil, errForbidden
	}
	mt, _, err := mime.ParseMediaType(r.Header.Get("Content-Type"))
	if err != nil || mt != "application/json" {
		return nil, errMediaType
	}
	if r.ContentLength > h.maxBody {
		prefix, _ := io.ReadAll(io.LimitReader(r.Body, min(h.maxBody, tooLargePrefix)))
		return prefix, errTooLarge
	}
	body, err := io.ReadAll(io.LimitReader(r.Body, h.maxBody+1))
	switch {
	case err != nil:
		return nil, errBody
	case int64(len(body)) > h.maxBody:
		return body[:h.maxBody], errTooLarge
	case len(body) == 0:
		return nil, errEmpty
	}
	return body, nil
}

// WriteMessage writes msg, one JSON server message, as the response with
// status, Content-Type application/json and Cache-Control no-store. A 204
// or 304 status writes no body.
func WriteMessage(w http.ResponseWriter, status int, msg []byte) {
	h := w.Header()
	h.Set("Content-Type", "application/json")
	h.Set("Cache-Control", "no-store")
	h.Set("X-Content-Type-Options", "nosniff")
	w.WriteHeader(status)
	if status == http.StatusNoContent || status == http.StatusNotModified {
		return
	}
	_, _ = w.Write(msg) // a failed write means the client has gone
}

// WriteError answers a refused request with its status and the reply
// {"t":"reply","ref":ref,"error":{"code":…,"message":…}} (ref omitted when
// 0), so the client always gets a body it can parse. err should be an
// [*Error] (directly or wrapped); any other error is answered as 500
// "internal" without its text, which the caller should log. A 405 also
// sets Allow: POST; an *Error whose Status is not 4xx or 5xx is sent as 500.
func WriteError(w http.ResponseWriter, ref int64, err error) {
	var e *Error
	if !errors.As(err, &e) {
		e = errInternal
	}
	if e.Status == http.StatusMethodNotAllowed {
		w.Header().Set("Allow", http.MethodPost)
	}
	msg := wire.AppendError(nil, ref, e.Code, e.Message, nil)
	status := e.Status
	if status < 400 || status > 599 {
		status = http.StatusInternalServerError
	}
	WriteMessage(w, status, msg)
}
