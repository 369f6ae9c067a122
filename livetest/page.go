package livetest

import (
	"bytes"
	"context"
	"encoding/json"
	"errors"
	"fmt"
	"io"
	"net/http"
	"strings"
	"sync"
	"time"

	"github.com/lvtgo/livetemplate/diff"
)

// Page is one open page (one browser tab) with its live connection. It
// holds the tree the server sent and applies every patch in seq order with
// the reference client (diff.ParseTree, (*diff.Tree).Apply), exactly as the
// browser client does, on one goroutine that reads the connection.
//
// A Page is safe for concurrent use. Methods that send an action (Click,
// Submit, Change, Input, KeyDown, Send) return after the action's reply
// has been applied; the error they return wraps an *ActionError when the
// server refused the action.
type Page struct {
	b    *Browser
	path string // path and query, as opened
	link link

	ctx    context.Context // ends with Close
	cancel context.CancelFunc
	wg     sync.WaitGroup // the page's goroutines
	once   sync.Once

	mu      sync.Mutex
	changed chan struct{} // closed and replaced on every change
	tree    *diff.Tree
	html    string
	seq     uint64
	token   string
	early   map[uint64]json.RawMessage // patches that came before their predecessor
	syncing bool                       // a sync was sent and no tree has come yet
	ref     int64
	waiting map[int64]*pending
	scopes  map[string]map[string]string // field errors shown, by form (formKey)
	typed   map[string]typedField        // what the user left in fields (fieldKeys)
	err     error                        // why the page stopped
	nav     *navigation                  // a live navigation under way
	history []string                     // the URLs the page came from
	back    bool                         // the navigation under way goes back
	navLive int                          // live navigations so far
	navFull int                          // full loads after the first
	events  []Event                      // server events received (the last maxEvents)
	taken   int                          // events before this index were returned by WaitEvent
	answers []serverMsg                  // upload answers not yet taken (upload.go)
	carry   []string                     // uploads the next action names
	uploads []Progress                   // progress of the last Upload
}

// pending is an action waiting for its reply.
type pending struct {
	scope    string // the form it came from (formKey), or "" if none
	done     bool
	seq      uint64 // of a successful reply: applied once p.seq reaches it
	err      *ActionError
	redirect string // where the successful reply sends the page
}

// serverMsg is any server message (docs/protocol.md §3.3).
type serverMsg struct {
	T        string          `json:"t"`
	Seq      uint64          `json:"seq"`
	Ref      int64           `json:"ref"`
	Tree     json.RawMessage `json:"tree"`
	Patch    json.RawMessage `json:"patch"`
	Token    string          `json:"token"`
	Reason   string          `json:"reason"`
	Redirect string          `json:"redirect"`
	Error    *struct {
		Code    string            `json:"code"`
		Message string            `json:"message"`
		Fields  map[string]string `json:"fields"`
	} `json:"error"`
	Fields map[string]string `json:"fields"`
	Events []json.RawMessage `json:"events"`
	// An upload answer's (docs/uploads.md).
	Batch string   `json:"batch"`
	Files []string `json:"files"`
	Chunk int      `json:"chunk"`
	Later bool     `json:"later"`
	ID    string   `json:"id"`
	N     uint64   `json:"n"`
	Done  bool     `json:"done"`
}

// link is a page's live connection.
type link interface {
	// start opens the connection; the first tree arrives through receive.
	start(ctx context.Context) error
	// send delivers one client message; over HTTP the answer is received
	// before send returns.
	send(ctx context.Context, msg map[string]any) error
	// close ends the connection; the page's goroutines then end.
	close()
}

// open loads path and opens its live connection.
func (b *Browser) open(path string) (*Page, error) {
	if !strings.HasPrefix(path, "/") {
		return nil, fmt.Errorf("path %q must start with /", path)
	}
	ctx, cancel := context.WithTimeout(context.Background(), b.opts.Timeout)
	defer cancel()
	token, path, err := b.load(ctx, path)
	if err != nil {
		return nil, err
	}
	pctx, pcancel := context.WithCancel(context.Background())
	p := &Page{
		b: b, path: path, ctx: pctx, cancel: pcancel,
		changed: make(chan struct{}), token: token,
		early: map[uint64]json.RawMessage{}, waiting: map[int64]*pending{}, scopes: map[string]map[string]string{}, typed: map[string]typedField{},
	}
	if b.opts.Transport == HTTP {
		p.link = &httpLink{p: p}
	} else {
		p.link = &wsLink{p: p}
	}
	if !b.srv.add(p) {
		pcancel()
		return nil, errors.New("the test's server is closed")
	}
	if err := p.link.start(ctx); err != nil {
		p.Close()
		return nil, err
	}
	hasTree := false // read under p.mu, in wait's check
	if !p.wait(ctx, func() bool { hasTree = p.tree != nil; return hasTree || p.err != nil }) || !hasTree {
		p.mu.Lock()
		err := p.err
		p.mu.Unlock()
		p.Close()
		if err == nil {
			err = fmt.Errorf("no tree within %v", b.opts.Timeout)
		}
		return nil, fmt.Errorf("live connection: %w", err)
	}
	return p, nil
}

// load GETs the page and returns its token and the path and query it ended
// at (after redirects, which it follows as a browser does).
func (b *Browser) load(ctx context.Context, path string) (token, final string, err error) {
	req, err := http.NewRequestWithContext(ctx, http.MethodGet, b.srv.URL+path, nil)
	if err != nil {
		return "", "", err
	}
	resp, err := b.hc.Do(req)
	if err != nil {
		return "", "", err
	}
	defer resp.Body.Close()
	body, err := io.ReadAll(resp.Body)
	if err != nil {
		return "", "", err
	}
	if resp.StatusCode != http.StatusOK {
		return "", "", fmt.Errorf("GET answered %s: %s", resp.Status, clip(body))
	}
	token, err = pageToken(string(body))
	if err != nil {
		return "", "", fmt.Errorf("%w; the server sent:\n%s", err, shows(string(body)))
	}
	return token, resp.Request.URL.RequestURI(), nil
}

// Tab opens path in a new tab of the same browser: same cookies and
// headers, so the same session group. It fails the test if the page cannot
// be opened, so call it from the test's goroutine.
func (p *Page) Tab(path string) *Page {
	p.b.srv.tb.Helper()
	return p.b.Open(path)
}

// Browser returns the browser the page is a tab of.
func (p *Page) Browser() *Browser { return p.b }

// HTML returns the page's current HTML, reconstructed from the tree and the
// patches the server sent: what html/template's Execute produces for the
// page's current state.
func (p *Page) HTML() string {
	p.mu.Lock()
	defer p.mu.Unlock()
	return p.html
}

// WaitFor waits until cond holds for the page's HTML, for updates pushed
// from elsewhere (another tab, a broadcast). cond is called on the current
// HTML, then after every change, on the caller's goroutine. WaitFor returns
// nil as soon as cond is true, or an error showing the page after timeout or
// once the page is closed.
func (p *Page) WaitFor(cond func(html string) bool, timeout time.Duration) error {
	timer := time.NewTimer(timeout)
	defer timer.Stop()
	for {
		p.mu.Lock()
		html, ch, stopped := p.html, p.changed, p.err
		p.mu.Unlock()
		if cond(html) {
			return nil
		}
		if stopped != nil {
			return fmt.Errorf("livetest: WaitFor: %w; the page shows:\n%s", stopped, shows(html))
		}
		select {
		case <-ch:
		case <-timer.C:
			return fmt.Errorf("livetest: WaitFor: condition not met within %v; the page shows:\n%s", timeout, shows(html))
		}
	}
}

// Close closes the page's connection and waits for its goroutines to end.
// It is idempotent; the test's Cleanup closes pages left open.
func (p *Page) Close() {
	p.once.Do(func() {
		p.stop(ErrClosed)
		p.linkNow().close()
		p.cancel()
		p.wg.Wait()
		p.b.srv.remove(p)
	})
}

// wait waits until done (called with p.mu held) is true or ctx ends.
func (p *Page) wait(ctx context.Context, done func() bool) bool {
	for {
		p.mu.Lock()
		ok, ch := done(), p.changed
		p.mu.Unlock()
		if ok {
			return true
		}
		select {
		case <-ch:
		case <-ctx.Done():
			return false
		}
	}
}

// notifyLocked wakes every waiter. p.mu is held.
func (p *Page) notifyLocked() {
	close(p.changed)
	p.changed = make(chan struct{})
}

// stop records why the page stopped (the first reason) and wakes waiters.
func (p *Page) stop(err error) {
	p.mu.Lock()
	defer p.mu.Unlock()
	if p.err == nil {
		p.err = err
		p.notifyLocked()
	}
}

// linkNow returns the page's link.
func (p *Page) linkNow() link {
	p.mu.Lock()
	defer p.mu.Unlock()
	return p.link
}

// current reports whether l is the page's link (a full load replaces it).
func (p *Page) current(l link) bool {
	p.mu.Lock()
	defer p.mu.Unlock()
	return p.link == l
}

// stopped returns why the page stopped, nil while it is live.
func (p *Page) stopped() error {
	p.mu.Lock()
	defer p.mu.Unlock()
	return p.err
}

// receive handles one server message; it reports whether the page needs a
// full tree (it sent no sync yet for this).
func (p *Page) receive(data []byte) (needSync bool) {
	var m serverMsg
	if err := json.Unmarshal(data, &m); err != nil || m.T == "" {
		p.stop(fmt.Errorf("%w: the server sent a message that is not one: %s", ErrClosed, clip(data)))
		return false
	}
	p.mu.Lock()
	defer p.mu.Unlock()
	defer p.notifyLocked()
	// Events follow the message's tree or patch, as in the browser.
	defer p.eventsLocked(m.Events)
	switch m.T {
	case "tree":
		// Seqs grow for the life of a page connection; a tree with a new
		// token is a new page connection, and a tree that answers a
		// navigation is a new page: both start again.
		navigated := p.nav != nil && m.Ref == p.nav.ref
		if p.tree != nil && m.Token == "" && !navigated && m.Seq <= p.seq {
			return false // a late answer, overtaken (HTTP)
		}
		t, err := diff.ParseTree(m.Tree)
		if err != nil {
			p.report("tree seq %d does not parse: %v", m.Seq, err)
			return p.wantSyncLocked()
		}
		if m.Token != "" {
			p.token = m.Token
		}
		p.syncing = false
		for s := range p.early {
			if s <= m.Seq || m.Token != "" || navigated {
				delete(p.early, s)
			}
		}
		if navigated {
			p.nav.done = true
		}
		p.setLocked(t, m.Seq)
		return p.drainLocked()
	case "patch":
		return p.advanceLocked(m.Seq, m.Patch)
	case "upload":
		if len(p.answers) < maxAnswers {
			p.answers = append(p.answers, m)
		}
		return false
	case "reply":
		if p.nav != nil && m.Ref == p.nav.ref {
			p.nav.failed = true // the page cannot be had live: load it in full
			return false
		}
		w := p.waiting[m.Ref]
		if m.Error != nil {
			fields := m.Fields
			if fields == nil {
				fields = m.Error.Fields
			}
			if w != nil {
				w.done = true
				w.err = &ActionError{Code: m.Error.Code, Message: m.Error.Message, Fields: fields}
				// The client shows the fields in the action's form, or
				// in the document (docs/client.md, Errors).
				if w.scope != "" {
					p.scopes[w.scope] = fields
				} else if fields != nil {
					p.scopes[docScope] = fields
				}
			}
			return false
		}
		if w != nil {
			w.done, w.seq, w.redirect = true, m.Seq, m.Redirect
			if w.scope != "" {
				p.scopes[w.scope] = nil // a success clears its form's errors
			}
		}
		if m.Seq == 0 {
			return false
		}
		return p.advanceLocked(m.Seq, m.Patch)
	case "reload":
		if p.err == nil {
			p.err = fmt.Errorf("%w: the server asked for a reload (%s)", ErrClosed, m.Reason)
		}
	}
	return false
}

// docScope is the field errors' scope of actions that came from no form.
const docScope = "\x00document"

// advanceLocked applies the patch with seq, or keeps it until its
// predecessors have come. p.mu is held.
func (p *Page) advanceLocked(seq uint64, patch json.RawMessage) bool {
	if p.tree == nil || seq <= p.seq {
		return false // the tree that answered the sync is newer
	}
	if seq > p.seq+1 {
		p.early[seq] = patch
		// Over HTTP, answers may arrive out of order and the next poll
		// brings a tree anyway; a WebSocket never reorders.
		if _, ok := p.link.(*wsLink); ok {
			p.report("seq %d after %d: a gap on a WebSocket", seq, p.seq)
			return p.wantSyncLocked()
		}
		return false
	}
	t, err := p.tree.Apply(patch)
	if err != nil {
		p.report("patch seq %d does not apply: %v", seq, err)
		return p.wantSyncLocked()
	}
	p.setLocked(t, seq)
	return p.drainLocked()
}

// drainLocked applies the patches kept for the seqs that follow.
func (p *Page) drainLocked() bool {
	for {
		patch, ok := p.early[p.seq+1]
		if !ok {
			return false
		}
		delete(p.early, p.seq+1)
		t, err := p.tree.Apply(patch)
		if err != nil {
			p.report("patch seq %d does not apply: %v", p.seq+1, err)
			return p.wantSyncLocked()
		}
		p.setLocked(t, p.seq+1)
	}
}

// wantSyncLocked reports whether to send a sync (one per gap).
func (p *Page) wantSyncLocked() bool {
	if p.syncing {
		return false
	}
	p.syncing = true
	return true
}

// setLocked makes t the page's tree, and forgets the field errors of forms
// no longer shown and what the user left in fields the server changed (the
// client forgets them too).
func (p *Page) setLocked(t *diff.Tree, seq uint64) {
	p.tree, p.seq, p.html = t, seq, t.HTML()
	onlyDoc := len(p.scopes) == 0 || (len(p.scopes) == 1 && p.scopes[docScope] != nil)
	if onlyDoc && len(p.typed) == 0 {
		return
	}
	doc := parse(p.html)
	p.pruneScopesLocked(doc)
	p.pruneTypedLocked(doc)
}

// report fails the test: the server sent something the reference client
// cannot apply (the page resynchronises, as the browser would, but a
// passing test must mean the patches were right).
func (p *Page) report(format string, args ...any) {
	p.b.srv.tb.Errorf("livetest: page %s: "+format+"; resynchronising", append([]any{p.path}, args...)...)
}

// sync asks for a full tree.
func (p *Page) sync() {
	if err := p.linkNow().send(p.ctx, map[string]any{"t": "sync"}); err != nil && p.ctx.Err() == nil {
		p.stop(fmt.Errorf("%w: sync: %w", ErrClosed, err))
	}
}

// act sends an action and waits until its reply has been applied. op names
// the operation for errors; scope is the form the action came from.
func (p *Page) act(op, name string, data map[string]any, scope string) error {
	if data == nil {
		data = map[string]any{}
	}
	p.mu.Lock()
	if p.err != nil {
		err, html := p.err, p.html
		p.mu.Unlock()
		return fmt.Errorf("livetest: %s: %w; the page shows:\n%s", op, err, shows(html))
	}
	p.ref++
	ref := p.ref
	w := &pending{scope: scope}
	p.waiting[ref] = w
	p.mu.Unlock()
	defer func() {
		p.mu.Lock()
		delete(p.waiting, ref)
		p.mu.Unlock()
	}()

	ctx, cancel := context.WithTimeout(p.ctx, p.b.opts.Timeout)
	defer cancel()
	msg := map[string]any{"t": "action", "ref": ref, "name": name, "data": data}
	p.mu.Lock()
	if p.carry != nil {
		msg["uploads"], p.carry = p.carry, nil
	}
	p.mu.Unlock()
	err := p.linkNow().send(ctx, msg)
	if err == nil && !p.wait(ctx, func() bool { return (w.done && (w.err != nil || p.seq >= w.seq)) || p.err != nil }) {
		err = fmt.Errorf("action %q: no reply within %v", name, p.b.opts.Timeout)
	}
	p.mu.Lock()
	html := p.html
	switch {
	case err != nil:
	case w.err != nil:
		w.err.Action = name
		err = w.err
	case !w.done || p.seq < w.seq:
		err = p.err
	}
	p.mu.Unlock()
	if err == nil && w.redirect != "" {
		// The browser client goes where the reply says once it is applied.
		err = p.navigate(op+": redirect", w.redirect, true)
		if err != nil {
			return err
		}
	}
	if err != nil {
		var ae *ActionError
		if errors.As(err, &ae) {
			return fmt.Errorf("livetest: %s: %w", op, err)
		}
		return fmt.Errorf("livetest: %s: %w; the page shows:\n%s", op, err, shows(html))
	}
	return nil
}

// Send sends the action name with data, as window.LiveTemplate.action does
// from a script, and returns once its reply has been applied. Field errors
// of a refused Send show in the page as a whole (see FieldError).
func (p *Page) Send(name string, data map[string]any) error {
	return p.act(fmt.Sprintf("Send(%q)", name), name, data, "")
}

// clip cuts a server answer for an error message.
func clip(b []byte) string {
	b = bytes.TrimSpace(b)
	if len(b) > 300 {
		return string(b[:300]) + "…"
	}
	return string(b)
}
