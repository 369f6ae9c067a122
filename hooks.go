package livetemplate

import (
	"fmt"
	"runtime/debug"

	"github.com/lvtgo/livetemplate/auth"
	"github.com/lvtgo/livetemplate/internal/page"
	"github.com/lvtgo/livetemplate/internal/runtime"
)

// hooks are how the engine calls user code with this package's types.
func hooks() runtime.Hooks {
	return runtime.Hooks{
		Change: func(s any, c *runtime.Call) error {
			return call(c, func(a *ActionContext) error { return s.(Store).Change(a) })
		},
		Mount: func(s any, c *runtime.Call) error {
			m, ok := s.(Mounter)
			if !ok {
				return nil
			}
			return call(c, m.Mount)
		},
		Connected: func(s any, c *runtime.Call) error {
			return call(c, func(a *ActionContext) error { return s.(Watcher).Connected(a) })
		},
		Disconnected: func(s any, c *runtime.Call) error {
			return call(c, func(a *ActionContext) error { return s.(Watcher).Disconnected(a) })
		},
		Flash:  func(msgs []page.Flash) any { return flashOf(msgs) },
		Viewer: func(id auth.Identity) any { return Viewer{UserID: id.UserID, GroupID: id.GroupID} },
	}
}

// call runs f with c's ActionContext, turning a panic into an error and the
// user's errors into what the page is told.
func call(c *runtime.Call, f func(*ActionContext) error) (err error) {
	defer func() {
		if p := recover(); p != nil {
			err = fmt.Errorf("%s panicked: %v\n%s", c.Action(), p, debug.Stack())
		}
	}()
	return userFault(f(&ActionContext{c: c}))
}

// flashOf returns msgs as templates see them.
func flashOf(msgs []page.Flash) Flash {
	f := make(Flash, len(msgs))
	for i, m := range msgs {
		f[i] = FlashMessage{Kind: m.Kind, Message: m.Message}
	}
	return f
}
