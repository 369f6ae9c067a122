package check

import (
	"cmp"
	"errors"
	"reflect"
	"slices"
	"strconv"
	"strings"
	"text/template/parse"
)

// Error is one problem found in a template. Types and Actions return every
// Error they find, joined with [errors.Join]; use [errors.As] or the
// Unwrap() []error method of the joined error to reach them.
type Error struct {
	// Pos is where the problem is, "file:line:col" as text/template's
	// ErrorContext gives it (the template's name when it was not parsed
	// from a file; col counts bytes from 0, as text/template does).
	Pos string
	// Context is the template source the problem is in, as ErrorContext
	// gives it: the field, variable or call as written; for Actions, the
	// attribute.
	Context string
	// Name is what was read, as written: ".Cuont", ".counter.Cuont",
	// "$.x", "$item.Title", a function's name; for Actions, the action
	// name.
	Name string
	// Type is the type Name was read on: *main.Counter, main.Item, or
	// map[string]any for the page's data map. It is nil for Actions errors
	// and for calls of functions.
	Type reflect.Type
	// Msg says what is wrong, for people. It names the type as Go prints
	// it, or the page's data by its keys; never "interface {}".
	Msg string
}

// Error returns the problem with its position, for example
// `template chat.html:12:5: can't evaluate field Cuont in type *main.Counter`.
func (e *Error) Error() string {
	return "template " + e.Pos + ": " + e.Msg
}

// errorList collects the errors of one check, without duplicates, and
// returns them in source order.
type errorList struct {
	errs  []*Error
	order []errorPlace
	seen  map[string]bool
	files map[string]int // file name -> the order in which it was first seen
}

// errorPlace orders an error: by the file, in the order the files were
// first met, then by line and column.
type errorPlace struct{ file, line, col int }

// add records a problem at node n of tree. Name, typ and msg are as in
// [Error]. The same problem at the same place is recorded once.
func (l *errorList) add(tree *parse.Tree, n parse.Node, name string, typ reflect.Type, msg string) {
	loc, ctx := errorContext(tree, n)
	l.addAt(loc, ctx, name, typ, msg)
}

// addAt records a problem at loc ("file:line:col").
func (l *errorList) addAt(loc, ctx, name string, typ reflect.Type, msg string) {
	key := loc + "\x00" + name + "\x00" + msg
	if l.seen[key] {
		return
	}
	if l.seen == nil {
		l.seen = map[string]bool{}
	}
	l.seen[key] = true
	file, line, col := splitLoc(loc)
	l.errs = append(l.errs, &Error{Pos: loc, Context: ctx, Name: name, Type: typ, Msg: msg})
	l.order = append(l.order, errorPlace{l.file(file), line, col})
}

// file returns the place of the file called name in the order of files,
// adding it last if it is new. The checks add each template's file as they
// start reading it, so that the page's own file comes first.
func (l *errorList) file(name string) int {
	if l.files == nil {
		l.files = map[string]int{}
	}
	idx, ok := l.files[name]
	if !ok {
		idx = len(l.files)
		l.files[name] = idx
	}
	return idx
}

// err returns nil, or every problem recorded, in source order, joined.
func (l *errorList) err() error {
	if len(l.errs) == 0 {
		return nil
	}
	idx := make([]int, len(l.errs))
	for i := range idx {
		idx[i] = i
	}
	slices.SortStableFunc(idx, func(a, b int) int {
		pa, pb := l.order[a], l.order[b]
		return cmp.Or(cmp.Compare(pa.file, pb.file), cmp.Compare(pa.line, pb.line), cmp.Compare(pa.col, pb.col))
	})
	errs := make([]error, len(idx))
	for i, j := range idx {
		errs[i] = l.errs[j]
	}
	return errors.Join(errs...)
}

// errorContext is tree.ErrorContext(n), which cannot fail on trees that
// were parsed from text; for any other tree, it falls back to the tree's
// name.
func errorContext(tree *parse.Tree, n parse.Node) (loc, ctx string) {
	defer func() {
		if recover() != nil {
			loc, ctx = tree.ParseName, n.String()
		}
	}()
	return tree.ErrorContext(n)
}

// splitLoc splits "file:line:col" (the file may hold colons); line and col
// are 0 when loc has no position.
func splitLoc(loc string) (file string, line, col int) {
	i := strings.LastIndexByte(loc, ':')
	if i < 0 {
		return loc, 0, 0
	}
	j := strings.LastIndexByte(loc[:i], ':')
	if j < 0 {
		return loc, 0, 0
	}
	l, err1 := strconv.Atoi(loc[j+1 : i])
	c, err2 := strconv.Atoi(loc[i+1:])
	if err1 != nil || err2 != nil {
		return loc, 0, 0
	}
	return loc[:j], l, c
}

// typeString is t as Go prints it, with "any" for "interface {}".
func typeString(t reflect.Type) string {
	return strings.ReplaceAll(t.String(), "interface {}", "any")
}
