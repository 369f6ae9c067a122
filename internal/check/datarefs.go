package check

import (
	"html/template"

	tparse "text/template/parse"
)

// Refs are the references of a page's templates to the page's data
// itself ({{.Name}} where dot is the page's data, {{$.Name}} in a template
// that runs with the page's data), by their place in the source
// ("file:line:col", as execution errors give it): the first name each
// reads.
type Refs map[string]string

// DataRefs returns the references of the page template t, and of the
// templates it passes the page's data to, to the page's data.
func DataRefs(t *template.Template) Refs {
	w := refWalker{refs: Refs{}, lookup: t.Lookup, done: map[string]bool{}}
	w.template(t.Name())
	return w.refs
}

// Reads reports whether refs read the key name of the page's data.
func (r Refs) Reads(name string) bool {
	for _, n := range r {
		if n == name {
			return true
		}
	}
	return false
}

// ReadsAnywhere reports whether any template of t reads a field, a
// variable's field or an index key named name, wherever dot is: a broad
// test for data whose renders depend on it.
func ReadsAnywhere(t *template.Template, name string) bool {
	for _, tt := range t.Templates() {
		if tt.Tree != nil && tt.Tree.Root != nil && mentions(tt.Tree.Root, name) {
			return true
		}
	}
	return false
}

// refWalker finds the references to the page's data in the templates the
// page runs, following {{template}} calls that pass the data on.
type refWalker struct {
	refs   Refs
	lookup func(string) *template.Template
	done   map[string]bool
	tree   *tparse.Tree
}

// template walks the template called name, which runs with the page's data
// as dot and as $.
func (w *refWalker) template(name string) {
	if w.done[name] {
		return
	}
	w.done[name] = true
	t := w.lookup(name)
	if t == nil || t.Tree == nil {
		return
	}
	outer := w.tree
	w.tree = t.Tree
	w.list(t.Tree.Root, true)
	w.tree = outer
}

// list walks a list of nodes; root says whether dot is the page's data.
func (w *refWalker) list(l *tparse.ListNode, root bool) {
	if l == nil {
		return
	}
	for _, n := range l.Nodes {
		w.node(n, root)
	}
}

func (w *refWalker) node(n tparse.Node, root bool) {
	switch n := n.(type) {
	case *tparse.ActionNode:
		w.pipe(n.Pipe, root)
	case *tparse.IfNode:
		w.pipe(n.Pipe, root)
		w.list(n.List, root)
		w.list(n.ElseList, root)
	case *tparse.WithNode:
		w.pipe(n.Pipe, root)
		w.list(n.List, root && isDot(n.Pipe) || isDollar(n.Pipe))
		w.list(n.ElseList, root)
	case *tparse.RangeNode:
		w.pipe(n.Pipe, root)
		w.list(n.List, false)
		w.list(n.ElseList, root)
	case *tparse.TemplateNode:
		w.pipe(n.Pipe, root)
		if root && isDot(n.Pipe) || isDollar(n.Pipe) {
			w.template(n.Name)
		}
	case *tparse.PipeNode:
		w.pipe(n, root)
	case *tparse.CommandNode:
		for i, a := range n.Args {
			// index . "key" reads key of the page's data.
			if id, ok := a.(*tparse.IdentifierNode); ok && id.Ident == "index" && i == 0 && len(n.Args) >= 3 && root {
				if _, dot := n.Args[1].(*tparse.DotNode); dot {
					if s, ok := n.Args[2].(*tparse.StringNode); ok {
						w.add(n, s.Text)
					}
				}
			}
			w.node(a, root)
		}
	case *tparse.ChainNode:
		w.node(n.Node, root)
	case *tparse.FieldNode:
		if root {
			w.add(n, n.Ident[0])
		}
	case *tparse.VariableNode:
		// In the page's own template and in templates it passes the data
		// to, $ is the page's data.
		if n.Ident[0] == "$" && len(n.Ident) > 1 {
			w.add(n, n.Ident[1])
		}
	}
}

func (w *refWalker) pipe(p *tparse.PipeNode, root bool) {
	if p == nil {
		return
	}
	for _, c := range p.Cmds {
		w.node(c, root)
	}
}

// add records a reference to the page's data that reads name.
func (w *refWalker) add(n tparse.Node, name string) {
	loc, _ := w.tree.ErrorContext(n)
	if _, ok := w.refs[loc]; !ok {
		w.refs[loc] = name
	}
}

// isDot reports whether p is just ".".
func isDot(p *tparse.PipeNode) bool {
	if p == nil || len(p.Decl) > 0 || len(p.Cmds) != 1 || len(p.Cmds[0].Args) != 1 {
		return false
	}
	_, ok := p.Cmds[0].Args[0].(*tparse.DotNode)
	return ok
}

// isDollar reports whether p is just "$".
func isDollar(p *tparse.PipeNode) bool {
	if p == nil || len(p.Decl) > 0 || len(p.Cmds) != 1 || len(p.Cmds[0].Args) != 1 {
		return false
	}
	v, ok := p.Cmds[0].Args[0].(*tparse.VariableNode)
	return ok && len(v.Ident) == 1 && v.Ident[0] == "$"
}

// mentions reports whether n reads a field, a variable's field or an index
// key named name anywhere.
func mentions(n tparse.Node, name string) bool {
	switch x := n.(type) {
	case *tparse.ListNode:
		if x == nil {
			return false
		}
		for _, c := range x.Nodes {
			if mentions(c, name) {
				return true
			}
		}
	case *tparse.ActionNode:
		return x.Pipe != nil && mentions(x.Pipe, name)
	case *tparse.PipeNode:
		if x == nil {
			return false
		}
		for _, c := range x.Cmds {
			if mentions(c, name) {
				return true
			}
		}
	case *tparse.CommandNode:
		for _, a := range x.Args {
			if mentions(a, name) {
				return true
			}
		}
	case *tparse.FieldNode:
		return len(x.Ident) > 0 && x.Ident[0] == name
	case *tparse.VariableNode:
		return len(x.Ident) > 1 && x.Ident[1] == name
	case *tparse.ChainNode:
		return mentions(x.Node, name)
	case *tparse.StringNode:
		return x.Text == name // index . "name"
	case *tparse.IfNode:
		return branchMentions(&x.BranchNode, name)
	case *tparse.RangeNode:
		return branchMentions(&x.BranchNode, name)
	case *tparse.WithNode:
		return branchMentions(&x.BranchNode, name)
	case *tparse.TemplateNode:
		return x.Pipe != nil && mentions(x.Pipe, name)
	}
	return false
}

func branchMentions(b *tparse.BranchNode, name string) bool {
	return mentions(b.Pipe, name) || (b.List != nil && mentions(b.List, name)) ||
		(b.ElseList != nil && mentions(b.ElseList, name))
}
