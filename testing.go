package livetemplate

import (
	"context"
	"encoding/json"
	"fmt"
	"net/http"

	"github.com/lvtgo/livetemplate/auth"
	"github.com/lvtgo/livetemplate/internal/runtime"
)

// ActionInput describes an action for NewActionContext: what a page would
// send and who sends it.
type ActionInput struct {
	// Action is the action's name without a store prefix ("increment"),
	// or "mount" for Mount.
	Action string
	// Data holds the values the page sends, as it would send them:
	// strings as typed, or numbers, booleans and string slices. Each value
	// must encode as JSON.
	Data map[string]any
	// Identity is who acts (as the Authenticator would name them).
	Identity auth.Identity
	// Request is what ActionContext.Request returns (nil if unset).
	Request *http.Request
	// Stores are the acting page's PerConnection stores by name, returned
	// by ActionContext.Store.
	Stores map[string]Store
}

// NewActionContext returns an ActionContext for calling a store's Change or
// Mount directly, say in a unit test:
//
//	actx, err := livetemplate.NewActionContext(t.Context(), livetemplate.ActionInput{
//		Action: "add", Data: map[string]any{"title": "Buy milk"},
//	})
//	err = todos.Change(actx)
//	fields := livetemplate.FieldErrors(err) // what the page would show
//
// It fails only if a Data value does not encode as JSON. Nothing is rolled
// back when Change fails, and Redirect and Flash only check and record: that
// is the app's job. Read them back with Redirected and Flashed.
func NewActionContext(ctx context.Context, in ActionInput) (*ActionContext, error) {
	data := make(map[string]json.RawMessage, len(in.Data))
	for k, v := range in.Data {
		js, err := json.Marshal(v)
		if err != nil {
			return nil, fmt.Errorf("livetemplate: action data %q: %w", k, err)
		}
		data[k] = js
	}
	stores := func(name string) any {
		if s, ok := in.Stores[name]; ok {
			return s
		}
		return nil
	}
	return &ActionContext{c: runtime.NewCall(ctx, in.Action, in.Identity, data, in.Request, stores)}, nil
}

// Redirected returns where the action asked to send its page (Redirect), or
// "": for tests of stores.
func (c *ActionContext) Redirected() string { return c.c.Redirected() }

// Flashed returns the flash messages the action set (Flash): for tests of
// stores.
func (c *ActionContext) Flashed() Flash { return flashOf(c.c.Flashes()) }
