package client_test

import (
	"bytes"
	"compress/gzip"
	"crypto/sha256"
	"encoding/hex"
	"io"
	"net/http"
	"net/http/httptest"
	"os"
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
	sum := sha256.Sum256(client.Script())
	h := client.Hash()
	assert.Regexp(t, regexp.MustCompile(`^[0-9a-f]{12}$`), h)
	assert.True(t, strings.HasPrefix(hex.EncodeToString(sum[:]), h))
	assert.Equal(t, h, client.Hash(), "stable")
	assert.Equal(t, "/_lvt/client."+h+".js", client.Path())
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

	t.Run("post", func(t *testing.T) {
		res, _ := do(t, http.MethodPost, client.Path(), nil)
		assert.Equal(t, http.StatusMethodNotAllowed, res.StatusCode)
		assert.Equal(t, "GET, HEAD", res.Header.Get("Allow"))
	})
}
