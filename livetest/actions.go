package livetest

import (
	"fmt"
	"net/url"
	"strings"

	"golang.org/x/net/html"
)

// find returns the page's document and the first element matching
// selector, as document.querySelector does.
func (p *Page) find(op, selector string) (doc, el *html.Node, err error) {
	src := p.HTML()
	doc = parse(src)
	all, err := selectAll(doc, selector)
	if err != nil {
		return nil, nil, fmt.Errorf("livetest: %s: %w", op, err)
	}
	if len(all) == 0 {
		return nil, nil, fmt.Errorf("livetest: %s: no element matches %q; the page shows:\n%s", op, selector, shows(src))
	}
	return doc, all[0], nil
}

// bound returns the element whose binding lvt-<kind> an event on el
// triggers: el or its nearest ancestor with the attribute.
func bound(op, selector string, el *html.Node, kind string) (*html.Node, error) {
	b := closest(el, withAttr("lvt-"+kind))
	if b == nil {
		return nil, fmt.Errorf("livetest: %s: neither the element %s matched by %q nor any element around it has lvt-%s",
			op, describe(el), selector, kind)
	}
	return b, nil
}

// isSubmitter: a button or input that submits its form when clicked.
func isSubmitter(n *html.Node) bool {
	t := fieldType(n)
	return isField(n) && n.Data != "select" && n.Data != "textarea" && (t == "submit" || t == "image")
}

// describe renders an element's start tag, for messages.
func describe(n *html.Node) string {
	var b strings.Builder
	b.WriteString("<" + n.Data)
	for _, a := range n.Attr {
		fmt.Fprintf(&b, " %s=%q", a.Key, a.Val)
	}
	b.WriteString(">")
	return b.String()
}

// scopeOf returns the field-error scope of an action from form (none if
// form is nil).
func scopeOf(doc, form *html.Node) string {
	if form == nil {
		return ""
	}
	return formKey(doc, form)
}

// types returns the lvt-type-* declarations of the bound element and its
// form (the element's win).
func types(b, form *html.Node) map[string]string {
	return prefixed(b, "lvt-type-", prefixed(form, "lvt-type-", map[string]string{}))
}

// send builds the data of binding b (the lvt-data-* values over the field
// or form data, typed) and sends it.
func (p *Page) send(kind, op string, doc, b, form *html.Node, data map[string]any, typ map[string]string) error {
	for k, v := range prefixed(b, "lvt-data-", map[string]string{}) {
		data[k] = v
	}
	name := attr(b, "lvt-"+kind)
	return p.act(op, name, convert(data, typ), scopeOf(doc, form))
}

// Click clicks the first element matching selector: the lvt-click of that
// element or of the nearest element around it is sent with its lvt-data-*
// values (typed by lvt-type-*), as in the browser. A clicked field with a
// name adds its own value (a checkbox is toggled by the click first); a
// clicked form sends all its fields. Without any lvt-click, a click on a
// submit button submits its form's lvt-submit, as Submit of that button
// with no values. lvt-confirm is accepted as if the user said yes. It
// fails if nothing matches, if nothing there has lvt-click (or submits), if
// the element is disabled, or with the server's refusal (*ActionError).
func (p *Page) Click(selector string) error {
	op := fmt.Sprintf("Click(%q)", selector)
	doc, el, err := p.find(op, selector)
	if err != nil {
		return err
	}
	if isField(el) && disabled(el) {
		return fmt.Errorf("livetest: %s: the element %s is disabled", op, describe(el))
	}
	b, err := bound(op, selector, el, "click")
	if err != nil {
		// A click on a submit button submits its form.
		btn := closest(el, isSubmitter)
		if form := formOf(btn); btn != nil && form != nil && has(form, "lvt-submit") && !disabled(btn) {
			return p.submit(op, doc, form, btn, nil)
		}
		return err
	}
	over := p.typedState(doc)
	if t := fieldType(el); isField(el) && checkable(t) && !disabled(el) {
		// The click checks a box before its listeners run.
		set(el, state{checked: t == "radio" || !current(el, over).checked}, over)
		p.remember(doc, over)
	}
	form := formOf(b)
	typ := types(b, form)
	data := map[string]any{}
	switch {
	case isElement(b, "form"):
		data = formData(b, nil, typ, over)
	case isField(b) && attr(b, "name") != "":
		data = fieldData(b, typ, over)
	}
	return p.send("click", op, doc, b, form, data, typ)
}

// Submit submits a form with lvt-submit: selector matches the form, or a
// submit button in it (which then is the submitter, and sends its name and
// value if it has a name). values are what the user entered, by field
// name; the fields not named keep what the user left in them (Fill) or
// else what the server rendered, and values stay in the form afterwards
// (unless a success resets a form with lvt-reset), as in a browser. A text
// field takes its name's values in order, a checkbox or radio button is
// checked when its value is among its name's values (and unchecked when
// the name is given without it), a select selects the given options. The
// form is then serialised as the browser client does (see the package
// documentation). It fails if nothing matches, if values name a field, an
// option or a checkbox value the form does not have, or with the server's
// refusal (*ActionError); field errors of a refusal are shown by
// FieldError.
func (p *Page) Submit(selector string, values url.Values) error {
	op := fmt.Sprintf("Submit(%q)", selector)
	doc, el, err := p.find(op, selector)
	if err != nil {
		return err
	}
	form, submitter := el, (*html.Node)(nil)
	if !isElement(el, "form") {
		if !isSubmitter(el) {
			return fmt.Errorf("livetest: Submit(%q): the element %s is neither a form nor a submit button", selector, describe(el))
		}
		if disabled(el) {
			return fmt.Errorf("livetest: Submit(%q): the button %s is disabled", selector, describe(el))
		}
		form, submitter = formOf(el), el
		if form == nil {
			return fmt.Errorf("livetest: Submit(%q): the button %s is in no form", selector, describe(el))
		}
	}
	if !has(form, "lvt-submit") {
		return fmt.Errorf("livetest: Submit(%q): the form %s has no lvt-submit", selector, describe(form))
	}
	return p.submit(op, doc, form, submitter, values)
}

// submit submits form (from submitter, if not nil) with values.
func (p *Page) submit(op string, doc, form, submitter *html.Node, values url.Values) error {
	filled, err := fill(form, values)
	if err != nil {
		return fmt.Errorf("livetest: %s: %w; the form is:\n%s", op, err, render(form))
	}
	over := p.typedState(doc)
	for f, s := range filled {
		over[f] = s
	}
	p.remember(doc, filled) // what the user typed stays in the form
	typ := types(form, form)
	if err := p.send("submit", op, doc, form, form, formData(form, submitter, typ, over), typ); err != nil {
		return err
	}
	if has(form, "lvt-reset") {
		p.forgetForm(formKey(doc, form))
	}
	return nil
}

// Change sets the field matching selector to value and fires its change
// event: the lvt-change of the field or of the nearest element around it
// (a form, which then sends all its fields) is sent. For a checkbox or
// radio button a non-empty value checks it and "" unchecks it; for a select
// value is the option to select. It fails if nothing matches, if the
// element is not a field or is disabled, if nothing there has lvt-change,
// or with the server's refusal (*ActionError).
func (p *Page) Change(selector, value string) error {
	return p.fieldEvent("change", selector, value)
}

// Input is Change for lvt-input: the field's input event, as one
// keystroke (or a paste) that leaves value in it. lvt-debounce and
// lvt-throttle do not delay it.
func (p *Page) Input(selector, value string) error {
	return p.fieldEvent("input", selector, value)
}

func (p *Page) fieldEvent(kind, selector, value string) error {
	op := fmt.Sprintf("%s(%q, %q)", map[string]string{"change": "Change", "input": "Input"}[kind], selector, value)
	doc, el, over, err := p.enter(op, selector, value)
	if err != nil {
		return err
	}
	b, err := bound(op, selector, el, kind)
	if err != nil {
		return err
	}
	form := formOf(b)
	typ := types(b, form)
	data := map[string]any{}
	switch {
	case isElement(b, "form"):
		data = formData(b, nil, typ, over)
	case isField(b):
		data = fieldData(b, typ, over)
	}
	return p.send(kind, op, doc, b, form, data, typ)
}

// enter puts value in the field matching selector, as a user would, and
// remembers it; it returns the field states of the page.
func (p *Page) enter(op, selector, value string) (doc, el *html.Node, over map[*html.Node]state, err error) {
	doc, el, err = p.find(op, selector)
	if err != nil {
		return nil, nil, nil, err
	}
	t := fieldType(el)
	if !isField(el) || el.Data == "button" || t == "submit" || t == "button" || t == "reset" || t == "image" || t == "file" {
		return nil, nil, nil, fmt.Errorf("livetest: %s: the element %s is not a field the user can change", op, describe(el))
	}
	if disabled(el) {
		return nil, nil, nil, fmt.Errorf("livetest: %s: the field %s is disabled", op, describe(el))
	}
	var s state
	switch {
	case checkable(t):
		s.checked = value != ""
	case t == "select-one" || t == "select-multiple":
		found := false
		for _, o := range options(el) {
			found = found || o.value == value
		}
		if !found {
			return nil, nil, nil, fmt.Errorf("livetest: %s: the select %s has no option %q", op, describe(el), value)
		}
		s.selected = []string{value}
	default:
		s.value = value
	}
	over = p.typedState(doc)
	set(el, s, over)
	p.remember(doc, over)
	return doc, el, over, nil
}

// Fill puts value in the field matching selector, as a user typing (or
// checking, or selecting) would, and sends nothing: the value stays in the
// field and travels with the field's later actions (a KeyDown on it, a
// Submit of its form that does not name it, its form's lvt-change), as in
// the browser, until the server renders that field differently, the field
// leaves the page, or its form is submitted with success and has lvt-reset.
// For a checkbox or radio button a non-empty value checks it and ""
// unchecks it; for a select value is the option to select. It fails if
// nothing matches, or if the element is not a field or is disabled.
func (p *Page) Fill(selector, value string) error {
	_, _, _, err := p.enter(fmt.Sprintf("Fill(%q, %q)", selector, value), selector, value)
	return err
}

// KeyDown presses key (a KeyboardEvent.key value: "Enter", "Escape", "a",
// " ") on the element matching selector: the lvt-keydown of the element or
// of the nearest element around it is sent with the key, and with the
// field's value if it is a field. When that element's lvt-key does not
// list the key (case-insensitive; "Space" stands for " "), nothing is sent
// and the error wraps ErrNotSent. It fails too if nothing matches, if
// nothing there has lvt-keydown, or with the server's refusal
// (*ActionError).
func (p *Page) KeyDown(selector, key string) error {
	op := fmt.Sprintf("KeyDown(%q, %q)", selector, key)
	doc, el, err := p.find(op, selector)
	if err != nil {
		return err
	}
	b, err := bound(op, selector, el, "keydown")
	if err != nil {
		return err
	}
	if want, ok := lookup(b, "lvt-key"); ok {
		k := strings.ToLower(key)
		if key == " " {
			k = "space"
		}
		match := false
		for _, w := range strings.Split(want, ",") {
			match = match || strings.ToLower(strings.TrimSpace(w)) == k
		}
		if !match {
			return fmt.Errorf("livetest: %s: %w: lvt-key=%q of %s does not accept %q", op, ErrNotSent, want, describe(b), key)
		}
	}
	form := formOf(b)
	typ := types(b, form)
	data := map[string]any{}
	over := p.typedState(doc)
	switch {
	case isElement(b, "form"):
		data = formData(b, nil, typ, over)
	case isField(b):
		data = fieldData(b, typ, over)
	}
	data["key"] = key
	return p.send("keydown", op, doc, b, form, data, typ)
}

// render renders n for messages.
func render(n *html.Node) string {
	var b strings.Builder
	if err := html.Render(&b, n); err != nil {
		return describe(n)
	}
	return shows(b.String())
}
