package check

import (
	"reflect"
	"strings"
	"text/template/parse"
)

// call returns the type of calling function id with args, and with the
// previous command's value (of type final) as last argument when hasFinal:
// a FuncMap function's first result, or a builtin's, or html/template's
// escapers' (a string). Unknown functions give an unknown type (the parser
// refuses them unless told not to).
func (c *checker) call(f *frame, dot reflect.Type, id *parse.IdentifierNode, args []parse.Node, final reflect.Type, hasFinal bool) reflect.Type {
	types := make([]reflect.Type, 0, len(args)+1)
	for _, a := range args {
		types = append(types, known(c.arg(f, dot, a)))
	}
	if hasFinal {
		types = append(types, final)
	}
	name := id.Ident
	// html/template's escaper inserts these into pipelines.
	if strings.HasPrefix(name, "_html_template_") || name == "_eval_args_" {
		return stringType
	}
	// The FuncMap's functions hide builtins of the same name.
	if fn, ok := c.funcs[name]; ok {
		ft := reflect.TypeOf(fn)
		if ft == nil || ft.Kind() != reflect.Func {
			return nil
		}
		return c.result(f, id, name, nil, ft, 0, len(types))
	}
	switch name {
	case "and", "or":
		return same(types) // the value of one of the arguments
	case "not", "eq", "ne", "lt", "le", "gt", "ge":
		return boolType
	case "len":
		return intType
	case "html", "js", "urlquery", "print", "printf", "println":
		return stringType
	case "index":
		return c.index(f, id, args, types)
	case "slice":
		return c.slice(f, id, types)
	case "call":
		if len(types) == 0 || types[0] == nil {
			return nil
		}
		if ft := deref(types[0]); ft.Kind() == reflect.Func {
			callee := "call" // of the pipeline's value
			if len(args) > 0 {
				callee = args[0].String()
			}
			return c.result(f, id, callee, nil, ft, 0, len(types)-1)
		}
	}
	return nil
}

// same returns the type all of types have, or nil.
func same(types []reflect.Type) reflect.Type {
	if len(types) == 0 {
		return nil
	}
	for _, t := range types[1:] {
		if t != types[0] {
			return nil
		}
	}
	return types[0]
}

// index returns the type of index's result: the element of the item
// (types[0]) indexed by each further argument in turn. args are the
// written arguments (types may hold one more: the pipeline's value).
func (c *checker) index(f *frame, id *parse.IdentifierNode, args []parse.Node, types []reflect.Type) reflect.Type {
	if len(types) == 0 {
		return nil
	}
	item := types[0]
	for i := 1; i < len(types) && item != nil; i++ {
		if item == pageType {
			// A missing key gives the zero value, even with strict templates.
			if i < len(args) {
				if s, ok := args[i].(*parse.StringNode); ok {
					item = known(c.data.Map[s.Text])
					continue
				}
			}
			return nil
		}
		u := deref(item)
		switch u.Kind() {
		case reflect.Array, reflect.Slice, reflect.Map:
			item = known(u.Elem())
		case reflect.String:
			item = byteType
		case reflect.Interface:
			return nil
		default:
			c.errs.add(f.tree, id, "index", item, "can't index item of type "+typeString(item))
			return nil
		}
	}
	return item
}

// slice returns the type of slice's result: a string, or a slice of the
// item's (types[0]) elements.
func (c *checker) slice(f *frame, id *parse.IdentifierNode, types []reflect.Type) reflect.Type {
	if len(types) == 0 || types[0] == nil {
		return nil
	}
	item := types[0]
	u := deref(item)
	switch u.Kind() {
	case reflect.String, reflect.Slice:
		return u
	case reflect.Array:
		return reflect.SliceOf(u.Elem())
	case reflect.Interface:
		return nil
	}
	c.errs.add(f.tree, id, "slice", errType(item), "can't slice item of type "+c.describe(item))
	return nil
}
