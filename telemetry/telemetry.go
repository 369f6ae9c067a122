package telemetry

import "time"

// Kind is what an Event reports.
type Kind uint8

// Kinds of Event. The comment of each lists the fields it sets.
const (
	// PageLoad: a GET rendered a page (or was refused). View, Transport
	// (HTTP), Outcome, Duration, ReplyBytes (the HTML's bytes).
	PageLoad Kind = iota + 1
	// Join: a page went live on a connection (a WebSocket's join or
	// navigation, or an HTTP page's first message). View, Transport,
	// Duration (loading its states).
	Join
	// Leave: a live page's connection ended, or it moved to another page.
	// View, Transport. Joins minus leaves, by transport, is how many pages
	// are live.
	Leave
	// Action: an action of a page was answered. View, Store (empty when
	// no store handles it), Transport, Outcome, Duration (from its arrival
	// to its reply being ready), ReplyBytes and PatchBytes (0 over a
	// WebSocket whose connection ended before the reply was written).
	Action
	// Push: a server push (Broadcast, Refresh, Disconnect) of this
	// instance. Op, Outcome, Duration, Target, Targets, States, Pages.
	Push
	// StoreCall: a call to the session store. Op, Outcome, Err, Duration.
	StoreCall
	// BusCall: a call to the bus. Op, Outcome, Err, Duration (0 for
	// OpSubscribe, reported when a subscription ends).
	BusCall
	// Refusal: the server refused a client (a connection, a message, an
	// action). Refusal, Reason, Transport.
	Refusal
	// Upload: a file's transfer ended (WithUploads). Outcome (OK: stored;
	// "canceled", "stalled", or the refusal: "too_large", "too_many",
	// "type", "empty", "name", "order", "not_accepted", "unknown", "busy",
	// "storage", "error"), Bytes, Duration (since its upload was
	// declared). A refusal before any byte is one event for the field's
	// files, with Bytes 0.
	Upload
)

var kindNames = [...]string{"", "page_load", "join", "leave", "action", "push", "store_call", "bus_call", "refusal", "upload"}

// String returns the kind's name in snake case ("page_load"), or "" for
// an unknown kind.
func (k Kind) String() string {
	if int(k) < len(kindNames) {
		return kindNames[k]
	}
	return ""
}

// Event is one thing the engine did. Which fields a kind sets is listed
// with the kinds; the others are zero. Every string field takes its values
// from a set fixed by the program (see the package doc), so each is safe
// as a metric label.
type Event struct {
	Kind Kind
	// View is the page's view: its template's name, unique in the app.
	View string
	// Store is the store an action went to, as the page names it.
	Store string
	// Transport is WebSocket or HTTP.
	Transport string
	// Outcome is OK, or the error code of the reply (the "code" of
	// docs/protocol.md's error replies: "invalid", "rate_limited", …);
	// for a store call also NotFound or Conflict, which are answers, not
	// failures; for a store or bus call Error or Canceled.
	Outcome string
	// Op is the operation of a push (OpBroadcast, OpRefresh,
	// OpDisconnect), a store call (OpGet, OpPut) or a bus call
	// (OpPublish, OpSubscribe).
	Op string
	// Err reports that a store or bus call failed: the store or bus is
	// failing, or the call timed out (Outcome is then "error").
	Err bool
	// Duration is how long it took.
	Duration time.Duration
	// ReplyBytes is the size of an action's reply message (its patch
	// included), or of a loaded page's HTML.
	ReplyBytes int
	// PatchBytes is the size of the patch an action's reply carries.
	PatchBytes int
	// Target is whom a push names: TargetAll, TargetUsers, TargetGroups or
	// TargetFilter (a Filter applied on this instance).
	Target string
	// Targets is how many users or groups a push names (0 for all).
	Targets int
	// States is how many shared states a push changed on this instance.
	States int
	// Pages is how many pages of this instance a push reached.
	Pages int
	// Refusal is what a refusal was for: one of the Refused… constants.
	Refusal string
	// Reason says more about a refusal, in a few words fixed by the
	// program ("per address", "cross-origin upgrade"); it may be empty.
	Reason string
	// Bytes is how many bytes of an uploaded file arrived.
	Bytes int64
}

// Values of Event.Transport.
const (
	WebSocket = "websocket"
	HTTP      = "http"
)

// Values of Event.Outcome besides the wire error codes.
const (
	OK       = "ok"
	NotFound = "not_found" // a store call: no such key
	Conflict = "conflict"  // a store call: another writer stored first
	Error    = "error"     // a store or bus call failed
	Canceled = "canceled"  // a store or bus call given up: its caller went away, or the server stops
)

// Values of Event.Op.
const (
	OpBroadcast  = "broadcast"
	OpRefresh    = "refresh"
	OpDisconnect = "disconnect"
	OpGet        = "get"
	OpPut        = "put"
	OpPublish    = "publish"
	OpSubscribe  = "subscribe"
)

// Values of Event.Target.
const (
	TargetAll    = "all"
	TargetUsers  = "users"
	TargetGroups = "groups"
	TargetFilter = "filter"
)

// Values of Event.Refusal: every kind of refusal the server makes.
const (
	// RefusedTooMany: the session group or the client's address has as
	// many live connections as the limits allow (WebSocket close 4029,
	// HTTP 429).
	RefusedTooMany = "too_many_connections"
	// RefusedBusy: too many WebSockets wait for their join message,
	// server-wide (close 1013).
	RefusedBusy = "busy"
	// RefusedRateLimited: an action over the group's or the address's
	// rate (reply rate_limited).
	RefusedRateLimited = "rate_limited"
	// RefusedOrigin: a WebSocket upgrade or a POST from another origin
	// (403).
	RefusedOrigin = "origin"
	// RefusedUnauthorized: no valid identity (401, close 4001).
	RefusedUnauthorized = "unauthorized"
	// RefusedTooLarge: a message over the size limit.
	RefusedTooLarge = "too_large"
	// RefusedMalformed: not a message, or one out of order.
	RefusedMalformed = "malformed"
	// RefusedMethod: a request of the wrong method or content type.
	RefusedMethod = "method"
	// RefusedJoinTimeout: a WebSocket sent no join message in time (close
	// 4008).
	RefusedJoinTimeout = "join_timeout"
	// RefusedShuttingDown: the server is draining or stopping (503, close
	// 1012); an HTTP poll answered so counts too.
	RefusedShuttingDown = "shutting_down"
	// RefusedUnavailable: the session store is failing (503, close 1013).
	RefusedUnavailable = "unavailable"
	// RefusedPage: a store's Mount refused to open the page (close 1008).
	RefusedPage = "page"
)

// Sink receives events. Record is called synchronously where each thing
// happens, often while a client waits, from many goroutines at once: it
// must be safe for concurrent use, must not block, and should be cheap
// (update counters and histograms; hand anything slow to a goroutine of
// your own through a bounded queue that drops when full). It must not call
// back into the app.
type Sink interface {
	Record(Event)
}

// SinkFunc adapts a function to a Sink.
type SinkFunc func(Event)

// Record calls f(e).
func (f SinkFunc) Record(e Event) { f(e) }

var _ Sink = SinkFunc(nil)
