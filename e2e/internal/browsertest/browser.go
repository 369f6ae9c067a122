package browsertest

import (
	"context"
	"errors"
	"fmt"
	"os"
	"os/exec"
	"sync"
	"sync/atomic"
	"testing"
	"time"

	"github.com/chromedp/cdproto/cdp"
	"github.com/chromedp/cdproto/target"
	"github.com/chromedp/chromedp"
)

// Timeout is how long each action and each wait of a Tab may take, unless
// Tab.SetTimeout says otherwise.
const Timeout = 10 * time.Second

// closeTimeout bounds the graceful shutdown of a browser process.
const closeTimeout = 10 * time.Second

// Browser is a browser for one test: a fresh browser context (its own
// cookies and storage) in a headless Chromium process, closed when the test
// ends.
type Browser struct {
	proc *process
	bc   *browserContext
}

// Context is another isolated browser context of a Browser's process: its
// tabs share cookies and storage with each other and with no other context.
type Context struct {
	bc *browserContext
}

// flags are the command-line switches Chromium runs with, besides
// --user-data-dir (a fresh directory) and what chromedp needs to talk to it
// (--remote-debugging-pipe).
var flags = []chromedp.ExecAllocatorOption{
	chromedp.Flag("headless", true),
	chromedp.NoSandbox,
	chromedp.Flag("disable-gpu", true),
	chromedp.Flag("disable-quic", true),
	chromedp.NoFirstRun,
	chromedp.Flag("disable-background-networking", true),
	chromedp.Flag("disable-component-update", true),
	chromedp.Flag("disable-sync", true),
}

// New returns a browser for the test: a fresh, isolated browser context,
// closed in tb.Cleanup. It runs in a Chromium process of its own, stopped in
// tb.Cleanup, or, when TestMain wraps the tests with Shared, in the process
// the package's tests share.
//
// When no browser is installed New skips the test, or fails it if the
// environment variable CI is "true".
func New(tb testing.TB) *Browser {
	tb.Helper()
	path, err := findBrowser(os.Getenv("LVT_BROWSER"), exec.LookPath)
	if err != nil {
		unavailable(tb, err)
		return nil // only reached with a TB whose Skip and Fatal return
	}
	var p *process
	if shared.on.Load() {
		p, err = shared.get(path)
	} else {
		p, err = start(path, tb.TempDir()) // removed after the process exits: cleanups run last first
		if p != nil {
			tb.Cleanup(p.stop)
		}
	}
	if err != nil {
		tb.Fatalf("browsertest: start %s: %v", path, err)
	}
	return &Browser{proc: p, bc: p.newContext(tb)}
}

// Tab opens a tab in the browser's context; it closes in tb.Cleanup. All
// tabs of a Browser share cookies.
func (b *Browser) Tab(tb testing.TB) *Tab {
	tb.Helper()
	return b.bc.tab(tb)
}

// Context makes another fresh browser context in the browser's process,
// isolated like an incognito window (its own cookies and storage); it is
// disposed of in tb.Cleanup.
func (b *Browser) Context(tb testing.TB) *Context {
	tb.Helper()
	return &Context{bc: b.proc.newContext(tb)}
}

// ContextVia is Context whose every connection, to loopback addresses
// too, goes through the proxy at proxyURL ("socks5://127.0.0.1:1080",
// "http://127.0.0.1:3128"): with a proxy that binds its own source
// address, the context's tabs reach the servers as a client of that
// address.
func (b *Browser) ContextVia(tb testing.TB, proxyURL string) *Context {
	tb.Helper()
	return &Context{bc: b.proc.newContextWith(tb, target.CreateBrowserContextParams{
		ProxyServer:     proxyURL,
		ProxyBypassList: "<-loopback>", // Chromium bypasses proxies for loopback addresses unless told not to
	})}
}

// Tab opens a tab in the context; it closes in tb.Cleanup.
func (c *Context) Tab(tb testing.TB) *Tab {
	tb.Helper()
	return c.bc.tab(tb)
}

// process is one running Chromium.
type process struct {
	ctx  context.Context // its first tab, in the default browser context
	stop func()          // stops it and waits for it to exit
}

// start starts Chromium at path with the profile directory dir.
func start(path, dir string) (*process, error) {
	opts := append([]chromedp.ExecAllocatorOption{chromedp.ExecPath(path)}, flags...)
	opts = append(opts, chromedp.UserDataDir(dir))
	allocCtx, cancelAlloc := chromedp.NewExecAllocator(context.Background(), opts...)
	ctx, cancel := chromedp.NewContext(allocCtx)
	p := &process{ctx: ctx, stop: sync.OnceFunc(func() {
		cctx, ccancel := context.WithTimeout(ctx, closeTimeout)
		defer ccancel()
		_ = chromedp.Cancel(cctx) // closes gracefully; on error the cancels below kill it
		cancel()
		cancelAlloc() // waits for the process to exit
	})}
	if err := chromedp.Do(ctx); err != nil {
		p.stop()
		return nil, err
	}
	return p, nil
}

// browserContext is a browser context of a process.
type browserContext struct {
	p  *process
	id cdp.BrowserContextID
}

// newContext makes a fresh browser context, disposed of in tb.Cleanup.
func (p *process) newContext(tb testing.TB) *browserContext {
	tb.Helper()
	return p.newContextWith(tb, target.CreateBrowserContextParams{})
}

// newContextWith is newContext with params.
func (p *process) newContextWith(tb testing.TB, params target.CreateBrowserContextParams) *browserContext {
	tb.Helper()
	ctx, cancel := context.WithTimeout(p.ctx, Timeout)
	defer cancel()
	res, err := chromedp.CallBrowser(ctx, target.CreateBrowserContext, params)
	if err != nil {
		tb.Fatalf("browsertest: new browser context: %v", err)
		return nil
	}
	tb.Cleanup(func() {
		ctx, cancel := context.WithTimeout(p.ctx, closeTimeout)
		defer cancel()
		_, err := chromedp.CallBrowser(ctx, target.DisposeBrowserContext, target.DisposeBrowserContextParams{BrowserContextID: res.BrowserContextID})
		if err != nil {
			tb.Errorf("browsertest: dispose of browser context: %v", err)
		}
	})
	return &browserContext{p: p, id: res.BrowserContextID}
}

// tab opens a tab of the context.
func (c *browserContext) tab(tb testing.TB) *Tab {
	tb.Helper()
	ctx, cancel := chromedp.NewContext(c.p.ctx, chromedp.WithExistingBrowserContext(c.id))
	return newTab(tb, ctx, cancel)
}

// pid is the process id of the browser.
func (p *process) pid() int {
	return chromedp.FromContext(p.ctx).Browser.Process().Pid
}

// TestingM is what TestMain runs: *testing.M, or goleak's TestingM.
type TestingM interface {
	Run() int
}

// Shared makes the tests that m runs share one Chromium process (started
// by the first New, stopped when they have all run), which saves seconds
// per test; each New still gets a fresh browser context. Use it in
// TestMain, inside the leak check:
//
//	func TestMain(m *testing.M) { goleak.VerifyTestMain(browsertest.Shared(m)) }
func Shared(m TestingM) TestingM { return sharedM{m} }

type sharedM struct{ m TestingM }

// Run runs the tests with the shared process on, and stops it after.
func (s sharedM) Run() int {
	shared.on.Store(true)
	defer shared.close()
	return s.m.Run()
}

// shared is the process of Shared.
var shared sharedProcess

type sharedProcess struct {
	on  atomic.Bool
	mu  sync.Mutex
	p   *process
	dir string
}

// get returns the shared process, starting it if it is not running.
func (s *sharedProcess) get(path string) (*process, error) {
	s.mu.Lock()
	defer s.mu.Unlock()
	if s.p != nil && s.p.ctx.Err() == nil {
		return s.p, nil
	}
	s.closeLocked() // it died: start another
	dir, err := os.MkdirTemp("", "browsertest-")
	if err != nil {
		return nil, err
	}
	p, err := start(path, dir)
	if err != nil {
		removeDir(dir)
		return nil, err
	}
	s.p, s.dir = p, dir
	return p, nil
}

func (s *sharedProcess) close() {
	s.mu.Lock()
	defer s.mu.Unlock()
	s.closeLocked()
}

func (s *sharedProcess) closeLocked() {
	if s.p != nil {
		s.p.stop()
		removeDir(s.dir)
		s.p, s.dir = nil, ""
	}
}

// removeDir removes a profile directory, trying again for a while: helper
// processes of Chromium may still write to it just after it exited.
func removeDir(dir string) {
	deadline := time.Now().Add(5 * time.Second)
	for os.RemoveAll(dir) != nil && time.Now().Before(deadline) {
		time.Sleep(20 * time.Millisecond)
	}
}

// candidates are the browsers looked for, in order, when $LVT_BROWSER is
// not set: absolute paths as they are, other names in $PATH.
var candidates = []string{"/usr/bin/chromium", "chromium", "chromium-browser", "google-chrome", "google-chrome-stable"}

// findBrowser returns the browser to run: env if set, else the first
// candidate that lookPath finds.
func findBrowser(env string, lookPath func(string) (string, error)) (string, error) {
	if env != "" {
		p, err := lookPath(env)
		if err != nil {
			return "", fmt.Errorf("LVT_BROWSER=%q: %w", env, err)
		}
		return p, nil
	}
	for _, c := range candidates {
		if p, err := lookPath(c); err == nil {
			return p, nil
		}
	}
	return "", errors.New("no Chromium found (set LVT_BROWSER, or install chromium)")
}

// unavailable skips the test for want of a browser, or fails it in CI.
func unavailable(tb testing.TB, err error) {
	tb.Helper()
	if os.Getenv("CI") == "true" {
		tb.Fatalf("browsertest: %v; CI must have a browser", err)
		return
	}
	tb.Skipf("browsertest: %v", err)
}
