package livetemplate

import (
	"html/template"
	tparse "text/template/parse"
)

// readsViewer reports whether any template of t reads .viewer (or
// $.viewer, or index . "viewer"): only then do pages of different viewers
// render differently, and only then is the viewer part of a render's view.
func readsViewer(t *template.Template) bool {
	for _, tt := range t.Templates() {
		if tt.Tree != nil && tt.Tree.Root != nil && nodeReadsViewer(tt.Tree.Root) {
			return true
		}
	}
	return false
}

func nodeReadsViewer(n tparse.Node) bool {
	switch x := n.(type) {
	case nil:
		return false
	case *tparse.ListNode:
		if x == nil {
			return false
		}
		for _, c := range x.Nodes {
			if nodeReadsViewer(c) {
				return true
			}
		}
	case *tparse.ActionNode:
		return x.Pipe != nil && nodeReadsViewer(x.Pipe)
	case *tparse.PipeNode:
		if x == nil {
			return false
		}
		for _, c := range x.Cmds {
			if nodeReadsViewer(c) {
				return true
			}
		}
	case *tparse.CommandNode:
		for _, a := range x.Args {
			if nodeReadsViewer(a) {
				return true
			}
		}
	case *tparse.FieldNode:
		return len(x.Ident) > 0 && x.Ident[0] == viewerKey
	case *tparse.VariableNode:
		return len(x.Ident) > 1 && x.Ident[1] == viewerKey
	case *tparse.ChainNode:
		return nodeReadsViewer(x.Node)
	case *tparse.StringNode:
		return x.Text == viewerKey // index . "viewer"
	case *tparse.IfNode:
		return branchReadsViewer(&x.BranchNode)
	case *tparse.RangeNode:
		return branchReadsViewer(&x.BranchNode)
	case *tparse.WithNode:
		return branchReadsViewer(&x.BranchNode)
	case *tparse.TemplateNode:
		return x.Pipe != nil && nodeReadsViewer(x.Pipe)
	}
	return false
}

func branchReadsViewer(b *tparse.BranchNode) bool {
	return nodeReadsViewer(b.Pipe) || (b.List != nil && nodeReadsViewer(b.List)) ||
		(b.ElseList != nil && nodeReadsViewer(b.ElseList))
}
