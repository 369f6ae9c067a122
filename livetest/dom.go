package livetest

import (
	"errors"
	"fmt"
	"math"
	"regexp"
	"slices"
	"sort"
	"strconv"
	"strings"

	"github.com/andybalholm/cascadia"
	"golang.org/x/net/html"
)

// This file reads the page as a browser's DOM would be built from it
// (golang.org/x/net/html implements the HTML5 parsing algorithm) and
// mirrors client/src/forms.ts and events.ts: which element a binding
// belongs to and what data it sends.

// parse parses a page's HTML.
func parse(src string) *html.Node {
	doc, err := html.Parse(strings.NewReader(src))
	if err != nil { // html.Parse fails only on reader errors
		panic(err)
	}
	return doc
}

// pageToken finds the handoff token of a rendered page.
func pageToken(src string) (string, error) {
	n := cascadia.Query(parse(src), cascadia.MustCompile("script[data-lvt-token]"))
	if n == nil {
		return "", errors.New("the page has no live script (script[data-lvt-token]): is it a livetemplate page?")
	}
	return attr(n, "data-lvt-token"), nil
}

// selectAll returns the elements matching selector, in document order.
func selectAll(doc *html.Node, selector string) ([]*html.Node, error) {
	sel, err := cascadia.Compile(selector)
	if err != nil {
		return nil, fmt.Errorf("bad selector: %w", err)
	}
	return cascadia.QueryAll(doc, sel), nil
}

func attr(n *html.Node, name string) string {
	v, _ := lookup(n, name)
	return v
}

func lookup(n *html.Node, name string) (string, bool) {
	for _, a := range n.Attr {
		if a.Namespace == "" && a.Key == name {
			return a.Val, true
		}
	}
	return "", false
}

func has(n *html.Node, name string) bool {
	_, ok := lookup(n, name)
	return ok
}

func isElement(n *html.Node, tag string) bool {
	return n != nil && n.Type == html.ElementNode && n.Data == tag
}

// closest returns n or its nearest ancestor element for which ok is true.
func closest(n *html.Node, ok func(*html.Node) bool) *html.Node {
	for ; n != nil; n = n.Parent {
		if n.Type == html.ElementNode && ok(n) {
			return n
		}
	}
	return nil
}

// withAttr matches elements that have the attribute.
func withAttr(name string) func(*html.Node) bool {
	return func(n *html.Node) bool { return has(n, name) }
}

func formOf(n *html.Node) *html.Node {
	return closest(n, func(n *html.Node) bool { return n.Data == "form" })
}

// isField: input, select, textarea or button.
func isField(n *html.Node) bool {
	if n == nil || n.Type != html.ElementNode {
		return false
	}
	switch n.Data {
	case "input", "select", "textarea", "button":
		return true
	}
	return false
}

// fieldType is the field's type as the DOM names it.
func fieldType(n *html.Node) string {
	switch n.Data {
	case "select":
		if has(n, "multiple") {
			return "select-multiple"
		}
		return "select-one"
	case "textarea":
		return "textarea"
	case "button":
		switch t := strings.ToLower(attr(n, "type")); t {
		case "button", "reset":
			return t
		}
		return "submit"
	}
	t := strings.ToLower(strings.TrimSpace(attr(n, "type")))
	switch t {
	case "", "text":
		return "text"
	case "hidden", "search", "tel", "url", "email", "password", "date", "month", "week", "time",
		"datetime-local", "number", "range", "color", "checkbox", "radio", "file", "submit", "image", "reset", "button":
		return t
	}
	return "text"
}

// disabled: the field or a fieldset around it is disabled.
func disabled(n *html.Node) bool {
	if has(n, "disabled") {
		return true
	}
	for a := n.Parent; a != nil; a = a.Parent {
		if isElement(a, "fieldset") && has(a, "disabled") {
			return true
		}
	}
	return false
}

func checkable(t string) bool { return t == "checkbox" || t == "radio" }

// text returns n's text content.
func text(n *html.Node) string {
	var b strings.Builder
	var walk func(*html.Node)
	walk = func(n *html.Node) {
		if n.Type == html.TextNode {
			b.WriteString(n.Data)
		}
		for c := n.FirstChild; c != nil; c = c.NextSibling {
			walk(c)
		}
	}
	walk(n)
	return b.String()
}

var spaces = regexp.MustCompile(`[ \t\n\f\r]+`)

// option is one option of a select.
type option struct {
	value    string
	selected bool
	disabled bool
}

// options returns a select's options with their default selection: what
// option.selected is before the user picks.
func options(sel *html.Node) []option {
	var out []option
	var walk func(*html.Node)
	walk = func(n *html.Node) {
		for c := n.FirstChild; c != nil; c = c.NextSibling {
			switch {
			case isElement(c, "option"):
				v, ok := lookup(c, "value")
				if !ok {
					v = strings.TrimSpace(spaces.ReplaceAllString(text(c), " "))
				}
				out = append(out, option{value: v, selected: has(c, "selected"), disabled: disabled(c) || has(c, "disabled")})
			case isElement(c, "optgroup"):
				walk(c)
			}
		}
	}
	walk(sel)
	if has(sel, "multiple") {
		return out
	}
	// One option at most: the last marked selected, else the first that
	// is not disabled.
	last := -1
	for i := range out {
		if out[i].selected {
			last = i
		}
		out[i].selected = false
	}
	if last < 0 {
		last = slices.IndexFunc(out, func(o option) bool { return !o.disabled })
	}
	if last >= 0 {
		out[last].selected = true
	}
	return out
}

// state is a field's state as the user left it (see formData).
type state struct {
	value    string   // text fields
	checked  bool     // checkboxes and radio buttons
	selected []string // selects
}

// current returns the state of f: what the user set (over), else what the
// server rendered.
func current(f *html.Node, over map[*html.Node]state) state {
	if s, ok := over[f]; ok {
		return s
	}
	t := fieldType(f)
	switch {
	case checkable(t):
		return state{checked: has(f, "checked")}
	case t == "select-one" || t == "select-multiple":
		sel := []string{}
		for _, o := range options(f) {
			if o.selected {
				sel = append(sel, o.value)
			}
		}
		return state{selected: sel}
	case t == "textarea":
		return state{value: text(f)}
	}
	return state{value: attr(f, "value")}
}

// boxValue is a checkbox's or radio button's value ("on" without one).
func boxValue(f *html.Node) string {
	if v, ok := lookup(f, "value"); ok {
		return v
	}
	return "on"
}

// fields returns a form's fields in document order.
func fields(form *html.Node) []*html.Node {
	var out []*html.Node
	var walk func(*html.Node)
	walk = func(n *html.Node) {
		for c := n.FirstChild; c != nil; c = c.NextSibling {
			if isField(c) {
				out = append(out, c)
			}
			walk(c)
		}
	}
	walk(form)
	return out
}

// fill maps values (by field name) onto the form's fields, as a user
// filling the form would: text fields of a name take its values in order,
// checkboxes and radio buttons are checked when their value is given, a
// select selects the options given. A name the form has no field for, or
// a value no checkbox, radio button or option has, is an error.
func fill(form *html.Node, values map[string][]string) (map[*html.Node]state, error) {
	over := map[*html.Node]state{}
	used := map[string]bool{}
	seen := map[string]map[string]bool{} // checkable values by name
	idx := map[string]int{}
	for _, f := range fields(form) {
		n := attr(f, "name")
		given, ok := values[n]
		if n == "" || !ok {
			continue
		}
		t := fieldType(f)
		switch {
		case t == "submit" || t == "button" || t == "reset" || t == "image" || t == "file":
			continue
		case disabled(f):
			return nil, fmt.Errorf("field %q is disabled", n)
		}
		used[n] = true
		switch {
		case checkable(t):
			v := boxValue(f)
			if seen[n] == nil {
				seen[n] = map[string]bool{}
			}
			seen[n][v] = true
			over[f] = state{checked: slices.Contains(given, v)}
		case t == "select-one" || t == "select-multiple":
			opts := options(f)
			for _, v := range given {
				if !slices.ContainsFunc(opts, func(o option) bool { return o.value == v }) {
					return nil, fmt.Errorf("select %q has no option %q", n, v)
				}
			}
			if t == "select-one" && len(given) != 1 {
				return nil, fmt.Errorf("select %q takes one value, not %d", n, len(given))
			}
			over[f] = state{selected: slices.Clone(given)}
		default:
			i := idx[n]
			idx[n]++
			if i < len(given) {
				over[f] = state{value: given[i]}
			}
		}
	}
	var errs []string
	for _, n := range sortedKeys(values) {
		if !used[n] {
			errs = append(errs, fmt.Sprintf("the form has no field named %q", n))
			continue
		}
		if seen[n] != nil {
			for _, v := range values[n] {
				if !seen[n][v] {
					errs = append(errs, fmt.Sprintf("no checkbox or radio button named %q has the value %q", n, v))
				}
			}
		}
	}
	if len(errs) > 0 {
		return nil, errors.New(strings.Join(errs, "; "))
	}
	return over, nil
}

func sortedKeys[V any](m map[string]V) []string {
	keys := make([]string, 0, len(m))
	for k := range m {
		keys = append(keys, k)
	}
	sort.Strings(keys)
	return keys
}

// formData serialises a form as forms.ts does: like an HTML submission
// (disabled fields, unchecked boxes and files left out; the submitter
// included if it has a name), a <select multiple> always an array, a name
// shared by several checkboxes always an array of the checked values, any
// other repeated name an array. The fields' own lvt-type declarations go
// into types.
func formData(form, submitter *html.Node, types map[string]string, over map[*html.Node]state) map[string]any {
	type entry struct{ k, v string }
	var entries []entry
	boxes := map[string][]bool{}
	multi := map[string][]string{}
	for _, f := range fields(form) {
		n := attr(f, "name")
		if n == "" || disabled(f) {
			continue
		}
		if t := attr(f, "lvt-type"); t != "" {
			types[n] = t
		}
		t := fieldType(f)
		s := current(f, over)
		switch {
		case t == "checkbox" || t == "radio":
			if t == "checkbox" {
				boxes[n] = append(boxes[n], s.checked)
			}
			if s.checked {
				entries = append(entries, entry{n, boxValue(f)})
			}
		case t == "select-multiple":
			multi[n] = s.selected
		case t == "select-one":
			if len(s.selected) > 0 {
				entries = append(entries, entry{n, s.selected[0]})
			}
		case t == "submit" || t == "image":
			if f == submitter {
				entries = append(entries, entry{n, attr(f, "value")})
			}
		case t == "button" || t == "reset" || t == "file":
		default:
			entries = append(entries, entry{n, s.value})
		}
	}
	out := map[string]any{}
	for n, b := range boxes {
		if len(b) > 1 {
			out[n] = []string{}
		}
	}
	for _, e := range entries {
		if _, ok := multi[e.k]; ok {
			continue
		}
		switch cur := out[e.k].(type) {
		case []string:
			out[e.k] = append(cur, e.v)
		case string:
			out[e.k] = []string{cur, e.v}
		default:
			out[e.k] = e.v
		}
	}
	for n, v := range multi {
		out[n] = v
	}
	for n, b := range boxes {
		if len(b) == 1 && isBool(types[n]) {
			out[n] = b[0]
		}
	}
	return out
}

// fieldData is the data of one field, as fields.ts's fieldData: {name:
// value}, {value: …} without a name; a checkbox or radio button gives its
// value when checked and "" when not (true/false with lvt-type="boolean").
func fieldData(f *html.Node, types map[string]string, over map[*html.Node]state) map[string]any {
	name := attr(f, "name")
	if name == "" {
		name = "value"
	}
	if t := attr(f, "lvt-type"); t != "" {
		types[name] = t
	}
	t := fieldType(f)
	s := current(f, over)
	var v any
	switch {
	case t == "select-multiple":
		v = s.selected
	case t == "select-one":
		v = ""
		if len(s.selected) > 0 {
			v = s.selected[0]
		}
	case checkable(t):
		switch {
		case isBool(types[name]):
			v = s.checked
		case s.checked:
			v = boxValue(f)
		default:
			v = ""
		}
	default:
		v = s.value
		if t == "submit" || t == "button" || t == "reset" {
			v = attr(f, "value")
		}
	}
	return map[string]any{name: v}
}

func isBool(t string) bool { return t == "boolean" || t == "bool" }

// prefixed copies n's attributes named prefix<key> into out[key].
func prefixed(n *html.Node, prefix string, out map[string]string) map[string]string {
	if n == nil {
		return out
	}
	for _, a := range n.Attr {
		if a.Namespace == "" && strings.HasPrefix(a.Key, prefix) {
			out[a.Key[len(prefix):]] = a.Val
		}
	}
	return out
}

// convert applies the declared types to data, in place.
func convert(data map[string]any, types map[string]string) map[string]any {
	for key, t := range types {
		switch v := data[key].(type) {
		case string:
			data[key] = cast(v, t)
		case []string:
			out := make([]any, len(v))
			for i, x := range v {
				out[i] = cast(x, t)
			}
			data[key] = out
		}
	}
	return data
}

var falsy = regexp.MustCompile(`(?i)^(|false|0|off|no)$`)

// cast converts a string as forms.ts's cast does.
func cast(v, t string) any {
	s := strings.TrimSpace(v)
	switch {
	case t == "number":
		if n, err := strconv.ParseFloat(s, 64); err == nil && s != "" && !math.IsInf(n, 0) && !math.IsNaN(n) {
			return n
		}
		return v
	case isBool(t):
		return !falsy.MatchString(s)
	}
	return v
}

// formKey names a form across renders, as the client's DOM element
// survives a morph: by the ids and data-keys of it and its ancestors, its
// lvt-submit, and its rank among the forms with the same name.
func formKey(doc, form *html.Node) string {
	base := func(f *html.Node) string {
		var parts []string
		for n := f; n != nil; n = n.Parent {
			if n.Type != html.ElementNode {
				continue
			}
			if id := attr(n, "id"); id != "" {
				parts = append(parts, "#"+id)
				break
			}
			if k, ok := lookup(n, "data-key"); ok {
				parts = append(parts, n.Data+"[data-key="+k+"]")
			}
		}
		slices.Reverse(parts)
		return strings.Join(parts, " ") + " form[lvt-submit=" + attr(f, "lvt-submit") + "]"
	}
	key, rank := base(form), 0
	for _, f := range cascadia.QueryAll(doc, cascadia.MustCompile("form")) {
		if f == form {
			break
		}
		if base(f) == key {
			rank++
		}
	}
	return key + "#" + strconv.Itoa(rank)
}
