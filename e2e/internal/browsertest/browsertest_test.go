package browsertest

import (
	"bytes"
	"errors"
	"fmt"
	"io"
	"net/http"
	"net/http/httptest"
	"os"
	"runtime"
	"strings"
	"sync"
	"sync/atomic"
	"testing"
	"time"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"
	"go.uber.org/goleak"
)

func TestMain(m *testing.M) { goleak.VerifyTestMain(Shared(m)) }

// recorder is a testing.TB that records failures and skips instead of
// acting on them, and runs its cleanups when told; everything else goes to
// the real test it embeds.
type recorder struct {
	testing.TB
	mu       sync.Mutex
	got      []string
	cleanups []func()
}

func (r *recorder) Helper() {}

func (r *recorder) add(kind, format string, args ...any) {
	r.mu.Lock()
	defer r.mu.Unlock()
	r.got = append(r.got, kind+": "+fmt.Sprintf(format, args...))
}

func (r *recorder) Errorf(format string, args ...any) { r.add("error", format, args...) }
func (r *recorder) Fatalf(format string, args ...any) { r.add("fatal", format, args...) }
func (r *recorder) Fatal(args ...any)                 { r.add("fatal", "%s", fmt.Sprint(args...)) }
func (r *recorder) Skipf(format string, args ...any)  { r.add("skip", format, args...) }
func (r *recorder) Logf(format string, args ...any)   { r.add("log", format, args...) }
func (r *recorder) Cleanup(f func())                  { r.cleanups = append(r.cleanups, f) }

// cleanup runs the recorded cleanups, last first, and returns what was
// recorded.
func (r *recorder) cleanup() []string {
	for i := len(r.cleanups) - 1; i >= 0; i-- {
		r.cleanups[i]()
	}
	r.cleanups = nil
	r.mu.Lock()
	defer r.mu.Unlock()
	return append([]string(nil), r.got...)
}

// htmlServer serves html at "/" of a test server, with the given extra headers.
func htmlServer(t *testing.T, html string, header ...string) string {
	t.Helper()
	srv := httptest.NewServer(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		if r.URL.Path != "/" {
			http.NotFound(w, r)
			return
		}
		for i := 0; i+1 < len(header); i += 2 {
			w.Header().Set(header[i], header[i+1])
		}
		w.Header().Set("Content-Type", "text/html; charset=utf-8")
		_, _ = io.WriteString(w, html)
	}))
	t.Cleanup(srv.Close)
	return srv.URL
}

func TestFindBrowser(t *testing.T) {
	found := func(have ...string) func(string) (string, error) {
		return func(name string) (string, error) {
			for _, h := range have {
				if h == name {
					return "/bin/" + strings.TrimPrefix(name, "/usr/bin/"), nil
				}
			}
			return "", errors.New("not found")
		}
	}
	tests := []struct {
		name    string
		env     string
		have    []string
		want    string
		wantErr string
	}{
		{name: "debian chromium first", have: []string{"google-chrome", "/usr/bin/chromium"}, want: "/bin/chromium"},
		{name: "then the path", have: []string{"google-chrome-stable"}, want: "/bin/google-chrome-stable"},
		{name: "env wins", env: "/opt/chrome", have: []string{"/usr/bin/chromium", "/opt/chrome"}, want: "/bin//opt/chrome"},
		{name: "env must exist", env: "/opt/chrome", have: []string{"/usr/bin/chromium"}, wantErr: `LVT_BROWSER="/opt/chrome"`},
		{name: "none", wantErr: "no Chromium found"},
	}
	for _, tc := range tests {
		t.Run(tc.name, func(t *testing.T) {
			got, err := findBrowser(tc.env, found(tc.have...))
			if tc.wantErr != "" {
				assert.ErrorContains(t, err, tc.wantErr)
				return
			}
			require.NoError(t, err)
			assert.Equal(t, tc.want, got)
		})
	}
}

func TestUnavailableSkipsLocallyAndFailsInCI(t *testing.T) {
	tests := []struct {
		name string
		ci   string
		want string
	}{
		{name: "local", ci: "", want: "skip: browsertest: gone"},
		{name: "ci", ci: "true", want: "fatal: browsertest: gone; CI must have a browser"},
		{name: "ci other value", ci: "1", want: "skip: browsertest: gone"},
	}
	for _, tc := range tests {
		t.Run(tc.name, func(t *testing.T) {
			t.Setenv("CI", tc.ci)
			r := &recorder{TB: t}
			unavailable(r, errors.New("gone"))
			assert.Equal(t, []string{tc.want}, r.cleanup())
		})
	}
}

func TestBrowserRunsWithTheFlags(t *testing.T) {
	b := New(t)
	if runtime.GOOS != "linux" {
		t.Skip("reads /proc")
	}
	raw, err := os.ReadFile(fmt.Sprintf("/proc/%d/cmdline", b.proc.pid()))
	require.NoError(t, err)
	args := strings.Split(strings.TrimRight(string(raw), "\x00"), "\x00")
	for _, f := range []string{
		"--headless", "--no-sandbox", "--disable-gpu", "--disable-quic", "--no-first-run",
		"--disable-background-networking", "--disable-component-update", "--disable-sync",
	} {
		assert.Contains(t, args, f)
	}
	var dirs []string
	for _, a := range args {
		if d, ok := strings.CutPrefix(a, "--user-data-dir="); ok {
			dirs = append(dirs, d)
		}
	}
	require.Len(t, dirs, 1)
	assert.DirExists(t, dirs[0])
}

const widgets = `<!DOCTYPE html>
<html><head><title>widgets</title></head><body>
<p id="out">idle</p>
<button id="later">later</button>
<button id="ask">ask</button>
<input id="field" value="">
<p id="doomed">doomed</p>
<script src="/app.js"></script>
</body></html>`

const widgetsJS = `
const out = document.getElementById('out');
document.getElementById('later').addEventListener('click', () => {
  setTimeout(() => {
    out.textContent = 'clicked ' + (Number(out.dataset.n || 0) + 1);
    out.dataset.n = Number(out.dataset.n || 0) + 1;
    document.documentElement.classList.add('done');
    document.getElementById('doomed')?.remove();
  }, 100);
});
document.getElementById('ask').addEventListener('click', () => {
  out.textContent = confirm('Sure?') ? 'yes' : 'no';
});
`

// widgetServer serves the widgets page, its script and, under CSP, both
// with a strict Content-Security-Policy.
func widgetServer(t *testing.T) string {
	t.Helper()
	mux := http.NewServeMux()
	serve := func(body, ctype string) http.HandlerFunc {
		return func(w http.ResponseWriter, r *http.Request) {
			if r.URL.Query().Has("csp") {
				w.Header().Set("Content-Security-Policy", "script-src 'self'")
			}
			w.Header().Set("Content-Type", ctype)
			_, _ = io.WriteString(w, body)
		}
	}
	mux.HandleFunc("/{$}", serve(widgets, "text/html; charset=utf-8"))
	mux.HandleFunc("/app.js", serve(widgetsJS, "text/javascript"))
	srv := httptest.NewServer(mux)
	t.Cleanup(srv.Close)
	return srv.URL
}

// The page has a strict Content-Security-Policy: actions and waits work
// without eval in the page.
func TestTabActsAndWaits(t *testing.T) {
	url := widgetServer(t) + "/?csp"
	b := New(t)
	tab := b.Tab(t)
	tab.Navigate(url)
	assert.Equal(t, "idle", tab.Text("#out"))

	tab.Click("#later")
	tab.WaitText("#out", "clicked")
	tab.WaitTextIs("#out", "clicked 1")
	tab.WaitClass("html", "done")
	tab.WaitJS(`() => document.documentElement.classList.contains('done')`)
	tab.WaitGone("#doomed")

	tab.Type("#field", "abc")
	tab.Type("#field", "def")
	assert.Equal(t, "abcdef", tab.Value("#field"))
	tab.Fill("#field", "xyz")
	tab.WaitJS(`(want) => document.getElementById('field').value === want`, "xyz")
	assert.Equal(t, "field", Eval[string](tab, "document.activeElement.id"))
	assert.Equal(t, 3, Eval[int](tab, "Promise.resolve(1 + 2)"))
	assert.Empty(t, tab.consoleErrors(), "no CSP violation, and a missing favicon is no error")
}

func TestWaitFailsWithWhatItSaw(t *testing.T) {
	url := widgetServer(t)
	b := New(t)
	r := &recorder{TB: t}
	tab := b.Tab(r)
	tab.Navigate(url)
	tab.SetTimeout(300 * time.Millisecond)
	start := time.Now()
	tab.WaitText("#out", "never")
	assert.Less(t, time.Since(start), 5*time.Second)
	// A predicate that throws says so.
	tab.WaitJS(`() => window.nothing.here`)
	got := r.cleanup()
	require.Len(t, got, 2)
	assert.Contains(t, got[0], `fatal: browsertest: timed out after 300ms waiting for text of #out to contain "never"`)
	assert.Contains(t, got[0], `it is: <p id="out">idle</p>`)
	assert.Contains(t, got[1], "TypeError: Cannot read properties of undefined")
}

func TestWaitOutlivesAReload(t *testing.T) {
	url := htmlServer(t, `<!DOCTYPE html><html><body><p id="n"></p></body></html>`)
	b := New(t)
	tab := b.Tab(t)
	tab.OnNewDocument(`
		const n = Number(sessionStorage.getItem('loads') || 0) + 1;
		sessionStorage.setItem('loads', n);
		if (n === 1) setTimeout(() => location.reload(), 200);
		document.addEventListener('DOMContentLoaded', () => { document.getElementById('n').textContent = 'load ' + n; });
	`)
	tab.Navigate(url)
	tab.WaitTextIs("#n", "load 2")
}

func TestDialogs(t *testing.T) {
	url := widgetServer(t)
	b := New(t)
	tab := b.Tab(t)
	var accept atomic.Bool
	messages := make(chan string, 10)
	tab.HandleDialogs(func(m string) bool {
		messages <- m
		return accept.Load()
	})
	tab.Navigate(url)
	tab.Click("#ask")
	tab.WaitTextIs("#out", "no")
	accept.Store(true)
	tab.Click("#ask")
	tab.WaitTextIs("#out", "yes")
	assert.Equal(t, "Sure?", <-messages)
	assert.Equal(t, "Sure?", <-messages)
}

func TestTabsShareCookiesAndContextsDoNot(t *testing.T) {
	var n atomic.Int64
	srv := httptest.NewServer(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		c, err := r.Cookie("who")
		if err != nil {
			c = &http.Cookie{Name: "who", Value: fmt.Sprint(n.Add(1)), Path: "/"}
			http.SetCookie(w, c)
		}
		w.Header().Set("Content-Type", "text/html")
		fmt.Fprintf(w, `<p id="who">%s</p>`, c.Value)
	}))
	t.Cleanup(srv.Close)

	b := New(t)
	tab1, tab2 := b.Tab(t), b.Tab(t)
	other := b.Context(t)
	tab3, tab4 := other.Tab(t), other.Tab(t)

	tab1.Navigate(srv.URL)
	tab1.WaitTextIs("#who", "1")
	tab2.Navigate(srv.URL)
	tab2.WaitTextIs("#who", "1") // same cookie jar
	tab3.Navigate(srv.URL)
	tab3.WaitTextIs("#who", "2") // a new one
	tab4.Navigate(srv.URL)
	tab4.WaitTextIs("#who", "2")

	// Each New is a fresh browser context too.
	tab5 := New(t).Tab(t)
	tab5.Navigate(srv.URL)
	tab5.WaitTextIs("#who", "3")
}

func TestConsoleErrorsFailTheTest(t *testing.T) {
	url := htmlServer(t, `<!DOCTYPE html><html><body><script src="/nope.js"></script><p>hi</p></body></html>`)
	b := New(t)

	r := &recorder{TB: t}
	tab := b.Tab(r)
	tab.Navigate(url) // the script 404s: the browser logs an error
	// The promise settles right after the timer's exception is reported.
	_ = Eval[bool](tab, `(console.error("boom", 42), console.warn("just a warning"),
		new Promise((ok) => setTimeout(() => { ok(true); throw new Error("kaboom"); })))`)
	got := strings.Join(r.cleanup(), "\n")
	assert.Contains(t, got, "error: browsertest: console error: boom 42")
	assert.Contains(t, got, "error: browsertest: console exception: Uncaught Error: kaboom")
	assert.Contains(t, got, "404")
	assert.NotContains(t, got, "warning")

	r = &recorder{TB: t}
	tab = b.Tab(r)
	tab.AllowConsole(`boom|kaboom|404|nope\.js`)
	tab.Navigate(url)
	_ = Eval[bool](tab, `(console.error("boom"), new Promise((ok) => setTimeout(() => { ok(true); throw new Error("kaboom"); })))`)
	assert.Empty(t, r.cleanup())
	var texts bytes.Buffer
	for _, m := range tab.Console() {
		fmt.Fprintln(&texts, m)
	}
	assert.Contains(t, texts.String(), "boom")
}

func TestNewWithoutSharedRunsItsOwnProcess(t *testing.T) {
	url := htmlServer(t, `<!DOCTYPE html><p id="p">own</p>`)
	sharedPID := New(t).proc.pid()
	shared.on.Store(false)
	t.Cleanup(func() { shared.on.Store(true) })

	own := New(t)
	assert.NotEqual(t, sharedPID, own.proc.pid())
	tab := own.Tab(t)
	tab.Navigate(url)
	tab.WaitTextIs("#p", "own")
}
