package gallery_test

import (
	"bytes"
	"crypto/rand"
	"image"
	"image/color"
	"image/png"
	"net"
	"net/http"
	"net/http/httptest"
	"os"
	"path/filepath"
	"strings"
	"sync"
	"testing"
	"time"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"

	"github.com/lvtgo/livetemplate"
	"github.com/lvtgo/livetemplate/e2e/internal/browsertest"
	"github.com/lvtgo/livetemplate/examples/gallery/gallery"
	"github.com/lvtgo/livetemplate/livetest"
)

// site is the gallery served on 127.0.0.1 for one test.
type site struct {
	url string
	dir string // where the photos are stored
	ln  *listener
}

// start serves the gallery until the test ends. Each test starts its server
// before its browser, so that the browser's tabs close first.
func start(t *testing.T) *site { return startWith(t, nil) }

// startWith is start with the gallery's handler wrapped by wrap (nil: none).
func startWith(t *testing.T, wrap func(http.Handler) http.Handler) *site {
	t.Helper()
	dir := t.TempDir()
	st, err := gallery.Storage(dir)
	require.NoError(t, err)
	var h http.Handler
	h, err = gallery.NewHandler(livetest.App(t, livetemplate.WithUploads(st, nil)), st)
	require.NoError(t, err)
	if wrap != nil {
		h = wrap(h)
	}
	inner, err := net.Listen("tcp", "127.0.0.1:0")
	require.NoError(t, err)
	ln := &listener{Listener: inner}
	srv := httptest.NewUnstartedServer(h)
	srv.Listener = ln
	srv.Start()
	t.Cleanup(srv.Close)
	return &site{url: srv.URL, dir: dir, ln: ln}
}

// listener keeps its connections, to cut them (a dropped network), and
// can slow their reads down to a rate (a slow uplink).
type listener struct {
	net.Listener
	mu    sync.Mutex
	conns []net.Conn
	rate  int // bytes per second read from each connection; 0: no limit
}

func (l *listener) Accept() (net.Conn, error) {
	c, err := l.Listener.Accept()
	if err != nil {
		return nil, err
	}
	l.mu.Lock()
	defer l.mu.Unlock()
	l.conns = append(l.conns, c)
	return &slowConn{Conn: c, l: l}, nil
}

// cut closes every connection accepted so far.
func (l *listener) cut() {
	l.mu.Lock()
	defer l.mu.Unlock()
	for _, c := range l.conns {
		_ = c.Close()
	}
	l.conns = nil
}

func (l *listener) setRate(r int) {
	l.mu.Lock()
	l.rate = r
	l.mu.Unlock()
}

type slowConn struct {
	net.Conn
	l *listener
}

func (c *slowConn) Read(b []byte) (int, error) {
	c.l.mu.Lock()
	rate := c.l.rate
	c.l.mu.Unlock()
	if rate > 0 && len(b) > 16<<10 {
		b = b[:16<<10]
	}
	n, err := c.Conn.Read(b)
	if rate > 0 && n > 0 {
		time.Sleep(time.Duration(n) * time.Second / time.Duration(rate))
	}
	return n, err
}

// photo writes a real PNG of w×h pixels to a file and returns its path.
func photo(t *testing.T, name string, w, h int) string {
	t.Helper()
	img := image.NewRGBA(image.Rect(0, 0, w, h))
	for x := range w {
		for y := range h {
			img.Set(x, y, color.RGBA{uint8(x), uint8(y), 200, 255})
		}
	}
	var b bytes.Buffer
	require.NoError(t, png.Encode(&b, img))
	path := filepath.Join(t.TempDir(), name)
	require.NoError(t, os.WriteFile(path, b.Bytes(), 0o600))
	return path
}

// open opens the gallery in tab and waits for its live connection.
func open(tab *browsertest.Tab, url string) {
	tab.Navigate(url)
	tab.WaitClass("html", "lvt-connected")
}

const (
	input  = "#upload input[type=file][name=photo]"
	submit = "#upload button[type=submit]"
	// shown is true once the first photo of #photos has loaded, at w px wide.
	shown = `(w) => { const img = document.querySelector("#photos img"); return !!img && img.complete && img.naturalWidth === w; }`
)

func TestE2EEveryTabSeesTheUploadedPhoto(t *testing.T) {
	s := start(t)
	b := browsertest.New(t)
	tab, other := b.Tab(t), b.Tab(t)
	open(tab, s.url)
	open(other, s.url)

	tab.SetFiles(input, photo(t, "sunset.png", 64, 48))
	tab.Click(submit)
	tab.WaitJS(shown, 64)
	other.WaitJS(shown, 64) // the other tab of the session group, live
	assert.Equal(t, "sunset.png", browsertest.Eval[string](other, `document.querySelector("#photos img").alt`))
	assert.True(t, browsertest.Eval[bool](tab, `(p => p.value === p.max && p.max > 1)(document.querySelector("#upload progress"))`), "the progress bar is full")
	assert.Empty(t, browsertest.Eval[string](tab, `document.querySelector("#upload input[type=file]").value`), "the file was consumed")

	// A text file named .png: refused with a field error inside the form,
	// nothing stored.
	fake := filepath.Join(t.TempDir(), "fake.png")
	require.NoError(t, os.WriteFile(fake, []byte("I am only text, whatever my name says.\n"), 0o600))
	tab.SetFiles(input, fake)
	tab.Click(submit)
	tab.WaitText(`#upload [lvt-error="photo"]`, "is not of an accepted type")
	assert.Equal(t, 1, browsertest.Eval[int](tab, `document.querySelectorAll("#photos img").length`))
	ents, err := os.ReadDir(s.dir)
	require.NoError(t, err)
	assert.Len(t, ents, 1, "the photo only: no temporary file")
}

func TestE2EUploadResumesAfterTheConnectionDrops(t *testing.T) {
	s := start(t)
	tab := browsertest.New(t).Tab(t)
	tab.SetTimeout(60 * time.Second)
	tab.OnNewDocument(`window.prog = [];
		document.addEventListener('lvt:upload-progress', (e) => window.prog.push([Date.now(), e.detail.loaded, e.detail.total]));`)
	open(tab, s.url)

	// 20 MB that start like a PNG (the type is judged from the first bytes).
	content := make([]byte, 20<<20)
	_, _ = rand.Read(content)
	copy(content, "\x89PNG\r\n\x1a\n")
	path := filepath.Join(t.TempDir(), "big.png")
	require.NoError(t, os.WriteFile(path, content, 0o600))

	s.ln.setRate(8 << 20) // 8 MB/s up: the upload takes a few seconds
	tab.SetFiles(input, path)
	tab.Click(submit)
	tab.WaitJS(`() => window.prog.length > 0 && window.prog[window.prog.length - 1][1] > 4 << 20`)
	cutAt := time.Now()
	s.ln.cut() // the network drops mid-upload
	before := browsertest.Eval[int64](tab, `window.prog[window.prog.length - 1][1]`)
	tab.WaitClass("html", "lvt-disconnected")
	tab.WaitJS(`() => !!document.querySelector("#photos figure")`)
	s.ln.setRate(0)

	// When did progress go on again, after the cut?
	type event = [3]int64
	prog := browsertest.Eval[[]event](tab, `window.prog`)
	var resumed time.Duration
	for _, e := range prog {
		if e[0] > cutAt.UnixMilli() && e[1] > before {
			resumed = time.UnixMilli(e[0]).Sub(cutAt)
			break
		}
	}
	require.Positive(t, resumed, "progress went on after the drop")
	t.Logf("upload of %d MB: connection cut at %d MB; progress went on %v after the cut", len(content)>>20, before>>20, resumed)
	assert.Less(t, prog[0][1], before, "it did not start over")

	ents, err := os.ReadDir(s.dir)
	require.NoError(t, err)
	require.Len(t, ents, 1, "one file, no temporary one")
	got, err := os.ReadFile(filepath.Join(s.dir, ents[0].Name()))
	require.NoError(t, err)
	assert.True(t, bytes.Equal(content, got), "the stored file is the one sent")
}

// Where WebSockets cannot pass, a photo goes up over the HTTP fallback, one
// chunk per POST, with its progress; the other tab sees it.
func TestE2EUploadsOverTheHTTPFallback(t *testing.T) {
	s := startWith(t, func(h http.Handler) http.Handler {
		return http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
			if strings.EqualFold(r.Header.Get("Upgrade"), "websocket") {
				http.Error(w, "no websockets here", http.StatusForbidden)
				return
			}
			h.ServeHTTP(w, r)
		})
	})
	b := browsertest.New(t)
	tab, other := b.Tab(t), b.Tab(t)
	for _, tb := range []*browsertest.Tab{tab, other} {
		tb.AllowConsole(`WebSocket connection to .* failed`)
		tb.OnNewDocument(`window.modes = []; window.prog = [];
			document.addEventListener('lvt:connected', (e) => window.modes.push(e.detail.transport));
			document.addEventListener('lvt:upload-progress', (e) => window.prog.push(e.detail.loaded));`)
		open(tb, s.url)
		require.Equal(t, []string{"http"}, browsertest.Eval[[]string](tb, "window.modes"))
	}

	content := make([]byte, 1<<20) // 1 MiB that starts like a PNG: 23 chunks
	_, _ = rand.Read(content)
	copy(content, "\x89PNG\r\n\x1a\n")
	path := filepath.Join(t.TempDir(), "over-http.png")
	require.NoError(t, os.WriteFile(path, content, 0o600))
	tab.SetFiles(input, path)
	tab.Click(submit)
	tab.WaitJS(`() => !!document.querySelector("#photos figure")`)
	other.WaitJS(`() => !!document.querySelector("#photos figure")`)

	prog := browsertest.Eval[[]int64](tab, "window.prog")
	assert.Greater(t, len(prog), 10, "progress chunk by chunk")
	assert.Equal(t, int64(len(content)), prog[len(prog)-1])
	ents, err := os.ReadDir(s.dir)
	require.NoError(t, err)
	require.Len(t, ents, 1)
	got, err := os.ReadFile(filepath.Join(s.dir, ents[0].Name()))
	require.NoError(t, err)
	assert.True(t, bytes.Equal(content, got), "the stored file is the one sent")
}
