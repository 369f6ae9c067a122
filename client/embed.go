package client

import (
	"bytes"
	"compress/gzip"
	"crypto/sha256"
	"embed"
	"encoding/hex"
	"fmt"
	"net/http"
	"slices"
	"strconv"
	"strings"
	"sync"
)

//go:embed dist/livetemplate.js
var script string

//go:embed dist/parts/*.js
var partFiles embed.FS

// file is one served script: its content and its gzipped content.
type file struct {
	raw, gz []byte
}

// bundle is the script and its parts with what is derived from them,
// computed once.
type bundle struct {
	hash  string
	main  file
	parts map[string]file // by part name
	names []string        // the part names, sorted
}

var load = sync.OnceValue(func() bundle {
	b := bundle{main: compress([]byte(script)), parts: map[string]file{}}
	entries, _ := partFiles.ReadDir("dist/parts") // embedded: it exists
	sum := sha256.New()
	sum.Write([]byte(script))
	for _, e := range entries { // sorted by name
		name := strings.TrimSuffix(e.Name(), ".js")
		raw, _ := partFiles.ReadFile("dist/parts/" + e.Name()) // listed above
		b.parts[name] = compress(raw)
		b.names = append(b.names, name)
		fmt.Fprintf(sum, "\x00%s\x00%s", name, raw)
	}
	b.hash = hex.EncodeToString(sum.Sum(nil)[:6])
	return b
})

// compress returns f for raw.
func compress(raw []byte) file {
	var buf bytes.Buffer
	zw, _ := gzip.NewWriterLevel(&buf, gzip.BestCompression) // the level is valid
	_, _ = zw.Write(raw)                                     // writes to a bytes.Buffer do not fail
	_ = zw.Close()
	return file{raw: raw, gz: buf.Bytes()}
}

// Script returns a copy of the minified client bundle. It is safe for
// concurrent use.
func Script() []byte { return []byte(script) }

// Parts returns the names of the bundle's parts, sorted: code that only some
// pages need, which the bundle loads from its own URL with the query
// parameter part=<name> added. It is safe for concurrent use.
func Parts() []string { return slices.Clone(load().names) }

// Part returns a copy of the minified part name, and whether there is one.
// It is safe for concurrent use.
func Part(name string) ([]byte, bool) {
	f, ok := load().parts[name]
	return bytes.Clone(f.raw), ok
}

// Hash returns a short hex digest of the bundle's content and its parts' (12
// digits of a SHA-256). It changes whenever any of them does. It is safe for
// concurrent use.
func Hash() string { return load().hash }

// Path returns the URL path the bundle is served at:
// "/_lvt/client." + Hash() + ".js". It is safe for concurrent use.
func Path() string { return "/_lvt/client." + Hash() + ".js" }

// Handler returns a handler that serves the bundle at Path(), and its part
// name at Path() with the query part=<name>; it answers 404 for any other
// path or part, and 405 for methods other than GET and HEAD. Responses are
// cacheable for a year (the path changes with the content), carry an ETag,
// and are gzip-compressed (compressed once) when the request accepts gzip.
// The handler is safe for concurrent use.
func Handler() http.Handler {
	return http.HandlerFunc(serve)
}

func serve(w http.ResponseWriter, r *http.Request) {
	b := load()
	f, tag := b.main, b.hash
	if r.URL.Path != Path() {
		http.NotFound(w, r)
		return
	}
	if name := r.URL.Query().Get("part"); name != "" {
		var ok bool
		if f, ok = b.parts[name]; !ok {
			http.NotFound(w, r)
			return
		}
		tag += "-" + name
	}
	if r.Method != http.MethodGet && r.Method != http.MethodHead {
		w.Header().Set("Allow", "GET, HEAD")
		http.Error(w, "method not allowed", http.StatusMethodNotAllowed)
		return
	}
	h := w.Header()
	h.Set("Content-Type", "text/javascript; charset=utf-8")
	h.Set("Cache-Control", "public, max-age=31536000, immutable")
	h.Set("X-Content-Type-Options", "nosniff")
	h.Add("Vary", "Accept-Encoding")
	body, etag := f.raw, `"`+tag+`"`
	if acceptsGzip(r.Header.Get("Accept-Encoding")) {
		body, etag = f.gz, `"`+tag+`-gz"`
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
