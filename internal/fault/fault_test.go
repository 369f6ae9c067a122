package fault_test

import (
	"context"
	"encoding/json"
	"errors"
	"fmt"
	"net/http/httptest"
	"testing"
	"time"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"

	"github.com/lvtgo/livetemplate/internal/fault"
	"github.com/lvtgo/livetemplate/transport"
)

// The table as docs/protocol.md §3.3 and §3.5 state it: each kind's code,
// the status of a refused request, the status of an action's reply over
// HTTP, the close code of a refused WebSocket (0: none) and the default
// Retry-After.
var kinds = []struct {
	name         string
	kind         fault.Kind
	code         string
	status       int
	actionStatus int
	close        int
	retry        time.Duration
}{
	{name: "internal", kind: fault.Internal, code: "internal", status: 500, actionStatus: 200, close: 1011},
	{name: "malformed", kind: fault.Malformed, code: "bad_request", status: 400, actionStatus: 400},
	{name: "protocol", kind: fault.Protocol, code: "bad_request", status: 400, actionStatus: 400},
	{name: "too large", kind: fault.TooLarge, code: "too_large", status: 413, actionStatus: 413},
	{name: "unknown action", kind: fault.UnknownAction, code: "unknown_action", status: 200, actionStatus: 200},
	{name: "invalid", kind: fault.Invalid, code: "invalid", status: 200, actionStatus: 200},
	{name: "failed", kind: fault.Failed, code: "failed", status: 200, actionStatus: 200},
	{name: "unavailable", kind: fault.Unavailable, code: "unavailable", status: 503, actionStatus: 200, close: 1013, retry: 5 * time.Second},
	{name: "not live", kind: fault.NotLive, code: "bad_request", status: 200, actionStatus: 200},
	{name: "unknown page", kind: fault.UnknownPage, code: "unknown_page", status: 200, actionStatus: 200},
	{name: "rate limited", kind: fault.RateLimited, code: "rate_limited", status: 429, actionStatus: 429, close: 4029, retry: time.Second},
	{name: "too many", kind: fault.TooMany, code: "too_many_connections", status: 429, actionStatus: 429, close: 4029, retry: 10 * time.Second},
	{name: "refused", kind: fault.Refused, code: "failed", status: 400, actionStatus: 400, close: 1008},
	{name: "shutting down", kind: fault.ShuttingDown, code: "shutting_down", status: 503, actionStatus: 503, close: 1012, retry: 5 * time.Second},
	{name: "unauthorized", kind: fault.Unauthorized, code: "unauthorized", status: 401, actionStatus: 401, close: 4001},
	{name: "forbidden", kind: fault.Forbidden, code: "forbidden", status: 403, actionStatus: 403, close: 4003},
	{name: "method not allowed", kind: fault.MethodNotAllowed, code: "method_not_allowed", status: 405, actionStatus: 405},
	{name: "unsupported media", kind: fault.UnsupportedMedia, code: "unsupported_media_type", status: 415, actionStatus: 415},
}

func TestEveryKindComesFromTheTable(t *testing.T) {
	t.Parallel()
	for _, tc := range kinds {
		t.Run(tc.name, func(t *testing.T) {
			t.Parallel()
			assert.Equal(t, tc.code, tc.kind.Code(), "code")
			assert.Equal(t, tc.status, tc.kind.Status(), "status")
			assert.Equal(t, tc.actionStatus, tc.kind.ActionStatus(), "action status")
			assert.Equal(t, tc.close, tc.kind.CloseCode(), "close code")
			assert.Equal(t, tc.retry, tc.kind.RetryAfter(), "retry after")
			assert.NotEmpty(t, tc.kind.Message(), "every kind has words for the user")
		})
	}
}

// A kind outside the table (a corrupted value) answers as Internal, never
// with an empty code or a zero status.
func TestUnknownKindIsInternal(t *testing.T) {
	t.Parallel()
	k := fault.Kind(200)
	assert.Equal(t, fault.Internal.Code(), k.Code())
	assert.Equal(t, fault.Internal.Status(), k.Status())
	assert.Equal(t, fault.Internal.CloseCode(), k.CloseCode())
	assert.Equal(t, fault.Internal.Message(), k.Message())
}

func TestErrorMessagesAndCause(t *testing.T) {
	t.Parallel()
	cause := errors.New("redis: connection refused")
	tests := []struct {
		name    string
		err     *fault.Error
		user    string
		text    string
		logged  bool
		unwraps error
	}{
		{
			name: "default message",
			err:  fault.New(fault.Failed, ""),
			user: fault.Failed.Message(),
			text: "failed: " + fault.Failed.Message(),
		},
		{
			name: "own message",
			err:  fault.New(fault.Failed, "Out of stock."),
			user: "Out of stock.",
			text: "failed: Out of stock.",
		},
		{
			name:    "wrapped cause is logged, never shown",
			err:     fault.Wrap(fault.Unavailable, cause),
			user:    fault.Unavailable.Message(),
			text:    "unavailable: " + fault.Unavailable.Message() + ": redis: connection refused",
			unwraps: cause,
		},
		{
			name:   "internal errors are logged",
			err:    fault.Wrap(fault.Internal, cause),
			user:   fault.Internal.Message(),
			text:   "internal: " + fault.Internal.Message() + ": redis: connection refused",
			logged: true, unwraps: cause,
		},
	}
	for _, tc := range tests {
		t.Run(tc.name, func(t *testing.T) {
			t.Parallel()
			assert.Equal(t, tc.user, tc.err.UserMessage())
			assert.Equal(t, tc.text, tc.err.Error())
			assert.Equal(t, tc.logged, tc.err.Logged())
			assert.NotContains(t, tc.err.UserMessage(), "redis", "the cause never reaches the user")
			if tc.unwraps != nil {
				assert.ErrorIs(t, tc.err, tc.unwraps)
			} else {
				assert.NoError(t, tc.err.Unwrap())
			}
		})
	}
}

func TestRetryPrefersTheErrorsOwnDelay(t *testing.T) {
	t.Parallel()
	assert.Equal(t, time.Second, fault.New(fault.RateLimited, "").Retry(), "the kind's default")
	e := &fault.Error{Kind: fault.RateLimited, RetryAfter: 3 * time.Second}
	assert.Equal(t, 3*time.Second, e.Retry(), "the error's own")
	assert.Zero(t, fault.New(fault.Failed, "").Retry(), "kinds without a delay")
}

func TestAs(t *testing.T) {
	t.Parallel()
	own := fault.New(fault.Invalid, "Check the form.")
	plain := errors.New("disk full")
	tooLarge := &transport.Error{Status: 413, Code: "too_large", Message: "message too large"}
	tests := []struct {
		name    string
		err     error
		kind    fault.Kind
		message string // the user message
		same    *fault.Error
		cause   error // the cause kept; err when nil
	}{
		{name: "an *Error", err: own, kind: fault.Invalid, message: "Check the form.", same: own},
		{name: "a wrapped *Error", err: fmt.Errorf("act: %w", own), kind: fault.Invalid, message: "Check the form.", same: own},
		{name: "transport 400", err: &transport.Error{Status: 400, Code: "bad_request", Message: "empty message"}, kind: fault.Malformed, message: "empty message"},
		{name: "transport 403", err: &transport.Error{Status: 403, Code: "forbidden", Message: "cross-origin request refused"}, kind: fault.Forbidden, message: "cross-origin request refused"},
		{name: "transport 405", err: &transport.Error{Status: 405, Code: "method_not_allowed", Message: "use POST"}, kind: fault.MethodNotAllowed, message: "use POST"},
		{name: "transport 413", err: fmt.Errorf("read: %w", tooLarge), kind: fault.TooLarge, message: "message too large", cause: tooLarge},
		{name: "transport 415", err: &transport.Error{Status: 415, Code: "unsupported_media_type", Message: "Content-Type must be application/json"}, kind: fault.UnsupportedMedia, message: "Content-Type must be application/json"},
		{name: "transport 500 keeps its words to itself", err: &transport.Error{Status: 500, Code: "internal", Message: "secret detail"}, kind: fault.Internal, message: fault.Internal.Message()},
		{name: "context canceled", err: context.Canceled, kind: fault.ShuttingDown, message: fault.ShuttingDown.Message()},
		{name: "wrapped context canceled", err: fmt.Errorf("load: %w", context.Canceled), kind: fault.ShuttingDown, message: fault.ShuttingDown.Message()},
		{name: "plain error", err: plain, kind: fault.Internal, message: fault.Internal.Message()},
	}
	for _, tc := range tests {
		t.Run(tc.name, func(t *testing.T) {
			t.Parallel()
			fe := fault.As(tc.err)
			require.NotNil(t, fe)
			assert.Equal(t, tc.kind, fe.Kind)
			assert.Equal(t, tc.message, fe.UserMessage())
			if tc.same != nil {
				assert.Same(t, tc.same, fe)
			} else {
				cause := tc.cause
				if cause == nil {
					cause = tc.err
				}
				assert.ErrorIs(t, fe, cause, "the error is kept as the cause, for the log")
			}
		})
	}
	assert.Nil(t, fault.As(nil))
}

// reply is the JSON error reply as a client parses it.
type reply struct {
	T     string            `json:"t"`
	Ref   *int64            `json:"ref"`
	Error wireError         `json:"error"`
	Field map[string]string `json:"fields"`
}

type wireError struct {
	Code    string `json:"code"`
	Message string `json:"message"`
}

func decodeReply(tb testing.TB, body []byte) reply {
	tb.Helper()
	var r reply
	require.NoError(tb, json.Unmarshal(body, &r), "body %s", body)
	return r
}

func TestWriteHTTP(t *testing.T) {
	t.Parallel()
	tests := []struct {
		name       string
		err        *fault.Error
		ref        int64
		status     int
		retryAfter string
		allow      string
		code       string
	}{
		{name: "malformed", err: fault.New(fault.Malformed, ""), ref: 4, status: 400, code: "bad_request"},
		{name: "unavailable waits 5s", err: fault.New(fault.Unavailable, ""), status: 503, retryAfter: "5", code: "unavailable"},
		{name: "rate limited rounds up", err: &fault.Error{Kind: fault.RateLimited, RetryAfter: 1500 * time.Millisecond}, ref: 9, status: 429, retryAfter: "2", code: "rate_limited"},
		{name: "rate limited at least 1s", err: &fault.Error{Kind: fault.RateLimited, RetryAfter: time.Millisecond}, status: 429, retryAfter: "1", code: "rate_limited"},
		{name: "too many", err: fault.New(fault.TooMany, ""), status: 429, retryAfter: "10", code: "too_many_connections"},
		{name: "method not allowed", err: fault.New(fault.MethodNotAllowed, ""), status: 405, allow: "GET, HEAD, POST", code: "method_not_allowed"},
		{name: "unauthorized", err: fault.New(fault.Unauthorized, ""), status: 401, code: "unauthorized"},
		{name: "internal", err: fault.Wrap(fault.Internal, errors.New("nil map")), status: 500, code: "internal"},
	}
	for _, tc := range tests {
		t.Run(tc.name, func(t *testing.T) {
			t.Parallel()
			w := httptest.NewRecorder()
			fault.WriteHTTP(w, tc.ref, tc.err)
			assert.Equal(t, tc.status, w.Code)
			assert.Equal(t, "application/json", w.Header().Get("Content-Type"))
			assert.Equal(t, tc.retryAfter, w.Header().Get("Retry-After"))
			assert.Equal(t, tc.allow, w.Header().Get("Allow"))
			r := decodeReply(t, w.Body.Bytes())
			assert.Equal(t, "reply", r.T)
			assert.Equal(t, tc.code, r.Error.Code)
			assert.Equal(t, tc.err.UserMessage(), r.Error.Message)
			assert.NotContains(t, w.Body.String(), "nil map", "a cause is never sent")
			if tc.ref == 0 {
				assert.Nil(t, r.Ref, "no ref: none in the reply")
			} else if assert.NotNil(t, r.Ref) {
				assert.Equal(t, tc.ref, *r.Ref)
			}
		})
	}
}

// An action's own outcomes are delivered answers (200, no Retry-After);
// refusals of the request keep their status.
func TestWriteAction(t *testing.T) {
	t.Parallel()
	tests := []struct {
		name       string
		err        *fault.Error
		status     int
		retryAfter string
	}{
		{name: "invalid", err: &fault.Error{Kind: fault.Invalid, Fields: map[string]string{"email": "must contain @"}}, status: 200},
		{name: "failed", err: fault.New(fault.Failed, "No."), status: 200},
		{name: "unavailable is delivered", err: fault.New(fault.Unavailable, ""), status: 200},
		{name: "internal is delivered", err: fault.Wrap(fault.Internal, errors.New("boom")), status: 200},
		{name: "rate limited is not", err: &fault.Error{Kind: fault.RateLimited, RetryAfter: 2 * time.Second}, status: 429, retryAfter: "2"},
		{name: "shutting down is not", err: fault.New(fault.ShuttingDown, ""), status: 503, retryAfter: "5"},
	}
	for _, tc := range tests {
		t.Run(tc.name, func(t *testing.T) {
			t.Parallel()
			w := httptest.NewRecorder()
			fault.WriteAction(w, 3, tc.err)
			assert.Equal(t, tc.status, w.Code)
			assert.Equal(t, tc.retryAfter, w.Header().Get("Retry-After"))
			r := decodeReply(t, w.Body.Bytes())
			require.NotNil(t, r.Ref)
			assert.EqualValues(t, 3, *r.Ref)
			assert.Equal(t, tc.err.Kind.Code(), r.Error.Code)
			assert.Equal(t, tc.err.Fields, r.Field)
		})
	}
}

func TestRetryAfter(t *testing.T) {
	t.Parallel()
	tests := []struct {
		name string
		d    time.Duration
		want string
	}{
		{name: "zero", d: 0, want: "1"},
		{name: "a millisecond", d: time.Millisecond, want: "1"},
		{name: "one second", d: time.Second, want: "1"},
		{name: "just over", d: time.Second + time.Nanosecond, want: "2"},
		{name: "ten", d: 10 * time.Second, want: "10"},
		{name: "negative", d: -time.Second, want: "1"},
	}
	for _, tc := range tests {
		t.Run(tc.name, func(t *testing.T) {
			t.Parallel()
			assert.Equal(t, tc.want, fault.RetryAfter(tc.d))
		})
	}
}

func TestCloseCode(t *testing.T) {
	t.Parallel()
	tests := []struct {
		name   string
		err    *fault.Error
		code   int
		reason string
	}{
		{name: "too many", err: fault.New(fault.TooMany, ""), code: 4029, reason: fault.TooMany.Message()},
		{name: "unauthorized", err: fault.New(fault.Unauthorized, ""), code: 4001, reason: fault.Unauthorized.Message()},
		{name: "refused with the user's words", err: fault.New(fault.Refused, "Sign in first."), code: 1008, reason: "Sign in first."},
		{name: "busy", err: fault.New(fault.Unavailable, "Server busy."), code: 1013, reason: "Server busy."},
		{name: "shutting down", err: fault.New(fault.ShuttingDown, ""), code: 1012, reason: fault.ShuttingDown.Message()},
		{name: "a kind that closes nothing falls back to 1011", err: fault.New(fault.Malformed, ""), code: transport.CloseInternal, reason: fault.Malformed.Message()},
		{name: "failed falls back to 1011", err: fault.New(fault.Failed, "Nope."), code: 1011, reason: "Nope."},
	}
	for _, tc := range tests {
		t.Run(tc.name, func(t *testing.T) {
			t.Parallel()
			code, reason := fault.CloseCode(tc.err)
			assert.Equal(t, tc.code, code)
			assert.Equal(t, tc.reason, reason)
		})
	}
}

func TestReply(t *testing.T) {
	t.Parallel()
	e := &fault.Error{Kind: fault.Invalid, Fields: map[string]string{"name": "required"}}
	got := fault.Reply([]byte("prefix:"), 12, e)
	assert.Equal(t, "prefix:", string(got[:7]), "Reply appends")
	r := decodeReply(t, got[7:])
	require.NotNil(t, r.Ref)
	assert.EqualValues(t, 12, *r.Ref)
	assert.Equal(t, "invalid", r.Error.Code)
	assert.Equal(t, map[string]string{"name": "required"}, r.Field)
}

func ExampleWriteHTTP() {
	w := httptest.NewRecorder()
	fault.WriteHTTP(w, 7, &fault.Error{Kind: fault.RateLimited, RetryAfter: 1200 * time.Millisecond})
	fmt.Println(w.Code, w.Header().Get("Retry-After"))
	fmt.Println(w.Body.String())
	// Output:
	// 429 2
	// {"t":"reply","ref":7,"error":{"code":"rate_limited","message":"Too many actions; slow down."}}
}

func ExampleAs() {
	err := fmt.Errorf("load state: %w", context.Canceled)
	fe := fault.As(err)
	code, reason := fault.CloseCode(fe)
	fmt.Println(fe.Kind.Code(), fe.Kind.Status(), code, reason)
	// Output: shutting_down 503 1012 The server is shutting down.
}
