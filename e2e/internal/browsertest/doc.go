// Package browsertest drives a real headless Chromium from Go tests, for the
// end-to-end tests of livetemplate's pages and browser client.
//
// # Browsers, contexts and tabs
//
// [New] gives a test a browser: a fresh browser context (cookies, storage)
// in a headless Chromium started with a fresh profile directory:
//
//	b := browsertest.New(t)
//	tab := b.Tab(t)              // a tab
//	other := b.Tab(t)            // a second tab: same cookies, same session
//	guest := b.Context(t).Tab(t) // another "browser": its own cookie jar
//
// [Browser.Tab] and [Context.Tab] open tabs that share the cookies of their
// context; [Browser.Context] makes another fresh, isolated browser context,
// like an incognito window, and [Browser.ContextVia] one whose connections
// go through a proxy (a SOCKS proxy that binds a source address makes its
// tabs clients of another address). Everything is closed by tb.Cleanup, in reverse
// order, so start the servers a test talks to before the browser: the tabs
// then close before the servers do.
//
// A test that restarts its server on the same address serves each
// instance with [Serve], whose stop it calls itself (after the tabs
// closed).
//
// Starting Chromium takes seconds. By default each New starts a process of
// its own (stopped when the test ends); a package whose TestMain wraps its
// tests with [Shared] starts one process for all of them:
//
//	func TestMain(m *testing.M) { goleak.VerifyTestMain(browsertest.Shared(m)) }
//
// # Actions and waits
//
// A [Tab]'s methods act like a user (Navigate, Click, Type, Fill) or wait
// for the page (WaitText, WaitTextIs, WaitClass, WaitGone, WaitJS). They
// fail the test with tb.Fatalf when a step errs or does not happen within
// [Timeout] ([Tab.SetTimeout]). Waits are event driven: a MutationObserver in the page re-checks
// the condition on every change of the DOM (and every 50ms for properties,
// such as an input's value, that mutate no attribute), never a sleep in Go.
// [Eval] runs JavaScript and decodes its result. None of them rely on eval
// inside the page, so they work on pages with a strict
// Content-Security-Policy.
//
// # Console
//
// Every tab records its console. When the tab closes, each error or uncaught
// exception it logged (a failed request too, except of /favicon.ico) fails
// the test, unless [Tab.AllowConsole] expected it (say, the failed WebSocket
// handshake of a test that blocks WebSockets).
//
// # Finding the browser
//
// New runs $LVT_BROWSER if set, else /usr/bin/chromium, else chromium,
// chromium-browser, google-chrome or google-chrome-stable from $PATH. When
// there is none the test is skipped, except when the environment variable CI
// is "true": a missing browser in CI is a failure.
//
// A Browser, its Contexts and Tabs belong to the test that made them and must
// be used from its goroutine, like the testing.TB they report to.
package browsertest
