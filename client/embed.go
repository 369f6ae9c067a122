package client

import (
	"bytes"
	"compress/gzip"
	"crypto/sha256"
	"encoding/hex"
	"net/http"
	"strconv"
	"strings"
	"sync"

	_ "embed"
)

//go:embed dist/livetemplate.js
var script string

// bundle is the script with what is derived from it, computed once.
type bundle struct {
	hash string
	gz   []byte
}

var load = sync.OnceValue(func() bundle {
	sum := sha256.Sum256([]byte(script))
	var buf bytes.Buffer
	zw, _ := gzip.NewWriterLevel(&buf, gzip.BestCompression) // the level is valid
	_, _ = zw.Write([]byte(script))                          // writes to a bytes.Buffer do not fail
	_ = zw.Close()
	return bundle{hash: hex.EncodeToString(sum[:6]), gz: buf.Bytes()}
})

// Script returns a copy of the minified client bundle. It is safe for
// concurrent use.
func Script() []byte { return []byte(script) }

// Hash returns a short hex digest of the bundle's content (12 digits of its
// SHA-256). It changes whenever the bundle does. It is safe for concurrent use.
func Hash() string { return load().hash }

// Path returns the URL path the bundle is served at:
// "/_lvt/client." + Hash() + ".js". It is safe for concurrent use.
func Path() string { return "/_lvt/client." + Hash() + ".js" }

// Handler returns a handler that serves the bundle at Path() and answers 404
// for any other path and 405 for methods other than GET and HEAD. Responses
// are cacheable for a year (the path changes with the content), carry an
// ETag, and are gzip-compressed (compressed once) when the request accepts
// gzip. The handler is safe for concurrent use.
func Handler() http.Handler {
	return http.HandlerFunc(serve)
}

func serve(w http.ResponseWriter, r *http.Request) {
	if r.URL.Path != Path() {
		http.NotFound(w, r)
		return
	}
	if r.Method != http.MethodGet && r.Method != http.MethodHead {
		w.Header().Set("Allow", "GET, HEAD")
		http.Error(w, "method not allowed", http.StatusMethodNotAllowed)
		return
	}
	b := load()
	h := w.Header()
	h.Set("Content-Type", "text/javascript; charset=utf-8")
	h.Set("Cache-Control", "public, max-age=31536000, immutable")
	h.Set("X-Content-Type-Options", "nosniff")
	h.Add("Vary", "Accept-Encoding")
	body, etag := []byte(script), `"`+b.hash+`"`
	if acceptsGzip(r.Header.Get("Accept-Encoding")) {
		body, etag = b.gz, `"`+b.hash+`-gz"`
		h.Set("Content-Encoding", "gzip")
	}
	h.Set("ETag", etag)
	if matchETag(r.Header.Get("If-None-Match"), etag) {
		w.WriteHeader(http.StatusNotModified)
		return
	}
	h.Set("Content-Length", strconv.Itoa(len(body)))
	if r.Method == http.MethodHead {
		return
	}
	_, _ = w.Write(body)
}

// acceptsGzip reports whether an Accept-Encoding value accepts gzip (not
// with q=0).
func acceptsGzip(v string) bool {
	for _, part := range strings.Split(v, ",") {
		name, params, _ := strings.Cut(strings.TrimSpace(part), ";")
		if n := strings.TrimSpace(name); n != "gzip" && n != "*" {
			continue
		}
		q := 1.0
		if p := strings.ReplaceAll(strings.ToLower(params), " ", ""); strings.HasPrefix(p, "q=") {
			q, _ = strconv.ParseFloat(p[2:], 64) // a malformed q counts as 0
		}
		return q > 0
	}
	return false
}

// matchETag reports whether an If-None-Match value names etag (weak
// comparison, as RFC 9110 requires for If-None-Match).
func matchETag(v, etag string) bool {
	for _, t := range strings.Split(v, ",") {
		t = strings.TrimPrefix(strings.TrimSpace(t), "W/")
		if t == etag || t == "*" {
			return true
		}
	}
	return false
}
