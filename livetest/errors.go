package livetest

import (
	"errors"
	"fmt"
	"maps"
	"slices"
	"strings"
)

// ActionError is the server's error reply to an action (docs/protocol.md
// §3.3): a validation failure, an unknown action, a rate limit, a refusal.
// Methods that send an action return it wrapped; get it with errors.As.
type ActionError struct {
	// Action is the action's name as sent ("increment", "todos.add").
	Action string
	// Code is the server's error code: "invalid", "unknown_action",
	// "rate_limited", "failed", "bad_request", "internal", ….
	Code string
	// Message is the server's message, safe to show a user.
	Message string
	// Fields maps form fields to their messages (code "invalid"); nil if
	// there are none. The page shows them next to their fields: see
	// Page.FieldError.
	Fields map[string]string
}

// Error returns the action, the code, the message and the field errors.
func (e *ActionError) Error() string {
	var b strings.Builder
	fmt.Fprintf(&b, "action %q failed: %s: %s", e.Action, e.Code, e.Message)
	for _, k := range slices.Sorted(maps.Keys(e.Fields)) {
		fmt.Fprintf(&b, "; %s: %s", k, e.Fields[k])
	}
	return b.String()
}

// ErrNotSent is wrapped by the error of an event that the page would not
// turn into an action: a key that lvt-key filters out.
var ErrNotSent = errors.New("livetest: no action sent")

// ErrClosed is wrapped by the error of an operation on a page that was
// closed, or whose connection ended (the server closed it, asked for a
// reload, or refused it).
var ErrClosed = errors.New("livetest: page closed")

// maxShown is how much of a page a failure message shows.
const maxShown = 4000

// shows returns what a failure message shows of a page: its body (the live
// region), cut to maxShown bytes.
func shows(html string) string {
	if html == "" {
		return "(nothing: the page holds no tree)"
	}
	if i := strings.Index(html, "<body"); i >= 0 {
		html = html[i:]
	}
	html = strings.TrimSpace(html)
	if len(html) > maxShown {
		cut := maxShown
		for cut > 0 && !isRuneStart(html[cut]) {
			cut--
		}
		html = html[:cut] + "…"
	}
	return html
}

func isRuneStart(b byte) bool { return b&0xC0 != 0x80 }
