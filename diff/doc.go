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
//	next, err := ct.RenderFrom(tree, d) // the same as Render(d), reusing tree's unchanged list items
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
// # Reusing list items
//
// Compile also decides which {{range}} bodies render each item from the
// item alone: they read only dot and its fields (no $, no variable from
// outside the body), call no function but html/template's escapers (and
// the builtins but call, when [CompileWith] is told which functions Funcs
// added: Funcs can redefine a builtin), have no {{break}} or {{continue}}
// of their own, and call only templates that follow the same rules. Such a range is converted: when it ranges over a non-empty slice
// or array, the recorder takes over the loop. For each item it makes a
// snapshot, a copy of every value the body can observe of it (and, where
// the body may print a pointer, its address); [Template.RenderFrom] reuses
// the earlier tree's rendering of every item whose snapshot is unchanged,
// and executes the body, with html/template's own engine, for the others
// only. Item types whose printing or field look-ups could run code (a
// String, Error, Format, GoString, MarshalJSON or MarshalText method, a
// method named like a field the body reads, channels, functions) are never
// snapshotted: those items are executed every time. A render that fails
// runs again on an unconverted clone, so errors are Execute's own.
// docs/templates.md, "What makes a page fast", says the same for users.
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
// about what its content needs (a counter page: about 200 bytes). The
// snapshots of a converted range's items are kept with the tree (about the
// size of the items' data), and a tree made by RenderFrom shares the nodes
// of the items it reuses with the earlier tree.
//
// # Wire format
//
// docs/protocol.md in the repository specifies the JSON form of trees and
// patches (version 3), the statics table and ids, and how range items are
// matched.
// Invalid UTF-8 in the output cannot travel in JSON; it is replaced by U+FFFD in
// the wire form.
package diff
