package relay

import "encoding/json"

// Version is the version of Message. Messages of another version are
// ignored: instances of different versions do not update each other's pages
// (they still share the session store, so a page reloaded anywhere is
// right).
const Version = 2

// Kinds of Message.
const (
	KindChanged    = "changed"
	KindPush       = "push"
	KindRefresh    = "refresh"
	KindDisconnect = "disconnect"
	// KindEvents: the server events (ActionContext.PushEvent) a push made
	// with its change of a state, for that state's pages on the other
	// instances; sent after the state's KindChanged.
	KindEvents = "events"
)

// Message is what one instance tells the others.
type Message struct {
	V    int    `json:"v"`
	Kind string `json:"k"`
	// State and Version name a state that changed and its new version.
	State   string `json:"s,omitempty"`
	Version uint64 `json:"ver,omitempty"`
	// View limits a push, refresh or disconnect to the pages of one view
	// (a Handler's); empty: every page of the app.
	View   string `json:"view,omitempty"`
	Push   *Push  `json:"push,omitempty"`
	Target Target `json:"t,omitzero"`
	// Events are a KindEvents message's events, each as the page's client
	// receives it (["name",payload]).
	Events []json.RawMessage `json:"ev,omitempty"`
}

// Push is a server action as it travels between instances.
type Push struct {
	ID     string                     `json:"id"`
	Target Target                     `json:"t"`
	Action string                     `json:"a"`
	Data   map[string]json.RawMessage `json:"d,omitempty"`
	// Done lists the states the pushing instance applied it to; the others
	// skip them. Without it (too many) they find the push recorded in the
	// state instead, at the cost of a compare-and-set conflict.
	Done []string `json:"done,omitempty"`
}

// MaxDone bounds the states a push message lists as done.
const MaxDone = 4096

// Target says which pages a message reaches (a filter function does not
// travel: a filtered push reaches every page, then each instance filters
// with what it has, which is nothing).
type Target struct {
	All    bool     `json:"all,omitempty"`
	Users  []string `json:"u,omitempty"`
	Groups []string `json:"g,omitempty"`
}
