package diff

import (
	"errors"
	"html/template"
	"io"
	"strconv"
	"text/template/parse"
)

// loopCompiler converts the pure ranges of one program.
type loopCompiler struct {
	ct      *Template
	clone   *template.Template
	suffix  string
	holders map[*parse.RangeNode]*template.Template // a template per range, for its items
	pure    map[*parse.RangeNode]*bodyInfo
	okName  string
	tokName string
	funcs   map[string]bool // builtins bodies may call
	done    map[int32]*loop
}

func newLoopCompiler(ct *Template, clone *template.Template, suffix string, opts Options) *loopCompiler {
	lc := &loopCompiler{ct: ct, clone: clone, suffix: suffix, holders: map[*parse.RangeNode]*template.Template{},
		okName: loopPrefix + "ok_" + suffix, tokName: loopPrefix + "tok_" + suffix, done: map[int32]*loop{},
		funcs: map[string]bool{}}
	if opts.FuncsKnown {
		for _, name := range builtinNames {
			if _, redefined := opts.Funcs[name]; !redefined {
				lc.funcs[name] = true
			}
		}
	}
	clone.Funcs(template.FuncMap{lc.okName: ct.loopOK, lc.tokName: ct.loopToken})
	return lc
}

// addHolders adds to the clone, before it is escaped, a template for the
// items of each range of each template: {{stop}}, which html/template
// escapes as it escapes the clone. Once it is marked escaped, its tree is
// replaced with the range's escaped body: html/template then executes it
// as it is, without escaping it again.
func (lc *loopCompiler) addHolders(stopCall string) error {
	n := 0
	for _, t := range lc.clone.Templates() {
		if t.Tree == nil {
			continue
		}
		var err error
		walkRanges(t.Tree.Root, func(r *parse.RangeNode) {
			if err != nil {
				return
			}
			name := rangePrefix + lc.suffix + "-" + strconv.Itoa(n)
			n++
			var h *template.Template
			if h, err = lc.clone.New(name).Delims("{{", "}}").Parse(stopCall); err == nil {
				lc.holders[r] = h
			}
		})
		if err != nil {
			return err
		}
	}
	return nil
}

// escapeHolders makes html/template escape and mark each holder (they stop
// at once), then decides which ranges are pure, on the escaped trees and
// before any is instrumented. A holder that does not escape as expected is
// dropped, and its range stays as it is.
func (lc *loopCompiler) escapeHolders(stop error) {
	for r, h := range lc.holders {
		if err := h.Execute(io.Discard, nil); !errors.Is(err, stop) {
			delete(lc.holders, r)
		}
	}
	lc.pure = map[*parse.RangeNode]*bodyInfo{}
	p := newPurity(lc.clone.Lookup, lc.funcs)
	for r := range lc.holders {
		if info, ok := p.rangeBody(r); ok {
			lc.pure[r] = info
		}
	}
}

// accept returns what the body of r looks up if r is to be converted, nil
// if not.
func (lc *loopCompiler) accept(r *parse.RangeNode) *bodyInfo {
	return lc.pure[r]
}

// convert returns the nodes that replace the instrumented range r of slot
// id, whose items have size dynamics; loopMark is its markLoop marker.
func (lc *loopCompiler) convert(r *parse.RangeNode, id, size int32, info *bodyInfo, loopMark parse.Node) []parse.Node {
	pos := r.Pos
	v := &parse.VariableNode{NodeType: parse.NodeVariable, Pos: pos, Ident: []string{"$" + lc.okName + "_" + strconv.Itoa(int(id))}}
	decl := &parse.ActionNode{NodeType: parse.NodeAction, Pos: pos, Line: r.Line,
		Pipe: &parse.PipeNode{NodeType: parse.NodePipe, Pos: r.Pipe.Pos, Line: r.Pipe.Line, Decl: []*parse.VariableNode{v}, Cmds: r.Pipe.Cmds}}
	command := func(args ...parse.Node) *parse.PipeNode {
		return &parse.PipeNode{NodeType: parse.NodePipe, Pos: pos, Line: r.Line,
			Cmds: []*parse.CommandNode{{NodeType: parse.NodeCommand, Pos: pos, Args: args}}}
	}
	ident := func(name string) *parse.IdentifierNode {
		return parse.NewIdentifier(name).SetPos(pos)
	}
	slot := &parse.NumberNode{NodeType: parse.NodeNumber, Pos: pos, IsInt: true, Int64: int64(id), Text: strconv.Itoa(int(id))}
	tok := &parse.ActionNode{NodeType: parse.NodeAction, Pos: pos, Line: r.Line, Pipe: command(ident(lc.tokName), v)}
	r.Pipe = command(v)
	cond := &parse.IfNode{BranchNode: parse.BranchNode{NodeType: parse.NodeIf, Pos: pos, Line: r.Line,
		Pipe:     command(ident(lc.okName), slot, v),
		List:     &parse.ListNode{NodeType: parse.NodeList, Pos: pos, Nodes: []parse.Node{loopMark, tok}},
		ElseList: &parse.ListNode{NodeType: parse.NodeList, Pos: pos, Nodes: []parse.Node{r}},
	}}
	// The holder ranges over its dot with the same, instrumented, body.
	// Its nodes are at position 0: the holder's own source is short.
	h := lc.holders[r]
	h.Tree.Root.Nodes = []parse.Node{&parse.RangeNode{BranchNode: parse.BranchNode{NodeType: parse.NodeRange,
		Pipe: &parse.PipeNode{NodeType: parse.NodePipe, Cmds: []*parse.CommandNode{{NodeType: parse.NodeCommand,
			Args: []parse.Node{&parse.DotNode{NodeType: parse.NodeDot}}}}},
		List: r.List,
	}}}
	lc.done[id] = &loop{items: h, size: size, codecs: codecs{names: info.names, types: &lc.ct.types},
		body: r.List, lookup: lc.clone.Lookup, tok: lc.tokName}
	return []parse.Node{decl, cond}
}
