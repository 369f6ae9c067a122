package diff

// Stream is the server side of one live connection: the tree the
// connection was last sent and the statics it has received since its last
// full tree, so that statics travel to a connection at most once
// (docs/protocol.md §1.3).
//
// A connection starts with [Stream.Full], which returns the full-tree
// message, and goes on with [Stream.Update] (or [Stream.Advance]), which
// returns the patch message that brings the client to the next tree. Both
// move the Stream on to the tree they were given. Send a connection that
// asks to resynchronise, or reconnects, a Full again.
//
// # Fan-out
//
// An update that reaches many connections is diffed once: when several
// connections hold the same last tree (the same *Tree, as [Stream.Last]
// reports), compute p := Diff(last, next) once and call Advance(p) on each
// of their Streams. Advance returns p's own bytes, shared and without
// allocating, to every connection that already holds the statics p names
// (the usual case); only a connection that lacks some gets its own message
// with them in front.
//
// # Delivery
//
// A Stream assumes every message it returns reaches the client, in order:
// the statics a message carries are never sent again. So make a message
// only when it is about to be written, not when it is queued: a connection
// that falls behind then skips the trees it missed for free (one Update from
// its last tree to the newest), and nothing is dropped. If a message is lost
// after all (a failed write, an HTTP response that never arrived), the
// connection must get a Full next, as it does when it asks to resynchronise
// (the client then starts a new statics table).
//
// # Memory
//
// A Stream keeps a pointer to its last tree and one bit per statics id the
// connection received: statics ids are small integers given by the
// compiled [Template] (its registry holds at most 65,536), so a Stream of a
// small page costs a few dozen bytes besides the tree, and never more than
// 8 KiB. The browser keeps the matching table, bounded the same way.
//
// # Concurrency
//
// A Stream is not safe for concurrent use: it belongs to its connection,
// whose sends are already serialised. Different Streams may Advance with the
// same Patch from any number of goroutines at once; Trees and Patches are
// immutable. The zero Stream is ready to use and holds nothing.
type Stream struct {
	last  *Tree
	reg   *registry // the registry known refers to
	known idSet     // ids of the statics the connection holds
}

// Last returns the tree the connection was last sent, nil before the first.
func (s *Stream) Last() *Tree { return s.last }

// Full returns the full-tree message for t (the same bytes as
// t.MarshalJSON: self-contained, every statics array included) and makes t
// the connection's tree. The client replaces its statics table with the
// message's; so does the Stream. A nil t yields null.
func (s *Stream) Full(t *Tree) []byte {
	s.last, s.reg, s.known = t, nil, s.known[:0]
	if t == nil || t.root == nil {
		return []byte("null")
	}
	msg, refs := t.encode()
	s.reg = t.root.st.reg
	for _, st := range refs {
		s.learn(st)
	}
	return msg
}

// Update returns the patch message that turns the connection's tree into
// next, and makes next the connection's tree. It is Advance(Diff(s.Last(),
// next)).
func (s *Stream) Update(next *Tree) []byte {
	return s.Advance(Diff(s.last, next))
}

// Advance returns the patch message of p for this connection and makes p's
// new tree the connection's tree. p should be Diff(s.Last(), next); if it
// was made from another tree than s.Last(), Advance diffs again, so the
// result is always right. The message is p's wire body plus a table of the
// statics p names that this connection never received; when there are none
// it is p's own bytes, shared by every connection: the caller must not
// modify them. Statics the connection already received are never sent
// again. A nil p, or one to a nil tree, yields {} and changes nothing.
func (s *Stream) Advance(p *Patch) []byte {
	if p == nil || p.next == nil || p.next.root == nil {
		return emptyBody
	}
	if p.prev != s.last {
		p = Diff(s.last, p.next)
	}
	s.last = p.next
	if len(p.refs) == 0 {
		return p.body
	}
	if reg := p.next.root.st.reg; reg != s.reg { // trees of another Template
		s.reg, s.known = reg, s.known[:0]
	}
	missing := false
	for _, st := range p.refs {
		if !s.holds(st) {
			missing = true
			break
		}
	}
	if !missing {
		return p.body
	}
	msg := message(p.body, p.refs, s.holds)
	for _, st := range p.refs {
		s.learn(st)
	}
	return msg
}

// holds reports whether the connection received st.
func (s *Stream) holds(st *statics) bool {
	return st.reg != nil && st.reg == s.reg && s.known.has(st.id)
}

func (s *Stream) learn(st *statics) {
	if st.reg != nil && st.reg == s.reg {
		s.known.add(st.id)
	}
}
