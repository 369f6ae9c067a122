package protocol

import (
	"context"
	"errors"
	"log/slog"
	"net/http"
	"path"
	"time"

	"github.com/lvtgo/livetemplate/internal/fault"
	"github.com/lvtgo/livetemplate/internal/page"
	"github.com/lvtgo/livetemplate/internal/runtime"
	"github.com/lvtgo/livetemplate/internal/wire"
	"github.com/lvtgo/livetemplate/telemetry"
	"github.com/lvtgo/livetemplate/transport"
)

// What operators see: every refusal as a telemetry event and, at most once
// a minute per kind and client address, a log line; the telemetry of page
// loads and actions; readiness, and the drain that precedes a shutdown.

// stopMargin is the most of a shutdown's time that Drain leaves to stop.
const stopMargin = 5 * time.Second

// Bounds of the refusals' log lines.
const (
	// refusalPeriod: one line per kind of refusal and client address.
	refusalPeriod = time.Minute
	// refusalKeys bounds the (kind, address) pairs remembered; past it a
	// refusal is logged once a minute per kind alone.
	refusalKeys = 10_000
)

// refusal names what refused e, for telemetry and the log: its kind and a
// reason fixed by the program; kind is "" when e refuses nothing (an error
// of the app, logged where it happens, or an answer such as invalid).
func refusal(e *fault.Error) (kind, reason string) {
	switch e.Kind {
	case fault.TooMany:
		return telemetry.RefusedTooMany, per(e, page.ErrGroupFull, page.ErrAddressFull)
	case fault.RateLimited:
		return telemetry.RefusedRateLimited, per(e, runtime.ErrGroupRate, runtime.ErrAddressRate)
	case fault.Unavailable:
		if errors.Is(e, page.ErrUnjoinedFull) {
			return telemetry.RefusedBusy, "sockets waiting for their join, server-wide"
		}
		return telemetry.RefusedUnavailable, "session store failing"
	case fault.Unauthorized:
		return telemetry.RefusedUnauthorized, ""
	case fault.Forbidden:
		return telemetry.RefusedOrigin, "cross-origin request"
	case fault.TooLarge:
		return telemetry.RefusedTooLarge, ""
	case fault.Malformed:
		return telemetry.RefusedMalformed, "not a message"
	case fault.Protocol:
		return telemetry.RefusedMalformed, "out of order"
	case fault.MethodNotAllowed:
		return telemetry.RefusedMethod, "method"
	case fault.UnsupportedMedia:
		return telemetry.RefusedMethod, "content type"
	case fault.ShuttingDown:
		return telemetry.RefusedShuttingDown, ""
	case fault.Refused:
		return telemetry.RefusedPage, "a store's Mount"
	}
	return "", ""
}

// per says which of a group's and an address's limits caused e.
func per(e error, group, addr error) string {
	switch {
	case errors.Is(e, group):
		return "per session group"
	case errors.Is(e, addr):
		return "per client address"
	}
	return ""
}

// refuse reports e, which refuses the client at addr over transport via,
// if it is a refusal.
func (s *Server) refuse(e *fault.Error, addr, via string) {
	if kind, reason := refusal(e); kind != "" {
		s.report(kind, reason, addr, via)
	}
}

// refusing returns fail, reporting each refusal it answers first.
func (s *Server) refusing(fail func(*fault.Error), addr, via string) func(*fault.Error) {
	return func(e *fault.Error) {
		s.refuse(e, addr, via)
		fail(e)
	}
}

// report records a refusal of kind for reason, of the client at addr over
// transport via, and logs it unless one of its kind from addr was logged
// within the minute. An outage of the session store is logged by the state
// table, once per outage.
func (s *Server) report(kind, reason, addr, via string) {
	var attrs []any
	if reason == "per client address" {
		attrs = []any{"hint", "behind a reverse proxy every client has the proxy's address unless the app trusts it to name the client (WithTrustedProxies, docs/instances.md)"}
	}
	s.record(kind, reason, addr, via, addr, "refused a client (logged once a minute per kind and address)", attrs...)
}

// record records a refusal and logs it with msg and attrs, at most once a
// minute per kind and key.
func (s *Server) record(kind, reason, addr, via, key, msg string, attrs ...any) {
	s.sink.Record(telemetry.Event{Kind: telemetry.Refusal, Refusal: kind, Reason: reason, Transport: via})
	if kind == telemetry.RefusedUnavailable || !s.quiet.Allow(kind+"\x00"+key, kind, time.Now()) {
		return
	}
	level := slog.LevelWarn
	if kind == telemetry.RefusedShuttingDown || kind == telemetry.RefusedJoinTimeout {
		level = slog.LevelInfo
	}
	all := []any{"refusal", kind, "addr", addr, "transport", via}
	if reason != "" {
		all = append(all, "reason", reason)
	}
	s.log.Log(context.Background(), level, msg, append(all, attrs...)...)
}

// originHint is the hint of a log line about an upgrade refused for its
// origin, which is most often a proxy's doing.
const originHint = "the upgrade's Origin does not name the Host it was sent with, and the browser did not say it is same-origin " +
	"(Chromium sends no Sec-Fetch-Site on WebSocket handshakes): a proxy in front of the app must pass on the Host header " +
	"the browser sent, port included (nginx: proxy_set_header Host $http_host; $host drops the port and the default " +
	"$proxy_host names the upstream), or the page's origin must be allowed (WithAllowedOrigins)"

// upgradeRefused is the transport's Refused: an upgrade refused before it
// reached the app. One refused for its origin is logged once a minute per
// Host and Origin, with both, whichever addresses it comes from: a proxy
// that rewrites Host refuses every client alike.
func (s *Server) upgradeRefused(r *http.Request, status int) {
	addr := s.o.ClientAddr(r)
	if status != http.StatusForbidden {
		s.report(telemetry.RefusedShuttingDown, "", addr, telemetry.WebSocket)
		return
	}
	host, origin := wire.Echo(r.Host), wire.Echo(r.Header.Get("Origin"))
	hint := originHint
	if site := r.Header.Get("Sec-Fetch-Site"); site != "" {
		hint = "the browser says the upgrade is " + wire.Echo(site) + ": if the page's origin is yours, allow it (WithAllowedOrigins)"
	}
	s.record(telemetry.RefusedOrigin, "cross-origin upgrade", addr, telemetry.WebSocket, host+"\x00"+origin,
		"refused a WebSocket upgrade for its origin (logged once a minute per Host and Origin)",
		"host", host, "origin", origin, "hint", hint)
}

// acted returns what records an action of name on a page of view v, begun
// at start and answered with fe (nil: it succeeded), once its reply's size
// is known.
func (c *visitor) acted(v *runtime.View, name string, start time.Time, fe *fault.Error) page.Sent {
	e := telemetry.Event{Kind: telemetry.Action, View: v.ID(), Store: v.StoreOf(name), Transport: c.via,
		Outcome: telemetry.OK, Duration: time.Since(start)}
	if fe != nil {
		e.Outcome = fe.Kind.Code()
	}
	sink := c.s.sink
	return func(reply, patch int) {
		e.ReplyBytes, e.PatchBytes = reply, patch
		sink.Record(e)
	}
}

// loaded records a page load of view v begun at start: its HTML's size,
// or the refusal fe.
func (s *Server) loaded(v *runtime.View, start time.Time, size int, fe *fault.Error) {
	e := telemetry.Event{Kind: telemetry.PageLoad, View: v.ID(), Transport: telemetry.HTTP, Outcome: telemetry.OK,
		Duration: time.Since(start), ReplyBytes: size}
	if fe != nil {
		e.Outcome = fe.Kind.Code()
	}
	s.sink.Record(e)
}

// Drain begins a shutdown: readiness fails at once, HTTP polls are
// answered (503 shutting_down with Retry-After), and every WebSocket is
// closed with 1012 (service restart) in batches spread over d, those that
// open meanwhile at once (transport.WebSocket.Drain); pages go on being
// served meanwhile. A ctx whose deadline comes too soon shortens the drain,
// so that half the time left, up to 5 s, remains to stop. Drain returns
// when d has passed, or with ctx's error when ctx ends first.
func (s *Server) Drain(ctx context.Context, d time.Duration) error {
	s.draining.Store(true)
	s.rt.Drain()
	if dl, ok := ctx.Deadline(); ok {
		left := time.Until(dl)
		d = min(d, left-min(left/2, stopMargin))
	}
	return s.ws.Drain(ctx, d, transport.CloseServiceRestart, "server restarting")
}

// Ready reports whether the server takes new clients: until Drain.
func (s *Server) Ready() bool { return !s.draining.Load() }

// Health answers liveness and readiness probes, whatever the prefix it is
// mounted under: a GET or HEAD of a path ending in /healthz gets 200 while
// the process serves; one ending in /readyz gets 200 until the drain
// begins, then 503. Any other path gets 404.
func (s *Server) Health() http.Handler {
	return http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		status, body := http.StatusOK, "ok\n"
		switch path.Base(r.URL.Path) {
		case "healthz":
		case "readyz":
			if !s.Ready() {
				status, body = http.StatusServiceUnavailable, "draining\n"
			}
		default:
			http.NotFound(w, r)
			return
		}
		if r.Method != http.MethodGet && r.Method != http.MethodHead {
			w.Header().Set("Allow", "GET, HEAD")
			http.Error(w, "method not allowed", http.StatusMethodNotAllowed)
			return
		}
		w.Header().Set("Content-Type", "text/plain; charset=utf-8")
		w.Header().Set("Cache-Control", "no-store")
		w.WriteHeader(status)
		if r.Method == http.MethodGet {
			_, _ = w.Write([]byte(body))
		}
	})
}
