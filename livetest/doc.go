// Package livetest tests live pages in-process, the way net/http/httptest
// tests handlers: fast, deterministic, and with the reconstruction the
// browser does, so a passing test means the page really shows that HTML.
//
//	srv := livetest.Start(t, handler) // handler served on 127.0.0.1 until the test ends
//	p := srv.Open("/")                // a new browser: GET, then the live connection
//	err := p.Click("#inc")            // returns once the reply has been applied
//	p.Text("#count")                  // "1"
//	p2 := p.Tab("/")                  // another tab of the same browser: same session group
//	err = p2.WaitText("#count", "1", time.Second) // pushed, no sleeps
//
// # Map
//
//   - [Start] serves any http.Handler that mounts live pages and returns a
//     [Server]. [Server.Open] opens a page in a new [Browser] (its own
//     cookie jar, so its own session group); [Server.NewBrowser] takes
//     [BrowserOptions]: headers or cookies for an identity (any
//     auth.Authenticator: Basic with [BasicAuth], a bearer JWT, a session
//     cookie), the [Transport] ([WebSocket], or [HTTP] POSTs with a long
//     poll) and a timeout.
//   - A [Page] is one tab. It joins with the token of the page it loaded
//     (data-lvt-token), holds the tree the server sent and applies every
//     patch in seq order with diff's reference client (diff.ParseTree,
//     (*diff.Tree).Apply), on one goroutine that reads the connection.
//     [Page.HTML] is the result: what Execute would render for the page's
//     current state.
//   - Events: [Page.Click], [Page.Submit], [Page.Change], [Page.Input],
//     [Page.KeyDown] (and [Page.Fill], which types without an event) find their element with a CSS selector
//     (github.com/andybalholm/cascadia over golang.org/x/net/html, the HTML5
//     parsing algorithm) and build the action the browser client would send
//     from the lvt-* attributes; [Page.Send] sends a raw action. Each
//     returns once the action's reply has been applied; a refusal is an
//     [*ActionError] (errors.As) with the server's code, message and
//     field errors, which [Page.FieldError] then shows as the page would.
//   - Reading: [Page.Text], [Page.Attr], [Page.Count], and for updates
//     pushed from elsewhere [Page.WaitFor] and [Page.WaitText], which wait
//     on the page's changes (never by sleeping); the outcome of background
//     work (ActionContext.Async) is such a change.
//   - Server events (ActionContext.PushEvent): [Page.Events] lists them,
//     [Page.WaitEvent] waits for the next of a name.
//
// Every page is closed, and every goroutine of this package ended, by the
// test's Cleanup. Failures name the selector, the element or the action,
// and show what the page showed.
//
// # Action data
//
// The data of an action is built as client/src/events.ts and forms.ts build
// it (docs/client.md, "Actions"):
//
//   - The binding is the element's own lvt-<event> or the nearest one around
//     it (events bubble): Click on a <span> inside a <button lvt-click> sends
//     the button's action. Without an lvt-click, a click on a submit
//     button submits its form's lvt-submit.
//   - lvt-data-* attributes of the bound element travel as strings;
//     lvt-type-<key>="number" or "boolean" on the bound element or its
//     form, and lvt-type on a field, convert them ("42" → 42; "", "false",
//     "0", "off", "no" → false).
//   - A form (lvt-submit, or lvt-change on a form) sends every field like an
//     HTML submission: disabled fields, unchecked boxes and files are left
//     out, a named submit button that submits is included; a <select
//     multiple> is always an array, a name shared by several checkboxes is
//     always an array of the checked values, any other repeated name an
//     array; a single checkbox with lvt-type="boolean" is true or false.
//   - A field (lvt-change, lvt-input, lvt-keydown on a field, lvt-click on
//     a named field) sends {name: value}; a checkbox its value when checked
//     and "" when not. KeyDown adds "key"; lvt-key filters keys.
//
// # Where livetest differs from a browser
//
//   - No JavaScript runs: no hooks (lvt-hook), no lvt:* events, no morphing,
//     no DOM commands (lvt-js-*); lvt-ignore is not modelled (the HTML is
//     the server's).
//     Assertions are about the HTML the server's trees and patches make,
//     which is what the client morphs the body to.
//   - There is no focus or caret, and no keystrokes: what a user enters is
//     an argument (Submit's values, Change's, Input's and Fill's value). It
//     stays in the field as in the browser (see Fill) until the server
//     renders that field differently, the field leaves the page, or a
//     successful submit resets a form with lvt-reset.
//   - lvt-confirm is accepted (the user said yes); lvt-debounce and
//     lvt-throttle do not delay; lvt-disable-with and lvt-loading are not
//     shown. Window bindings (lvt-window-*), lvt-click-away, lvt-focus,
//     lvt-blur and lvt-keyup have no method: use Send for them.
//   - A page does not reconnect, fall back from WebSocket to HTTP, or reload:
//     when its connection ends or the server asks for a reload, its
//     operations fail with an error that wraps [ErrClosed]. Open a new page
//     instead.
//   - A gap in seq on a WebSocket, or a patch that does not apply, fails the
//     test (t.Errorf) before the page resynchronises as a browser would: a
//     passing test means every patch applied.
//   - Selectors match the first element in document order, as
//     document.querySelector does.
package livetest
