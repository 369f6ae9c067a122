package broadcast

import (
	"context"
	"errors"
	"strings"
)

// ErrClosed reports a call on a bus that has been closed. Errors returned by
// a [Bus] wrap it, so match it with [errors.Is].
var ErrClosed = errors.New("broadcast: closed")

// Bus carries messages between the instances of one application. Each
// instance holds one Bus value of a shared backend: what one instance
// publishes, every other instance that is subscribed receives.
//
// Implementations are safe for concurrent use. Adapters that hold resources
// also have a Close method ([io.Closer]) that is idempotent, ends every
// running Subscribe (which then returns nil) and waits for them; after it,
// Publish returns an error wrapping [ErrClosed]. Package broadcasttest
// checks all of this for any implementation.
type Bus interface {
	// Publish sends msg (opaque bytes, copied before Publish returns, so
	// the caller may reuse the slice) to every other instance subscribed to
	// the bus, and never back to this one. It returns once the message is
	// handed to the backend, or an error wrapping ctx's error if ctx is
	// done first, or an error wrapping ErrClosed once the bus is closed, or
	// an error from the backend. After an error the message may or may not
	// have been delivered.
	Publish(ctx context.Context, msg []byte) error

	// Subscribe delivers to r what other instances publish, until ctx is
	// done or the bus is closed. It blocks until then and returns nil, or
	// returns at once an error if the subscription cannot be set up (an
	// error wrapping ErrClosed when the bus is already closed).
	//
	// Deliveries are one at a time, from the goroutine that called
	// Subscribe, and in publish order per publishing instance. A receiver
	// should return quickly: a slow one makes the bus drop messages for it.
	// Backends reconnect by themselves; after any interruption in which
	// messages may have been lost, r.Resync() is called once the
	// subscription works again, so the receiver can reload what it shows.
	// Neither Receiver method may call Close on the bus.
	Subscribe(ctx context.Context, r Receiver) error
}

// Receiver receives the messages of a [Bus.Subscribe]. A bus calls its
// methods one at a time.
type Receiver interface {
	// Receive handles one message published by another instance. msg
	// belongs to the receiver, which may keep and modify it.
	Receive(msg []byte)
	// Resync reports that messages may have been lost before the ones that
	// follow, so the receiver should reload what it shows.
	Resync()
}

// ReceiverFuncs adapts two functions to a [Receiver]. A nil field ignores
// its events.
type ReceiverFuncs struct {
	// OnReceive is called by Receive.
	OnReceive func(msg []byte)
	// OnResync is called by Resync.
	OnResync func()
}

var _ Receiver = ReceiverFuncs{}

// Receive calls f.OnReceive(msg) if OnReceive is not nil.
func (f ReceiverFuncs) Receive(msg []byte) {
	if f.OnReceive != nil {
		f.OnReceive(msg)
	}
}

// Resync calls f.OnResync() if OnResync is not nil.
func (f ReceiverFuncs) Resync() {
	if f.OnResync != nil {
		f.OnResync()
	}
}

// opError reports a failed bus operation: "broadcast: op: cause".
type opError struct {
	op  string
	err error
}

// failed wraps err as the failure of operation op.
func failed(op string, err error) error {
	return &opError{op: op, err: err}
}

// Error returns "broadcast: op: cause", without repeating the package
// prefix of a sentinel cause.
func (e *opError) Error() string {
	return "broadcast: " + e.op + ": " + strings.TrimPrefix(e.err.Error(), "broadcast: ")
}

// Unwrap returns the cause.
func (e *opError) Unwrap() error { return e.err }
