package diff

import (
	"html/template"
	"reflect"
	"text/template/parse"
)

// A pointer's address shows in a render only when fmt prints a value that
// holds it below its top: html/template's escapers follow pointers at the
// top of what they print, and a field look-up follows them too. So a
// snapshot records addresses only when the body may print a value whose
// type holds a pointer (or an interface, or a type it cannot tell); then
// the same content behind a new pointer (as after decoding a copy of a
// store) renders again. Otherwise content alone decides, and items reached
// through fresh pointers are reused.

// printScan walks a converted range's body (and the templates it calls)
// with the type of dot at each point, looking for such a print.
type printScan struct {
	lookup func(name string) *template.Template
	tok    string // the tok function of converted ranges: prints a token
	seen   map[scanKey]bool
	found  bool
}

type scanKey struct {
	name string
	dot  reflect.Type
}

type typedVar struct {
	name string
	typ  reflect.Type // nil: unknown
}

var (
	stringType = reflect.TypeFor[string]()
	boolType   = reflect.TypeFor[bool]()
	intType    = reflect.TypeFor[int]()
)

// printsAddresses reports whether body, run with items of type elem, may
// print a pointer's address.
func printsAddresses(body *parse.ListNode, elem reflect.Type, lookup func(string) *template.Template, tok string) bool {
	s := &printScan{lookup: lookup, tok: tok, seen: map[scanKey]bool{}}
	s.list(body, elem, nil)
	return s.found
}

func (s *printScan) list(l *parse.ListNode, dot reflect.Type, vars []typedVar) []typedVar {
	if l == nil {
		return vars
	}
	mark := len(vars)
	for _, n := range l.Nodes {
		if s.found {
			return vars[:mark]
		}
		vars = s.node(n, dot, vars)
	}
	return vars[:mark]
}

func (s *printScan) node(n parse.Node, dot reflect.Type, vars []typedVar) []typedVar {
	switch n := n.(type) {
	case *parse.ActionNode:
		t := s.pipeline(n.Pipe, dot, vars)
		if len(n.Pipe.Decl) == 0 {
			if t != stringType {
				// Not a string an escaper made (html/template ends every
				// printed pipeline with one): printed as it is.
				s.check(t, true)
			}
			return vars
		}
		return s.declare(n.Pipe, t, vars)
	case *parse.IfNode:
		v := s.declare(n.Pipe, s.pipeline(n.Pipe, dot, vars), vars)
		s.list(n.List, dot, v)
		s.list(n.ElseList, dot, v)
	case *parse.WithNode:
		t := s.pipeline(n.Pipe, dot, vars)
		v := s.declare(n.Pipe, t, vars)
		s.list(n.List, t, v)
		s.list(n.ElseList, dot, v)
	case *parse.RangeNode:
		key, elem := rangeTypes(s.pipeline(n.Pipe, dot, vars))
		v := vars
		switch d := n.Pipe.Decl; len(d) {
		case 1:
			v = append(v, typedVar{d[0].Ident[0], elem})
		case 2:
			v = append(v, typedVar{d[0].Ident[0], key}, typedVar{d[1].Ident[0], elem})
		}
		s.list(n.List, elem, v)
		s.list(n.ElseList, dot, vars)
	case *parse.TemplateNode:
		var t reflect.Type
		if n.Pipe != nil {
			t = s.pipeline(n.Pipe, dot, vars)
		}
		key := scanKey{n.Name, t}
		if s.seen[key] {
			return vars
		}
		s.seen[key] = true
		tt := s.lookup(n.Name)
		if tt == nil || tt.Tree == nil {
			s.found = true // a template this scan cannot see into
			return vars
		}
		s.list(tt.Tree.Root, t, []typedVar{{"$", t}})
	}
	return vars
}

// declare adds the variables p declares, all of type t; assignments
// change nothing (the variable keeps its declared type, a safe guess
// only if the value has it too: mark it unknown).
func (s *printScan) declare(p *parse.PipeNode, t reflect.Type, vars []typedVar) []typedVar {
	for _, d := range p.Decl {
		if p.IsAssign {
			for i := len(vars) - 1; i >= 0; i-- {
				if vars[i].name == d.Ident[0] {
					vars[i].typ = nil
					break
				}
			}
			continue
		}
		vars = append(vars, typedVar{d.Ident[0], t})
	}
	return vars
}

// Kinds of function a pipeline may call.
var (
	// fmtFuncs print their arguments with fmt, pointers at the top
	// included (fmt shows the address of a pointer to a number).
	fmtFuncs = map[string]bool{"print": true, "printf": true, "println": true, "html": true, "js": true, "urlquery": true}
	// compareFuncs compare their arguments with ==: pointers by address.
	compareFuncs = map[string]bool{"eq": true, "ne": true}
	// boolFuncs return a bool.
	boolFuncs = map[string]bool{"eq": true, "ne": true, "lt": true, "le": true, "gt": true, "ge": true, "not": true}
)

// pipeline checks what the pipeline p shows of pointers and returns the
// type of its value (nil if unknown). Escapers print their arguments, and
// the value of the command before them, below the pointers at the top;
// fmt builtins print them whole; eq and ne compare them, pointers by
// address. Other builtins and the ok function show nothing of addresses.
func (s *printScan) pipeline(p *parse.PipeNode, dot reflect.Type, vars []typedVar) reflect.Type {
	if p == nil {
		return nil
	}
	var prev reflect.Type // the value of the command before, passed on as the last argument
	for i, c := range p.Cmds {
		id, call := c.Args[0].(*parse.IdentifierNode)
		if !call {
			prev = nil
			if len(c.Args) == 1 {
				prev = s.operand(c.Args[0], dot, vars)
			}
			continue
		}
		args := make([]reflect.Type, 0, len(c.Args))
		for _, a := range c.Args[1:] {
			args = append(args, s.operand(a, dot, vars))
		}
		if i > 0 {
			args = append(args, prev)
		}
		switch name := id.Ident; {
		case name == s.tok:
			prev = stringType // prints a token, not its argument
		case escaperFuncs[name]:
			for _, t := range args {
				s.check(t, true)
			}
			prev = stringType
		case fmtFuncs[name]:
			for _, t := range args {
				s.check(t, false)
			}
			prev = stringType
		case compareFuncs[name]:
			for _, t := range args {
				s.check(t, false)
			}
			prev = boolType
		case boolFuncs[name]:
			prev = boolType
		case name == "len":
			prev = intType
		case name == "index":
			prev = indexType(args)
		case name == "slice":
			prev = nil
			if len(args) > 0 {
				prev = args[0]
			}
		case name == "and" || name == "or":
			prev = nil // one of its arguments
		default: // the ok function of a converted range, or unknown
			prev = nil
		}
	}
	return prev
}

// operand returns the type of one argument; a parenthesized pipeline in
// it is checked as any pipeline.
func (s *printScan) operand(a parse.Node, dot reflect.Type, vars []typedVar) reflect.Type {
	if p, ok := a.(*parse.PipeNode); ok {
		return s.pipeline(p, dot, vars)
	}
	if c, ok := a.(*parse.ChainNode); ok {
		if p, ok := c.Node.(*parse.PipeNode); ok {
			return fieldType(s.pipeline(p, dot, vars), c.Field)
		}
	}
	return s.argType(a, dot, vars)
}

// indexType returns the type of index's result for arguments of types
// args (the item first), nil if unknown.
func indexType(args []reflect.Type) reflect.Type {
	if len(args) == 0 {
		return nil
	}
	t := args[0]
	for range args[1:] {
		for t != nil && t.Kind() == reflect.Pointer {
			t = t.Elem()
		}
		if t == nil {
			return nil
		}
		switch t.Kind() {
		case reflect.Array, reflect.Slice, reflect.Map:
			t = t.Elem()
		case reflect.String:
			t = reflect.TypeFor[uint8]()
		default:
			return nil
		}
	}
	return t
}

// check records whether printing (or comparing) a value of type t may
// show an address; strip: the pointers at its top do not show.
func (s *printScan) check(t reflect.Type, strip bool) {
	for strip && t != nil && t.Kind() == reflect.Pointer {
		t = t.Elem() // the escapers follow pointers at the top
	}
	if t == nil || holdsPointer(t, map[reflect.Type]bool{}) {
		s.found = true
	}
}

// holdsPointer reports whether a value of type t may hold a pointer, or a
// value of a type unknown here (an interface).
func holdsPointer(t reflect.Type, seen map[reflect.Type]bool) bool {
	if seen[t] {
		return false
	}
	seen[t] = true
	switch t.Kind() {
	case reflect.Pointer, reflect.Interface, reflect.Chan, reflect.Func, reflect.UnsafePointer:
		return true
	case reflect.Array, reflect.Slice:
		return holdsPointer(t.Elem(), seen)
	case reflect.Map:
		return holdsPointer(t.Key(), seen) || holdsPointer(t.Elem(), seen)
	case reflect.Struct:
		for i := range t.NumField() {
			if holdsPointer(t.Field(i).Type, seen) {
				return true
			}
		}
	}
	return false
}

// argType returns the type of one operand, nil if unknown.
func (s *printScan) argType(a parse.Node, dot reflect.Type, vars []typedVar) reflect.Type {
	switch a := a.(type) {
	case *parse.DotNode:
		return dot
	case *parse.FieldNode:
		return fieldType(dot, a.Ident)
	case *parse.VariableNode:
		for i := len(vars) - 1; i >= 0; i-- {
			if vars[i].name == a.Ident[0] {
				return fieldType(vars[i].typ, a.Ident[1:])
			}
		}
		return nil
	case *parse.ChainNode:
		return fieldType(s.operand(a.Node, dot, vars), a.Field)
	case *parse.PipeNode:
		return s.pipeline(a, dot, vars)
	case *parse.StringNode:
		return stringType
	case *parse.BoolNode:
		return boolType
	case *parse.NumberNode:
		return intType // a number: prints as a number, whatever its kind
	}
	return nil
}

// fieldType follows a chain of field or key look-ups from t, as
// text/template does; nil if a step's type is unknown.
func fieldType(t reflect.Type, names []string) reflect.Type {
	for _, name := range names {
		for t != nil && t.Kind() == reflect.Pointer {
			t = t.Elem()
		}
		if t == nil {
			return nil
		}
		switch t.Kind() {
		case reflect.Struct:
			f, ok := t.FieldByName(name)
			if !ok {
				return nil
			}
			t = f.Type
		case reflect.Map:
			t = t.Elem()
		default:
			return nil
		}
	}
	return t
}

// rangeTypes returns the types of the key (index) and element a range over
// a value of type t produces; nil where unknown.
func rangeTypes(t reflect.Type) (key, elem reflect.Type) {
	for t != nil && t.Kind() == reflect.Pointer {
		t = t.Elem()
	}
	if t == nil {
		return nil, nil
	}
	switch t.Kind() {
	case reflect.Array, reflect.Slice:
		return intType, t.Elem()
	case reflect.Map:
		return t.Key(), t.Elem()
	case reflect.Chan:
		return intType, t.Elem()
	case reflect.Int, reflect.Int8, reflect.Int16, reflect.Int32, reflect.Int64,
		reflect.Uint, reflect.Uint8, reflect.Uint16, reflect.Uint32, reflect.Uint64, reflect.Uintptr:
		return t, t
	}
	return nil, nil
}
