package check

import (
	"html/template"
	"reflect"
	"slices"
	"strings"
)

// Data describes what a page's template executes with. When both Store and
// Map are nil, the data's type is unknown, and only what is read on the
// results of functions is checked.
type Data struct {
	// Store is the data's type when the data is a single store (a pointer
	// to a struct, say *main.Counter).
	Store reflect.Type
	// Map, used when Store is nil, lists the keys of the page's data map (a
	// map[string]any holding the page's stores by name, plus reserved keys
	// like "viewer" and "flash") and each key's dynamic type. A nil type
	// means the key's type is unknown: what is read on it is not checked.
	Map map[string]reflect.Type
	// StrictKeys: a key of Map that is not listed is an error (strict
	// templates). When false, reading an unlisted key of the page's data
	// map is allowed (it renders the zero value).
	StrictKeys bool
}

// Types checks every field, method and key that the page template t
// (t.Name(), and every template it calls with {{template}}/{{block}})
// reads, against data. funcs is the FuncMap the templates were parsed with
// (may be nil), so that the result type of a function call is known. It
// returns nil, or an error that lists every problem (errors.Join of
// *Error), each naming the position, what was read and the type it was
// read on.
//
// Types works on trees before and after html/template has escaped them. It
// only reads the trees: see the package doc for when it may run.
func Types(t *template.Template, data Data, funcs template.FuncMap) error {
	if t == nil {
		return nil
	}
	root := known(data.Store)
	if data.Store == nil && data.Map != nil {
		root = pageType
	}
	// A variable assigned ({{$x = …}}) a value of another type than it held
	// has no one type: the walk is repeated, with such variables unknown
	// from their declaration on, until no new one is found. Only the last
	// walk's errors count.
	widened := map[any]bool{}
	for {
		c := &checker{data: data, funcs: funcs, lookup: t.Lookup, widened: widened, done: map[memoKey]bool{}}
		c.template(t.Name(), root)
		if !c.grew {
			return c.errs.err()
		}
	}
}

// checker is one walk of Types over a page's templates.
type checker struct {
	data    Data
	funcs   template.FuncMap
	lookup  func(name string) *template.Template
	widened map[any]bool     // declarations (varKey) of variables of no one type
	grew    bool             // this walk added to widened
	done    map[memoKey]bool // templates walked, by the type of their dot
	errs    errorList
}

// memoKey is a template walked with a dot of a type; a recursive template
// is walked once per type of dot.
type memoKey struct {
	name string
	dot  reflect.Type
}

// pageData stands for the page's data map (Data.Map) while walking: no
// user type is this type, so reading a key of a value of this type is
// checked against Data.Map, wherever the data was passed on to ({{$d := .}},
// {{template "row" .}}).
type pageData map[string]any

var (
	pageType         = reflect.TypeFor[pageData]()
	mapAnyType       = reflect.TypeFor[map[string]any]()
	stringType       = reflect.TypeFor[string]()
	boolType         = reflect.TypeFor[bool]()
	intType          = reflect.TypeFor[int]()
	byteType         = reflect.TypeFor[byte]()
	float64Type      = reflect.TypeFor[float64]()
	complex128Type   = reflect.TypeFor[complex128]()
	errorType        = reflect.TypeFor[error]()
	reflectValueType = reflect.TypeFor[reflect.Value]()
)

// known returns t, or nil when a value of static type t has no type that
// can be known before execution: an empty interface (text/template looks
// inside it) or a reflect.Value (which text/template unwraps).
func known(t reflect.Type) reflect.Type {
	if t == nil || t == reflectValueType || t.Kind() == reflect.Interface && t.NumMethod() == 0 {
		return nil
	}
	return t
}

// deref is t without its pointers, as text/template reads through them.
func deref(t reflect.Type) reflect.Type {
	for t.Kind() == reflect.Pointer {
		t = t.Elem()
	}
	return t
}

// describe names t for people: its Go type, or the page's data by its
// keys.
func (c *checker) describe(t reflect.Type) string {
	if t == pageType {
		return "the page's data (keys: " + c.keys() + ")"
	}
	return typeString(t)
}

// errType is t as an Error reports it: the page's data is a map[string]any.
func errType(t reflect.Type) reflect.Type {
	if t == pageType {
		return mapAnyType
	}
	return t
}

// keys lists the keys of the page's data map, sorted.
func (c *checker) keys() string {
	if len(c.data.Map) == 0 {
		return "no keys"
	}
	ks := make([]string, 0, len(c.data.Map))
	for k := range c.data.Map {
		ks = append(ks, k)
	}
	slices.Sort(ks)
	return strings.Join(ks, ", ")
}

// baseName is the name of the template that html/template's escaper copied
// into a template named name ("row$htmltemplate_stateAttr…" for "row"
// called from an attribute): the copy reads what the original reads.
func baseName(name string) string {
	if i := strings.Index(name, "$htmltemplate_"); i >= 0 {
		return name[:i]
	}
	return name
}
