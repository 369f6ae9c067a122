package livetemplate

import (
	"errors"
	"fmt"
	"html/template"
	"regexp"
	"strconv"
	"strings"
	texttemplate "text/template"
	tparse "text/template/parse"
)

// strictRefs are the references of a strict template to the page's data
// itself ({{.Name}} where dot is the page's data, {{$.Name}} in the page's
// template): by location in the source ("file:line:col", as execution
// errors give it), the first name each reads. A missing key at one of them
// is a store the page does not have.
type strictRefs map[string]string

// prepareStrict turns strict mode on for t when the options ask for it, and
// returns what explaining its render errors needs; nil when strict mode is
// off.
func prepareStrict(t *template.Template, cfg *config) strictRefs {
	refs := cfg.strict
	if refs == nil {
		return nil
	}
	t.Option("missingkey=error")
	w := refWalker{refs: refs, lookup: t.Lookup, done: map[string]bool{}}
	w.template(t.Name())
	return refs
}

// refWalker finds the references to the page's data in the templates the
// page runs, following {{template}} calls that pass the data on.
type refWalker struct {
	refs   strictRefs
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
		for _, a := range n.Args {
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
	w.refs[loc] = name
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

// missingKeyRE matches text/template's error for a missing map key under
// missingkey=error, giving its location and the key.
var missingKeyRE = regexp.MustCompile(`^template: (\S+:\d+:\d+): executing .* map has no entry for key ("(?:[^"\\]|\\.)*")$`)

// explain returns a clear error for a render error of a strict page that
// read a store it does not have, or err itself.
func (h *Handler) explain(err error) error {
	refs := h.t.cfg.strict
	if refs == nil || len(h.specs) < 2 {
		return err // one store: the data is the store, not a map of stores
	}
	var ee texttemplate.ExecError
	if !errors.As(err, &ee) {
		return err
	}
	m := missingKeyRE.FindStringSubmatch(ee.Err.Error())
	if m == nil {
		return err
	}
	key, uerr := strconv.Unquote(m[2])
	if uerr != nil || refs[m[1]] != key {
		return err
	}
	names := make([]string, len(h.specs))
	for i := range h.specs {
		names[i] = h.specs[i].name
	}
	return &missingStoreError{page: h.t.name, key: key, stores: names, at: m[1], err: err}
}

// missingStoreError is a render error of a strict page that read a store
// it does not have.
type missingStoreError struct {
	page, key string
	stores    []string
	at        string // file:line:col
	err       error  // the error of the render
}

func (e *missingStoreError) Error() string {
	return fmt.Sprintf("livetemplate: template %q: no store named %q; the page's stores are: %s (at %s)",
		e.page, e.key, strings.Join(e.stores, ", "), e.at)
}

func (e *missingStoreError) Unwrap() error { return e.err }
