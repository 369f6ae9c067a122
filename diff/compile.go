package diff

import (
	"crypto/rand"
	"encoding/hex"
	"errors"
	"fmt"
	"html/template"
	"io"
	"strconv"
	"sync/atomic"
	"text/template/parse"
	"unsafe"
)

// Template is a compiled template: an instrumented, escaped clone of the
// html/template it was made from. It is safe for concurrent use by any number
// of goroutines. What it renders never changes after Compile; it only learns,
// under its own synchronisation, the statics its renders produce (numbered
// with ids that never change, see docs/protocol.md §1.3) and how large its
// last render was.
type Template struct {
	name  string
	entry *template.Template
	// Every registered text node's bytes live in one arena, so the recorder
	// knows a write of one by its address: index maps an offset in the
	// arena to 1 + the position of its mark in marks (0: none).
	arena    []byte
	index    []int32
	marks    []mark
	rootSize int32 // dynamics of the top-level node
	// last holds, per slot id, the statics a node of that slot last had:
	// a render finds them there before it asks the registry.
	last []atomic.Pointer[statics]
	hint sizeHint
	reg  registry // the statics of its renders, with their wire ids
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
const entryPrefix = "\x00livetemplate-entry-"

// escapeOnlyPrefix starts the name of the function the entry template calls
// first while Compile makes html/template escape the clone; it stops
// execution before any user code runs. A random suffix keeps it apart from
// user functions.
const escapeOnlyPrefix = "_lvt_escape_only_"

func randomSuffix() string {
	var b [8]byte
	_, _ = rand.Read(b[:]) // never fails (crypto/rand)
	return hex.EncodeToString(b[:])
}

// Compile prepares t for rendering as a tree. t itself is not modified and
// stays usable. t must not have been executed yet (html/template cannot clone
// a template after its first Execute); Compile returns an error in that case,
// and for any escaping error Execute would report.
func Compile(t *template.Template) (*Template, error) {
	if t == nil {
		return nil, errors.New("diff: compile: nil template")
	}
	clone, err := t.Clone()
	if err != nil {
		return nil, fmt.Errorf("diff: compile %q: %w", t.Name(), err)
	}
	if t.Tree == nil {
		// As Execute reports it; nothing would run.
		return nil, fmt.Errorf("diff: compile %q: %w", t.Name(), failedExecute(t))
	}
	stop := errors.New("escape only")
	suffix := randomSuffix()
	entryName, stopFunc := entryPrefix+suffix, escapeOnlyPrefix+suffix
	entry, err := clone.New(entryName).Delims("{{", "}}").
		Funcs(template.FuncMap{stopFunc: func() (string, error) { return "", stop }}).
		Parse("{{" + stopFunc + "}}{{template " + strconv.Quote(t.Name()) + " .}}")
	if err != nil {
		return nil, fmt.Errorf("diff: compile %q: %w", t.Name(), err)
	}
	// Executing the entry escapes every template reachable from t in the
	// context Execute would use, and stops at once, before any user code.
	err = entry.Execute(io.Discard, nil)
	if !errors.Is(err, stop) {
		// An escaping error: report the one Execute of t gives.
		return nil, fmt.Errorf("diff: compile %q: %w", t.Name(), failedExecute(t))
	}
	root := entry.Tree.Root
	root.Nodes = root.Nodes[1:] // drop the escape-only call
	ct := &Template{name: t.Name(), entry: entry}
	in := instrumenter{ct: ct, lookup: clone.Lookup, done: map[string]bool{entryName: true}, sizes: map[string]int32{},
		marks: make(map[*byte]mark)}
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
	ct.rootSize = in.sizes[t.Name()]
	ct.last = make([]atomic.Pointer[statics], in.nextID+1)
	in.moveToArena()
	return ct, nil
}

// moveToArena copies the bytes of every registered text node into one
// arena and points the node at its copy there.
func (in *instrumenter) moveToArena() {
	total := 0
	for _, n := range in.texts {
		total += len(n.Text)
	}
	ct := in.ct
	ct.arena = make([]byte, 0, total)
	ct.index = make([]int32, total)
	ct.marks = make([]mark, 0, len(in.texts))
	for _, n := range in.texts {
		m, ok := in.marks[&n.Text[0]]
		if !ok { // already moved: a text node registered twice
			continue
		}
		delete(in.marks, &n.Text[0])
		off := len(ct.arena)
		ct.arena = append(ct.arena, n.Text...)
		n.Text = ct.arena[off:len(ct.arena):len(ct.arena)]
		ct.marks = append(ct.marks, m)
		ct.index[off] = int32(len(ct.marks))
	}
}

// mark returns the mark of a write of p, if p is a registered text node.
func (t *Template) mark(p []byte) (*mark, bool) {
	off := uintptr(unsafe.Pointer(unsafe.SliceData(p))) - uintptr(unsafe.Pointer(unsafe.SliceData(t.arena)))
	if off >= uintptr(len(t.index)) {
		return nil, false
	}
	k := t.index[off]
	if k == 0 {
		return nil, false
	}
	return &t.marks[k-1], true
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

// instrumenter inserts marker text nodes around the dynamic parts of escaped
// parse trees and registers every text node with the Template.
type instrumenter struct {
	ct     *Template
	lookup func(name string) *template.Template
	done   map[string]bool
	queue  []string
	nextID int32
	sizes  map[string]int32 // template name → dynamics of its top-level list
	calls  map[*byte]string // open markers of template calls → template name
	marks  map[*byte]mark   // registered text nodes, by the address of their bytes
	texts  []*parse.TextNode
}

// marker returns a new marker text node and registers it.
func (in *instrumenter) marker(kind markKind, id, size int32, pos parse.Pos) *parse.TextNode {
	n := &parse.TextNode{NodeType: parse.NodeText, Pos: pos, Text: []byte{0}}
	in.marks[&n.Text[0]] = mark{kind: kind, id: id, size: size}
	in.texts = append(in.texts, n)
	return n
}

// list instruments one list of nodes in place and returns how many dynamics
// it has. wrapCalls is false only for the entry template, whose single call to
// the user's template is not a slot.
func (in *instrumenter) list(l *parse.ListNode, wrapCalls bool) int32 {
	if l == nil {
		return 0
	}
	out := make([]parse.Node, 0, len(l.Nodes)*3)
	var dyns int32
	for _, n := range l.Nodes {
		switch n := n.(type) {
		case *parse.TextNode:
			if len(n.Text) > 0 {
				s := string(n.Text)
				in.marks[&n.Text[0]] = mark{kind: markStatic, text: s, hash: hashString(s)}
				in.texts = append(in.texts, n)
			}
			out = append(out, n)
		case *parse.ActionNode:
			if len(n.Pipe.Decl) > 0 { // declarations and assignments print nothing
				out = append(out, n)
				continue
			}
			out = in.wrap(out, n, markActionOpen, markActionClose, 0)
		case *parse.IfNode:
			out = in.wrap(out, n, markNodeOpen, markNodeClose, max(in.list(n.List, true), in.list(n.ElseList, true)))
		case *parse.WithNode:
			out = in.wrap(out, n, markNodeOpen, markNodeClose, max(in.list(n.List, true), in.list(n.ElseList, true)))
		case *parse.RangeNode:
			id := in.id()
			body := in.list(n.List, true)
			n.List.Nodes = append([]parse.Node{in.marker(markItem, id, body, n.Pos)}, n.List.Nodes...)
			if n.ElseList != nil {
				els := in.list(n.ElseList, true)
				n.ElseList.Nodes = append([]parse.Node{in.marker(markElse, id, els, n.Pos)}, n.ElseList.Nodes...)
			}
			out = append(out, in.marker(markRangeOpen, id, 0, n.Pos), n, in.marker(markRangeClose, id, 0, n.Pos))
		case *parse.TemplateNode:
			if !wrapCalls {
				in.enqueue(n.Name)
				out = append(out, n)
				continue
			}
			if t := in.lookup(n.Name); t == nil || t.Tree == nil {
				// A template html/template derived for another context: not
				// instrumented, so its output is one opaque text dynamic.
				out = in.wrap(out, n, markActionOpen, markActionClose, 0)
				break
			}
			in.enqueue(n.Name)
			out = in.wrap(out, n, markNodeOpen, markNodeClose, 0)
			if in.calls == nil {
				in.calls = make(map[*byte]string)
			}
			in.calls[&out[len(out)-3].(*parse.TextNode).Text[0]] = n.Name
		default: // comments, break, continue: they print nothing
			out = append(out, n)
			continue
		}
		if len(out) > 0 && out[len(out)-1] != n { // n was wrapped: one more dynamic
			dyns++
		}
	}
	l.Nodes = out
	return dyns
}

func (in *instrumenter) id() int32 {
	in.nextID++
	return in.nextID
}

func (in *instrumenter) wrap(out []parse.Node, n parse.Node, open, close markKind, size int32) []parse.Node {
	id := in.id()
	return append(out, in.marker(open, id, size, n.Position()), n, in.marker(close, id, 0, n.Position()))
}

func (in *instrumenter) enqueue(name string) {
	if !in.done[name] {
		in.done[name] = true
		in.queue = append(in.queue, name)
	}
}
