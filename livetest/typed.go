package livetest

import (
	"strconv"
	"strings"

	"golang.org/x/net/html"
)

// What the user left in the page's fields: typed text, checked boxes,
// selected options. A browser keeps them through updates as long as the
// server does not change the field (docs/client.md, "What morphing
// keeps"); so does a Page, by field: it remembers how the server had
// rendered the field, and forgets the value once the server renders it
// differently or the field leaves the page.

// typedField is what the user left in one field.
type typedField struct {
	rendered string // the field as the server had rendered it
	s        state
}

// fieldKeys names every field of doc across renders: its form (formKey),
// name, id and rank among the fields with the same.
func fieldKeys(doc *html.Node) map[*html.Node]string {
	keys := map[*html.Node]string{}
	forms := map[*html.Node]string{}
	count := map[string]int{}
	for _, f := range fields(doc) {
		scope := ""
		if form := formOf(f); form != nil {
			k, ok := forms[form]
			if !ok {
				k = formKey(doc, form)
				forms[form] = k
			}
			scope = k
		}
		base := scope + "|" + attr(f, "name") + "|" + attr(f, "id")
		keys[f] = base + "|" + strconv.Itoa(count[base])
		count[base]++
	}
	return keys
}

// renderNode renders n (a field with its content).
func renderNode(n *html.Node) string {
	var b strings.Builder
	_ = html.Render(&b, n) // only writer errors, and a Builder has none
	return b.String()
}

// typedState returns the states the user left in doc's fields.
func (p *Page) typedState(doc *html.Node) map[*html.Node]state {
	over := map[*html.Node]state{}
	p.mu.Lock()
	defer p.mu.Unlock()
	if len(p.typed) == 0 {
		return over
	}
	for f, k := range fieldKeys(doc) {
		if t, ok := p.typed[k]; ok && t.rendered == renderNode(f) {
			over[f] = t.s
		}
	}
	return over
}

// remember keeps the states in over as what the user left in those fields.
func (p *Page) remember(doc *html.Node, over map[*html.Node]state) {
	if len(over) == 0 {
		return
	}
	keys := fieldKeys(doc)
	p.mu.Lock()
	defer p.mu.Unlock()
	for f, s := range over {
		if k, ok := keys[f]; ok {
			p.typed[k] = typedField{rendered: renderNode(f), s: s}
		}
	}
}

// forgetForm forgets what the user left in the fields of the form with
// the key scope (a form reset).
func (p *Page) forgetForm(scope string) {
	p.mu.Lock()
	defer p.mu.Unlock()
	for k := range p.typed {
		if strings.HasPrefix(k, scope+"|") {
			delete(p.typed, k)
		}
	}
}

// pruneTypedLocked forgets the states of fields that left the page or that
// the server rendered differently. p.mu is held.
func (p *Page) pruneTypedLocked(doc *html.Node) {
	keep := map[string]bool{}
	for f, k := range fieldKeys(doc) {
		if t, ok := p.typed[k]; ok && t.rendered == renderNode(f) {
			keep[k] = true
		}
	}
	for k := range p.typed {
		if !keep[k] {
			delete(p.typed, k)
		}
	}
}

// set puts s in field el, in over; checking a radio button unchecks the
// others of its group (same name, same form).
func set(el *html.Node, s state, over map[*html.Node]state) {
	over[el] = s
	if fieldType(el) != "radio" || !s.checked || attr(el, "name") == "" {
		return
	}
	root := formOf(el)
	if root == nil {
		root = el
		for root.Parent != nil {
			root = root.Parent
		}
	}
	for _, f := range fields(root) {
		if f != el && fieldType(f) == "radio" && attr(f, "name") == attr(el, "name") && formOf(f) == formOf(el) {
			over[f] = state{checked: false}
		}
	}
}
