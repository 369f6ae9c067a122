package livetemplate

import (
	"context"
	"encoding/json"
	"errors"
	"fmt"
	"slices"

	"github.com/lvtgo/livetemplate/auth"
	"github.com/lvtgo/livetemplate/internal/fault"
	"github.com/lvtgo/livetemplate/internal/relay"
	"github.com/lvtgo/livetemplate/internal/runtime"
)

// Target says which pages a server push reaches: every page, the pages of
// some users or of some session groups, or those whose viewer a filter
// accepts. Make one with All, Users, Groups or Filter.
type Target struct{ t runtime.Target }

// All targets every page.
func All() Target { return Target{runtime.Target{Target: relay.Target{All: true}}} }

// Users targets the pages of the users with these ids (as the
// Authenticator names them), on every instance.
func Users(ids ...string) Target {
	return Target{runtime.Target{Target: relay.Target{Users: slices.Clone(ids)}}}
}

// Groups targets the pages of the session groups with these ids, on every
// instance. A group's state is changed even when none of its pages is open.
func Groups(ids ...string) Target {
	return Target{runtime.Target{Target: relay.Target{Groups: slices.Clone(ids)}}}
}

// Filter targets the pages whose viewer f accepts. A function cannot travel
// between instances: with several instances a Filter reaches the pages of
// the instance that pushes only; use Users or Groups to reach the others.
func Filter(f func(viewer auth.Identity) bool) Target {
	return Target{runtime.Target{Target: relay.Target{All: true}, Filter: f}}
}

// Reach is how far a push got on this instance: the shared states it
// changed (or re-rendered, for Refresh) and the pages it reached. Other
// instances apply the push on their own and do not report back.
type Reach struct {
	States int
	Pages  int
}

// push is Handler.Broadcast (v set) and App.Broadcast (v nil).
func push(ctx context.Context, rt *runtime.Runtime, v *runtime.View, t Target, action string, data map[string]any) (Reach, error) {
	raw := make(map[string]json.RawMessage, len(data))
	for k, val := range data {
		js, err := json.Marshal(val)
		if err != nil {
			return Reach{}, fmt.Errorf("livetemplate: broadcast: data %q: %w", k, err)
		}
		raw[k] = js
	}
	r, err := rt.Broadcast(ctx, v, t.t, action, raw)
	var fe *fault.Error
	if errors.As(err, &fe) && fe.Kind == fault.UnknownAction && fe.Cause == nil {
		return Reach(r), fmt.Errorf("livetemplate: broadcast: %w: %s", ErrUnknownAction, fe.UserMessage())
	}
	return Reach(r), closedErr(err)
}
