package livetemplate

import (
	"context"
	"encoding/json"
	"net/http"

	"github.com/lvtgo/livetemplate/internal/form"
	"github.com/lvtgo/livetemplate/internal/runtime"
	"github.com/lvtgo/livetemplate/upload"
)

// ActionContext is what Change, Mount and a Watcher's methods see of one
// action: its name, the values the page sent, who sent it, and the request
// that opened the connection; and what the action may do besides changing
// its store: change the acting page's own stores (Store), show a flash
// message (Flash), send the page elsewhere (Redirect). It is valid only
// during the call.
type ActionContext struct {
	c *runtime.Call
}

// Store returns the acting page's PerConnection store named name, or nil if
// the page has none by that name. An action on a shared store uses it to
// update the acting tab's own state as well, say to end an edit or clear a
// draft. Changes made through it show in the acting tab and are rolled back
// with the action if Change fails.
func (c *ActionContext) Store(name string) Store {
	s, _ := c.c.Store(name).(Store)
	return s
}

// Context returns the context of the connection the action came on; it is
// cancelled when the connection ends or the server shuts down.
func (c *ActionContext) Context() context.Context { return c.c.Context() }

// Action returns the action's name without its store prefix
// ("counter.increment" gives "increment"), or "mount", "connect" or
// "disconnect".
func (c *ActionContext) Action() string { return c.c.Action() }

// UserID returns the acting user's ID as the Authenticator named it.
func (c *ActionContext) UserID() string { return c.c.Identity().UserID }

// GroupID returns the ID of the acting session group. It may be derived from
// a secret (a cookie): do not log it or show it to other users.
func (c *ActionContext) GroupID() string { return c.c.Identity().GroupID }

// Request returns the request that opened the connection: the page load
// for Mount, the HTTP POST for actions sent over HTTP, and for actions on a
// WebSocket its upgrade request, with the headers that describe the client
// (Cookie, Authorization, User-Agent, Accept-Language, Referer, Origin and
// the proxy headers X-Forwarded-*, X-Real-Ip, Forwarded) but not the others.
// It is nil for a server action (Broadcast). Use Context, not
// Request().Context().
func (c *ActionContext) Request() *http.Request { return c.c.Request() }

// Redirect sends the acting page to target once the action succeeds: a
// path of this site ("/orders/7?tab=items"), or an http(s) URL of a host
// WithRedirectHosts allows. A page of the same App opens live, with the
// browser's history updated; any other URL loads in full. The action's
// flash messages go along. In a PerConnection store's Mount, a page load is
// answered 303 See Other. Any other target, or no acting page (a server
// action), is an error, and nothing is redirected.
func (c *ActionContext) Redirect(target string) error { return c.c.Redirect(target) }

// Flash shows message to the user once the action succeeds, as a flash
// message of kind ("info", "error", …; one message per kind): on the
// acting page, or, when the action redirects, on the page the client goes
// to. Templates of pages whose data is a map read them as .flash (see
// Flash); the user dismisses one with the built-in action "lvt.dismiss"
// (lvt-click="lvt.dismiss" lvt-data-kind="info"), and a page load or
// navigation starts without the old ones.
func (c *ActionContext) Flash(kind, message string) { c.c.Flash(kind, message) }

// PushEvent sends event name with payload (as JSON) to the page after the
// action's patch: to hooks' handleEvent(name) and window's "lvt:"+name. It
// errs for a bad name or payload, or past 16 events (docs/client.md).
func (c *ActionContext) PushEvent(name string, payload any) error {
	return c.c.PushEvent(name, payload)
}

// Async runs work without the state once the action succeeds, then applies
// action then of the store with work's data or "error" (a message safe to
// show); ctx ends with the page or the app (docs/actions.md).
func (c *ActionContext) Async(then string, work func(ctx context.Context) (map[string]any, error)) error {
	return c.c.Async(then, func(ctx context.Context) (map[string]any, error) { r, err := work(ctx); return r, userFault(err) })
}

// Files returns the files the action received in file field field,
// stored and checked as its store's upload.Acceptor declares.
func (c *ActionContext) Files(field string) []upload.File { return c.c.Files(field) }

// Has reports whether the action carried a value for key.
func (c *ActionContext) Has(key string) bool {
	_, ok := c.c.Data()[key]
	return ok
}

// Data returns all values the action carried, as JSON.
func (c *ActionContext) Data() map[string]json.RawMessage { return c.c.Data() }

// GetString returns the value for key as the text the user typed; numbers and
// booleans sent typed are formatted, several values (a multi-select) give the
// first one, and a missing key gives "".
func (c *ActionContext) GetString(key string) string {
	s, _ := form.Text(c.c.Data()[key])
	return s
}

// GetStrings returns all values for key: several for a multi-select or
// repeated checkboxes, one for a single value, none when missing.
func (c *ActionContext) GetStrings(key string) []string { return form.Texts(c.c.Data()[key]) }

// GetInt returns the value for key as an int. A missing or non-integer value
// gives a FieldError for key, which Change can return as is.
func (c *ActionContext) GetInt(key string) (int, error) {
	n, err := form.Int(c.c.Data(), key)
	return n, fieldError(err)
}

// GetFloat returns the value for key as a float64, or a FieldError.
func (c *ActionContext) GetFloat(key string) (float64, error) {
	f, err := form.Float(c.c.Data(), key)
	return f, fieldError(err)
}

// GetBool returns the value for key as a bool: true for a checked checkbox
// ("on"), "true", "1", "yes" or JSON true; false otherwise, missing included.
func (c *ActionContext) GetBool(key string) bool { return form.Bool(c.c.Data()[key]) }

// Bind fills the exported fields of the struct v points to from the action's
// values. A field's key is its `lvt` tag, else its `json` tag name, else its
// name; keys match case-insensitively. Strings, bools, integers, floats and
// string slices are supported. A value that does not convert gives a
// FieldError for its key; missing keys leave fields unchanged.
func (c *ActionContext) Bind(v any) error { return fieldError(form.Bind(c.c.Data(), v)) }

// fieldError turns a form.FieldError into a FieldError.
func fieldError(err error) error {
	if fe, ok := err.(*form.FieldError); ok {
		return FieldError{Field: fe.Field, Message: fe.Message}
	}
	return err
}
