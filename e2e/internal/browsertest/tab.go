package browsertest

import (
	"context"
	"encoding/json"
	"errors"
	"fmt"
	"regexp"
	"strings"
	"sync"
	"testing"
	"time"

	"github.com/chromedp/cdproto/page"
	"github.com/chromedp/chromedp"
)

// Tab is one browser tab. Its methods fail the test (tb.Fatalf) when a step
// errs or times out, so they must run on the test's goroutine.
type Tab struct {
	tb     testing.TB
	ctx    context.Context
	cancel context.CancelFunc
	limit  time.Duration  // of each action and wait; see SetTimeout
	wg     sync.WaitGroup // the console collector and the dialog handler

	mu      sync.Mutex
	console []chromedp.ConsoleMessage
	allowed []*regexp.Regexp
	flushed chan struct{} // closed when the collector sees the flush marker
}

// flushMarker is logged by close to know that the collector has seen every
// message logged before it.
const flushMarker = "browsertest: flush"

// newTab opens the tab of the chromedp context ctx; cancel closes it.
func newTab(tb testing.TB, ctx context.Context, cancel context.CancelFunc) *Tab {
	tb.Helper()
	t := &Tab{tb: tb, ctx: ctx, cancel: cancel, limit: Timeout, flushed: make(chan struct{})}
	if err := chromedp.Do(ctx); err != nil {
		cancel()
		tb.Fatalf("browsertest: new tab: %v", err)
	}
	msgs := chromedp.Console(ctx) // subscribes now: nothing is missed
	flush := sync.OnceFunc(func() { close(t.flushed) })
	t.wg.Go(func() {
		for m, err := range msgs {
			if err != nil {
				return
			}
			if m.Type == chromedp.ConsoleDebug && m.Text == flushMarker {
				flush()
				continue
			}
			t.mu.Lock()
			t.console = append(t.console, m)
			t.mu.Unlock()
		}
	})
	tb.Cleanup(t.close)
	return t
}

// close closes the tab and fails the test for each console error it logged
// that AllowConsole did not expect.
func (t *Tab) close() {
	ctx, cancel := context.WithTimeout(t.ctx, 2*time.Second)
	err := chromedp.Do(ctx, chromedp.Evaluate[chromedp.Void](fmt.Sprintf("console.debug(%q)", flushMarker)))
	if err == nil {
		select {
		case <-t.flushed:
		case <-ctx.Done():
		}
	}
	cancel()
	bad := t.consoleErrors()
	t.cancel()
	t.wg.Wait()
	for _, m := range bad {
		where := ""
		if m.URL != "" {
			where = fmt.Sprintf(" (at %s:%d)", m.URL, m.Line+1)
		}
		t.tb.Errorf("browsertest: console %s%s", m, where)
	}
}

// SetTimeout sets how long each later action and wait of the tab may take
// (default Timeout).
func (t *Tab) SetTimeout(d time.Duration) { t.limit = d }

// Context returns the chromedp context of the tab, for what its methods do
// not cover. It is cancelled when the tab closes.
func (t *Tab) Context() context.Context { return t.ctx }

// AllowConsole expects console errors whose text matches the regular
// expression pattern: they no longer fail the test.
func (t *Tab) AllowConsole(pattern string) {
	t.tb.Helper()
	re, err := regexp.Compile(pattern)
	if err != nil {
		t.tb.Fatalf("browsertest: AllowConsole: %v", err)
	}
	t.mu.Lock()
	t.allowed = append(t.allowed, re)
	t.mu.Unlock()
}

// Console returns the console messages the tab has recorded so far (they
// reach it asynchronously, shortly after the page logs them).
func (t *Tab) Console() []chromedp.ConsoleMessage {
	t.mu.Lock()
	defer t.mu.Unlock()
	return append([]chromedp.ConsoleMessage(nil), t.console...)
}

// consoleErrors returns the recorded errors and exceptions that no
// AllowConsole pattern matches. A missing /favicon.ico is no error.
func (t *Tab) consoleErrors() []chromedp.ConsoleMessage {
	t.mu.Lock()
	defer t.mu.Unlock()
	var out []chromedp.ConsoleMessage
next:
	for _, m := range t.console {
		if m.Type != chromedp.ConsoleError && m.Type != chromedp.ConsoleException || strings.HasSuffix(m.URL, "/favicon.ico") {
			continue
		}
		for _, re := range t.allowed {
			if re.MatchString(m.Text) {
				continue next
			}
		}
		out = append(out, m)
	}
	return out
}

// HandleDialogs answers every JavaScript dialog (alert, confirm, prompt)
// the tab opens from now on: answer gets its message and returns whether to
// accept it. answer runs on another goroutine. Without it, a dialog blocks
// the page and the action that opened it.
func (t *Tab) HandleDialogs(answer func(message string) bool) {
	dialogs := chromedp.Events(t.ctx, page.JavascriptDialogOpening)
	t.wg.Go(func() {
		for ev, err := range dialogs {
			if err != nil {
				return
			}
			_, err := chromedp.Call(t.ctx, page.HandleJavaScriptDialog, page.HandleJavaScriptDialogParams{Accept: answer(ev.Message)})
			if err != nil && t.ctx.Err() == nil {
				t.tb.Logf("browsertest: answering dialog %q: %v", ev.Message, err)
			}
		}
	})
}

// OnNewDocument runs the script js in every document the tab loads from
// now on, before the document's own scripts (and regardless of its
// Content-Security-Policy).
func (t *Tab) OnNewDocument(js string) {
	t.tb.Helper()
	t.do("OnNewDocument", chromedp.Func(func(ctx context.Context, tgt *chromedp.Target) error {
		_, err := chromedp.Call(ctx, page.AddScriptToEvaluateOnNewDocument, page.AddScriptToEvaluateOnNewDocumentParams{Source: js})
		return err
	}))
}

// do runs steps within the tab's timeout, failing the test with what on error.
func (t *Tab) do(what string, steps ...chromedp.Action[chromedp.Void]) {
	t.tb.Helper()
	ctx, cancel := context.WithTimeout(t.ctx, t.limit)
	defer cancel()
	if err := chromedp.Do(ctx, steps...); err != nil {
		t.tb.Fatalf("browsertest: %s: %v", what, err)
	}
}

// Navigate loads url and waits for its load event.
func (t *Tab) Navigate(url string) {
	t.tb.Helper()
	t.do("navigate to "+url, chromedp.Navigate(url))
}

// Reload reloads the page and waits for its load event.
func (t *Tab) Reload() {
	t.tb.Helper()
	t.do("reload", chromedp.Reload())
}

// Click clicks the first element matching the CSS selector sel, once it is
// visible.
func (t *Tab) Click(sel string) {
	t.tb.Helper()
	t.do("click "+sel, chromedp.Click(chromedp.CSS(sel)))
}

// SetFiles chooses the files at paths in the file input matching sel, as
// a user picking them in the file dialog (the input's change event fires).
func (t *Tab) SetFiles(sel string, paths ...string) {
	t.tb.Helper()
	t.do("choose files in "+sel, chromedp.SetUploadFiles(chromedp.CSS(sel), paths))
}

// Focus focuses the first element matching sel.
func (t *Tab) Focus(sel string) {
	t.tb.Helper()
	t.do("focus "+sel, chromedp.Focus(chromedp.CSS(sel)))
}

// Type focuses the first element matching sel and types text, key by key,
// at the caret.
func (t *Tab) Type(sel, text string) {
	t.tb.Helper()
	t.do("type into "+sel, chromedp.SendKeys(chromedp.CSS(sel), text))
}

// Fill empties the field matching sel and types text into it.
func (t *Tab) Fill(sel, text string) {
	t.tb.Helper()
	t.Focus(sel)
	Eval[bool](t, fmt.Sprintf("(el => (el.value = '', el.dispatchEvent(new Event('input', {bubbles: true})), true))(document.querySelector(%s))", jsString(sel)))
	t.Type(sel, text)
}

// Text returns the text content of the first element matching sel.
func (t *Tab) Text(sel string) string {
	t.tb.Helper()
	return Eval[string](t, fmt.Sprintf("document.querySelector(%s).textContent", jsString(sel)))
}

// Value returns the value of the field matching sel.
func (t *Tab) Value(sel string) string {
	t.tb.Helper()
	return Eval[string](t, fmt.Sprintf("document.querySelector(%s).value", jsString(sel)))
}

// Eval evaluates the JavaScript expression js in the tab's page (awaiting
// it if it is a promise) and decodes its JSON value into a T. It fails the
// test on an exception or a value that does not decode.
func Eval[T any](t *Tab, js string) T {
	t.tb.Helper()
	ctx, cancel := context.WithTimeout(t.ctx, t.limit)
	defer cancel()
	v, err := chromedp.Run(ctx, chromedp.Evaluate[T](js, chromedp.EvalAwaitPromise))
	if err != nil {
		t.tb.Fatalf("browsertest: eval %s: %v", js, err)
	}
	return v
}

// Predicates of the waits: JavaScript functions of their arguments.
const (
	hasText   = `(sel, want) => { const el = document.querySelector(sel); return !!el && el.textContent.includes(want); }`
	isText    = `(sel, want) => { const el = document.querySelector(sel); return !!el && el.textContent.trim() === want; }`
	hasClass  = `(sel, cls) => { const el = document.querySelector(sel); return !!el && el.classList.contains(cls); }`
	isGone    = `(sel) => !document.querySelector(sel)`
	describer = `(sel) => { const el = document.querySelector(sel); return el ? el.outerHTML.slice(0, 2000) : "(no element matches " + sel + ")"; }`
)

// WaitText waits until the text of the element matching sel contains want.
func (t *Tab) WaitText(sel, want string) {
	t.tb.Helper()
	t.wait(fmt.Sprintf("text of %s to contain %q", sel, want), hasText, sel, []any{sel, want})
}

// WaitTextIs waits until the text of the element matching sel, trimmed of
// surrounding space, is want.
func (t *Tab) WaitTextIs(sel, want string) {
	t.tb.Helper()
	t.wait(fmt.Sprintf("text of %s to be %q", sel, want), isText, sel, []any{sel, want})
}

// WaitClass waits until the element matching sel has the class cls.
func (t *Tab) WaitClass(sel, cls string) {
	t.tb.Helper()
	t.wait(fmt.Sprintf("%s to have class %q", sel, cls), hasClass, sel, []any{sel, cls})
}

// WaitGone waits until no element matches sel.
func (t *Tab) WaitGone(sel string) {
	t.tb.Helper()
	t.wait(fmt.Sprintf("%s to be gone", sel), isGone, sel, []any{sel})
}

// WaitJS waits until the JavaScript function fn, a function expression such
// as "(n) => document.title === n", returns a truthy value when called with
// args (encoded as JSON).
func (t *Tab) WaitJS(fn string, args ...any) {
	t.tb.Helper()
	t.wait(fn, fn, "", args)
}

// waitChunk bounds one evaluation of a wait, so that a wait outlives a
// reload of the page (which ends the evaluation) and then goes on.
const waitChunk = 2 * time.Second

// wait waits until the predicate pred, called with args, is truthy. On a
// timeout it fails the test, showing the element matching sel if any.
func (t *Tab) wait(what, pred, sel string, args []any) {
	t.tb.Helper()
	if args == nil {
		args = []any{}
	}
	js, err := json.Marshal(args)
	if err != nil {
		t.tb.Fatalf("browsertest: wait for %s: %v", what, err)
		return
	}
	deadline := time.Now().Add(t.limit)
	var last error
	for {
		left := time.Until(deadline)
		if left <= 0 {
			break
		}
		chunk := min(left, waitChunk)
		ctx, cancel := context.WithTimeout(t.ctx, chunk+time.Second)
		res, err := chromedp.Run(ctx, chromedp.Evaluate[any](waitExpr(pred, string(js), chunk), chromedp.EvalAwaitPromise))
		cancel()
		switch res := res.(type) {
		case nil:
		case bool:
			if res {
				return
			}
		case string: // the predicate threw
			last = errors.New(res)
		}
		switch {
		case err == nil:
		case t.ctx.Err() != nil:
			t.tb.Fatalf("browsertest: wait for %s: %v", what, t.ctx.Err())
			return
		case isExceptionError(err):
			t.tb.Fatalf("browsertest: wait for %s: %v", what, err)
			return
		default: // the page navigated or reloaded: wait in the new one
			last = err
			select {
			case <-time.After(10 * time.Millisecond):
			case <-t.ctx.Done():
			}
		}
	}
	msg := fmt.Sprintf("browsertest: timed out after %v waiting for %s", t.limit, what)
	if last != nil {
		msg += fmt.Sprintf(" (last: %v)", last)
	}
	if sel != "" {
		ctx, cancel := context.WithTimeout(t.ctx, time.Second)
		got, err := chromedp.Run(ctx, chromedp.Evaluate[string](fmt.Sprintf("(%s)(%s)", describer, jsString(sel))))
		cancel()
		if err == nil {
			msg += "\nit is: " + got
		}
	}
	t.tb.Fatal(msg)
}

// waitExpr is an expression whose promise resolves to true as soon as
// pred(...args) is truthy, or after d to false, or to the error pred last
// threw, as a string. It re-checks on every mutation of the document and
// every 50ms.
func waitExpr(pred, args string, d time.Duration) string {
	return `(() => {
  const pred = (` + pred + `);
  const args = ` + args + `;
  let threw = null;
  const check = () => { try { threw = null; return !!pred(...args); } catch (e) { threw = String(e); return false; } };
  if (check()) return true;
  return new Promise((resolve) => {
    let obs, iv, to;
    const finish = (v) => { obs.disconnect(); clearInterval(iv); clearTimeout(to); resolve(v || threw || false); };
    obs = new MutationObserver(() => { if (check()) finish(true); });
    obs.observe(document, { subtree: true, childList: true, attributes: true, characterData: true });
    iv = setInterval(() => { if (check()) finish(true); }, 50);
    to = setTimeout(() => finish(false), ` + fmt.Sprint(d.Milliseconds()) + `);
  });
})()`
}

func isExceptionError(err error) bool {
	var ee *chromedp.ExceptionError
	return errors.As(err, &ee)
}

// jsString quotes s as a JavaScript string literal.
func jsString(s string) string {
	b, _ := json.Marshal(s) // escapes U+2028 and U+2029 too
	return string(b)
}
