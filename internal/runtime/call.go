package runtime

import (
	"context"
	"encoding/json"
	"errors"
	"fmt"
	"net/http"
	"net/url"
	"slices"
	"strings"

	"github.com/lvtgo/livetemplate/auth"
	"github.com/lvtgo/livetemplate/internal/page"
	"github.com/lvtgo/livetemplate/internal/schema"
	"github.com/lvtgo/livetemplate/upload"
)

// Call is one call of user code as a store sees it: an action, a Mount, a
// Connected or Disconnected. The facade's ActionContext wraps it. What the
// call does besides changing its store (other page-scoped stores, flash
// messages, a redirect) is kept in the Call and applied only if the call
// succeeds. A Call is used by one goroutine.
type Call struct {
	ctx    context.Context
	action string
	id     auth.Identity
	data   map[string]json.RawMessage
	req    *http.Request
	files  map[string][]upload.File // claimed by the action, by field

	view  *View                 // nil outside a page
	base  *page.Private         // the acting page's private data; nil without one
	own   []any                 // page-scoped stores the call reached, copied; by slot
	store func(name string) any // Store, for calls made by NewCall

	decl *schema.Decl           // a server call's store
	hook func(any, *Call) error // a server call's user code

	redirect string
	flash    []page.Flash
	events   [][]byte   // PushEvent, sent if the call succeeds
	async    []asyncReq // Async, started if the call succeeds
	slot     int        // the acting page-store's slot + 1; 0: none
	hosts    []string   // other hosts Redirect may name
	paged    bool       // a page acts: Redirect is allowed
}

// NewCall returns a Call that is not part of any page, for calling a
// store's Change or Mount directly (say in a unit test); stores are what
// Store returns by name.
func NewCall(ctx context.Context, action string, id auth.Identity, data map[string]json.RawMessage, req *http.Request, stores func(name string) any) *Call {
	return &Call{ctx: ctx, action: action, id: id, data: data, req: req, store: stores, paged: true}
}

// Context returns the context of the call.
func (c *Call) Context() context.Context { return c.ctx }

// Action returns the action's name without its store prefix.
func (c *Call) Action() string { return c.action }

// Identity returns who acts.
func (c *Call) Identity() auth.Identity { return c.id }

// Data returns the values the action carried.
func (c *Call) Data() map[string]json.RawMessage { return c.data }

// Files returns the files the action received in form field field.
func (c *Call) Files(field string) []upload.File { return c.files[field] }

// Request returns the request of the call, or nil.
func (c *Call) Request() *http.Request { return c.req }

// Store returns the acting page's page-scoped store named name, copied for
// the call (so that a failing call changes nothing), or nil.
func (c *Call) Store(name string) any {
	if c.store != nil {
		return c.store(name)
	}
	if c.view == nil || c.base == nil {
		return nil
	}
	for i, s := range c.view.slots {
		if !s.Decl.Shared() && s.Decl.Name == name {
			return c.own_(i)
		}
	}
	return nil
}

// own_ returns the call's copy of page-scoped slot i.
func (c *Call) own_(i int) any {
	if c.own == nil {
		c.own = make([]any, len(c.view.slots))
	}
	if c.own[i] == nil {
		d := c.view.slots[i].Decl
		js, err := d.Encode(c.base.Stores[i])
		if err == nil {
			c.own[i], err = d.Decode(js)
		}
		if err != nil { // it was encoded from this very type
			c.own[i] = d.Fresh()
		}
	}
	return c.own[i]
}

// ErrNoPage is returned by Redirect outside a page's action.
var ErrNoPage = errors.New("livetemplate: redirect: no page acts (a server action or a shared store's Mount)")

// Redirect sends the acting page to target once the action succeeds: a
// path of this site ("/orders/7?tab=items"), or an http(s) URL of a host
// the app allows. Anything else is refused with an error.
func (c *Call) Redirect(target string) error {
	if !c.paged {
		return ErrNoPage
	}
	u, err := checkRedirect(target, c.hosts)
	if err != nil {
		return err
	}
	c.redirect = u
	return nil
}

// Flash shows message to the user on the acting page, or, when the action
// redirects, on the page it goes to.
func (c *Call) Flash(kind, message string) {
	for i := range c.flash {
		if c.flash[i].Kind == kind {
			c.flash[i].Message = message
			return
		}
	}
	c.flash = append(c.flash, page.Flash{Kind: kind, Message: message})
}

// Redirected returns the target of Redirect, or "".
func (c *Call) Redirected() string { return c.redirect }

// run calls a server call's user code on store.
func (c *Call) run(store any) error { return c.hook(store, c) }

// reset forgets what an attempt of the call did, before it runs again (on
// a state another instance stored meanwhile).
func (c *Call) reset() {
	c.own, c.redirect, c.flash, c.events, c.async = nil, "", nil, nil, nil
}

// next returns the page's private data after the call, and whether it
// changed: the copies of page-scoped stores that differ, and the flash
// messages (set aside when the call redirects).
func (c *Call) next() (*page.Private, bool, error) {
	if c.base == nil {
		return nil, false, nil
	}
	var stores []any
	for i, s := range c.own {
		if s == nil {
			continue
		}
		d := c.view.slots[i].Decl
		before, err := d.Encode(c.base.Stores[i])
		if err != nil {
			return nil, false, err
		}
		after, err := d.Encode(s)
		if err != nil {
			return nil, false, err
		}
		if string(before) == string(after) {
			continue
		}
		if stores == nil {
			stores = slices.Clone(c.base.Stores)
		}
		stores[i] = s
	}
	flash := c.flash != nil && c.redirect == ""
	if stores == nil && !flash {
		return c.base, false, nil
	}
	next := *c.base
	next.Gen++
	if stores != nil {
		next.Stores = stores
	}
	if flash {
		next.Flash = mergeFlash(c.base.Flash, c.flash)
		next.FlashData = c.view.rt.o.Hooks.Flash(next.Flash)
	}
	return &next, true, nil
}

// mergeFlash returns old with the messages of add, one per kind.
func mergeFlash(old, add []page.Flash) []page.Flash {
	out := slices.Clone(old)
	for _, f := range add {
		i := slices.IndexFunc(out, func(o page.Flash) bool { return o.Kind == f.Kind })
		if i >= 0 {
			out[i] = f
		} else {
			out = append(out, f)
		}
	}
	return out
}

// checkRedirect parses target and accepts a path of this site or an
// http(s) URL of one of hosts; it returns the URL to send.
func checkRedirect(target string, hosts []string) (string, error) {
	refuse := func(why string) (string, error) {
		return "", fmt.Errorf("livetemplate: redirect %q: %s", target, why)
	}
	if target == "" || strings.ContainsFunc(target, func(r rune) bool { return r < 0x20 || r == 0x7f || r == '\\' }) {
		return refuse("empty, or has control characters or backslashes")
	}
	u, err := url.Parse(target)
	if err != nil {
		return refuse("not a URL")
	}
	if u.Scheme == "" && u.Host == "" && u.Opaque == "" && u.User == nil {
		// A path of this site, by the rules of the sign-in's "next": it
		// must name no other host once a browser reads it ("//host",
		// "/%2F/host", "/%09/host").
		p, ok := auth.LocalPath(target)
		if !ok {
			return refuse("a path of this site must start with a single / and hold no encoded control characters, backslashes or dot segments")
		}
		return p, nil
	}
	if (u.Scheme != "https" && u.Scheme != "http") || u.User != nil || u.Host == "" {
		return refuse("only http and https URLs without credentials")
	}
	if !slices.Contains(hosts, strings.ToLower(u.Host)) && !slices.Contains(hosts, strings.ToLower(u.Hostname())) {
		return refuse("the app does not allow redirects to this host (WithRedirectHosts)")
	}
	return u.String(), nil
}

// Flashes returns the flash messages the call set.
func (c *Call) Flashes() []page.Flash { return c.flash }
