package transfer_test

import (
	"bytes"
	"context"
	"errors"
	"io"
	"sync"
	"testing"
	"testing/synctest"
	"time"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"

	"github.com/lvtgo/livetemplate/internal/transfer"
	"github.com/lvtgo/livetemplate/upload"
)

// memStorage is an in-memory upload.Storage that counts what is open.
type memStorage struct {
	mu      sync.Mutex
	n       int
	open    int // writers neither committed nor aborted
	files   map[string][]byte
	failNew bool
}

func newMem() *memStorage { return &memStorage{files: map[string][]byte{}} }

func (m *memStorage) Create(context.Context, upload.Info) (upload.Writer, error) {
	m.mu.Lock()
	defer m.mu.Unlock()
	if m.failNew {
		return nil, errors.New("disk full")
	}
	m.open++
	return &memWriter{m: m}, nil
}

func (m *memStorage) Delete(_ context.Context, key string) error {
	m.mu.Lock()
	defer m.mu.Unlock()
	if _, ok := m.files[key]; !ok {
		return upload.ErrNotFound
	}
	delete(m.files, key)
	return nil
}

func (m *memStorage) Open(_ context.Context, key string) (io.ReadCloser, error) {
	m.mu.Lock()
	defer m.mu.Unlock()
	return io.NopCloser(bytes.NewReader(m.files[key])), nil
}

// state returns the writers open and the files stored.
func (m *memStorage) state() (open, stored int) {
	m.mu.Lock()
	defer m.mu.Unlock()
	return m.open, len(m.files)
}

type memWriter struct {
	m   *memStorage
	buf bytes.Buffer
}

func (w *memWriter) Write(p []byte) (int, error) { return w.buf.Write(p) }

func (w *memWriter) Commit(context.Context) (string, error) {
	w.m.mu.Lock()
	defer w.m.mu.Unlock()
	w.m.n++
	key := string(rune('a' + w.m.n))
	w.m.files[key] = w.buf.Bytes()
	w.m.open--
	return key, nil
}

func (w *memWriter) Abort(context.Context) error {
	w.m.mu.Lock()
	defer w.m.mu.Unlock()
	w.m.open--
	return nil
}

const chunk = 16

var (
	pngAccept = upload.Accept{Types: []string{"image/png", "image/gif"}, MaxSize: 100, MaxFiles: 2}
	png       = append([]byte("\x89PNG\r\n\x1a\n"), bytes.Repeat([]byte{7}, 32)...) // 40 bytes: 3 chunks
)

type page struct{ n int }

func newTable(t *testing.T, s upload.Storage, lim upload.Options) *transfer.Table[*page] {
	tb := transfer.New[*page](transfer.Options{Storage: s, Limits: lim, Chunk: chunk})
	t.Cleanup(func() { _ = tb.Close() })
	return tb
}

// send sends content as file id's chunks.
func send(t *testing.T, tb *transfer.Table[*page], owner *page, id string, content []byte) (transfer.Progress, error) {
	t.Helper()
	var pr transfer.Progress
	for n := 0; n*chunk < len(content); n++ {
		var err error
		pr, err = tb.Chunk(t.Context(), owner, id, uint64(n), content[n*chunk:min(len(content), (n+1)*chunk)])
		if err != nil {
			return pr, err
		}
	}
	return pr, nil
}

func TestUploadAndClaim(t *testing.T) {
	m := newMem()
	tb := newTable(t, m, upload.Options{})
	p := &page{}
	st, err := tb.Start(p, "add", "photo", &pngAccept, []transfer.Decl{{Name: "a.png", Size: int64(len(png))}}, false)
	require.NoError(t, err)
	require.Len(t, st.Files, 1)
	assert.Equal(t, chunk, st.Chunk)
	pr, err := send(t, tb, p, st.Files[0], png)
	require.NoError(t, err)
	assert.Equal(t, transfer.Progress{Next: 3, Done: true}, pr)

	_, _, err = tb.Claim(p, "other", []string{st.Batch})
	require.Error(t, err, "another action")
	files, settle, err := tb.Claim(p, "add", []string{st.Batch})
	require.NoError(t, err)
	require.Len(t, files["photo"], 1)
	f := files["photo"][0]
	assert.Equal(t, upload.Info{Field: "photo", Name: "a.png", Type: "image/png", Size: 40}, f.Info)
	r, _ := m.Open(t.Context(), f.Key)
	got, _ := io.ReadAll(r)
	assert.Equal(t, png, got)
	settle(true)
	assert.Equal(t, 0, tb.Len())
	_, _, err = tb.Claim(p, "add", []string{st.Batch})
	assert.ErrorIs(t, err, upload.ErrUnknown, "claimed once")
}

func TestFailedActionDeletes(t *testing.T) {
	m := newMem()
	tb := newTable(t, m, upload.Options{})
	p := &page{}
	st, err := tb.Start(p, "add", "photo", &pngAccept, []transfer.Decl{{Name: "a.png", Size: 40}, {Name: "b.png", Size: 40}}, false)
	require.NoError(t, err)
	for _, id := range st.Files {
		_, err := send(t, tb, p, id, png)
		require.NoError(t, err)
	}
	_, settle, err := tb.Claim(p, "add", []string{st.Batch})
	require.NoError(t, err)
	_, stored := m.state()
	assert.Equal(t, 2, stored)
	settle(false)
	_, stored = m.state()
	assert.Equal(t, 0, stored, "a failed action keeps none")
}

func TestStartRefusals(t *testing.T) {
	cases := []struct {
		name  string
		acc   *upload.Accept
		decls []transfer.Decl
		want  error
		msg   string
	}{
		{name: "no field", acc: nil, decls: []transfer.Decl{{Name: "a.png", Size: 1}}, want: upload.ErrNotAccepted, msg: "This field accepts no files."},
		{name: "too many", acc: &pngAccept, decls: []transfer.Decl{{"a", 1}, {"b", 1}, {"c", 1}}, want: upload.ErrTooMany, msg: "Choose at most 2 files."},
		{name: "too large", acc: &pngAccept, decls: []transfer.Decl{{"big.png", 101}}, want: upload.ErrTooLarge, msg: `"big.png" is larger than 100 bytes.`},
		{name: "empty", acc: &pngAccept, decls: []transfer.Decl{{"e.png", 0}}, want: upload.ErrEmpty, msg: `"e.png" is empty.`},
		{name: "none", acc: &pngAccept, decls: nil, want: upload.ErrEmpty, msg: "Choose a file."},
		{name: "path", acc: &pngAccept, decls: []transfer.Decl{{"../a.png", 1}}, want: upload.ErrName},
		{name: "control", acc: &pngAccept, decls: []transfer.Decl{{"a\x1b.png", 1}}, want: upload.ErrName},
	}
	for _, tc := range cases {
		t.Run(tc.name, func(t *testing.T) {
			tb := newTable(t, newMem(), upload.Options{})
			_, err := tb.Start(&page{}, "add", "photo", tc.acc, tc.decls, false)
			require.ErrorIs(t, err, tc.want)
			var fe *transfer.FieldError
			require.ErrorAs(t, err, &fe)
			assert.Equal(t, "photo", fe.Field)
			if tc.msg != "" {
				assert.Equal(t, tc.msg, fe.Message())
			}
			assert.Equal(t, 0, tb.Len(), "nothing reserved")
		})
	}
}

func TestChunkRefusals(t *testing.T) {
	text := []byte("I am a text file, though my name says otherwise")
	cases := []struct {
		name string
		send func(t *testing.T, tb *transfer.Table[*page], p *page, id string) error
		want error
	}{
		{name: "text named .png", want: upload.ErrType, send: func(t *testing.T, tb *transfer.Table[*page], p *page, id string) error {
			_, err := send(t, tb, p, id, text[:40])
			return err
		}},
		{name: "out of order", want: upload.ErrOrder, send: func(t *testing.T, tb *transfer.Table[*page], p *page, id string) error {
			_, err := tb.Chunk(t.Context(), p, id, 1, png[chunk:2*chunk])
			return err
		}},
		{name: "repeated", want: upload.ErrOrder, send: func(t *testing.T, tb *transfer.Table[*page], p *page, id string) error {
			if _, err := tb.Chunk(t.Context(), p, id, 0, png[:chunk]); err != nil {
				return err
			}
			_, err := tb.Chunk(t.Context(), p, id, 0, png[:chunk])
			return err
		}},
		{name: "short chunk", want: upload.ErrOrder, send: func(t *testing.T, tb *transfer.Table[*page], p *page, id string) error {
			_, err := tb.Chunk(t.Context(), p, id, 0, png[:chunk-1])
			return err
		}},
		{name: "past the declared size", want: upload.ErrTooLarge, send: func(t *testing.T, tb *transfer.Table[*page], p *page, id string) error {
			if _, err := send(t, tb, p, id, png[:2*chunk]); err != nil {
				return err
			}
			_, err := tb.Chunk(t.Context(), p, id, 2, bytes.Repeat([]byte{1}, chunk))
			return err
		}},
		{name: "another page's upload", want: upload.ErrUnknown, send: func(t *testing.T, tb *transfer.Table[*page], p *page, id string) error {
			_, err := tb.Chunk(t.Context(), &page{}, id, 0, png[:chunk])
			return err
		}},
		{name: "unknown id", want: upload.ErrUnknown, send: func(t *testing.T, tb *transfer.Table[*page], p *page, id string) error {
			_, err := tb.Chunk(t.Context(), p, "nope", 0, png[:chunk])
			return err
		}},
	}
	for _, tc := range cases {
		t.Run(tc.name, func(t *testing.T) {
			m := newMem()
			tb := newTable(t, m, upload.Options{})
			p := &page{}
			st, err := tb.Start(p, "add", "photo", &pngAccept, []transfer.Decl{{Name: "a.png", Size: 40}}, false)
			require.NoError(t, err)
			err = tc.send(t, tb, p, st.Files[0])
			require.ErrorIs(t, err, tc.want)
			if errors.Is(err, upload.ErrUnknown) {
				return // the real upload goes on
			}
			open, stored := m.state()
			assert.Equal(t, 0, open, "no writer left open")
			assert.Equal(t, 0, stored, "nothing stored")
			assert.Equal(t, 0, tb.Len())
			_, _, err = tb.Claim(p, "add", []string{st.Batch})
			assert.Error(t, err, "the batch is gone")
		})
	}
}

func TestCancelOneFile(t *testing.T) {
	m := newMem()
	tb := newTable(t, m, upload.Options{})
	p := &page{}
	st, err := tb.Start(p, "add", "photo", &pngAccept, []transfer.Decl{{Name: "a.png", Size: 40}, {Name: "b.png", Size: 40}}, false)
	require.NoError(t, err)
	_, err = tb.Chunk(t.Context(), p, st.Files[0], 0, png[:chunk])
	require.NoError(t, err)
	tb.Cancel(p, st.Files[0])
	open, _ := m.state()
	assert.Equal(t, 0, open, "the cancelled file's writer is aborted")
	_, err = send(t, tb, p, st.Files[1], png)
	require.NoError(t, err)
	files, settle, err := tb.Claim(p, "add", []string{st.Batch})
	require.NoError(t, err)
	settle(true)
	require.Len(t, files["photo"], 1)
	assert.Equal(t, "b.png", files["photo"][0].Name)
}

func TestResume(t *testing.T) {
	tb := newTable(t, newMem(), upload.Options{})
	p := &page{}
	st, err := tb.Start(p, "add", "photo", &pngAccept, []transfer.Decl{{Name: "a.png", Size: 40}}, false)
	require.NoError(t, err)
	_, err = tb.Chunk(t.Context(), p, st.Files[0], 0, png[:chunk])
	require.NoError(t, err)
	pr, err := tb.Resume(p, st.Files[0])
	require.NoError(t, err)
	assert.Equal(t, transfer.Progress{Next: 1}, pr)
	_, err = tb.Resume(&page{}, st.Files[0])
	assert.ErrorIs(t, err, upload.ErrUnknown)
	_, err = send(t, tb, p, st.Files[0], png) // from 0: repeated
	assert.ErrorIs(t, err, upload.ErrOrder)
}

func TestAutoFieldOnly(t *testing.T) {
	tb := newTable(t, newMem(), upload.Options{})
	st, err := tb.Start(&page{}, "add", "photo", &pngAccept, []transfer.Decl{{Name: "a.png", Size: 40}}, true)
	require.NoError(t, err)
	assert.True(t, st.Later, "not an Auto field: with the submit")
	assert.Equal(t, 0, tb.Len())
	auto := pngAccept
	auto.Auto = true
	st, err = tb.Start(&page{}, "add", "photo", &auto, []transfer.Decl{{Name: "a.png", Size: 40}}, true)
	require.NoError(t, err)
	assert.False(t, st.Later)
	assert.Len(t, st.Files, 1)
}

func TestBounds(t *testing.T) {
	tb := newTable(t, newMem(), upload.Options{MaxActive: 3, MaxPerPage: 2})
	p, q := &page{}, &page{}
	_, err := tb.Start(p, "add", "photo", &pngAccept, []transfer.Decl{{"a", 1}, {"b", 1}}, false)
	require.NoError(t, err)
	_, err = tb.Start(p, "add", "photo", &pngAccept, []transfer.Decl{{"c", 1}}, false)
	assert.ErrorIs(t, err, upload.ErrBusy, "per page")
	_, err = tb.Start(q, "add", "photo", &pngAccept, []transfer.Decl{{"c", 1}}, false)
	require.NoError(t, err)
	_, err = tb.Start(&page{}, "add", "photo", &pngAccept, []transfer.Decl{{"d", 1}}, false)
	assert.ErrorIs(t, err, upload.ErrBusy, "in all")
}

func TestStorageFailure(t *testing.T) {
	m := newMem()
	m.failNew = true
	tb := newTable(t, m, upload.Options{})
	p := &page{}
	st, err := tb.Start(p, "add", "photo", &pngAccept, []transfer.Decl{{Name: "a.png", Size: 40}}, false)
	require.NoError(t, err)
	_, err = tb.Chunk(t.Context(), p, st.Files[0], 0, png[:chunk])
	var fe *transfer.FieldError
	require.ErrorAs(t, err, &fe)
	assert.Equal(t, `"a.png" could not be stored; try again.`, fe.Message())
}

func TestStallAborts(t *testing.T) {
	synctest.Test(t, func(t *testing.T) {
		m := newMem()
		tb := transfer.New[*page](transfer.Options{Storage: m, Chunk: chunk, Limits: upload.Options{StallTimeout: time.Second, ClaimTimeout: time.Minute}})
		defer tb.Close()
		p := &page{}
		st, err := tb.Start(p, "add", "photo", &pngAccept, []transfer.Decl{{Name: "a.png", Size: 40}}, false)
		require.NoError(t, err)
		_, err = tb.Chunk(t.Context(), p, st.Files[0], 0, png[:chunk])
		require.NoError(t, err)
		time.Sleep(900 * time.Millisecond)
		_, err = tb.Chunk(t.Context(), p, st.Files[0], 1, png[chunk:2*chunk])
		require.NoError(t, err, "each chunk restarts the clock")
		time.Sleep(1100 * time.Millisecond)
		synctest.Wait()
		open, stored := m.state()
		assert.Equal(t, 0, open, "the stalled upload's writer is aborted")
		assert.Equal(t, 0, stored)
		_, err = tb.Chunk(t.Context(), p, st.Files[0], 2, png[2*chunk:])
		assert.ErrorIs(t, err, upload.ErrUnknown)

		// A finished batch waits ClaimTimeout for its action.
		st, err = tb.Start(p, "add", "photo", &pngAccept, []transfer.Decl{{Name: "a.png", Size: 40}}, false)
		require.NoError(t, err)
		_, err = send(t, tb, p, st.Files[0], png)
		require.NoError(t, err)
		time.Sleep(30 * time.Second)
		_, stored = m.state()
		assert.Equal(t, 1, stored, "kept while it waits for its action")
		time.Sleep(31 * time.Second)
		synctest.Wait()
		_, stored = m.state()
		assert.Equal(t, 0, stored, "deleted once nobody claimed it")
	})
}

func TestCloseLeavesNothing(t *testing.T) {
	m := newMem()
	tb := transfer.New[*page](transfer.Options{Storage: m, Chunk: chunk})
	p := &page{}
	st, err := tb.Start(p, "add", "photo", &pngAccept, []transfer.Decl{{Name: "a.png", Size: 40}, {Name: "b.png", Size: 40}}, false)
	require.NoError(t, err)
	_, err = send(t, tb, p, st.Files[0], png)
	require.NoError(t, err)
	_, err = tb.Chunk(t.Context(), p, st.Files[1], 0, png[:chunk])
	require.NoError(t, err)
	require.NoError(t, tb.Close())
	require.NoError(t, tb.Close())
	open, stored := m.state()
	assert.Equal(t, 0, open)
	assert.Equal(t, 0, stored)
}

func TestSize(t *testing.T) {
	assert.Equal(t, "32 MB", transfer.Size(32<<20))
	assert.Equal(t, "1.5 MB", transfer.Size(3<<19))
	assert.Equal(t, "2 KB", transfer.Size(2048))
	assert.Equal(t, "12 bytes", transfer.Size(12))
}

// Each file's end is reported once, with its outcome and the bytes that
// arrived: stored, cancelled, cut by a refusal, stalled, or refused before
// any byte (once for the batch).
func TestReports(t *testing.T) {
	synctest.Test(t, func(t *testing.T) {
		type report struct {
			outcome string
			bytes   int64
		}
		var got []report
		tb := transfer.New[*page](transfer.Options{Storage: newMem(), Chunk: chunk,
			Limits: upload.Options{StallTimeout: time.Second, ClaimTimeout: time.Minute},
			Report: func(o string, n int64, d time.Duration) {
				assert.GreaterOrEqual(t, d, time.Duration(0))
				got = append(got, report{o, n})
			}})
		defer tb.Close()
		p := &page{}
		start := func(decls ...transfer.Decl) transfer.Started {
			st, err := tb.Start(p, "add", "photo", &pngAccept, decls, false)
			require.NoError(t, err)
			return st
		}

		st := start(transfer.Decl{Name: "a.png", Size: 40}, transfer.Decl{Name: "b.png", Size: 40})
		_, err := send(t, tb, p, st.Files[0], png)
		require.NoError(t, err)
		_, err = tb.Chunk(t.Context(), p, st.Files[1], 0, png[:chunk])
		require.NoError(t, err)
		tb.Cancel(p, st.Files[1])
		assert.Equal(t, []report{{transfer.OK, 40}, {transfer.Canceled, chunk}}, got)

		got = nil
		_, err = tb.Start(p, "add", "photo", &pngAccept, []transfer.Decl{{Name: "big.png", Size: 101}}, false)
		require.Error(t, err)
		st = start(transfer.Decl{Name: "c.png", Size: 40})
		_, err = tb.Chunk(t.Context(), p, st.Files[0], 0, []byte("plain text, not a png")[:chunk])
		require.Error(t, err)
		st = start(transfer.Decl{Name: "d.png", Size: 40})
		_, err = tb.Chunk(t.Context(), p, st.Files[0], 0, png[:chunk])
		require.NoError(t, err)
		_, err = tb.Chunk(t.Context(), p, st.Files[0], 0, png[:chunk]) // repeated
		require.Error(t, err)
		st = start(transfer.Decl{Name: "e.png", Size: 40})
		_, err = tb.Chunk(t.Context(), p, st.Files[0], 0, png[:chunk])
		require.NoError(t, err)
		time.Sleep(2 * time.Second)
		synctest.Wait()
		assert.Equal(t, []report{{"too_large", 0}, {"type", 0}, {"order", chunk}, {transfer.Stalled, chunk}}, got)
	})
}

func TestOutcome(t *testing.T) {
	assert.Equal(t, "too_large", transfer.Outcome(&transfer.FieldError{Err: upload.ErrTooLarge}))
	assert.Equal(t, "name", transfer.Outcome(upload.ErrName))
	assert.Equal(t, "error", transfer.Outcome(errors.New("other")))
}
