package fault

import (
	"net/http"
	"time"

	"github.com/lvtgo/livetemplate/internal/wire"
)

// Kind is what went wrong, from the client's point of view.
type Kind uint8

// Kinds of failure. The comment of each gives its code, its HTTP status and
// its WebSocket close code (none: the connection stays open).
const (
	// Internal: a server error; details are logged, never sent.
	// "internal", 500, 1011.
	Internal Kind = iota
	// Malformed: the message is not one (not JSON, an unknown type, a bad
	// ref). "bad_request", 400, none.
	Malformed
	// Protocol: a well-formed message out of order (an action before the
	// join, a second join, a poll on a WebSocket). "bad_request", 400, none.
	Protocol
	// TooLarge: the message is over the size limit. "too_large", 413, none
	// (a message over the hard limit closes with 1009, in the transport).
	TooLarge
	// UnknownAction: no store handles the action. "unknown_action", 200.
	UnknownAction
	// Invalid: form fields failed validation (Fields). "invalid", 200.
	Invalid
	// Failed: the action refused with a message for the user. "failed", 200.
	Failed
	// Unavailable: the session store is failing; try again shortly.
	// "unavailable", 503 with Retry-After, 1013. An action answered this
	// way over HTTP gets 200: the message was delivered.
	Unavailable
	// NotLive: the page the message names is not live here (its
	// connection ended, or the server restarted). "bad_request", 200.
	NotLive
	// UnknownPage: a navigation named a page this app does not know: the
	// client loads the URL in full. "unknown_page", 200.
	UnknownPage
	// RateLimited: too many actions (or pages opened); RetryAfter says when
	// to try again. "rate_limited", 429 with Retry-After, 4029.
	RateLimited
	// TooMany: too many connections for the group or the address.
	// "too_many_connections", 429 with Retry-After, 4029.
	TooMany
	// Refused: the page cannot be opened, with a message for the user (a
	// Mount that returned a user error). "failed", 400, 1008.
	Refused
	// ShuttingDown: the server is going away; try another instance.
	// "shutting_down", 503 with Retry-After, 1012 (service restart).
	ShuttingDown
	// Unauthorized: no valid identity. "unauthorized", 401, 4001.
	Unauthorized
	// Forbidden: this client may not do that (a cross-site request).
	// "forbidden", 403, 4003.
	Forbidden
	// MethodNotAllowed: the page's URL takes GET, HEAD and POST.
	// "method_not_allowed", 405, none.
	MethodNotAllowed
	// UnsupportedMedia: a POST that is not application/json.
	// "unsupported_media_type", 415, none.
	UnsupportedMedia
	numKinds
)

// entry is one row of the table.
type entry struct {
	code    string
	status  int           // HTTP status of a refused request
	action  int           // HTTP status when the failure answers an action; 0: status
	close   int           // WebSocket close code of a refused connection; 0: none
	retry   time.Duration // Retry-After of a refused request; 0: none
	message string        // default message for users
}

// table is the one place each failure's code, status, close code and words
// are decided.
var table = [numKinds]entry{
	Internal:         {code: wire.CodeInternal, status: 500, action: 200, close: 1011, message: "Something went wrong. Please try again."},
	Malformed:        {code: wire.CodeBadRequest, status: 400, message: "Malformed message."},
	Protocol:         {code: wire.CodeBadRequest, status: 400, message: "Unexpected message."},
	TooLarge:         {code: wire.CodeTooLarge, status: http.StatusRequestEntityTooLarge, message: "Message too large."},
	UnknownAction:    {code: wire.CodeUnknownAction, status: 200, message: "Unknown action."},
	Invalid:          {code: wire.CodeInvalid, status: 200, message: "Please correct the highlighted fields."},
	Failed:           {code: wire.CodeFailed, status: 200, message: "The action failed."},
	Unavailable:      {code: wire.CodeUnavailable, status: 503, action: 200, close: 1013, retry: 5 * time.Second, message: "Changes cannot be saved right now. Please try again shortly."},
	NotLive:          {code: wire.CodeBadRequest, status: 200, message: "The page is not connected; try again."},
	UnknownPage:      {code: wire.CodeUnknownPage, status: 200, message: "Unknown page."},
	RateLimited:      {code: wire.CodeRateLimited, status: http.StatusTooManyRequests, close: wire.CloseTooMany, retry: time.Second, message: "Too many actions; slow down."},
	TooMany:          {code: wire.CodeTooMany, status: http.StatusTooManyRequests, close: wire.CloseTooMany, retry: 10 * time.Second, message: "Too many connections."},
	Refused:          {code: wire.CodeFailed, status: 400, close: 1008, message: "The page cannot be opened."},
	ShuttingDown:     {code: wire.CodeShuttingDown, status: 503, close: 1012, retry: 5 * time.Second, message: "The server is shutting down."},
	Unauthorized:     {code: wire.CodeUnauthorized, status: 401, close: wire.CloseUnauthorized, message: "Unauthorized."},
	Forbidden:        {code: wire.CodeForbidden, status: 403, close: wire.CloseForbidden, message: "Forbidden."},
	MethodNotAllowed: {code: wire.CodeMethodNotAllowed, status: 405, message: "Method not allowed: use GET, HEAD or POST."},
	UnsupportedMedia: {code: wire.CodeUnsupportedMediaType, status: 415, message: "Send application/json."},
}

// Code returns the code error replies of kind k carry.
func (k Kind) Code() string { return table[k.valid()].code }

// Status returns the HTTP status a request refused with kind k gets.
func (k Kind) Status() int { return table[k.valid()].status }

// ActionStatus returns the HTTP status of the reply to an action that
// failed with kind k: 200 for the action's own outcomes (the message was
// delivered and answered), else Status.
func (k Kind) ActionStatus() int {
	if e := table[k.valid()]; e.action != 0 {
		return e.action
	}
	return k.Status()
}

// CloseCode returns the WebSocket close code a connection refused with kind
// k gets, or 0 when the kind does not close a connection.
func (k Kind) CloseCode() int { return table[k.valid()].close }

// Message returns the default message of kind k, safe to show a user.
func (k Kind) Message() string { return table[k.valid()].message }

// RetryAfter returns the default Retry-After of a request refused with k,
// or 0 when it gets none.
func (k Kind) RetryAfter() time.Duration { return table[k.valid()].retry }

func (k Kind) valid() Kind {
	if k >= numKinds {
		return Internal
	}
	return k
}
