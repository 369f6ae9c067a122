package main

import (
	"bytes"
	"io"
	"net/http"
	"net/http/httptest"
	"strings"
	"testing"
	"time"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"
	"go.uber.org/goleak"

	"github.com/lvtgo/livetemplate"
	"github.com/lvtgo/livetemplate/examples/gallery/gallery"
	"github.com/lvtgo/livetemplate/livetest"
)

// The browser tests of this page are in the module e2e (e2e/gallery).

func TestMain(m *testing.M) { goleak.VerifyTestMain(m) }

func png(n int) []byte {
	return append([]byte("\x89PNG\r\n\x1a\n"), bytes.Repeat([]byte{9}, n)...)
}

func handler(t *testing.T) http.Handler {
	t.Helper()
	st, err := gallery.Storage(t.TempDir())
	require.NoError(t, err)
	h, err := gallery.NewHandler(livetest.App(t, livetemplate.WithUploads(st, nil)), st)
	require.NoError(t, err)
	return h
}

func server(t *testing.T) *livetest.Server { return livetest.Start(t, handler(t)) }

func TestEveryTabSeesNewPhotos(t *testing.T) {
	h := handler(t)
	tab := livetest.Start(t, h).Open("/")
	other := tab.Tab("/")
	require.NoError(t, tab.Upload("#upload input[name=photo]", "beach.png", png(100_000)))
	require.NoError(t, other.WaitFor(func(html string) bool { return strings.Contains(html, "<img") }, 5*time.Second))
	alt, _ := other.Attr("#photos img", "alt")
	assert.Equal(t, "beach.png", alt)
	src, _ := tab.Attr("#photos img", "src")
	require.True(t, strings.HasPrefix(src, "/photos/"), src)

	rec := httptest.NewRecorder()
	h.ServeHTTP(rec, httptest.NewRequest(http.MethodGet, src, nil))
	assert.Equal(t, "image/png", rec.Header().Get("Content-Type"))
	body, _ := io.ReadAll(rec.Body)
	assert.Equal(t, png(100_000), body)
	rec = httptest.NewRecorder()
	h.ServeHTTP(rec, httptest.NewRequest(http.MethodGet, "/photos/..%2f..%2fetc%2fpasswd", nil))
	assert.Equal(t, http.StatusNotFound, rec.Code)
}

func TestNotAPhoto(t *testing.T) {
	tab := server(t).Open("/")
	err := tab.Upload("#upload input[name=photo]", "essay.png", []byte("it was a dark and stormy night"))
	require.Error(t, err)
	assert.Contains(t, tab.FieldError("photo"), "not of an accepted type")
	assert.Zero(t, tab.Count("#photos img"))
}

func TestTooLarge(t *testing.T) {
	tab := server(t).Open("/")
	err := tab.Upload("#upload input[name=photo]", "huge.png", png(gallery.MaxSize))
	require.Error(t, err)
	assert.Equal(t, `"huge.png" is larger than 32 MB.`, tab.FieldError("photo"))
}
