package localdir_test

import (
	"os"
	"path/filepath"
	"strings"
	"testing"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"

	"github.com/lvtgo/livetemplate/upload"
	"github.com/lvtgo/livetemplate/upload/localdir"
	"github.com/lvtgo/livetemplate/upload/uploadtest"
)

func TestConformance(t *testing.T) {
	uploadtest.Run(t, func(t *testing.T) upload.Storage {
		d, err := localdir.New(t.TempDir(), nil)
		require.NoError(t, err)
		t.Cleanup(func() { assertNoTemp(t, d.Root()) })
		return d
	})
}

// assertNoTemp checks that no temporary file is left in dir.
func assertNoTemp(t *testing.T, dir string) {
	t.Helper()
	ents, err := os.ReadDir(dir)
	require.NoError(t, err)
	for _, e := range ents {
		assert.False(t, strings.HasPrefix(e.Name(), ".upload-"), "temporary file %s left", e.Name())
	}
}

func TestAbortLeavesNothing(t *testing.T) {
	dir := t.TempDir()
	d, err := localdir.New(dir, nil)
	require.NoError(t, err)
	w, err := d.Create(t.Context(), upload.Info{Type: "image/png", Size: 10})
	require.NoError(t, err)
	_, err = w.Write([]byte("12345"))
	require.NoError(t, err)
	require.NoError(t, w.Abort(t.Context()))
	ents, err := os.ReadDir(dir)
	require.NoError(t, err)
	assert.Empty(t, ents)
}

func TestCommitNamesByType(t *testing.T) {
	d, err := localdir.New(t.TempDir(), nil)
	require.NoError(t, err)
	w, err := d.Create(t.Context(), upload.Info{Name: "../../evil.sh", Type: "image/gif", Size: 3})
	require.NoError(t, err)
	_, err = w.Write([]byte("GIF"))
	require.NoError(t, err)
	key, err := w.Commit(t.Context())
	require.NoError(t, err)
	assert.Regexp(t, `^[0-9a-f]{32}\.gif$`, key, "the client's name is never used")
	_, err = os.Stat(filepath.Join(d.Root(), key))
	assert.NoError(t, err)
}

func TestNewRemovesLeftovers(t *testing.T) {
	dir := t.TempDir()
	require.NoError(t, os.WriteFile(filepath.Join(dir, ".upload-123"), []byte("x"), 0o600))
	require.NoError(t, os.WriteFile(filepath.Join(dir, "keep.png"), []byte("x"), 0o600))
	_, err := localdir.New(dir, nil)
	require.NoError(t, err)
	ents, err := os.ReadDir(dir)
	require.NoError(t, err)
	require.Len(t, ents, 1)
	assert.Equal(t, "keep.png", ents[0].Name())
}
