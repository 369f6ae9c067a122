package livetest

import (
	"context"
	"encoding/json"
	"errors"
	"fmt"
	"io"
	"net/http"
	"net/url"
	"strings"

	"golang.org/x/net/html"
)

// Live navigation, as the browser client does it (docs/client.md,
// Navigation): a GET of the target with the header Lvt-Navigate answers
// with the new page's token when the target is a live page of the same
// app; the page's connection then moves to it (over a WebSocket, the same
// one) and gets its tree. Anything else is loaded in full: the tab opens
// the URL afresh, with a new connection.

// navigateHeader is the request header of a navigation GET.
const navigateHeader = "Lvt-Navigate"

// URL returns the path and query the page shows: where it was opened, or
// where it navigated or was redirected since.
func (p *Page) URL() string {
	p.mu.Lock()
	defer p.mu.Unlock()
	return p.path
}

// Navigated returns how many times the page moved to another page live
// (over its connection), and how many times it was loaded in full: what a
// test of navigation checks.
func (p *Page) Navigated() (live, full int) {
	p.mu.Lock()
	defer p.mu.Unlock()
	return p.navLive, p.navFull
}

// Navigate goes to target (a path, absolute or relative to the page's URL)
// as a click on an lvt-navigate link does: live when target is a page of
// the same app, else by loading it in full. It returns once the new page
// holds its first tree.
func (p *Page) Navigate(target string) error {
	return p.navigate(fmt.Sprintf("Navigate(%q)", target), target, true)
}

// Follow clicks the link selector matches: a link with lvt-navigate
// navigates (see Navigate); any other link loads its page in full, as a
// browser does.
func (p *Page) Follow(selector string) error {
	op := fmt.Sprintf("Follow(%q)", selector)
	_, el, err := p.find(op, selector)
	if err != nil {
		return err
	}
	a := closest(el, func(n *html.Node) bool { return n.Data == "a" && has(n, "href") })
	if a == nil {
		return fmt.Errorf("livetest: %s: the element %s is not in a link with an href", op, describe(el))
	}
	return p.navigate(op, attr(a, "href"), has(a, "lvt-navigate"))
}

// Back goes back to the page's previous URL, live, as the browser's back
// button does.
func (p *Page) Back() error {
	p.mu.Lock()
	n := len(p.history)
	if n == 0 {
		p.mu.Unlock()
		return errors.New("livetest: Back: no previous page")
	}
	prev := p.history[n-1]
	p.history = p.history[:n-1]
	p.back = true
	p.mu.Unlock()
	return p.navigate("Back()", prev, true)
}

// navigate goes to target: live when it can and live is true, else in full.
func (p *Page) navigate(op, target string, live bool) error {
	p.mu.Lock()
	from, token, stopped, back := p.path, p.token, p.err, p.back
	p.back = false
	p.mu.Unlock()
	if stopped != nil {
		return fmt.Errorf("livetest: %s: %w", op, stopped)
	}
	u, err := p.resolve(from, target)
	if err != nil {
		return fmt.Errorf("livetest: %s: %w", op, err)
	}
	ctx, cancel := context.WithTimeout(p.ctx, p.b.opts.Timeout)
	defer cancel()
	if live {
		newToken, final, ok, err := p.b.navigationGet(ctx, u, token)
		if err != nil {
			return fmt.Errorf("livetest: %s: %w", op, err)
		}
		if ok {
			if err := p.moveTo(ctx, newToken, final, from, back); err == nil {
				return nil
			} else if !errors.Is(err, errFullLoad) {
				return fmt.Errorf("livetest: %s: %w", op, err)
			}
		}
	}
	if err := p.reload(ctx, u, from, back); err != nil {
		return fmt.Errorf("livetest: %s: load %s in full: %w", op, u, err)
	}
	return nil
}

// resolve returns target as a path and query of the test's server.
func (p *Page) resolve(from, target string) (string, error) {
	base, err := url.Parse(p.b.srv.URL + from)
	if err != nil {
		return "", err
	}
	u, err := base.Parse(target)
	if err != nil {
		return "", err
	}
	if u.Scheme+"://"+u.Host != p.b.srv.URL {
		return "", fmt.Errorf("%s leaves the test's server", u)
	}
	u.Fragment = ""
	return u.RequestURI(), nil
}

// navigationGet asks for path as a live page of the same app: it returns
// the new page's token and the path it ended at (after redirects), or ok
// false when the answer is not a live page.
func (b *Browser) navigationGet(ctx context.Context, path, token string) (newToken, final string, ok bool, err error) {
	req, err := http.NewRequestWithContext(ctx, http.MethodGet, b.srv.URL+path, nil)
	if err != nil {
		return "", "", false, err
	}
	req.Header.Set(navigateHeader, token)
	resp, err := b.hc.Do(req)
	if err != nil {
		return "", "", false, err
	}
	defer resp.Body.Close()
	body, err := io.ReadAll(resp.Body)
	if err != nil {
		return "", "", false, err
	}
	var m struct {
		T     string `json:"t"`
		Token string `json:"token"`
	}
	if resp.StatusCode != http.StatusOK || !strings.HasPrefix(resp.Header.Get("Content-Type"), "application/json") ||
		json.Unmarshal(body, &m) != nil || m.T != "page" || m.Token == "" {
		return "", "", false, nil
	}
	return m.Token, resp.Request.URL.RequestURI(), true, nil
}

// errFullLoad: the server could not move the connection; load the page in
// full.
var errFullLoad = errors.New("livetest: load in full")

// moveTo moves the page's connection to the page token names, at path
// final, and waits for its tree.
func (p *Page) moveTo(ctx context.Context, token, final, from string, back bool) error {
	p.mu.Lock()
	p.ref++
	ref := p.ref
	p.nav = &navigation{ref: ref}
	nav := p.nav
	p.token, p.path = token, final
	p.mu.Unlock()
	err := p.linkNow().send(ctx, map[string]any{"t": "navigate", "ref": ref, "token": token})
	if err == nil && !p.wait(ctx, func() bool { return nav.done || nav.failed || p.err != nil }) {
		err = fmt.Errorf("no tree for the new page within %v", p.b.opts.Timeout)
	}
	p.mu.Lock()
	defer p.mu.Unlock()
	p.nav = nil
	switch {
	case err != nil:
		return err
	case nav.failed:
		return errFullLoad
	case !nav.done:
		return p.err
	}
	p.navLive++
	if !back {
		p.history = append(p.history, from)
	}
	return nil
}

// reload loads path in full in this tab: a new GET and a new connection.
func (p *Page) reload(ctx context.Context, path, from string, back bool) error {
	token, err := p.b.load(ctx, path)
	if err != nil {
		return err
	}
	p.mu.Lock()
	old := p.link
	p.token, p.path, p.tree, p.html, p.seq = token, path, nil, "", 0
	clear(p.early)
	p.syncing = false
	if p.b.opts.Transport == HTTP {
		p.link = &httpLink{p: p}
	} else {
		p.link = &wsLink{p: p}
	}
	link := p.link
	p.mu.Unlock()
	old.close() // after it stopped being the page's link: its end is not the page's
	if err := link.start(ctx); err != nil {
		return err
	}
	if !p.wait(ctx, func() bool { return p.tree != nil || p.err != nil }) {
		return fmt.Errorf("no tree within %v", p.b.opts.Timeout)
	}
	if err := p.stopped(); err != nil {
		return err
	}
	p.mu.Lock()
	p.navFull++
	if !back {
		p.history = append(p.history, from)
	}
	p.mu.Unlock()
	return nil
}

// navigation is a live navigation under way: the ref of its navigate
// message, whose tree (or error reply) ends it.
type navigation struct {
	ref    int64
	done   bool
	failed bool
}
