// Package diff turns an html/template into a tree of statics and dynamics and
// computes minimal JSON patches between two renders.
//
// # Overview
//
// [Compile] prepares a parsed [html/template.Template]. [Template.Render]
// executes it with the standard engine, exactly as Execute would, and records
// where each dynamic part (an action, an if/with/template block, a range and
// its items) begins and ends. The result is a [Tree]:
//
//	ct, err := diff.Compile(t)          // t stays usable and unchanged
//	tree, err := ct.Render(data)        // safe for concurrent use
//	tree.HTML()                         // byte-identical to t.Execute(w, data)
//	json.Marshal(tree)                  // first-render wire form, statics included
//	p := diff.Diff(prev, next)          // json.Marshal(p) is the patch; {} when nothing changed
//
// A live connection keeps a [Stream]: the tree it was last sent and which
// statics it holds, so that statics travel to it only once:
//
//	var conn diff.Stream                // one per connection, zero value ready
//	msg := conn.Full(tree)              // the full tree, on join or resync
//	msg = conn.Update(next)             // the patch to next; conn now holds next
//	msg = conn.Advance(p)               // the same with a shared p := Diff(conn.Last(), next)
//
// [ParseTree] and [Tree.Apply] are the reference client: they do what the
// browser client does with the wire form, and tests use them to prove that the
// HTML a client rebuilds equals what Execute produced.
//
// # How dynamic parts are found
//
// Compile clones the template, lets html/template escape the clone (so every
// pipeline carries its contextual escapers), then inserts marker text nodes
// around every dynamic part of the escaped parse trees. Render executes that
// instrumented clone with the standard text/template engine into a recorder.
// The recorder knows a marker by the address of its bytes, not by its content,
// so no data can forge one, and markers never reach the output. html/template's
// semantics, escaping included, are therefore kept exactly: the engine that
// renders the tree is the engine that renders the page.
//
// Templates that html/template derives for calls in non-HTML contexts (for
// example {{template "x"}} inside a <script>) are not instrumented; their
// whole output travels as one text dynamic.
//
// # Statics ids
//
// A Template interns the statics of every node it renders and numbers them
// in order of first use; the wire form names statics by these ids, which
// stay the same for the Template's whole life (any tree of it, old or new,
// uses the same ids), and a client resolves them in the table of everything
// its connection was sent since its last full tree.
//
// # Memory
//
// A render carves its nodes, dynamics and the text of its actions out of a
// few slabs sized from the Template's previous render, so a kept Tree costs
// about what its content needs (a counter page: about 150 bytes).
//
// # Wire format
//
// docs/protocol.md in the repository specifies the JSON form of trees and
// patches (version 2), the statics table and ids, and how range items are
// matched.
// Invalid UTF-8 in the output cannot travel in JSON; it is replaced by U+FFFD in
// the wire form.
package diff
