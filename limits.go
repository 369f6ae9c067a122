package livetemplate

import "time"

// Limits bound what clients can make the server do. A zero field means its
// default, a negative one no limit. Rates count per session group and per
// client address (WithTrustedProxies), never per page: more tabs buy nothing.
type Limits struct {
	// ActionsPerSecond is the sustained rate of actions of one session group
	// (default 50). Excess actions are answered with a rate_limited error
	// (HTTP 429 with Retry-After), never queued.
	ActionsPerSecond float64
	// ActionBurst is how many actions one session group may send at once (200).
	ActionBurst int
	// AddressActionsPerSecond is the sustained rate of actions from one
	// client address, all groups together (default 200).
	AddressActionsPerSecond float64
	// AddressActionBurst is the burst allowed to one client address (800).
	AddressActionBurst int
	// AddressPagesPerSecond is how many pages one client address may open a
	// second (loads, and connections to pages the server does not know),
	// with bursts of ten times that (default 10); more get 429 or 4029.
	AddressPagesPerSecond float64
	// MaxMessageBytes is the largest message accepted (default 64 KiB);
	// larger ones are answered with a too_large error.
	MaxMessageBytes int64
	// MaxConnsPerGroup is how many live pages (on WebSockets and HTTP
	// polls) that show a session group's state one group may have (default
	// 100). One more is refused: WebSocket close 4029, HTTP 429.
	MaxConnsPerGroup int
	// MaxConnsPerAddress is how many live connections, including
	// WebSockets that have not joined yet, one client address may have
	// (default 1000).
	MaxConnsPerAddress int
	// MaxPendingPages bounds the pages kept without a live connection
	// (rendered and waiting for theirs, or kept for a reconnect; default
	// 10,000); past it the oldest is forgotten and starts afresh.
	MaxPendingPages int
	// MaxUnjoined is how many WebSockets may wait for their join at once,
	// server-wide (default 1000); more are refused with close 1013.
	MaxUnjoined int
	// JoinTimeout is how long a new WebSocket may take to send its join
	// message before it is closed with 4008 (default 5s).
	JoinTimeout time.Duration
	// StallTimeout is how long a client may take to accept one message
	// before it is disconnected as stalled (default 10s). A client that
	// merely falls behind is never dropped: it gets one patch from the
	// state it has to the state now.
	StallTimeout time.Duration
	// StoreTimeout bounds each call of the session store and each publish
	// on the bus (default 2s): while they fail, actions fail within it.
	StoreTimeout time.Duration
}
