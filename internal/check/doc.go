// Package check finds mistakes in a page's templates when the page is
// mounted, before any request: a field, method or store the data does not
// have ({{.Cuont}}, {{.counter.Cuont}}), and an lvt-* action that names a
// store the page does not have (lvt-click="tods.add").
//
// Both checks read the parse trees of an [html/template.Template] and
// follow {{template}} and {{block}} calls; they work on trees before and
// after html/template has escaped them. They execute nothing.
//
// # Map
//
//   - [Types] walks the templates as text/template would execute them,
//     tracking the Go type of dot and of every variable (walk.go), of every
//     pipeline, field and method (eval.go) and of every function call
//     (funcs.go). See [Data] for what a page's templates execute with.
//   - [Actions] scans the templates' static text for lvt-* event attributes
//     (actions.go) with a small HTML attribute scanner (scan.go).
//   - [Error] is one problem found; both functions return every problem
//     found, joined with [errors.Join], in source order (errors.go).
//
// # Refuse mistakes, never a valid template
//
// A template is refused only for what text/template itself would fail on
// when it reaches that point: a field or method missing on a struct type
// (or any type that is not a map or an interface), an unexported field, a
// method or function given the wrong number of arguments or returning no
// value, a key missing from the page's data under strict templates, a
// range, index or slice of a value that has none. Where a type cannot be
// known — an interface value, a map of interfaces, a function returning
// any, a variable assigned values of different types — checking stops below
// it: nothing is guessed, so nothing valid is refused.
//
// # Concurrency
//
// Types and Actions only read the trees, and may run concurrently with each
// other. They must not run while the templates are being parsed, or while
// html/template escapes them (during their first execution): run them when
// the page is mounted, before it serves. Escaping a clone (as diff.Compile
// does) leaves the original's trees alone.
package check
