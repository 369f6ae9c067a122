package livetest

import (
	"fmt"
	"strconv"
	"time"

	"strings"

	"github.com/andybalholm/cascadia"
	"golang.org/x/net/html"
)

// FieldError returns the message the page shows for the form field name,
// "" if none: what the browser client shows next to the field after an
// "invalid" reply (docs/client.md, Errors). The message of the last reply
// for a form stays until the next reply for that form (a success clears
// it) or until the form leaves the page; a refused Send shows its field
// errors in the page as a whole. As in the browser, a message shows only
// where the form has the field (or an lvt-error="name" element).
// With several forms showing one for name, the first form's is returned.
func (p *Page) FieldError(name string) string {
	p.mu.Lock()
	src := p.html
	scopes := make(map[string]map[string]string, len(p.scopes))
	for k, v := range p.scopes {
		scopes[k] = v
	}
	p.mu.Unlock()
	if len(scopes) == 0 {
		return ""
	}
	doc := parse(src)
	for _, f := range cascadia.QueryAll(doc, cascadia.MustCompile("form")) {
		if msg := scopes[formKey(doc, f)][name]; msg != "" && showsField(f, name) {
			return msg
		}
	}
	if msg := scopes[docScope][name]; msg != "" && showsField(doc, name) {
		return msg
	}
	return ""
}

// showsField reports whether scope has a place for name's message: an
// lvt-error="name" element or a field (not a button) named name.
func showsField(scope *html.Node, name string) bool {
	found := false
	var walk func(*html.Node)
	walk = func(n *html.Node) {
		for c := n.FirstChild; c != nil && !found; c = c.NextSibling {
			if c.Type == html.ElementNode {
				if v, ok := lookup(c, "lvt-error"); ok && v == name {
					found = true
				} else if v, ok := lookup(c, "name"); ok && v == name && c.Data != "button" {
					found = true
				}
			}
			walk(c)
		}
	}
	walk(scope)
	return found
}

// pruneScopesLocked forgets the field errors of forms that left the page.
// p.mu is held.
func (p *Page) pruneScopesLocked(doc *html.Node) {
	keep := map[string]bool{docScope: true}
	for _, f := range cascadia.QueryAll(doc, cascadia.MustCompile("form")) {
		keep[formKey(doc, f)] = true
	}
	for k := range p.scopes {
		if !keep[k] {
			delete(p.scopes, k)
		}
	}
}

// Text returns the text content of the first element matching selector,
// with runs of white space collapsed to one space and the ends trimmed. If
// nothing matches (or the selector is bad) it reports an error showing the
// page to the test (t.Errorf) and returns "".
func (p *Page) Text(selector string) string {
	p.b.srv.tb.Helper()
	_, el, err := p.find("Text("+quote(selector)+")", selector)
	if err != nil {
		p.b.srv.tb.Errorf("%v", err)
		return ""
	}
	return strings.TrimSpace(spaces.ReplaceAllString(text(el), " "))
}

// Attr returns the value of the attribute name of the first element
// matching selector, and whether the element has that attribute. If nothing matches (or the selector is bad) it
// reports an error showing the page to the test (t.Errorf).
func (p *Page) Attr(selector, name string) (string, bool) {
	p.b.srv.tb.Helper()
	_, el, err := p.find("Attr("+quote(selector)+", "+quote(name)+")", selector)
	if err != nil {
		p.b.srv.tb.Errorf("%v", err)
		return "", false
	}
	return lookup(el, name)
}

// Count returns how many elements match selector (0 is no error). A bad
// selector is reported to the test (t.Errorf).
func (p *Page) Count(selector string) int {
	p.b.srv.tb.Helper()
	all, err := selectAll(parse(p.HTML()), selector)
	if err != nil {
		p.b.srv.tb.Errorf("livetest: Count(%q): %v", selector, err)
		return 0
	}
	return len(all)
}

// WaitText waits until the first element matching selector has the text
// want (as Text returns it): WaitFor with a condition on Text, and a
// failure message that says what the element showed.
func (p *Page) WaitText(selector, want string, timeout time.Duration) error {
	sel, err := cascadia.Compile(selector)
	if err != nil {
		return fmt.Errorf("livetest: WaitText(%q): bad selector: %w", selector, err)
	}
	last := "(no element matched)"
	err = p.WaitFor(func(src string) bool {
		el := cascadia.Query(parse(src), sel)
		if el == nil {
			last = "(no element matched)"
			return false
		}
		last = strings.TrimSpace(spaces.ReplaceAllString(text(el), " "))
		return last == want
	}, timeout)
	if err != nil {
		return fmt.Errorf("livetest: WaitText(%q, %q): the element shows %q: %w", selector, want, last, err)
	}
	return nil
}

func quote(s string) string { return strconv.Quote(s) }
