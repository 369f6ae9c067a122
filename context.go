package livetemplate

import (
	"context"
	"encoding/json"
	"fmt"
	"net/http"
	"reflect"
	"strconv"
	"strings"

	"github.com/lvtgo/livetemplate/auth"
)

// ActionContext is what Change and Mount see of one action: its name, the
// values the page sent, who sent it, and the request that opened the
// connection. It is valid only during the call.
type ActionContext struct {
	ctx    context.Context
	action string
	id     auth.Identity
	data   map[string]json.RawMessage
	req    *http.Request
	// private finds the acting connection's PerConnection store of a name
	// (nil in Mount); every store it returns is saved first for rollback.
	private func(name string) Store
}

// Store returns the acting connection's PerConnection store named name, or
// nil if the page has none by that name. An action on a shared store uses it
// to update the acting tab's own state as well, say to end an edit or clear a
// draft. Changes made through it show in the acting tab and are rolled back
// with the action if Change fails.
func (c *ActionContext) Store(name string) Store {
	if c.private == nil {
		return nil
	}
	return c.private(name)
}

// Context returns the context of the connection the action came on; it is
// cancelled when the connection ends or the server shuts down.
func (c *ActionContext) Context() context.Context { return c.ctx }

// Action returns the action's name without its store prefix
// ("counter.increment" gives "increment"), or "mount" in Mount.
func (c *ActionContext) Action() string { return c.action }

// UserID returns the acting user's ID as the Authenticator named it.
func (c *ActionContext) UserID() string { return c.id.UserID }

// GroupID returns the ID of the acting session group. It may be derived from
// a secret (a cookie): do not log it or show it to other users.
func (c *ActionContext) GroupID() string { return c.id.GroupID }

// Request returns the request that opened the connection: the page load
// for Mount, the HTTP POST for actions sent over HTTP, and for actions on a
// WebSocket its upgrade request, with the headers that describe the client
// (Cookie, Authorization, User-Agent, Accept-Language, Referer, Origin and
// the proxy headers X-Forwarded-*, X-Real-Ip, Forwarded) but not the others.
// It is nil for a server action (Handler.Broadcast). Use Context, not
// Request().Context().
func (c *ActionContext) Request() *http.Request { return c.req }

// Has reports whether the action carried a value for key.
func (c *ActionContext) Has(key string) bool {
	_, ok := c.data[key]
	return ok
}

// Data returns all values the action carried, as JSON.
func (c *ActionContext) Data() map[string]json.RawMessage { return c.data }

// GetString returns the value for key as the text the user typed; numbers and
// booleans sent typed are formatted, several values (a multi-select) give the
// first one, and a missing key gives "".
func (c *ActionContext) GetString(key string) string {
	s, _ := textOf(c.data[key])
	return s
}

// GetStrings returns all values for key: several for a multi-select or
// repeated checkboxes, one for a single value, none when missing.
func (c *ActionContext) GetStrings(key string) []string {
	raw, ok := c.data[key]
	if !ok {
		return nil
	}
	var arr []json.RawMessage
	if json.Unmarshal(raw, &arr) == nil {
		out := make([]string, 0, len(arr))
		for _, v := range arr {
			if s, ok := textOf(v); ok {
				out = append(out, s)
			}
		}
		return out
	}
	if s, ok := textOf(raw); ok {
		return []string{s}
	}
	return nil
}

// GetInt returns the value for key as an int. A missing or non-integer value
// gives a FieldError for key, which Change can return as is.
func (c *ActionContext) GetInt(key string) (int, error) {
	s := strings.TrimSpace(c.GetString(key))
	n, err := strconv.Atoi(s)
	if err != nil {
		return 0, FieldError{Field: key, Message: "must be a whole number"}
	}
	return n, nil
}

// GetFloat returns the value for key as a float64, or a FieldError.
func (c *ActionContext) GetFloat(key string) (float64, error) {
	s := strings.TrimSpace(c.GetString(key))
	f, err := strconv.ParseFloat(s, 64)
	if err != nil {
		return 0, FieldError{Field: key, Message: "must be a number"}
	}
	return f, nil
}

// GetBool returns the value for key as a bool: true for a checked checkbox
// ("on"), "true", "1", "yes" or JSON true; false otherwise, missing included.
func (c *ActionContext) GetBool(key string) bool {
	switch strings.ToLower(strings.TrimSpace(c.GetString(key))) {
	case "on", "true", "1", "yes", "checked":
		return true
	}
	return false
}

// Bind fills the exported fields of the struct v points to from the action's
// values. A field's key is its `lvt` tag, else its `json` tag name, else its
// name; keys match case-insensitively. Strings, bools, integers, floats and
// string slices are supported. A value that does not convert gives a
// FieldError for its key; missing keys leave fields unchanged.
func (c *ActionContext) Bind(v any) error {
	rv := reflect.ValueOf(v)
	if rv.Kind() != reflect.Pointer || rv.IsNil() || rv.Elem().Kind() != reflect.Struct {
		return fmt.Errorf("livetemplate: bind: need a non-nil pointer to a struct, got %T", v)
	}
	rv = rv.Elem()
	keys := make(map[string]string, len(c.data))
	for k := range c.data {
		keys[strings.ToLower(k)] = k
	}
	rt := rv.Type()
	for i := range rt.NumField() {
		f := rt.Field(i)
		if !f.IsExported() {
			continue
		}
		key := fieldKey(f)
		if key == "-" {
			continue
		}
		dataKey, ok := keys[strings.ToLower(key)]
		if !ok {
			continue
		}
		if err := c.set(rv.Field(i), dataKey); err != nil {
			return err
		}
	}
	return nil
}

func fieldKey(f reflect.StructField) string {
	if tag, ok := f.Tag.Lookup("lvt"); ok && tag != "" {
		return tag
	}
	if tag, ok := f.Tag.Lookup("json"); ok {
		if name, _, _ := strings.Cut(tag, ","); name != "" {
			return name
		}
	}
	return f.Name
}

func (c *ActionContext) set(fv reflect.Value, key string) error {
	switch fv.Kind() {
	case reflect.String:
		fv.SetString(c.GetString(key))
	case reflect.Bool:
		fv.SetBool(c.GetBool(key))
	case reflect.Int, reflect.Int8, reflect.Int16, reflect.Int32, reflect.Int64:
		n, err := strconv.ParseInt(strings.TrimSpace(c.GetString(key)), 10, fv.Type().Bits())
		if err != nil {
			return FieldError{Field: key, Message: "must be a whole number"}
		}
		fv.SetInt(n)
	case reflect.Uint, reflect.Uint8, reflect.Uint16, reflect.Uint32, reflect.Uint64:
		n, err := strconv.ParseUint(strings.TrimSpace(c.GetString(key)), 10, fv.Type().Bits())
		if err != nil {
			return FieldError{Field: key, Message: "must be a whole number, zero or more"}
		}
		fv.SetUint(n)
	case reflect.Float32, reflect.Float64:
		f, err := strconv.ParseFloat(strings.TrimSpace(c.GetString(key)), fv.Type().Bits())
		if err != nil {
			return FieldError{Field: key, Message: "must be a number"}
		}
		fv.SetFloat(f)
	case reflect.Slice:
		if fv.Type().Elem().Kind() != reflect.String {
			return fmt.Errorf("livetemplate: bind %q: unsupported field type %s", key, fv.Type())
		}
		vals := c.GetStrings(key)
		out := reflect.MakeSlice(fv.Type(), len(vals), len(vals))
		for i, s := range vals {
			out.Index(i).SetString(s)
		}
		fv.Set(out)
	default:
		return fmt.Errorf("livetemplate: bind %q: unsupported field type %s", key, fv.Type())
	}
	return nil
}

// textOf renders one JSON value as text: a string as is, a number or boolean
// as written, the first element of an array.
func textOf(raw json.RawMessage) (string, bool) {
	if len(raw) == 0 {
		return "", false
	}
	switch raw[0] {
	case '"':
		var s string
		if json.Unmarshal(raw, &s) != nil {
			return "", false
		}
		return s, true
	case '[':
		var arr []json.RawMessage
		if json.Unmarshal(raw, &arr) != nil || len(arr) == 0 {
			return "", false
		}
		return textOf(arr[0])
	case 'n':
		return "", false
	case '{':
		return "", false
	default:
		return string(raw), true
	}
}

// mount runs a store's Mount hook, if it has one, turning a panic into an
// error.
func mount(ctx context.Context, s Store, id auth.Identity, r *http.Request) (err error) {
	m, ok := s.(Mounter)
	if !ok {
		return nil
	}
	defer func() {
		if p := recover(); p != nil {
			err = fmt.Errorf("mount panicked: %v", p)
		}
	}()
	return m.Mount(&ActionContext{ctx: ctx, action: "mount", id: id, req: r})
}
