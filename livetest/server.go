package livetest

import (
	"encoding/base64"
	"net/http"
	"net/http/cookiejar"
	"net/http/httptest"
	"net/url"
	"slices"
	"sync"
	"time"
)

// TB is what livetest needs of a test: *testing.T, *testing.B and
// *testing.F satisfy it (as does testing.TB). Fatalf is called only from
// the goroutine of the method that failed; Errorf may be called from a
// page's reader goroutine.
type TB interface {
	Helper()
	Cleanup(func())
	Errorf(format string, args ...any)
	Fatalf(format string, args ...any)
}

// Server serves a handler on 127.0.0.1 for one test. It is safe for
// concurrent use.
type Server struct {
	// URL is the server's base URL, "http://127.0.0.1:port", without a
	// trailing slash.
	URL string

	tb TB
	hs *httptest.Server

	mu     sync.Mutex
	pages  []*Page
	closed bool
}

// Start serves h on 127.0.0.1 until the test ends. h is any http.Handler
// that mounts live pages: a livetemplate handler, or a mux or middleware
// around some.
//
// At t.Cleanup every page still open is closed (its connection ended and
// its goroutines waited for), then the server is closed. Start does not
// close h: a livetemplate handler is the test's to shut down, with a
// Cleanup registered before Start so that it runs after this one.
func Start(tb TB, h http.Handler) *Server {
	tb.Helper()
	hs := httptest.NewServer(h)
	s := &Server{URL: hs.URL, tb: tb, hs: hs}
	tb.Cleanup(s.close)
	return s
}

// close closes every page, then the server.
func (s *Server) close() {
	s.mu.Lock()
	s.closed = true
	pages := s.pages
	s.pages = nil
	s.mu.Unlock()
	var wg sync.WaitGroup
	for _, p := range pages {
		wg.Go(p.Close)
	}
	wg.Wait()
	s.hs.Close()
}

// add records an open page, so that Cleanup closes it; it reports false
// once the server is closing.
func (s *Server) add(p *Page) bool {
	s.mu.Lock()
	defer s.mu.Unlock()
	if s.closed {
		return false
	}
	s.pages = append(s.pages, p)
	return true
}

// remove forgets a closed page.
func (s *Server) remove(p *Page) {
	s.mu.Lock()
	defer s.mu.Unlock()
	s.pages = slices.DeleteFunc(s.pages, func(q *Page) bool { return q == p })
}

// Open opens path in a new browser with default options (its own cookie
// jar, WebSocket transport): it loads the page with GET and opens its live
// connection. It is NewBrowser(nil).Open(path); it fails the test if the page
// cannot be opened, so call it from the test's goroutine.
func (s *Server) Open(path string) *Page {
	s.tb.Helper()
	return s.NewBrowser(nil).Open(path)
}

// Transport names how a page's live connection travels.
type Transport int

const (
	// WebSocket: one WebSocket to the page's URL (the default).
	WebSocket Transport = iota
	// HTTP: every message is a POST to the page's URL, and a long poll
	// waits for the server's pushes, as the browser client does when no
	// WebSocket can be opened.
	HTTP
)

// String returns "websocket" or "http".
func (t Transport) String() string {
	if t == HTTP {
		return "http"
	}
	return "websocket"
}

// BrowserOptions configures a Browser. The zero value (or nil) is a
// browser with an empty cookie jar, no extra headers, the WebSocket
// transport and a 5 s timeout.
type BrowserOptions struct {
	// Header is sent with every request of the browser: the page's GET,
	// the WebSocket handshake and every POST. Use it for an identity an
	// auth.Authenticator reads from headers (Authorization: Basic or
	// Bearer, a proxy's user header). Default: none.
	Header http.Header
	// Cookies are put in the browser's jar for the server's URL before its
	// first request: a session cookie, a signed-in user. Default: none (an
	// anonymous authenticator then sets its own cookie, which the jar
	// keeps).
	Cookies []*http.Cookie
	// Transport is how pages' live connections travel. Default: WebSocket.
	Transport Transport
	// Timeout bounds each wait of an operation: opening a page, an
	// action's reply. Default: 5 s.
	Timeout time.Duration
}

// BasicAuth returns the header of HTTP basic authentication, for
// BrowserOptions.Header.
func BasicAuth(user, password string) http.Header {
	return http.Header{"Authorization": {"Basic " + base64.StdEncoding.EncodeToString([]byte(user+":"+password))}}
}

// Browser is one browser: one cookie jar (so, by default, one session
// group), whose pages are tabs. It is safe for concurrent use.
type Browser struct {
	srv  *Server
	hc   *http.Client
	opts BrowserOptions
}

// NewBrowser returns a new browser; opts may be nil. It fails the test if
// opts.Cookies cannot be stored.
func (s *Server) NewBrowser(opts *BrowserOptions) *Browser {
	s.tb.Helper()
	var o BrowserOptions
	if opts != nil {
		o = *opts
	}
	if o.Timeout <= 0 {
		o.Timeout = 5 * time.Second
	}
	o.Header = o.Header.Clone()
	jar, err := cookiejar.New(nil)
	if err != nil {
		s.tb.Fatalf("livetest: cookie jar: %v", err)
	}
	if len(o.Cookies) > 0 {
		u, err := url.Parse(s.URL + "/")
		if err != nil {
			s.tb.Fatalf("livetest: server URL: %v", err)
		}
		jar.SetCookies(u, o.Cookies)
	}
	base := s.hs.Client().Transport // closed with the server
	return &Browser{srv: s, opts: o, hc: &http.Client{
		Jar:       jar,
		Transport: &withHeader{base: base, header: o.Header},
	}}
}

// Open loads path (say "/" or "/todos?filter=done") in a new tab of this
// browser, and opens its live connection; it returns once the page holds
// its first tree. It fails the test (with what the server answered) if the
// page cannot be opened, so call it from the test's goroutine.
func (b *Browser) Open(path string) *Page {
	b.srv.tb.Helper()
	p, err := b.open(path)
	if err != nil {
		b.srv.tb.Fatalf("livetest: Open(%q): %v", path, err)
	}
	return p
}

// withHeader adds the browser's headers to every request.
type withHeader struct {
	base   http.RoundTripper
	header http.Header
}

func (w *withHeader) RoundTrip(r *http.Request) (*http.Response, error) {
	if len(w.header) > 0 {
		r = r.Clone(r.Context())
		for k, v := range w.header {
			r.Header[k] = slices.Clone(v)
		}
	}
	return w.base.RoundTrip(r)
}

// Cookies returns the browser's cookies for the server (names and values),
// say to give another browser the same session with BrowserOptions.Cookies.
func (b *Browser) Cookies() []*http.Cookie {
	u, err := url.Parse(b.srv.URL + "/")
	if err != nil {
		return nil
	}
	return b.hc.Jar.Cookies(u)
}
