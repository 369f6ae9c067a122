package runtime

import (
	"context"
	"errors"
	"fmt"

	"github.com/lvtgo/livetemplate/internal/fault"
	"github.com/lvtgo/livetemplate/internal/lease"
)

// Lead runs run under name on one instance of the app at a time, through a
// lease in the session store (internal/lease), until the drain begins. It
// returns a fault.ShuttingDown once the runtime is stopping, and an error
// (for the facade's user) wrapping lease.ErrName or lease.ErrTaken for a
// bad or duplicate name.
func (rt *Runtime) Lead(name string, run func(ctx context.Context)) error {
	switch err := rt.leases.Lead(name, run); {
	case errors.Is(err, lease.ErrClosed):
		return &fault.Error{Kind: fault.ShuttingDown, Cause: err}
	case err != nil:
		return fmt.Errorf("livetemplate: lead %q: %w", name, err)
	}
	return nil
}

// newLeases returns the runner of the app's led functions.
func (rt *Runtime) newLeases() *lease.Runner {
	return lease.New(lease.Options{
		Store:   rt.o.Sessions,
		Holder:  rt.instance,
		Lease:   rt.o.Lease,
		Timeout: rt.o.Limits.StoreTimeout,
		Logger:  rt.log,
	})
}
