package check

import (
	"fmt"
	"reflect"
	"text/template/parse"
)

// frame is the walk of one template: its tree and the variables in scope,
// innermost last, as text/template keeps them.
type frame struct {
	tree *parse.Tree
	vars []variable
}

// variable is a template variable in scope and its type (nil: unknown).
type variable struct {
	name string
	typ  reflect.Type
	key  any // the declaration: a *parse.VariableNode, or dollarKey for $
}

// dollarKey declares $ in the template called name.
type dollarKey struct{ name string }

// template walks the template called name with dot (and $) of type dot,
// once per type of dot. A template that does not exist is text/template's
// concern (it fails to execute): it is skipped.
func (c *checker) template(name string, dot reflect.Type) {
	name = baseName(name)
	k := memoKey{name, dot}
	if c.done[k] {
		return
	}
	c.done[k] = true
	t := c.lookup(name)
	if t == nil || t.Tree == nil || t.Tree.Root == nil {
		return
	}
	c.errs.file(t.Tree.ParseName)
	f := &frame{tree: t.Tree}
	dk := dollarKey{name}
	f.vars = []variable{{name: "$", typ: c.declared(dk, dot), key: dk}}
	c.list(f, dot, t.Tree.Root)
}

func (c *checker) list(f *frame, dot reflect.Type, l *parse.ListNode) {
	if l == nil {
		return
	}
	for _, n := range l.Nodes {
		c.node(f, dot, n)
	}
}

// node walks n with dot of type dot. Variables declared by an action stay
// in scope until the end of the enclosing if, with or range.
func (c *checker) node(f *frame, dot reflect.Type, n parse.Node) {
	switch n := n.(type) {
	case *parse.ActionNode:
		c.pipe(f, dot, n.Pipe)
	case *parse.IfNode:
		c.branches(f, dot, &n.BranchNode, false)
	case *parse.WithNode:
		c.branches(f, dot, &n.BranchNode, true)
	case *parse.RangeNode:
		c.rangeNode(f, dot, n)
	case *parse.TemplateNode:
		// Variables the pipeline declares stay in scope; the template
		// called sees none of them.
		c.template(n.Name, c.pipe(f, dot, n.Pipe))
	case *parse.ListNode:
		c.list(f, dot, n)
	}
}

// branches walks an if (with false) or a with: the list with dot (or with
// the pipeline's value as dot), the else list with dot.
func (c *checker) branches(f *frame, dot reflect.Type, b *parse.BranchNode, with bool) {
	mark := len(f.vars)
	t := c.pipe(f, dot, b.Pipe)
	inner := len(f.vars)
	if with {
		c.list(f, t, b.List)
	} else {
		c.list(f, dot, b.List)
	}
	f.vars = f.vars[:inner]
	c.list(f, dot, b.ElseList)
	f.vars = f.vars[:mark]
}

// rangeNode walks a range: the body with dot of the element type, its
// variables of the index (or key) and element types; the else list with
// dot, where the variables hold the pipeline's value.
func (c *checker) rangeNode(f *frame, dot reflect.Type, r *parse.RangeNode) {
	mark := len(f.vars)
	t := c.pipeValue(f, dot, r.Pipe)
	c.declare(f, r.Pipe, t)
	inner := len(f.vars)
	key, elem := c.rangeTypes(f, r, t)

	// The range's own variables, declared last (a parenthesised pipeline
	// may have declared others before them), hold the index (or key) and
	// the element in the body.
	decl := r.Pipe.Decl
	base := inner - len(decl)
	set := func(i int, typ reflect.Type) {
		if r.Pipe.IsAssign {
			c.assign(f, decl[i].Ident[0], typ)
			return
		}
		v := &f.vars[base+i]
		v.typ = c.declared(v.key, typ)
	}
	saved := append([]variable(nil), f.vars[mark:inner]...)
	switch len(decl) {
	case 1:
		set(0, elem)
	case 2:
		set(0, key)
		set(1, elem)
	}
	c.list(f, elem, r.List)
	f.vars = append(f.vars[:mark], saved...)
	c.list(f, dot, r.ElseList)
	f.vars = f.vars[:mark]
}

// rangeTypes returns the types of the index (or key) and of the elements
// that ranging over a value of type t gives, nil when unknown, as
// text/template ranges: over slices, arrays, maps, channels, integers and
// iterator functions. Anything else cannot be ranged over.
func (c *checker) rangeTypes(f *frame, r *parse.RangeNode, t reflect.Type) (key, elem reflect.Type) {
	if t == nil {
		return nil, nil
	}
	if t == pageType {
		return stringType, nil
	}
	vars := len(r.Pipe.Decl)
	u := deref(t)
	switch u.Kind() {
	case reflect.Interface:
		return nil, nil
	case reflect.Array, reflect.Slice:
		return intType, known(u.Elem())
	case reflect.Map:
		return known(u.Key()), known(u.Elem())
	case reflect.Chan:
		if u.ChanDir() == reflect.SendDir {
			c.rangeError(f, r, t, "range can't iterate over send-only channel of type %s")
			return nil, nil
		}
		return intType, known(u.Elem())
	case reflect.Int, reflect.Int8, reflect.Int16, reflect.Int32, reflect.Int64,
		reflect.Uint, reflect.Uint8, reflect.Uint16, reflect.Uint32, reflect.Uint64, reflect.Uintptr:
		if vars > 1 {
			c.rangeError(f, r, t, "range over %s can't declare two variables")
			return nil, nil
		}
		return nil, u
	case reflect.Func:
		switch {
		case u.CanSeq():
			if vars > 1 {
				c.rangeError(f, r, t, "range over iterator %s can't declare two variables")
				return nil, nil
			}
			return nil, known(u.In(0).In(0))
		case u.CanSeq2():
			k, v := known(u.In(0).In(0)), known(u.In(0).In(1))
			if vars > 1 {
				return k, v
			}
			return nil, k // with one variable, or none, the element is the first value
		}
	}
	c.rangeError(f, r, t, "range can't iterate over a value of type %s")
	return nil, nil
}

func (c *checker) rangeError(f *frame, r *parse.RangeNode, t reflect.Type, format string) {
	var n parse.Node = r.Pipe
	if len(r.Pipe.Cmds) > 0 {
		n = r.Pipe.Cmds[len(r.Pipe.Cmds)-1]
	}
	c.errs.add(f.tree, n, n.String(), errType(t), fmt.Sprintf(format, c.describe(t)))
}

// declare declares (or assigns) the variables of pipeline p, whose value
// has type t.
func (c *checker) declare(f *frame, p *parse.PipeNode, t reflect.Type) {
	if p == nil {
		return
	}
	for _, v := range p.Decl {
		if p.IsAssign {
			c.assign(f, v.Ident[0], t)
		} else {
			f.vars = append(f.vars, variable{name: v.Ident[0], typ: c.declared(v, t), key: v})
		}
	}
}

// declared is the type of a variable declared (by key) with a value of
// type t: t, or unknown if the variable is assigned values of other types.
func (c *checker) declared(key any, t reflect.Type) reflect.Type {
	if c.widened[key] {
		return nil
	}
	return t
}

// assign gives the variable name in scope a value of type t. A variable
// given a value of another type than it holds has no one type: it is
// unknown from its declaration on, in the next walk.
func (c *checker) assign(f *frame, name string, t reflect.Type) {
	for i := len(f.vars) - 1; i >= 0; i-- {
		v := &f.vars[i]
		if v.name != name {
			continue
		}
		if v.typ != t {
			if !c.widened[v.key] {
				c.widened[v.key] = true
				c.grew = true
			}
			v.typ = nil
		}
		return
	}
}

// variable is the type of the variable name in scope; nil if unknown or
// not in scope (the parser refuses undeclared variables).
func (c *checker) variable(f *frame, name string) reflect.Type {
	for i := len(f.vars) - 1; i >= 0; i-- {
		if f.vars[i].name == name {
			return f.vars[i].typ
		}
	}
	return nil
}
