package upload

import (
	"context"
	"errors"
	"io"
	"time"
)

// Accept is what a store accepts in one file field. The zero value accepts
// nothing; Types and MaxSize are required.
type Accept struct {
	// Types are the media types accepted, judged from the file's content
	// by [Detect]: "image/png", or "image/*" for every image type Detect
	// knows. The name and the type the browser reports are not trusted.
	Types []string
	// MaxSize is the largest file accepted, in bytes. A file declared
	// larger is refused before any byte is sent; a stream that goes past
	// its declared size is cut.
	MaxSize int64
	// MaxFiles is how many files one submit may carry in this field.
	// Default 1.
	MaxFiles int
	// Auto sends files as soon as they are chosen, instead of with the
	// form's submit: the submit then waits for them to finish.
	Auto bool
}

// Allows reports whether a accepts files of media type typ.
func (a Accept) Allows(typ string) bool {
	for _, t := range a.Types {
		if t == typ {
			return true
		}
		if prefix, ok := cutWildcard(t); ok && len(typ) > len(prefix) && typ[:len(prefix)] == prefix {
			return true
		}
	}
	return false
}

// Files returns MaxFiles with its default applied.
func (a Accept) Files() int { return max(a.MaxFiles, 1) }

// cutWildcard turns "image/*" into "image/".
func cutWildcard(t string) (string, bool) {
	if len(t) > 2 && t[len(t)-2:] == "/*" {
		return t[:len(t)-1], true
	}
	return "", false
}

// Check reports what is wrong with a, or nil.
func (a Accept) Check() error {
	switch {
	case len(a.Types) == 0:
		return errors.New("upload: accept: no types")
	case a.MaxSize <= 0:
		return errors.New("upload: accept: MaxSize must be positive")
	case a.MaxFiles < 0:
		return errors.New("upload: accept: MaxFiles must not be negative")
	}
	return nil
}

// Acceptor is implemented by a store that takes files: Accepts maps each
// file field's name (the name attribute of its input) to what it accepts.
// A file input of a form whose lvt-submit action names the store sends its
// files with that action, which receives them from its ActionContext. A
// field not in the map accepts nothing. Accepts is called once, when the
// page is mounted.
type Acceptor interface {
	Accepts() map[string]Accept
}

// Info describes a file about to be stored: all of it is checked, none of
// it comes unchecked from the client.
type Info struct {
	// Field is the name of the form field the file came in.
	Field string
	// Name is the file's name as the user's browser gave it, checked by
	// [CheckName]: safe to show, never a path.
	Name string
	// Type is the media type [Detect] found in the file's first bytes.
	Type string
	// Size is the file's size in bytes, as declared and then enforced.
	Size int64
}

// File is a stored file, as an action receives it.
type File struct {
	Info
	// Key names the file in the [Storage] that holds it.
	Key string
}

// Storage is where uploaded files stream to. Create is called once a
// file's first bytes have passed the checks; the file's bytes then go to
// the [Writer] in order, never more than Info.Size in all. Implementations
// must be safe for concurrent use: many files stream at once.
type Storage interface {
	// Create starts storing a file. Its errors are logged, and the user
	// is told the upload failed.
	Create(ctx context.Context, info Info) (Writer, error)
	// Delete removes a committed file: one whose action failed, or that no
	// action claimed in time. A key that names no file gives ErrNotFound.
	Delete(ctx context.Context, key string) error
}

// Writer receives one file's bytes. It is used by one goroutine at a time.
// Exactly one of Commit and Abort is called, once; after Abort nothing of
// the file may remain in the storage (no temporary file either).
type Writer interface {
	io.Writer
	// Commit makes the file durable and returns its key.
	Commit(ctx context.Context) (key string, err error)
	// Abort discards everything written.
	Abort(ctx context.Context) error
}

// Opener is a Storage that can read a committed file back (to serve it).
type Opener interface {
	// Open returns the file's content; a key that names no file gives
	// ErrNotFound.
	Open(ctx context.Context, key string) (io.ReadCloser, error)
}

// Options tune the engine that runs uploads. The zero value (or nil) gives
// the defaults documented on each field.
type Options struct {
	// StallTimeout is how long an upload may go without a chunk (a client
	// that stalls, or that lost its connection and has not resumed) before
	// it is aborted, leaving nothing behind. Default 30s.
	StallTimeout time.Duration
	// ClaimTimeout is how long files that finished uploading (Accept.Auto)
	// wait for the submit that claims them before they are deleted.
	// Default 10m.
	ClaimTimeout time.Duration
	// MaxActive bounds the files uploading at once in the whole app; a
	// start beyond it is refused with a message to try again. Default 1024.
	MaxActive int
	// MaxPerPage bounds the files uploading at once for one page.
	// Default 64.
	MaxPerPage int
}

// Sentinel errors: why a file was refused. The engine matches them with
// errors.Is and tells the user in a field error.
var (
	ErrTooLarge    = errors.New("upload: file too large")
	ErrTooMany     = errors.New("upload: too many files")
	ErrType        = errors.New("upload: type not accepted")
	ErrEmpty       = errors.New("upload: empty file")
	ErrName        = errors.New("upload: invalid file name")
	ErrOrder       = errors.New("upload: chunk out of order")
	ErrNotAccepted = errors.New("upload: field accepts no files")
	ErrStalled     = errors.New("upload: stalled")
	ErrUnknown     = errors.New("upload: unknown upload")
	ErrBusy        = errors.New("upload: too many uploads at once")
	ErrNotFound    = errors.New("upload: file not found")
)
