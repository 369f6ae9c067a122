package client_test

import (
	"bytes"
	"compress/gzip"
	"crypto/sha256"
	"encoding/hex"
	"fmt"
	"io"
	"net/http"
	"net/http/httptest"
	"os"
	"path/filepath"
	"regexp"
	"strings"
	"testing"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"
	"go.uber.org/goleak"

	"github.com/lvtgo/livetemplate/client"
)

func TestMain(m *testing.M) { goleak.VerifyTestMain(m) }

func TestScriptIsTheBuiltBundle(t *testing.T) {
	t.Parallel()
	want, err := os.ReadFile("dist/livetemplate.js")
	require.NoError(t, err)
	require.NotEmpty(t, want)
	assert.Equal(t, want, client.Script())

	// Script returns a copy: changing it changes nothing for later callers.
	s := client.Script()
	s[0] ^= 0xff
	assert.Equal(t, want, client.Script())
}

func TestBundleNeedsNoEval(t *testing.T) {
	t.Parallel()
	s := string(client.Script())
	for _, bad := range []string{"new Function", "eval(", "console.log"} {
		assert.NotContains(t, s, bad)
	}
}

func TestHashAndPath(t *testing.T) {
	t.Parallel()
	sum := sha256.New()
	sum.Write(client.Script())
	for _, name := range client.Parts() {
		p, ok := client.Part(name)
		require.True(t, ok)
		fmt.Fprintf(sum, "\x00%s\x00%s", name, p)
	}
	h := client.Hash()
	assert.Regexp(t, regexp.MustCompile(`^[0-9a-f]{12}$`), h)
	assert.True(t, strings.HasPrefix(hex.EncodeToString(sum.Sum(nil)), h), "the bundle and its parts")
	assert.Equal(t, h, client.Hash(), "stable")
	assert.Equal(t, "/_lvt/client."+h+".js", client.Path())
}

// Every file of dist/parts is a part, served as it is.
func TestParts(t *testing.T) {
	t.Parallel()
	files, err := filepath.Glob("dist/parts/*.js")
	require.NoError(t, err)
	var names []string
	for _, f := range files {
		want, err := os.ReadFile(f)
		require.NoError(t, err)
		name := strings.TrimSuffix(filepath.Base(f), ".js")
		names = append(names, name)
		p, ok := client.Part(name)
		require.True(t, ok, name)
		assert.Equal(t, want, p)
		p[0] ^= 0xff
		p, _ = client.Part(name)
		assert.Equal(t, want, p, "a copy")
	}
	assert.Equal(t, names, client.Parts())
	assert.Contains(t, names, "scroll")
	_, ok := client.Part("nope")
	assert.False(t, ok)
}

func TestHandler(t *testing.T) {
	t.Parallel()
	srv := httptest.NewServer(client.Handler())
	t.Cleanup(srv.Close)
	tr := &http.Transport{DisableCompression: true}
	t.Cleanup(tr.CloseIdleConnections)
	hc := &http.Client{Transport: tr}

	do := func(t *testing.T, method, path string, hdr map[string]string) (*http.Response, []byte) {
		t.Helper()
		req, err := http.NewRequestWithContext(t.Context(), method, srv.URL+path, nil)
		require.NoError(t, err)
		for k, v := range hdr {
			req.Header.Set(k, v)
		}
		res, err := hc.Do(req)
		require.NoError(t, err)
		defer res.Body.Close()
		body, err := io.ReadAll(res.Body)
		require.NoError(t, err)
		return res, body
	}

	t.Run("plain", func(t *testing.T) {
		res, body := do(t, http.MethodGet, client.Path(), nil)
		require.Equal(t, http.StatusOK, res.StatusCode)
		assert.Equal(t, "text/javascript; charset=utf-8", res.Header.Get("Content-Type"))
		assert.Equal(t, "public, max-age=31536000, immutable", res.Header.Get("Cache-Control"))
		assert.Equal(t, `"`+client.Hash()+`"`, res.Header.Get("ETag"))
		assert.Empty(t, res.Header.Get("Content-Encoding"))
		assert.Equal(t, client.Script(), body)
	})

	t.Run("gzip", func(t *testing.T) {
		res, body := do(t, http.MethodGet, client.Path(), map[string]string{"Accept-Encoding": "br, gzip;q=0.8"})
		require.Equal(t, http.StatusOK, res.StatusCode)
		assert.Equal(t, "gzip", res.Header.Get("Content-Encoding"))
		assert.Contains(t, res.Header.Values("Vary"), "Accept-Encoding")
		assert.Less(t, len(body), len(client.Script()))
		zr, err := gzip.NewReader(bytes.NewReader(body))
		require.NoError(t, err)
		plain, err := io.ReadAll(zr)
		require.NoError(t, err)
		assert.Equal(t, client.Script(), plain)
	})

	t.Run("gzip refused with q=0", func(t *testing.T) {
		res, _ := do(t, http.MethodGet, client.Path(), map[string]string{"Accept-Encoding": "gzip;q=0, identity"})
		assert.Empty(t, res.Header.Get("Content-Encoding"))
	})

	t.Run("not modified", func(t *testing.T) {
		res, body := do(t, http.MethodGet, client.Path(), map[string]string{"If-None-Match": `W/"other", "` + client.Hash() + `"`})
		assert.Equal(t, http.StatusNotModified, res.StatusCode)
		assert.Empty(t, body)
	})

	t.Run("head", func(t *testing.T) {
		res, body := do(t, http.MethodHead, client.Path(), nil)
		assert.Equal(t, http.StatusOK, res.StatusCode)
		assert.Empty(t, body)
	})

	t.Run("other path", func(t *testing.T) {
		res, _ := do(t, http.MethodGet, "/_lvt/client.000000000000.js", nil)
		assert.Equal(t, http.StatusNotFound, res.StatusCode)
	})

	t.Run("part", func(t *testing.T) {
		want, _ := client.Part("scroll")
		res, body := do(t, http.MethodGet, client.Path()+"?part=scroll", nil)
		require.Equal(t, http.StatusOK, res.StatusCode)
		assert.Equal(t, "text/javascript; charset=utf-8", res.Header.Get("Content-Type"))
		assert.Equal(t, "public, max-age=31536000, immutable", res.Header.Get("Cache-Control"))
		assert.Equal(t, `"`+client.Hash()+`-scroll"`, res.Header.Get("ETag"))
		assert.Equal(t, want, body)

		res, body = do(t, http.MethodGet, client.Path()+"?part=scroll", map[string]string{"Accept-Encoding": "gzip"})
		require.Equal(t, http.StatusOK, res.StatusCode)
		assert.Equal(t, `"`+client.Hash()+`-scroll-gz"`, res.Header.Get("ETag"))
		zr, err := gzip.NewReader(bytes.NewReader(body))
		require.NoError(t, err)
		plain, err := io.ReadAll(zr)
		require.NoError(t, err)
		assert.Equal(t, want, plain)

		res, _ = do(t, http.MethodGet, client.Path()+"?part=scroll", map[string]string{"If-None-Match": `"` + client.Hash() + `-scroll"`})
		assert.Equal(t, http.StatusNotModified, res.StatusCode)
		res, _ = do(t, http.MethodGet, client.Path()+"?part=../livetemplate", nil)
		assert.Equal(t, http.StatusNotFound, res.StatusCode)
		res, _ = do(t, http.MethodGet, "/_lvt/client.000000000000.js?part=scroll", nil)
		assert.Equal(t, http.StatusNotFound, res.StatusCode)
	})

	t.Run("post", func(t *testing.T) {
		res, _ := do(t, http.MethodPost, client.Path(), nil)
		assert.Equal(t, http.StatusMethodNotAllowed, res.StatusCode)
		assert.Equal(t, "GET, HEAD", res.Header.Get("Allow"))
	})
}
