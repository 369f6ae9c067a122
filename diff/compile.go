package diff

import (
	"crypto/rand"
	"encoding/hex"
	"errors"
	"fmt"
	"html/template"
	"io"
	"strconv"
	"sync"
	"sync/atomic"
	"text/template/parse"
	"unsafe"
)

// Template is a compiled template: instrumented, escaped clones of the
// html/template it was made from. It is safe for concurrent use by any number
// of goroutines. What it renders never changes after Compile; it only learns,
// under its own synchronisation, the statics its renders produce (numbered
// with ids that never change, see docs/protocol.md §1.3), how large its
// last renders were, and how to take snapshots of the types it meets.
type Template struct {
	name string
	// fast renders: its pure ranges are converted so that items can be
	// reused (loop.go). plain executes as Execute does; a render that
	// fails on fast runs again on plain, to report Execute's own error. When
	// no range was converted they are the same program.
	fast, plain *program
	rootSize    int32 // dynamics of the top-level node
	// last holds, per slot id, the statics a node of that slot last had:
	// a render finds them there before it asks the registry.
	last []atomic.Pointer[statics]
	// hint sizes the slabs of a render from scratch, hintFrom those of a
	// render that reuses items of an earlier tree.
	hint, hintFrom sizeHint
	reg            registry // the statics of its renders, with their wire ids
	// loops holds, per slot id, the converted range of that slot (nil for
	// other slots).
	loops []*loop
	// pending hands the value of a converted range from the function that
	// receives it to the recorder that writes its items (loop.go).
	pending sync.Map // token (uint64) → reflect.Value
	seq     atomic.Uint64
	types   typeIDs // dynamic types in snapshots
}

// program is one instrumented, escaped clone: its entry template and the
// marks of its registered text nodes.
type program struct {
	entry *template.Template
	// Every registered text node's bytes live in one arena, so the recorder
	// knows a write of one by its address: index maps an offset in the
	// arena to 1 + the position of its mark in marks (0: none).
	arena []byte
	index []int32
	marks []mark
}

// markKind tells the recorder what a write of a registered text node means.
type markKind uint8

const (
	markStatic      markKind = iota // a text node of the template: static text
	markActionOpen                  // an action's output starts
	markActionClose                 // an action's output ends
	markNodeOpen                    // an if/with/template block starts
	markNodeClose                   // it ends
	markRangeOpen                   // a range starts
	markItem                        // one iteration of a range starts
	markElse                        // the range's else branch starts
	markRangeClose                  // the range ends
	markLoop                        // the next write is the token of a converted range's value
)

// mark is what the recorder knows about one registered text node.
type mark struct {
	kind markKind
	id   int32  // slot id, for matching opens and closes while unwinding
	text string // the static text (markStatic only)
	hash uint64 // hashString(text) (markStatic only)
	size int32  // opens and items: how many dynamics the part usually has
}

// entryPrefix starts the name of the template Compile adds to the clone's
// name space; a random suffix keeps it apart from every user template.
// Templates Compile adds for converted ranges start with rangePrefix.
const (
	entryPrefix = "\x00livetemplate-entry-"
	rangePrefix = "\x00livetemplate-range-"
)

// escapeOnlyPrefix starts the name of the function the entry template calls
// first while Compile makes html/template escape the clone; it stops
// execution before any user code runs. A random suffix keeps it apart from
// user functions. The functions of converted ranges start with loopPrefix.
const (
	escapeOnlyPrefix = "_lvt_escape_only_"
	loopPrefix       = "_lvt_loop_"
)

func randomSuffix() string {
	var b [8]byte
	_, _ = rand.Read(b[:]) // never fails (crypto/rand)
	return hex.EncodeToString(b[:])
}

// Options tunes [CompileWith]. The zero value is what [Compile] uses.
type Options struct {
	// FuncsKnown reports that Funcs holds every function added to the
	// template with Funcs (FuncsKnown with no Funcs: there are none). Range
	// bodies may then call the builtins Funcs does not redefine (eq, ne,
	// lt, le, gt, ge, and, or, not, len, index, slice, print, printf,
	// println, html, js, urlquery; never call) and still reuse items
	// (docs/templates.md, "What makes a page fast"). By default no builtin
	// is known to be text/template's own, and a range body that calls one
	// is executed every time. A Funcs that misses a function which
	// redefines a builtin can make renders differ from Execute.
	FuncsKnown bool
	Funcs      template.FuncMap
}

// Compile prepares t for rendering as a tree. t itself is not modified and
// stays usable. t must not have been executed yet (html/template cannot clone
// a template after its first Execute); Compile returns an error in that case,
// and for any escaping error Execute would report. Compile is
// CompileWith(t, Options{}).
func Compile(t *template.Template) (*Template, error) {
	return CompileWith(t, Options{})
}

// CompileWith is [Compile] with options.
func CompileWith(t *template.Template, opts Options) (*Template, error) {
	if t == nil {
		return nil, errors.New("diff: compile: nil template")
	}
	if _, err := t.Clone(); err != nil {
		return nil, fmt.Errorf("diff: compile %q: %w", t.Name(), err)
	}
	if t.Tree == nil {
		// As Execute reports it; nothing would run.
		return nil, fmt.Errorf("diff: compile %q: %w", t.Name(), failedExecute(t))
	}
	ct := &Template{name: t.Name()}
	fast, loops, err := ct.build(t, &opts)
	if err != nil {
		return nil, fmt.Errorf("diff: compile %q: %w", t.Name(), err)
	}
	ct.fast, ct.plain = fast, fast
	if len(loops) > 0 {
		if ct.plain, _, err = ct.build(t, nil); err != nil {
			return nil, fmt.Errorf("diff: compile %q: %w", t.Name(), err)
		}
	}
	ct.last = make([]atomic.Pointer[statics], len(ct.loops))
	return ct, nil
}

// build makes one program from a clone of t. With opts, the ranges whose
// items can be reused are converted (loop.go); it returns them.
func (ct *Template) build(t *template.Template, opts *Options) (*program, map[int32]*loop, error) {
	clone, err := t.Clone()
	if err != nil {
		return nil, nil, err
	}
	stop := errors.New("escape only")
	suffix := randomSuffix()
	entryName, stopFunc := entryPrefix+suffix, escapeOnlyPrefix+suffix
	stopCall := "{{" + stopFunc + "}}"
	clone.Funcs(template.FuncMap{stopFunc: func() (string, error) { return "", stop }})
	var lc *loopCompiler
	if opts != nil {
		lc = newLoopCompiler(ct, clone, suffix, *opts)
		if err := lc.addHolders(stopCall); err != nil {
			return nil, nil, err
		}
	}
	entry, err := clone.New(entryName).Delims("{{", "}}").Parse(stopCall + "{{template " + strconv.Quote(t.Name()) + " .}}")
	if err != nil {
		return nil, nil, err
	}
	// Executing the entry escapes every template reachable from t in the
	// context Execute would use, and stops at once, before any user code.
	err = entry.Execute(io.Discard, nil)
	if !errors.Is(err, stop) {
		// An escaping error: report the one Execute of t gives.
		return nil, nil, failedExecute(t)
	}
	if lc != nil {
		lc.escapeHolders(stop)
	}
	root := entry.Tree.Root
	root.Nodes = root.Nodes[1:] // drop the escape-only call
	p := &program{entry: entry}
	in := instrumenter{lookup: clone.Lookup, done: map[string]bool{entryName: true}, sizes: map[string]int32{},
		marks: make(map[*byte]mark), loops: lc}
	in.list(root, false)
	for len(in.queue) > 0 {
		name := in.queue[0]
		in.queue = in.queue[1:]
		in.sizes[name] = in.list(clone.Lookup(name).Tree.Root, true)
	}
	for p, name := range in.calls { // sizes of called templates are known now
		m := in.marks[p]
		m.size = in.sizes[name]
		in.marks[p] = m
	}
	in.moveToArena(p)
	if lc != nil {
		ct.rootSize = in.sizes[t.Name()]
		ct.loops = make([]*loop, in.nextID+1)
		for id, l := range lc.done {
			ct.loops[id] = l
		}
		return p, lc.done, nil
	}
	return p, nil, nil
}

// mark returns the mark of a write of p, if p is a registered text node.
func (p *program) mark(b []byte) (*mark, bool) {
	off := uintptr(unsafe.Pointer(unsafe.SliceData(b))) - uintptr(unsafe.Pointer(unsafe.SliceData(p.arena)))
	if off >= uintptr(len(p.index)) {
		return nil, false
	}
	k := p.index[off]
	if k == 0 {
		return nil, false
	}
	return &p.marks[k-1], true
}

// failedExecute returns the error Execute of t gives when t does not escape.
// It runs on a fresh clone, so t is untouched; html/template reports escaping
// errors before it executes anything.
func failedExecute(t *template.Template) error {
	c, err := t.Clone()
	if err != nil {
		return err
	}
	if err := c.Execute(io.Discard, nil); err != nil {
		return err
	}
	return errors.New("template does not escape")
}

// Name returns the name of the template Compile was given.
func (t *Template) Name() string { return t.name }

// walkRanges calls fn for every range node in l, nested ones included.
func walkRanges(l *parse.ListNode, fn func(*parse.RangeNode)) {
	if l == nil {
		return
	}
	for _, n := range l.Nodes {
		switch n := n.(type) {
		case *parse.IfNode:
			walkRanges(n.List, fn)
			walkRanges(n.ElseList, fn)
		case *parse.WithNode:
			walkRanges(n.List, fn)
			walkRanges(n.ElseList, fn)
		case *parse.RangeNode:
			fn(n)
			walkRanges(n.List, fn)
			walkRanges(n.ElseList, fn)
		}
	}
}
