package fault

import (
	"math"
	"net/http"
	"strconv"
	"time"

	"github.com/lvtgo/livetemplate/internal/wire"
	"github.com/lvtgo/livetemplate/transport"
)

// Reply appends the error reply to message ref (0: none) for e.
func Reply(b []byte, ref int64, e *Error) []byte {
	return wire.AppendError(b, ref, e.Kind.Code(), e.UserMessage(), e.Fields)
}

// WriteHTTP answers a refused HTTP request with e's status, Retry-After
// when it has one, and its error reply to ref.
func WriteHTTP(w http.ResponseWriter, ref int64, e *Error) {
	write(w, e.Kind.Status(), ref, e)
}

// WriteAction answers an action sent over HTTP that failed with e: the
// action's status (200 for its own outcomes), Retry-After when it has one,
// and its error reply, whose size it returns.
func WriteAction(w http.ResponseWriter, ref int64, e *Error) int {
	return write(w, e.Kind.ActionStatus(), ref, e)
}

func write(w http.ResponseWriter, status int, ref int64, e *Error) int {
	if status == http.StatusMethodNotAllowed {
		w.Header().Set("Allow", "GET, HEAD, POST")
	}
	if d := e.Retry(); d > 0 && status != http.StatusOK {
		w.Header().Set("Retry-After", RetryAfter(d))
	}
	msg := Reply(nil, ref, e)
	transport.WriteMessage(w, status, msg)
	return len(msg)
}

// CloseCode returns the WebSocket close code and reason that refuse a
// connection with e: the kind's code (1011 for kinds that close none) and
// the user message.
func CloseCode(e *Error) (int, string) {
	c := e.Kind.CloseCode()
	if c == 0 {
		c = transport.CloseInternal
	}
	return c, e.UserMessage()
}

// RetryAfter formats a Retry-After value: whole seconds, at least 1.
func RetryAfter(d time.Duration) string {
	return strconv.Itoa(max(1, int(math.Ceil(d.Seconds()))))
}
