package diff

import (
	"errors"
	"fmt"
	"html/template"
	"io"
	"reflect"
	"strconv"
	"sync"
	"text/template/parse"
)

// A converted range renders its items itself, so that an item whose value
// equals one an earlier render kept reuses that render's item instead of
// executing the body again. Only ranges whose body is pure (pure.go) are
// converted; Compile rewrites
//
//	{{range P}}BODY{{else}}ELSE{{end}}
//
// (with the range's markers around it) into
//
//	{{$v := P}}{{if ok ID $v}}<markLoop>{{tok $v}}{{else}}{{range $v}}BODY{{else}}ELSE{{end}}{{end}}
//
// P is evaluated once, as before. ok reports whether $v is a non-empty
// slice or array whose element type can be snapshotted; otherwise the
// range runs as it always did (else branch, maps, channels, iterators,
// errors). tok hands the value to the recorder: it stores it under a new
// token and returns the token, which text/template writes at once; the
// recorder knows that write is a token because the markLoop marker, a
// registered text node no data can forge, comes just before it. The
// recorder then matches the items against the previous tree's snapshots
// (reuse.go) and executes BODY for the others through a template of its
// own, {{range .}}BODY{{end}}, over just those items.

// loop is one converted range.
type loop struct {
	items *template.Template // {{range .}}BODY{{end}}, BODY instrumented
	size  int32              // dynamics of one item
	codecs
	// For printsAddresses: the body, the name space and the tok function.
	body   *parse.ListNode
	lookup func(string) *template.Template
	tok    string
	kinds  sync.Map // element type → *itemKind
}

// itemKind is how a loop snapshots items of one element type.
type itemKind struct {
	c        *codec // nil: not cacheable
	identity bool   // record the addresses of pointers below the item's top
}

// kind returns how items of type typ are snapshotted.
func (l *loop) kind(typ reflect.Type) *itemKind {
	if k, ok := l.kinds.Load(typ); ok {
		return k.(*itemKind)
	}
	k := &itemKind{c: l.get(typ)}
	if k.c != nil {
		k.identity = printsAddresses(l.body, typ, l.lookup, l.tok)
	}
	v, _ := l.kinds.LoadOrStore(typ, k)
	return v.(*itemKind)
}

// loopCompiler converts the pure ranges of one program.
type loopCompiler struct {
	ct      *Template
	clone   *template.Template
	holders map[*parse.RangeNode]*template.Template // a template per range, for its items
	pure    map[*parse.RangeNode]*bodyInfo
	okName  string
	tokName string
	done    map[int32]*loop
}

func newLoopCompiler(ct *Template, clone *template.Template, suffix string) *loopCompiler {
	lc := &loopCompiler{ct: ct, clone: clone, holders: map[*parse.RangeNode]*template.Template{},
		okName: loopPrefix + "ok_" + suffix, tokName: loopPrefix + "tok_" + suffix, done: map[int32]*loop{}}
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
			name := rangePrefix + lc.okName[len(loopPrefix+"ok_"):] + "-" + strconv.Itoa(n)
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
	p := newPurity(lc.clone.Lookup)
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

// loopOK is the ok function of converted ranges: it reports whether v, the
// value of the range's pipeline, is a non-empty slice or array whose
// elements the loop of slot can snapshot.
func (t *Template) loopOK(slot int, v reflect.Value) bool {
	v, isNil := indirect(v)
	if isNil || !v.IsValid() || !v.CanInterface() || (v.Kind() != reflect.Slice && v.Kind() != reflect.Array) || v.Len() == 0 {
		return false
	}
	if slot <= 0 || slot >= len(t.loops) || t.loops[slot] == nil {
		return false
	}
	return t.loops[slot].kind(v.Type().Elem()).c != nil
}

// loopToken is the tok function of converted ranges: it keeps v until the
// recorder takes it with the token it returns.
func (t *Template) loopToken(v reflect.Value) string {
	k := t.seq.Add(1)
	t.pending.Store(k, v)
	return strconv.FormatUint(k, 36)
}

// takeValue returns the value stored under the token tok.
func (t *Template) takeValue(tok []byte) (reflect.Value, error) {
	k, err := strconv.ParseUint(string(tok), 36, 64)
	if err == nil {
		if v, ok := t.pending.LoadAndDelete(k); ok {
			rv, _ := indirect(v.(reflect.Value))
			return rv, nil
		}
	}
	return reflect.Value{}, fmt.Errorf("diff: converted range: unknown token %q", tok)
}

// indirect follows pointers and interfaces as a range does.
func indirect(v reflect.Value) (reflect.Value, bool) {
	for ; v.Kind() == reflect.Pointer || v.Kind() == reflect.Interface; v = v.Elem() {
		if v.IsNil() {
			return v, true
		}
	}
	return v, false
}
