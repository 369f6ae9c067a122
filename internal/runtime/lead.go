package runtime

import (
	"context"
	"errors"

	"github.com/lvtgo/livetemplate/internal/fault"
	"github.com/lvtgo/livetemplate/internal/lease"
)

// Lead runs run under name on one instance of the app at a time, through a
// lease in the session store (internal/lease), until the drain begins. It
// returns a fault.ShuttingDown once the runtime is stopping, and an error
// wrapping lease.ErrName or lease.ErrTaken for a bad or duplicate name.
func (rt *Runtime) Lead(name string, run func(ctx context.Context)) error {
	err := rt.leases.Lead(name, run)
	if errors.Is(err, lease.ErrClosed) {
		return &fault.Error{Kind: fault.ShuttingDown, Cause: err}
	}
	return err
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
