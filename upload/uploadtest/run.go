package uploadtest

import (
	"bytes"
	"errors"
	"fmt"
	"io"
	"sync"
	"testing"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"

	"github.com/lvtgo/livetemplate/upload"
)

// Run checks that the storages newStorage returns satisfy the
// upload.Storage contract, each check in its own subtest. newStorage is
// called once per subtest and returns a new, empty storage; it registers
// its cleanup with t.Cleanup. The read-back checks need an upload.Opener
// and are skipped for a storage without one.
func Run(t *testing.T, newStorage func(t *testing.T) upload.Storage) {
	t.Helper()
	checks := []struct {
		name string
		run  func(t *testing.T, s upload.Storage)
	}{
		{name: "CommitKeepsTheBytes", run: testCommit},
		{name: "KeysDiffer", run: testKeysDiffer},
		{name: "AbortKeepsNothing", run: testAbort},
		{name: "DeleteRemoves", run: testDelete},
		{name: "DeleteUnknownKey", run: testDeleteUnknown},
		{name: "ConcurrentFiles", run: testConcurrent},
	}
	for _, c := range checks {
		t.Run(c.name, func(t *testing.T) { c.run(t, newStorage(t)) })
	}
}

func info(size int) upload.Info {
	return upload.Info{Field: "photo", Name: "a.png", Type: "image/png", Size: int64(size)}
}

// store writes content in chunks of 1000 bytes and commits it.
func store(t testing.TB, s upload.Storage, content []byte) string {
	t.Helper()
	w, err := s.Create(t.Context(), info(len(content)))
	require.NoError(t, err)
	for rest := content; len(rest) > 0; {
		n := min(len(rest), 1000)
		_, err := w.Write(rest[:n])
		require.NoError(t, err)
		rest = rest[n:]
	}
	key, err := w.Commit(t.Context())
	require.NoError(t, err)
	require.NotEmpty(t, key)
	return key
}

func content(n int) []byte {
	b := make([]byte, n)
	for i := range b {
		b[i] = byte(i * 7)
	}
	return b
}

func read(t testing.TB, s upload.Storage, key string) ([]byte, error) {
	t.Helper()
	o, ok := s.(upload.Opener)
	if !ok {
		t.Skip("the storage is no upload.Opener")
	}
	r, err := o.Open(t.Context(), key)
	if err != nil {
		return nil, err
	}
	defer r.Close()
	return io.ReadAll(r)
}

func testCommit(t *testing.T, s upload.Storage) {
	want := content(10_000)
	key := store(t, s, want)
	got, err := read(t, s, key)
	require.NoError(t, err)
	assert.Equal(t, want, got)
}

func testKeysDiffer(t *testing.T, s upload.Storage) {
	assert.NotEqual(t, store(t, s, content(10)), store(t, s, content(10)), "two files with the same info and content")
}

func testAbort(t *testing.T, s upload.Storage) {
	w, err := s.Create(t.Context(), info(100))
	require.NoError(t, err)
	_, err = w.Write(content(50))
	require.NoError(t, err)
	require.NoError(t, w.Abort(t.Context()))
}

func testDelete(t *testing.T, s upload.Storage) {
	key := store(t, s, content(10))
	require.NoError(t, s.Delete(t.Context(), key))
	err := s.Delete(t.Context(), key)
	assert.ErrorIs(t, err, upload.ErrNotFound, "deleted twice")
	if _, ok := s.(upload.Opener); ok {
		_, err := read(t, s, key)
		assert.ErrorIs(t, err, upload.ErrNotFound)
	}
}

func testDeleteUnknown(t *testing.T, s upload.Storage) {
	for _, key := range []string{"", "nothing", "../etc/passwd", "/etc/passwd"} {
		err := s.Delete(t.Context(), key)
		assert.ErrorIs(t, err, upload.ErrNotFound, "key %q", key)
	}
}

func testConcurrent(t *testing.T, s upload.Storage) {
	const n = 20
	var wg sync.WaitGroup
	keys := make([]string, n)
	errs := make([]error, n)
	for i := range n {
		wg.Go(func() {
			w, err := s.Create(t.Context(), info(3000))
			if err != nil {
				errs[i] = err
				return
			}
			for range 3 {
				if _, err := w.Write(bytes.Repeat([]byte{byte(i)}, 1000)); err != nil {
					errs[i] = err
					return
				}
			}
			keys[i], errs[i] = w.Commit(t.Context())
		})
	}
	wg.Wait()
	require.NoError(t, errors.Join(errs...))
	for i, key := range keys {
		got, err := read(t, s, key)
		require.NoError(t, err)
		assert.Equal(t, bytes.Repeat([]byte{byte(i)}, 3000), got, fmt.Sprintf("file %d", i))
	}
}
