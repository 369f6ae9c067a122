package diff

import (
	"html/template"
	"text/template/parse"
)

// instrumenter inserts marker text nodes around the dynamic parts of escaped
// parse trees and registers every text node of the program.
type instrumenter struct {
	lookup func(name string) *template.Template
	done   map[string]bool
	queue  []string
	nextID int32
	sizes  map[string]int32 // template name → dynamics of its top-level list
	calls  map[*byte]string // open markers of template calls → template name
	marks  map[*byte]mark   // registered text nodes, by the address of their bytes
	texts  []*parse.TextNode
	loops  *loopCompiler // converts pure ranges; nil for the plain program
}

// moveToArena copies the bytes of every registered text node into one
// arena of p and points the node at its copy there.
func (in *instrumenter) moveToArena(p *program) {
	total := 0
	for _, n := range in.texts {
		total += len(n.Text)
	}
	p.arena = make([]byte, 0, total)
	p.index = make([]int32, total)
	p.marks = make([]mark, 0, len(in.texts))
	for _, n := range in.texts {
		m, ok := in.marks[&n.Text[0]]
		if !ok { // already moved: a text node registered twice
			continue
		}
		delete(in.marks, &n.Text[0])
		off := len(p.arena)
		p.arena = append(p.arena, n.Text...)
		n.Text = p.arena[off:len(p.arena):len(p.arena)]
		p.marks = append(p.marks, m)
		p.index[off] = int32(len(p.marks))
	}
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
			out = in.rangeNode(out, n)
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

// rangeNode instruments a range: markers open and close it and start each
// item and the else branch. A range the loop compiler accepts is converted
// (loop.go).
func (in *instrumenter) rangeNode(out []parse.Node, n *parse.RangeNode) []parse.Node {
	id := in.id()
	var info *bodyInfo
	if in.loops != nil {
		info = in.loops.accept(n) // before the body is instrumented
	}
	body := in.list(n.List, true)
	n.List.Nodes = append([]parse.Node{in.marker(markItem, id, body, n.Pos)}, n.List.Nodes...)
	if n.ElseList != nil {
		els := in.list(n.ElseList, true)
		n.ElseList.Nodes = append([]parse.Node{in.marker(markElse, id, els, n.Pos)}, n.ElseList.Nodes...)
	}
	out = append(out, in.marker(markRangeOpen, id, 0, n.Pos))
	if info != nil {
		out = append(out, in.loops.convert(n, id, body, info, in.marker(markLoop, id, 0, n.Pos))...)
	} else {
		out = append(out, n)
	}
	return append(out, in.marker(markRangeClose, id, 0, n.Pos))
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
