package localdir

import (
	"context"
	"crypto/rand"
	"encoding/hex"
	"errors"
	"fmt"
	"io"
	"io/fs"
	"os"
	"path/filepath"
	"regexp"
	"strings"

	"github.com/lvtgo/livetemplate/upload"
)

// tempPrefix starts the names of files being written.
const tempPrefix = ".upload-"

// Options tune a Dir. The zero value (or nil) gives the defaults documented
// on each field.
type Options struct {
	// DirMode is the mode the directory is created with when missing.
	// Default 0o750.
	DirMode fs.FileMode
}

// Dir stores files in one local directory. It is safe for concurrent use.
type Dir struct {
	root string
}

var (
	_ upload.Storage = (*Dir)(nil)
	_ upload.Opener  = (*Dir)(nil)
)

// New returns a Dir storing files in root, which it creates if missing, and
// removes the temporary files an earlier process left there.
func New(root string, o *Options) (*Dir, error) {
	mode := fs.FileMode(0o750)
	if o != nil && o.DirMode != 0 {
		mode = o.DirMode
	}
	if err := os.MkdirAll(root, mode); err != nil {
		return nil, fmt.Errorf("localdir: new: %w", err)
	}
	ents, err := os.ReadDir(root)
	if err != nil {
		return nil, fmt.Errorf("localdir: new: %w", err)
	}
	for _, e := range ents {
		if strings.HasPrefix(e.Name(), tempPrefix) && e.Type().IsRegular() {
			_ = os.Remove(filepath.Join(root, e.Name()))
		}
	}
	return &Dir{root: root}, nil
}

// Root returns the directory.
func (d *Dir) Root() string { return d.root }

// Create implements upload.Storage: a temporary file in the directory.
func (d *Dir) Create(_ context.Context, info upload.Info) (upload.Writer, error) {
	f, err := os.CreateTemp(d.root, tempPrefix+"*")
	if err != nil {
		return nil, fmt.Errorf("localdir: create: %w", err)
	}
	return &writer{d: d, f: f, ext: extOf(info.Type)}, nil
}

// Delete implements upload.Storage.
func (d *Dir) Delete(_ context.Context, key string) error {
	p, err := d.path(key)
	if err != nil {
		return fmt.Errorf("localdir: delete: %w", err)
	}
	if err := os.Remove(p); err != nil {
		if errors.Is(err, fs.ErrNotExist) {
			return fmt.Errorf("localdir: delete: %w", upload.ErrNotFound)
		}
		return fmt.Errorf("localdir: delete: %w", err)
	}
	return nil
}

// Open implements upload.Opener.
func (d *Dir) Open(_ context.Context, key string) (io.ReadCloser, error) {
	p, err := d.path(key)
	if err != nil {
		return nil, fmt.Errorf("localdir: open: %w", err)
	}
	f, err := os.Open(p)
	if err != nil {
		if errors.Is(err, fs.ErrNotExist) {
			return nil, fmt.Errorf("localdir: open: %w", upload.ErrNotFound)
		}
		return nil, fmt.Errorf("localdir: open: %w", err)
	}
	return f, nil
}

// keyPattern is the form of the keys Commit makes.
var keyPattern = regexp.MustCompile(`^[0-9a-f]{32}\.[a-z0-9]{1,5}$`)

// path returns the file of key, or ErrNotFound for a key Commit never
// makes.
func (d *Dir) path(key string) (string, error) {
	if !keyPattern.MatchString(key) {
		return "", upload.ErrNotFound
	}
	return filepath.Join(d.root, key), nil
}

// extOf returns the extension of the files of media type t.
func extOf(t string) string {
	switch t {
	case "image/png":
		return "png"
	case "image/jpeg":
		return "jpg"
	case "image/gif":
		return "gif"
	case "image/webp":
		return "webp"
	case "application/pdf":
		return "pdf"
	case "text/plain":
		return "txt"
	}
	return "bin"
}

// writer is one file being written.
type writer struct {
	d   *Dir
	f   *os.File
	ext string
}

func (w *writer) Write(p []byte) (int, error) {
	n, err := w.f.Write(p)
	if err != nil {
		return n, fmt.Errorf("localdir: write: %w", err)
	}
	return n, nil
}

func (w *writer) Commit(context.Context) (string, error) {
	var b [16]byte
	_, _ = rand.Read(b[:]) // never fails (crypto/rand)
	key := hex.EncodeToString(b[:]) + "." + w.ext
	tmp := w.f.Name()
	if err := w.f.Close(); err != nil {
		_ = os.Remove(tmp)
		return "", fmt.Errorf("localdir: commit: %w", err)
	}
	if err := os.Rename(tmp, filepath.Join(w.d.root, key)); err != nil {
		_ = os.Remove(tmp)
		return "", fmt.Errorf("localdir: commit: %w", err)
	}
	return key, nil
}

func (w *writer) Abort(context.Context) error {
	_ = w.f.Close()
	if err := os.Remove(w.f.Name()); err != nil && !errors.Is(err, fs.ErrNotExist) {
		return fmt.Errorf("localdir: abort: %w", err)
	}
	return nil
}
