package transfer

import (
	"context"
	"crypto/rand"
	"encoding/hex"
	"errors"
	"fmt"
	"log/slog"
	"strings"
	"sync"
	"time"

	"github.com/lvtgo/livetemplate/upload"
)

// Defaults of upload.Options and of Options.Chunk.
const (
	DefaultStall      = 30 * time.Second
	DefaultClaim      = 10 * time.Minute
	DefaultMaxActive  = 1024
	DefaultMaxPerPage = 64
	DefaultChunk      = 32 << 10
)

// Options configure a Table.
type Options struct {
	// Storage receives the files; nil refuses every upload.
	Storage upload.Storage
	// Limits are the app's tuning, with defaults for zero fields.
	Limits upload.Options
	// Chunk is the size of every chunk but a file's last. Default 32 KiB.
	Chunk int
	// Logger receives storage failures. Default slog.Default().
	Logger *slog.Logger
	// Report, if set, hears how each file's transfer ended (see Outcome):
	// with the bytes that arrived and the time since its batch started. A
	// refusal before any byte is reported once for its batch. It is called
	// with the batch's lock held: it must be quick and not call the Table.
	Report func(outcome string, bytes int64, d time.Duration)
}

// Outcomes a Report hears: OK (stored), Canceled, Stalled, or the refusal,
// named after its sentinel error (Outcome).
const (
	OK       = "ok"
	Canceled = "canceled"
	Stalled  = "stalled"
)

// Outcome names the refusal err (a sentinel of package upload, or a
// storage failure) for telemetry: "too_large", "too_many", "type",
// "empty", "name", "order", "not_accepted", "unknown", "busy", "storage",
// else "error". The set is fixed, so it is safe as a metric label.
func Outcome(err error) string {
	for _, o := range outcomes {
		if errors.Is(err, o.err) {
			return o.name
		}
	}
	return "error"
}

var outcomes = [...]struct {
	err  error
	name string
}{
	{upload.ErrTooLarge, "too_large"}, {upload.ErrTooMany, "too_many"}, {upload.ErrType, "type"},
	{upload.ErrEmpty, "empty"}, {upload.ErrName, "name"}, {upload.ErrOrder, "order"},
	{upload.ErrNotAccepted, "not_accepted"}, {upload.ErrUnknown, "unknown"}, {upload.ErrBusy, "busy"},
	{upload.ErrStalled, Stalled}, {errStorage, "storage"},
}

// Decl is a file as the client declares it before sending it.
type Decl struct {
	Name string `json:"name"`
	Size int64  `json:"size"`
}

// Started is a batch that Start accepted: its id, one id per declared
// file in order, and the chunk size. Later is set instead when the field
// sends its files with the submit only (a start sent when files were
// chosen, for a field without Accept.Auto): nothing was reserved.
type Started struct {
	Batch string
	Files []string
	Chunk int
	Later bool
}

// Progress is where a file stands: Next is the number of chunks the server
// holds (the next one it expects), Done that the whole file is stored.
type Progress struct {
	Next uint64
	Done bool
}

// Table is every upload in progress of one app, owned by pages of type O.
// It is safe for concurrent use; Close stops it.
type Table[O comparable] struct {
	o      Options
	lim    upload.Options
	log    *slog.Logger
	ctx    context.Context // lifetime: storage calls of timers and Close
	cancel context.CancelFunc

	mu      sync.Mutex
	batches map[string]*batch[O]
	files   map[string]*file[O]
	owners  map[O]int // files held per owner
	active  int       // files held in all
	closed  bool
	wg      sync.WaitGroup // expiries running
}

// batch is the files of one field of one page, sent with one action.
type batch[O comparable] struct {
	id     string
	owner  O
	action string
	field  string
	acc    upload.Accept

	mu       sync.Mutex // orders the batch's writes, aborts and claims
	files    []*file[O]
	timer    *time.Timer
	deadline time.Time // when the timer is due: an earlier firing is stale
	start    time.Time // when Start accepted it
	gone     bool      // removed from the table: refused, expired, claimed or closed
}

// arm sets b's timer to fire after d. The caller holds b.mu (or is the
// only one holding b).
func (b *batch[O]) arm(d time.Duration) {
	b.deadline = time.Now().Add(d)
	b.timer.Reset(d)
}

// file is one file of a batch.
type file[O comparable] struct {
	id   string
	b    *batch[O]
	info upload.Info
	next uint64
	recv int64
	w    upload.Writer // from the first chunk until Commit or Abort
	key  string        // once committed
	gone bool          // cancelled
}

// New returns an empty Table. Its timers run until Close.
func New[O comparable](o Options) *Table[O] {
	lim := o.Limits
	if lim.StallTimeout <= 0 {
		lim.StallTimeout = DefaultStall
	}
	if lim.ClaimTimeout <= 0 {
		lim.ClaimTimeout = DefaultClaim
	}
	if lim.MaxActive <= 0 {
		lim.MaxActive = DefaultMaxActive
	}
	if lim.MaxPerPage <= 0 {
		lim.MaxPerPage = DefaultMaxPerPage
	}
	if o.Chunk <= 0 {
		o.Chunk = DefaultChunk
	}
	if o.Logger == nil {
		o.Logger = slog.Default()
	}
	if o.Report == nil {
		o.Report = func(string, int64, time.Duration) {}
	}
	ctx, cancel := context.WithCancel(context.Background())
	return &Table[O]{o: o, lim: lim, log: o.Logger, ctx: ctx, cancel: cancel,
		batches: map[string]*batch[O]{}, files: map[string]*file[O]{}, owners: map[O]int{}}
}

// ChunkSize returns the size of every chunk but a file's last.
func (t *Table[O]) ChunkSize() int { return t.o.Chunk }

// Enabled reports whether the table has a storage.
func (t *Table[O]) Enabled() bool { return t.o.Storage != nil }

// Start checks the files the client declares for field of action (acc
// nil: the field accepts none) and reserves a batch for them. auto says
// the files were just chosen: a field without Accept.Auto then answers
// Later. Every refusal is a *FieldError, before any byte is sent.
func (t *Table[O]) Start(owner O, action, field string, acc *upload.Accept, decls []Decl, auto bool) (Started, error) {
	fail := func(err error, name string) (Started, error) {
		t.o.Report(Outcome(err), 0, 0)
		return Started{}, &FieldError{Field: field, Err: err, Name: name, Accept: acc}
	}
	switch {
	case acc == nil || t.o.Storage == nil:
		return fail(upload.ErrNotAccepted, "")
	case len(decls) == 0:
		return fail(upload.ErrEmpty, "")
	case len(decls) > acc.Files():
		return fail(upload.ErrTooMany, "")
	}
	for _, d := range decls {
		if err := upload.CheckName(d.Name); err != nil {
			return fail(err, "")
		}
		switch {
		case d.Size <= 0:
			return fail(upload.ErrEmpty, d.Name)
		case d.Size > acc.MaxSize:
			return fail(upload.ErrTooLarge, d.Name)
		}
	}
	if auto && !acc.Auto {
		return Started{Later: true, Chunk: t.o.Chunk}, nil
	}
	b := &batch[O]{id: newID(), owner: owner, action: action, field: field, acc: *acc, start: time.Now()}
	st := Started{Batch: b.id, Chunk: t.o.Chunk}
	for _, d := range decls {
		f := &file[O]{id: newID(), b: b, info: upload.Info{Field: field, Name: d.Name, Size: d.Size}}
		b.files = append(b.files, f)
		st.Files = append(st.Files, f.id)
	}
	t.mu.Lock()
	defer t.mu.Unlock()
	switch {
	case t.closed:
		return fail(upload.ErrBusy, "")
	case t.active+len(decls) > t.lim.MaxActive, t.owners[owner]+len(decls) > t.lim.MaxPerPage:
		return fail(upload.ErrBusy, "")
	}
	t.batches[b.id] = b
	for _, f := range b.files {
		t.files[f.id] = f
	}
	t.active += len(decls)
	t.owners[owner] += len(decls)
	b.deadline = time.Now().Add(t.lim.StallTimeout)
	b.timer = time.AfterFunc(t.lim.StallTimeout, func() { t.expire(b) })
	return st, nil
}

// lookup returns owner's file id, or ErrUnknown (also for another owner's
// file: its id is not revealed to exist).
func (t *Table[O]) lookup(owner O, id string) (*file[O], error) {
	t.mu.Lock()
	defer t.mu.Unlock()
	f := t.files[id]
	if f == nil || f.b.owner != owner {
		return nil, &FieldError{Err: upload.ErrUnknown}
	}
	return f, nil
}

// Chunk writes chunk n of owner's file id: n must be the next one, and
// data the chunk size (the rest of the file for the last). The first
// chunk's bytes must show a type the field accepts; the last commits the
// file. Any refusal fails the whole batch (nothing of it is kept) and is a
// *FieldError. ctx bounds the storage's calls.
func (t *Table[O]) Chunk(ctx context.Context, owner O, id string, n uint64, data []byte) (Progress, error) {
	f, err := t.lookup(owner, id)
	if err != nil {
		return Progress{}, err
	}
	b := f.b
	b.mu.Lock()
	defer b.mu.Unlock()
	if b.gone || f.gone {
		return Progress{}, &FieldError{Field: b.field, Err: upload.ErrUnknown}
	}
	want := min(int64(t.o.Chunk), f.info.Size-f.recv)
	switch {
	case f.key != "" || n != f.next:
		return Progress{}, t.failLocked(b, upload.ErrOrder, f.info.Name)
	case f.recv+int64(len(data)) > f.info.Size:
		return Progress{}, t.failLocked(b, upload.ErrTooLarge, f.info.Name)
	case int64(len(data)) != want:
		return Progress{}, t.failLocked(b, upload.ErrOrder, f.info.Name)
	}
	if f.w == nil {
		f.info.Type = upload.Detect(data)
		if !b.acc.Allows(f.info.Type) {
			return Progress{}, t.failLocked(b, upload.ErrType, f.info.Name)
		}
		w, err := t.o.Storage.Create(ctx, f.info)
		if err != nil {
			t.log.Error("upload: storage refused a file", "field", b.field, "err", err)
			return Progress{}, t.failLocked(b, fmt.Errorf("%w: %w", errStorage, err), f.info.Name)
		}
		f.w = w
	}
	if _, err := f.w.Write(data); err != nil {
		t.log.Error("upload: storage write failed", "field", b.field, "err", err)
		return Progress{}, t.failLocked(b, fmt.Errorf("%w: %w", errStorage, err), f.info.Name)
	}
	f.recv += int64(len(data))
	f.next++
	if f.recv < f.info.Size {
		b.arm(t.lim.StallTimeout)
		return Progress{Next: f.next}, nil
	}
	key, err := f.w.Commit(ctx)
	f.w = nil
	if err != nil {
		t.log.Error("upload: storage commit failed", "field", b.field, "err", err)
		return Progress{}, t.failLocked(b, fmt.Errorf("%w: %w", errStorage, err), f.info.Name)
	}
	f.key = key
	t.o.Report(OK, f.recv, time.Since(b.start))
	if b.finishedLocked() {
		b.arm(t.lim.ClaimTimeout)
	} else {
		b.arm(t.lim.StallTimeout)
	}
	return Progress{Next: f.next, Done: true}, nil
}

// finishedLocked reports whether every file left in b is stored.
func (b *batch[O]) finishedLocked() bool {
	for _, f := range b.files {
		if !f.gone && f.key == "" {
			return false
		}
	}
	return true
}

// Resume returns where owner's file id stands, for a client that
// reconnected: it continues with chunk Progress.Next.
func (t *Table[O]) Resume(owner O, id string) (Progress, error) {
	f, err := t.lookup(owner, id)
	if err != nil {
		return Progress{}, err
	}
	b := f.b
	b.mu.Lock()
	defer b.mu.Unlock()
	if b.gone || f.gone {
		return Progress{}, &FieldError{Field: b.field, Err: upload.ErrUnknown}
	}
	if f.key == "" {
		b.arm(t.lim.StallTimeout)
	}
	return Progress{Next: f.next, Done: f.key != ""}, nil
}

// Cancel drops owner's file id from its batch, leaving nothing of it in the
// storage; the batch's other files go on. Cancelling a file that is not
// there (any more) does nothing.
func (t *Table[O]) Cancel(owner O, id string) {
	f, err := t.lookup(owner, id)
	if err != nil {
		return
	}
	b := f.b
	b.mu.Lock()
	defer b.mu.Unlock()
	if b.gone || f.gone {
		return
	}
	f.gone = true
	if f.key == "" {
		t.o.Report(Canceled, f.recv, time.Since(b.start))
	}
	t.discard(f)
	t.mu.Lock()
	delete(t.files, f.id)
	t.release(b.owner, 1)
	t.mu.Unlock()
	for _, g := range b.files {
		if !g.gone {
			if b.finishedLocked() {
				b.arm(t.lim.ClaimTimeout)
			}
			return
		}
	}
	t.removeLocked(b, "") // nothing left
}

// Claim hands the stored files of owner's batches ids, all started for
// action, to the action: by field, in the order declared (cancelled files
// left out). settle must be called once the action has run: with false
// (the action failed) the files are deleted. A batch still uploading, of
// another owner or action, or unknown, is a *FieldError and claims
// nothing.
func (t *Table[O]) Claim(owner O, action string, ids []string) (map[string][]upload.File, func(ok bool), error) {
	t.mu.Lock()
	bs := make([]*batch[O], 0, len(ids))
	for _, id := range ids {
		b := t.batches[id]
		if b == nil || b.owner != owner || b.action != action {
			t.mu.Unlock()
			field := ""
			if b != nil && b.owner == owner {
				field = b.field
			}
			return nil, nil, &FieldError{Field: field, Err: upload.ErrUnknown}
		}
		bs = append(bs, b)
	}
	t.mu.Unlock()
	for i, b := range bs {
		b.mu.Lock()
		if b.gone || !b.finishedLocked() {
			b.mu.Unlock()
			for _, c := range bs[:i] {
				c.mu.Unlock()
			}
			return nil, nil, &FieldError{Field: b.field, Err: errUnfinished}
		}
	}
	files := map[string][]upload.File{}
	var keys []string
	for _, b := range bs {
		for _, f := range b.files {
			if !f.gone {
				files[b.field] = append(files[b.field], upload.File{Info: f.info, Key: f.key})
				keys = append(keys, f.key)
			}
		}
		b.gone = true
		b.timer.Stop()
		t.mu.Lock()
		delete(t.batches, b.id)
		n := 0
		for _, f := range b.files {
			if !f.gone {
				delete(t.files, f.id)
				n++
			}
		}
		t.release(b.owner, n)
		t.mu.Unlock()
		b.mu.Unlock()
	}
	var once sync.Once
	settle := func(ok bool) {
		once.Do(func() {
			if ok {
				return
			}
			for _, k := range keys {
				t.delete(ctx(t), k)
			}
		})
	}
	return files, settle, nil
}

// ctx returns the table's lifetime context, for storage calls that no
// request bounds.
func ctx[O comparable](t *Table[O]) context.Context { return t.ctx }

// failLocked removes b, discarding its files, and returns the refusal of
// the file named name. The caller holds b.mu.
func (t *Table[O]) failLocked(b *batch[O], err error, name string) error {
	t.removeLocked(b, Outcome(err))
	return &FieldError{Field: b.field, Err: err, Name: name, Accept: &b.acc}
}

// removeLocked takes b out of the table and discards what it holds,
// reporting outcome (if not "") for the files still arriving. The caller
// holds b.mu.
func (t *Table[O]) removeLocked(b *batch[O], outcome string) {
	if b.gone {
		return
	}
	b.gone = true
	if b.timer != nil {
		b.timer.Stop()
	}
	n := 0
	for _, f := range b.files {
		if !f.gone {
			if f.key == "" && outcome != "" {
				t.o.Report(outcome, f.recv, time.Since(b.start))
			}
			t.discard(f)
			n++
		}
	}
	t.mu.Lock()
	delete(t.batches, b.id)
	for _, f := range b.files {
		delete(t.files, f.id)
	}
	t.release(b.owner, n)
	t.mu.Unlock()
}

// discard aborts f's writer or deletes its stored file.
func (t *Table[O]) discard(f *file[O]) {
	switch {
	case f.w != nil:
		if err := f.w.Abort(t.ctx); err != nil {
			t.log.Error("upload: abort failed", "field", f.info.Field, "err", err)
		}
		f.w = nil
	case f.key != "":
		t.delete(t.ctx, f.key)
		f.key = ""
	}
}

// delete removes a stored file, logging a failure.
func (t *Table[O]) delete(ctx context.Context, key string) {
	if err := t.o.Storage.Delete(ctx, key); err != nil && !errors.Is(err, upload.ErrNotFound) {
		t.log.Error("upload: delete failed", "err", err)
	}
}

// release forgets n files of owner. The caller holds t.mu.
func (t *Table[O]) release(owner O, n int) {
	t.active -= n
	if t.owners[owner] -= n; t.owners[owner] <= 0 {
		delete(t.owners, owner)
	}
}

// expire removes a batch that stalled or was never claimed.
func (t *Table[O]) expire(b *batch[O]) {
	t.mu.Lock()
	if t.closed {
		t.mu.Unlock()
		return
	}
	t.wg.Add(1)
	t.mu.Unlock()
	defer t.wg.Done()
	b.mu.Lock()
	defer b.mu.Unlock()
	if time.Now().Before(b.deadline) {
		return // re-armed while this firing waited
	}
	t.removeLocked(b, Stalled)
}

// Len returns the number of files held (uploading, or stored and not yet
// claimed).
func (t *Table[O]) Len() int {
	t.mu.Lock()
	defer t.mu.Unlock()
	return t.active
}

// Close aborts every upload and deletes every unclaimed file, after the
// expiries running have ended. It is idempotent.
func (t *Table[O]) Close() error {
	t.mu.Lock()
	if t.closed {
		t.mu.Unlock()
		return nil
	}
	t.closed = true
	bs := make([]*batch[O], 0, len(t.batches))
	for _, b := range t.batches {
		bs = append(bs, b)
	}
	t.mu.Unlock()
	t.wg.Wait()
	for _, b := range bs {
		b.mu.Lock()
		t.removeLocked(b, "") // the app stops
		b.mu.Unlock()
	}
	t.cancel()
	return nil
}

// newID returns 32 random hex digits.
func newID() string {
	var b [16]byte
	_, _ = rand.Read(b[:]) // never fails (crypto/rand)
	return hex.EncodeToString(b[:])
}

// Internal refusals, reported like the sentinels of package upload.
var (
	errStorage    = errors.New("transfer: storage failed")
	errUnfinished = errors.New("transfer: files still uploading")
)

// FieldError is a refused upload: the form field (empty when unknown), the
// reason (a sentinel error of package upload, or a storage failure), and
// the file it is about.
type FieldError struct {
	Field  string
	Err    error
	Name   string         // the file's name, when one file is at fault
	Accept *upload.Accept // what the field accepts, for the message
}

// Error implements error.
func (e *FieldError) Error() string {
	return fmt.Sprintf("transfer: field %q: %v", e.Field, e.Err)
}

// Unwrap returns the reason.
func (e *FieldError) Unwrap() error { return e.Err }

// Message returns the refusal in words for the user.
func (e *FieldError) Message() string {
	file := "The file"
	if e.Name != "" {
		file = fmt.Sprintf("%q", e.Name)
	}
	switch {
	case errors.Is(e.Err, upload.ErrTooLarge):
		if e.Accept != nil {
			return fmt.Sprintf("%s is larger than %s.", file, Size(e.Accept.MaxSize))
		}
		return file + " is too large."
	case errors.Is(e.Err, upload.ErrTooMany):
		if e.Accept != nil {
			return fmt.Sprintf("Choose at most %d file%s.", e.Accept.Files(), plural(e.Accept.Files()))
		}
		return "Too many files."
	case errors.Is(e.Err, upload.ErrType):
		if e.Accept != nil {
			return fmt.Sprintf("%s is not of an accepted type (%s).", file, strings.Join(e.Accept.Types, ", "))
		}
		return file + " is not of an accepted type."
	case errors.Is(e.Err, upload.ErrEmpty):
		if e.Name == "" {
			return "Choose a file."
		}
		return file + " is empty."
	case errors.Is(e.Err, upload.ErrName):
		return "The file's name is not allowed (no slashes or control characters)."
	case errors.Is(e.Err, upload.ErrOrder):
		return file + " arrived damaged (its parts out of order); send it again."
	case errors.Is(e.Err, upload.ErrNotAccepted):
		return "This field accepts no files."
	case errors.Is(e.Err, upload.ErrBusy):
		return "Too many uploads at once; try again shortly."
	case errors.Is(e.Err, errUnfinished):
		return "The files are still uploading."
	case errors.Is(e.Err, errStorage):
		return file + " could not be stored; try again."
	}
	return "The upload was interrupted; choose the file again."
}

func plural(n int) string {
	if n == 1 {
		return ""
	}
	return "s"
}

// Size formats n bytes for the user: "32 MB", "500 KB", "12 bytes".
func Size(n int64) string {
	switch {
	case n >= 1<<20 && n%(1<<20) == 0:
		return fmt.Sprintf("%d MB", n>>20)
	case n >= 1<<20:
		return fmt.Sprintf("%.1f MB", float64(n)/(1<<20))
	case n >= 1<<10:
		return fmt.Sprintf("%d KB", n>>10)
	}
	return fmt.Sprintf("%d bytes", n)
}
