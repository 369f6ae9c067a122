package check

import (
	"fmt"
	"html/template"
	"strings"
	"text/template/parse"
)

// eventAttrs are the lvt-* attributes whose value names the action an
// event sends (client/src/events.ts binds them). Others, such as
// lvt-data-*, lvt-key or lvt-confirm, hold no action name.
var eventAttrs = map[string]bool{
	"lvt-click": true, "lvt-submit": true, "lvt-change": true, "lvt-input": true,
	"lvt-keydown": true, "lvt-keyup": true, "lvt-focus": true, "lvt-blur": true,
	"lvt-click-away":     true,
	"lvt-window-keydown": true, "lvt-window-keyup": true, "lvt-window-focus": true,
	"lvt-window-blur": true, "lvt-window-resize": true, "lvt-window-scroll": true,
}

// Actions checks the action names that lvt-* event attributes in the
// templates' static text name (lvt-click="store.action", lvt-submit="…",
// …): an action "prefix.name" whose prefix is not one of stores (and not in
// reserved) is an error with its position. Attribute values that are not
// fully static (contain {{…}}) or have no dot are not checked. stores are
// the page's store names.
//
// The templates read are t (t.Name()) and every template it calls with
// {{template}}/{{block}}. Attribute names are matched without regard to
// case; values may be quoted with " or ', or unquoted. Text in comments and
// in <script>, <style>, <textarea> and <title> is not read. It returns nil,
// or every problem joined with errors.Join, each an *Error whose Name is
// the action name, and whose Pos is where the value starts.
//
// Positions are exact on trees html/template has not escaped yet. After it
// has, a position may be off where the static text before the attribute,
// in the same stretch between two actions, held an HTML comment or a lone
// "<" (the escaper removes the one and rewrites the other). It only reads
// the trees: see the package doc for when it may run.
func Actions(t *template.Template, stores []string, reserved []string) error {
	if t == nil {
		return nil
	}
	a := &actionChecker{lookup: t.Lookup, stores: stores, known: map[string]bool{}, done: map[scanKey]bool{}}
	for _, s := range stores {
		a.known[s] = true
	}
	for _, s := range reserved {
		a.known[s] = true
	}
	a.template(t.Name(), htmlState{})
	return a.errs.err()
}

// actionChecker is one run of Actions.
type actionChecker struct {
	lookup func(name string) *template.Template
	stores []string
	known  map[string]bool // stores and reserved prefixes
	done   map[scanKey]bool
	errs   errorList
}

// scanKey is a template read from a state of the HTML: a template called
// in a tag reads differently from one called between tags.
type scanKey struct {
	name  string
	mode  mode
	quote byte
	raw   string
}

// template reads the template called name from state in, once per kind of
// state, and returns the state after it.
func (a *actionChecker) template(name string, in htmlState) htmlState {
	name = baseName(name)
	k := scanKey{name, in.mode, in.quote, in.raw}
	if a.done[k] {
		return in
	}
	a.done[k] = true
	t := a.lookup(name)
	if t == nil || t.Tree == nil || t.Tree.Root == nil {
		return in
	}
	a.errs.file(t.Tree.ParseName)
	return a.list(t.Tree, in, t.Tree.Root)
}

func (a *actionChecker) list(tree *parse.Tree, s htmlState, l *parse.ListNode) htmlState {
	if l == nil {
		return s
	}
	for _, n := range l.Nodes {
		s = a.node(tree, s, n)
	}
	return s
}

func (a *actionChecker) node(tree *parse.Tree, s htmlState, n parse.Node) htmlState {
	switch n := n.(type) {
	case *parse.TextNode:
		return scanText(s, tree, n, a.attr)
	case *parse.ActionNode:
		if n.Pipe != nil && len(n.Pipe.Decl) > 0 {
			return s // a declaration writes nothing
		}
		return s.output()
	case *parse.IfNode:
		return a.branches(tree, s, &n.BranchNode)
	case *parse.WithNode:
		return a.branches(tree, s, &n.BranchNode)
	case *parse.RangeNode:
		return a.branches(tree, s, &n.BranchNode)
	case *parse.TemplateNode:
		return a.template(n.Name, s.output())
	case *parse.ListNode:
		return a.list(tree, s, n)
	}
	return s
}

// branches reads both branches of an if, with or range from state s, and
// goes on from where the first ends (html/template requires both to end
// in the same context). A branch inside an attribute's name or value makes
// it not static.
func (a *actionChecker) branches(tree *parse.Tree, s htmlState, b *parse.BranchNode) htmlState {
	if s.mode == modeAttrName || s.mode == modeValue {
		s.dynamic = true
	}
	out := a.list(tree, s, b.List)
	a.list(tree, s, b.ElseList)
	return out
}

// attr checks an attribute the scanner has read.
func (a *actionChecker) attr(s htmlState) {
	if s.dynamic || !eventAttrs[s.attr] || s.at.node == nil {
		return
	}
	name := strings.TrimSpace(s.value)
	prefix, _, ok := strings.Cut(name, ".")
	if !ok || a.known[prefix] {
		return
	}
	ctx := s.attr + `="` + s.value + `"`
	stores := "the page has no stores"
	if len(a.stores) > 0 {
		stores = "the page's stores are: " + strings.Join(a.stores, ", ")
	}
	a.errs.addAt(s.at.location(), ctx, name, nil, fmt.Sprintf("%s: no store named %q; %s", ctx, prefix, stores))
}
