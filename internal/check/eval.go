package check

import (
	"fmt"
	"reflect"
	"strings"
	"text/template/parse"
)

// pipe returns the type of pipeline p's value (nil: unknown) and declares
// its variables.
func (c *checker) pipe(f *frame, dot reflect.Type, p *parse.PipeNode) reflect.Type {
	t := c.pipeValue(f, dot, p)
	c.declare(f, p, t)
	return t
}

// pipeValue returns the type of pipeline p's value: its last command's,
// each command but the first receiving the previous one's value as its
// last argument.
func (c *checker) pipeValue(f *frame, dot reflect.Type, p *parse.PipeNode) reflect.Type {
	if p == nil {
		return nil
	}
	var t reflect.Type
	for i, cmd := range p.Cmds {
		t = known(c.command(f, dot, cmd, t, i > 0))
	}
	return t
}

// command returns the type of cmd's value; final is the type of the
// previous command's value, passed as the last argument when hasFinal.
func (c *checker) command(f *frame, dot reflect.Type, cmd *parse.CommandNode, final reflect.Type, hasFinal bool) reflect.Type {
	nargs := len(cmd.Args) - 1
	if hasFinal {
		nargs++
	}
	var t reflect.Type
	switch n := cmd.Args[0].(type) {
	case *parse.FieldNode:
		t = c.fields(f, n, "", dot, n.Ident, nargs)
	case *parse.ChainNode:
		t = c.fields(f, n, chainPrefix(n), c.arg(f, dot, n.Node), n.Field, nargs)
	case *parse.VariableNode:
		t = c.variable(f, n.Ident[0])
		if len(n.Ident) > 1 {
			t = c.fields(f, n, n.Ident[0], t, n.Ident[1:], nargs)
		}
	case *parse.IdentifierNode:
		return c.call(f, dot, n, cmd.Args[1:], final, hasFinal)
	case *parse.PipeNode:
		t = c.pipe(f, dot, n)
	default:
		t = constant(dot, n)
	}
	c.args(f, dot, cmd.Args[1:])
	return t
}

// args checks arguments, whose types do not matter here.
func (c *checker) args(f *frame, dot reflect.Type, args []parse.Node) {
	for _, a := range args {
		c.arg(f, dot, a)
	}
}

// arg returns the type of argument n, whose fields and methods are read
// and called with no arguments.
func (c *checker) arg(f *frame, dot reflect.Type, n parse.Node) reflect.Type {
	switch n := n.(type) {
	case *parse.FieldNode:
		return c.fields(f, n, "", dot, n.Ident, 0)
	case *parse.ChainNode:
		return c.fields(f, n, chainPrefix(n), c.arg(f, dot, n.Node), n.Field, 0)
	case *parse.VariableNode:
		t := c.variable(f, n.Ident[0])
		if len(n.Ident) > 1 {
			t = c.fields(f, n, n.Ident[0], t, n.Ident[1:], 0)
		}
		return t
	case *parse.IdentifierNode:
		return c.call(f, dot, n, nil, nil, false)
	case *parse.PipeNode:
		return c.pipe(f, dot, n)
	}
	return constant(dot, n)
}

// constant returns the type of a constant (or of dot) as text/template
// gives it when it has no other type to convert it to.
func constant(dot reflect.Type, n parse.Node) reflect.Type {
	switch n := n.(type) {
	case *parse.DotNode:
		return dot
	case *parse.BoolNode:
		return boolType
	case *parse.StringNode:
		return stringType
	case *parse.NumberNode:
		switch {
		case n.IsComplex:
			return complex128Type
		case n.IsFloat && !isHexInt(n.Text) && !strings.HasPrefix(n.Text, "'") && strings.ContainsAny(n.Text, ".eEpP"):
			return float64Type
		case n.IsInt:
			return intType
		}
	}
	return nil
}

func isHexInt(s string) bool {
	return len(s) > 2 && s[0] == '0' && (s[1] == 'x' || s[1] == 'X') && !strings.ContainsAny(s, "pP")
}

// chainPrefix is how the operand of a chain, (pipeline).Field, is written.
func chainPrefix(n *parse.ChainNode) string {
	if n.Node.Type() == parse.NodePipe {
		return "(" + n.Node.String() + ")"
	}
	return n.Node.String()
}

// fields returns the type of reading idents one after the other on a value
// of type recv; the last one is given nargs arguments (the others none).
// prefix is what node reads them on, as written ("" for dot, "$x", or a
// chain's operand), to name what was read in errors.
func (c *checker) fields(f *frame, node parse.Node, prefix string, recv reflect.Type, idents []string, nargs int) reflect.Type {
	for i, id := range idents {
		if recv == nil {
			return nil
		}
		n := 0
		if i == len(idents)-1 {
			n = nargs
		}
		recv = c.field(f, node, prefix+"."+strings.Join(idents[:i+1], "."), recv, id, n)
	}
	return recv
}

// field returns the type of reading id, with nargs arguments, on a value
// of type recv (not nil), as text/template's evalField does: a method of
// the type or of a pointer to it, else a struct's field or a map's
// element. name is what is read, as written, for errors.
func (c *checker) field(f *frame, node parse.Node, name string, recv reflect.Type, id string, nargs int) reflect.Type {
	if recv == pageType {
		return c.pageKey(f, node, name, id, nargs)
	}
	report := func(format string, args ...any) reflect.Type {
		c.errs.add(f.tree, node, name, recv, fmt.Sprintf(format, args...))
		return nil
	}
	t := deref(recv)
	if t.Kind() == reflect.Interface {
		// The value inside decides; only the interface's own methods are
		// known.
		if m, ok := t.MethodByName(id); ok {
			return c.result(f, node, name, recv, m.Type, 0, nargs)
		}
		return nil
	}
	// A method of T or of *T: text/template takes the address of what it
	// can, and a check cannot tell what it can; accept both.
	if m, ok := reflect.PointerTo(t).MethodByName(id); ok {
		return c.result(f, node, name, recv, m.Type, 1, nargs)
	}
	switch t.Kind() {
	case reflect.Struct:
		sf, ok := t.FieldByName(id)
		switch {
		case !ok:
			// missing, or ambiguous between embedded structs
		case !sf.IsExported():
			return report("%s is an unexported field of struct type %s: templates can't read it", id, typeString(recv))
		case nargs > 0:
			return report("%s is a field of type %s, not a method, but has arguments", id, typeString(recv))
		default:
			return known(sf.Type)
		}
	case reflect.Map:
		if stringType.AssignableTo(t.Key()) {
			if nargs > 0 {
				return report("%s is a key of map type %s, not a method, but has arguments", id, typeString(recv))
			}
			return known(t.Elem())
		}
	}
	return report("can't evaluate field %s in type %s", id, typeString(recv))
}

// pageKey returns the type of reading key id of the page's data map.
func (c *checker) pageKey(f *frame, node parse.Node, name, id string, nargs int) reflect.Type {
	t, ok := c.data.Map[id]
	switch {
	case !ok && c.data.StrictKeys:
		has := "has: " + c.keys()
		if len(c.data.Map) == 0 {
			has = "has no keys"
		}
		c.errs.add(f.tree, node, name, mapAnyType, fmt.Sprintf("no store named %q; the page's data %s", id, has))
		return nil
	case !ok:
		return nil // renders the zero value
	case nargs > 0:
		c.errs.add(f.tree, node, name, mapAnyType, fmt.Sprintf("%s is a key of %s, not a method, but has arguments", id, c.describe(pageType)))
		return nil
	}
	return known(t)
}

// result returns the type of calling method (or function) type ft with
// nargs arguments: its first result. The first skip inputs of ft are not
// arguments (a method's receiver). A call text/template refuses is
// reported: a wrong number of arguments, or results other than one value,
// or a value and an error.
func (c *checker) result(f *frame, node parse.Node, name string, recv, ft reflect.Type, skip, nargs int) reflect.Type {
	report := func(format string, args ...any) reflect.Type {
		msg := fmt.Sprintf(format, args...)
		if recv != nil {
			msg += " in type " + c.describe(recv)
		}
		c.errs.add(f.tree, node, name, errType(recv), msg)
		return nil
	}
	id := name[strings.LastIndexByte(name, '.')+1:]
	in := ft.NumIn() - skip
	switch {
	case ft.IsVariadic() && nargs < in-1:
		return report("wrong number of args for %s: want at least %d got %d", id, in-1, nargs)
	case !ft.IsVariadic() && nargs != in:
		return report("wrong number of args for %s: want %d got %d", id, in, nargs)
	}
	switch {
	case ft.NumOut() == 1:
	case ft.NumOut() == 2 && ft.Out(1) == errorType:
	default:
		return report("can't call %s: it has %d results; templates call only functions with 1, or 2 of which the second is an error", id, ft.NumOut())
	}
	return known(ft.Out(0))
}
