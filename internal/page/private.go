package page

// Private is a page's own data: its page-scoped stores (PerConnection) by
// slot, and its flash messages. It is immutable: a change publishes a new
// Private. Gen counts the changes, so that renders of one Private can be
// told from renders of another.
type Private struct {
	Stores []any
	Flash  []Flash
	Gen    uint64
	// FlashData is Flash as templates see it (made by the facade); nil
	// when there is none.
	FlashData any
}

// Flash is one flash message: its kind ("info", "error", …) and its text.
type Flash struct {
	Kind    string
	Message string
}
