package diff

import (
	"html/template"
	"strings"
	"text/template/parse"
)

// escaperFuncs are the functions html/template inserts into pipelines while
// it escapes a template (html/template's funcMap). html/template adds them
// to the name space itself when it escapes, over any user function of the
// same name, so a call of one of these names is always html/template's own
// escaper: a function of its arguments alone, which calls no method of them
// other than the ones [implicitMethods] names.
var escaperFuncs = map[string]bool{
	"_html_template_attrescaper":      true,
	"_html_template_commentescaper":   true,
	"_html_template_cssescaper":       true,
	"_html_template_cssvaluefilter":   true,
	"_html_template_htmlnamefilter":   true,
	"_html_template_htmlescaper":      true,
	"_html_template_jsregexpescaper":  true,
	"_html_template_jsstrescaper":     true,
	"_html_template_jstmpllitescaper": true,
	"_html_template_jsvalescaper":     true,
	"_html_template_nospaceescaper":   true,
	"_html_template_rcdataescaper":    true,
	"_html_template_srcsetescaper":    true,
	"_html_template_urlescaper":       true,
	"_html_template_urlfilter":        true,
	"_html_template_urlnormalizer":    true,
	"_eval_args_":                     true,
}

// builtinNames are text/template's builtins whose result depends on their
// arguments alone: all but call. A range body may call one of them only
// when the caller of Compile vouches that Funcs did not redefine it
// ([Options]).
var builtinNames = []string{"and", "or", "not", "len", "index", "slice", "print", "printf", "println",
	"html", "js", "urlquery", "eq", "ne", "lt", "le", "gt", "ge"}

// bodyInfo is what the analysis of a range body found out: the field and
// key names its pipelines (and the templates it calls) look up, which
// decides which methods of the data they could call.
type bodyInfo struct {
	names map[string]bool
}

// purity decides which ranges of escaped templates render each item from
// the item alone (docs/templates.md, "What makes a page fast"). A body is
// pure when it:
//
//   - reads only the item: dot, fields and keys of it, variables it declares
//     itself (never $ or a variable declared outside it);
//   - calls no function but html/template's escapers and the builtins of
//     funcs (those the caller vouches Funcs did not redefine);
//   - has no {{break}} or {{continue}} of the range itself (those of a range
//     nested in the body are fine);
//   - calls only templates that are pure in the same sense, in which $ is
//     allowed (it is the called template's own dot).
//
// Whether the item's type lets field look-ups or printing call methods is
// decided later, per type, with the names the body uses (snapshot.go).
type purity struct {
	lookup func(name string) *template.Template
	funcs  map[string]bool       // builtins bodies may call
	local  map[string]*localInfo // templates checked on their own
}

// localInfo is what one template is on its own: pure but for the
// templates it calls, which it lists.
type localInfo struct {
	ok    bool
	calls []string
	names map[string]bool
}

func newPurity(lookup func(string) *template.Template, funcs map[string]bool) *purity {
	return &purity{lookup: lookup, funcs: funcs, local: map[string]*localInfo{}}
}

// scope is the analysis state inside one body or called template.
type scope struct {
	dollar bool              // $ may be read
	vars   []map[string]bool // variables the body declared, innermost last
	loops  int               // ranges nested in the body around this point
	names  map[string]bool   // field names looked up
	calls  []string          // templates called
	funcs  map[string]bool   // builtins it may call
}

// rangeBody reports whether r's body is pure, and what it looks up.
func (p *purity) rangeBody(r *parse.RangeNode) (*bodyInfo, bool) {
	if len(r.Pipe.Decl) > 0 { // {{range $i, $e := …}}: the body may read the index
		return nil, false
	}
	s := &scope{names: map[string]bool{}, funcs: p.funcs}
	if !s.list(r.List) || !p.calls(s.calls, s.names) {
		return nil, false
	}
	return &bodyInfo{names: s.names}, true
}

// calls reports whether every template reachable through calls is pure,
// adding the names they look up to names.
func (p *purity) calls(calls []string, names map[string]bool) bool {
	seen := map[string]bool{}
	for len(calls) > 0 {
		name := calls[len(calls)-1]
		calls = calls[:len(calls)-1]
		if seen[name] {
			continue
		}
		seen[name] = true
		l := p.template(name)
		if !l.ok {
			return false
		}
		for n := range l.names {
			names[n] = true
		}
		calls = append(calls, l.calls...)
	}
	return true
}

// template checks the template name on its own, once.
func (p *purity) template(name string) *localInfo {
	if l, ok := p.local[name]; ok {
		return l
	}
	l := &localInfo{}
	p.local[name] = l
	t := p.lookup(name)
	if t == nil || t.Tree == nil || t.Tree.Root == nil {
		return l // a template html/template derived for another context
	}
	s := &scope{dollar: true, names: map[string]bool{}, funcs: p.funcs}
	l.ok = s.list(t.Tree.Root)
	l.calls, l.names = s.calls, s.names
	return l
}

func (s *scope) push() { s.vars = append(s.vars, map[string]bool{}) }
func (s *scope) pop()  { s.vars = s.vars[:len(s.vars)-1] }

func (s *scope) declared(name string) bool {
	for _, m := range s.vars {
		if m[name] {
			return true
		}
	}
	return false
}

func (s *scope) list(l *parse.ListNode) bool {
	if l == nil {
		return true
	}
	s.push()
	defer s.pop()
	for _, n := range l.Nodes {
		if !s.node(n) {
			return false
		}
	}
	return true
}

func (s *scope) node(n parse.Node) bool {
	switch n := n.(type) {
	case *parse.TextNode, *parse.CommentNode:
		return true
	case *parse.ActionNode:
		return s.pipe(n.Pipe, s.vars[len(s.vars)-1])
	case *parse.IfNode:
		return s.branch(&n.BranchNode, false)
	case *parse.WithNode:
		return s.branch(&n.BranchNode, false)
	case *parse.RangeNode:
		return s.branch(&n.BranchNode, true)
	case *parse.BreakNode, *parse.ContinueNode:
		return s.loops > 0
	case *parse.TemplateNode:
		if n.Pipe != nil && !s.pipe(n.Pipe, nil) {
			return false
		}
		s.calls = append(s.calls, n.Name)
		return true
	}
	return false
}

// branch checks an if, with or range: variables its pipeline declares are
// visible in both lists, and a range's body may break and continue.
func (s *scope) branch(b *parse.BranchNode, loop bool) bool {
	s.push()
	defer s.pop()
	if !s.pipe(b.Pipe, s.vars[len(s.vars)-1]) {
		return false
	}
	if loop {
		s.loops++
	}
	ok := s.list(b.List)
	if loop {
		s.loops--
	}
	return ok && s.list(b.ElseList)
}

// pipe checks a pipeline; declared variables go into decl (nil: a
// pipeline that may not declare any).
func (s *scope) pipe(p *parse.PipeNode, decl map[string]bool) bool {
	if p == nil {
		return true
	}
	for _, v := range p.Decl {
		if p.IsAssign {
			// Assigning a variable declared outside the body changes state
			// outside it.
			if !s.declared(v.Ident[0]) {
				return false
			}
			continue
		}
		if decl == nil {
			return false
		}
	}
	for _, c := range p.Cmds {
		for _, a := range c.Args {
			if !s.arg(a) {
				return false
			}
		}
	}
	// Declare after the pipeline: it cannot read what it declares.
	if !p.IsAssign {
		for _, v := range p.Decl {
			decl[v.Ident[0]] = true
		}
	}
	return true
}

func (s *scope) arg(a parse.Node) bool {
	switch a := a.(type) {
	case *parse.FieldNode:
		s.addNames(a.Ident)
		return true
	case *parse.DotNode, *parse.NilNode, *parse.BoolNode, *parse.NumberNode, *parse.StringNode:
		return true
	case *parse.VariableNode:
		name := a.Ident[0]
		if name == "$" {
			if !s.dollar {
				return false
			}
		} else if !s.declared(name) {
			return false
		}
		s.addNames(a.Ident[1:])
		return true
	case *parse.ChainNode:
		s.addNames(a.Field)
		return s.arg(a.Node)
	case *parse.PipeNode:
		return s.pipe(a, nil)
	case *parse.IdentifierNode:
		return escaperFuncs[a.Ident] || s.funcs[a.Ident]
	}
	return false
}

func (s *scope) addNames(idents []string) {
	for _, id := range idents {
		s.names[strings.TrimSpace(id)] = true
	}
}
