package protocol

import (
	"bytes"
	"fmt"
	"log/slog"
	"net/http"
	"net/http/httptest"
	"strings"
	"testing"
	"testing/synctest"
	"time"

	"github.com/stretchr/testify/assert"

	"github.com/lvtgo/livetemplate/internal/fault"
	"github.com/lvtgo/livetemplate/internal/limit"
	"github.com/lvtgo/livetemplate/internal/page"
	"github.com/lvtgo/livetemplate/internal/runtime"
	"github.com/lvtgo/livetemplate/telemetry"
	"github.com/lvtgo/livetemplate/telemetry/telemetrytest"
)

// reporter is a Server with what report uses: its log lines go to a
// buffer, its events to a recorder.
func reporter() (*Server, *bytes.Buffer, *telemetrytest.Recorder) {
	var buf bytes.Buffer
	rec := &telemetrytest.Recorder{}
	s := &Server{log: slog.New(slog.NewTextHandler(&buf, nil)), sink: rec, quiet: limit.NewEvery(refusalPeriod, refusalKeys)}
	return s, &buf, rec
}

// Every refusal is an event; a log line says so at most once a minute per
// kind and client address, whatever the flood.
func TestRefusalsAreLoggedOncePerKindAndAddressAMinute(t *testing.T) {
	synctest.Test(t, func(t *testing.T) {
		s, logs, rec := reporter()
		lines := func() int { return strings.Count(logs.String(), "refused a client") }
		for range 1000 {
			s.report(telemetry.RefusedTooMany, "per client address", "192.0.2.1", telemetry.WebSocket)
		}
		assert.Equal(t, 1, lines(), "a flood from one address: one line")
		s.report(telemetry.RefusedTooMany, "per client address", "192.0.2.2", telemetry.WebSocket)
		assert.Equal(t, 2, lines(), "another address: its own line")
		s.report(telemetry.RefusedRateLimited, "per session group", "192.0.2.1", telemetry.HTTP)
		assert.Equal(t, 3, lines(), "another kind: its own line")
		s.report(telemetry.RefusedUnavailable, "session store failing", "192.0.2.1", telemetry.HTTP)
		assert.Equal(t, 3, lines(), "an outage is logged by the state table, once")

		time.Sleep(59 * time.Second)
		s.report(telemetry.RefusedTooMany, "per client address", "192.0.2.1", telemetry.WebSocket)
		assert.Equal(t, 3, lines(), "within the minute")
		time.Sleep(time.Second)
		s.report(telemetry.RefusedTooMany, "per client address", "192.0.2.1", telemetry.WebSocket)
		assert.Equal(t, 4, lines(), "a minute later")

		assert.Len(t, rec.Of(telemetry.Refusal), 1005, "every refusal is counted")
		assert.Equal(t, telemetry.Event{Kind: telemetry.Refusal, Refusal: telemetry.RefusedRateLimited, Reason: "per session group", Transport: telemetry.HTTP},
			rec.Of(telemetry.Refusal)[1001])
		first, _, _ := strings.Cut(logs.String(), "\n")
		for _, want := range []string{"level=WARN", "refusal=too_many_connections", "addr=192.0.2.1", "transport=websocket",
			`reason="per client address"`, "hint="} {
			assert.Contains(t, first, want)
		}
	})
}

// The log lines stay bounded when every refusal comes from another
// address: past the addresses remembered, once a minute per kind.
func TestRefusalLogIsBounded(t *testing.T) {
	synctest.Test(t, func(t *testing.T) {
		s, logs, _ := reporter()
		for i := range refusalKeys + 5000 {
			s.report(telemetry.RefusedMalformed, "not a message", fmt.Sprintf("10.%d.%d.%d", i>>16, i>>8&255, i&255), telemetry.HTTP)
		}
		assert.Equal(t, refusalKeys+1, strings.Count(logs.String(), "refused a client"))
		assert.Equal(t, refusalKeys+1, s.quiet.Len())
		s.report(telemetry.RefusedShuttingDown, "", "10.255.0.0", telemetry.HTTP)
		assert.Contains(t, logs.String(), "level=INFO msg=\"refused a client", "shutting down is news, not a warning")
	})
}

// Each refusing error is reported under its kind and reason; errors that
// refuse nothing are not.
func TestRefusalKinds(t *testing.T) {
	for _, tc := range []struct {
		err          *fault.Error
		kind, reason string
	}{
		{&fault.Error{Kind: fault.TooMany, Cause: page.ErrGroupFull}, telemetry.RefusedTooMany, "per session group"},
		{&fault.Error{Kind: fault.TooMany, Cause: page.ErrAddressFull}, telemetry.RefusedTooMany, "per client address"},
		{&fault.Error{Kind: fault.RateLimited, Cause: runtime.ErrAddressRate}, telemetry.RefusedRateLimited, "per client address"},
		{&fault.Error{Kind: fault.Unavailable, Cause: page.ErrUnjoinedFull}, telemetry.RefusedBusy, "sockets waiting for their join, server-wide"},
		{fault.New(fault.Unavailable, ""), telemetry.RefusedUnavailable, "session store failing"},
		{fault.New(fault.Unauthorized, ""), telemetry.RefusedUnauthorized, ""},
		{fault.New(fault.Forbidden, ""), telemetry.RefusedOrigin, "cross-origin request"},
		{fault.New(fault.Protocol, ""), telemetry.RefusedMalformed, "out of order"},
		{fault.New(fault.UnsupportedMedia, ""), telemetry.RefusedMethod, "content type"},
		{fault.New(fault.ShuttingDown, ""), telemetry.RefusedShuttingDown, ""},
		{fault.New(fault.Refused, "Room closed."), telemetry.RefusedPage, "a store's Mount"},
		{fault.New(fault.Invalid, ""), "", ""},
		{fault.New(fault.Internal, ""), "", ""},
		{fault.New(fault.NotLive, ""), "", ""},
	} {
		kind, reason := refusal(tc.err)
		assert.Equal(t, tc.kind, kind, "%v", tc.err)
		assert.Equal(t, tc.reason, reason, "%v", tc.err)
	}
}

func TestHealth(t *testing.T) {
	s := &Server{}
	h := s.Health()
	probe := func(method, path string) (int, string) {
		rec := httptest.NewRecorder()
		h.ServeHTTP(rec, httptest.NewRequest(method, path, nil))
		return rec.Code, rec.Body.String()
	}
	for _, path := range []string{"/healthz", "/readyz", "/ops/readyz"} {
		code, body := probe(http.MethodGet, path)
		assert.Equal(t, http.StatusOK, code, path)
		assert.Equal(t, "ok\n", body, path)
	}
	code, body := probe(http.MethodHead, "/readyz")
	assert.Equal(t, http.StatusOK, code)
	assert.Empty(t, body)
	code, _ = probe(http.MethodGet, "/metrics")
	assert.Equal(t, http.StatusNotFound, code)
	code, _ = probe(http.MethodPost, "/readyz")
	assert.Equal(t, http.StatusMethodNotAllowed, code)

	s.draining.Store(true)
	code, body = probe(http.MethodGet, "/readyz")
	assert.Equal(t, http.StatusServiceUnavailable, code)
	assert.Equal(t, "draining\n", body)
	code, _ = probe(http.MethodGet, "/healthz")
	assert.Equal(t, http.StatusOK, code, "the process still serves")
}

// An upgrade refused for its origin is logged once a minute per Host and
// Origin, whatever the client's address (a proxy that rewrites Host
// refuses every client), with both values and what to do about the proxy.
func TestOriginRefusalsAreLoggedOncePerHostAndOrigin(t *testing.T) {
	synctest.Test(t, func(t *testing.T) {
		s, logs, rec := reporter()
		s.o.ClientAddr = func(r *http.Request) string { return r.Header.Get("X-Addr") }
		upgrade := func(addr, host, origin, site string) {
			r := httptest.NewRequest(http.MethodGet, "/", nil)
			r.Host = host
			r.Header.Set("Origin", origin)
			r.Header.Set("X-Addr", addr)
			if site != "" {
				r.Header.Set("Sec-Fetch-Site", site)
			}
			s.upgradeRefused(r, http.StatusForbidden)
		}
		lines := func() int { return strings.Count(logs.String(), "refused a WebSocket upgrade for its origin") }
		for i := range 100 {
			upgrade(fmt.Sprintf("192.0.2.%d", i), "example.com", "http://example.com:8080", "")
		}
		assert.Equal(t, 1, lines(), "one pair, many clients: one line")
		upgrade("192.0.2.1", "example.com", "https://other.example", "")
		assert.Equal(t, 2, lines(), "another origin")
		upgrade("192.0.2.1", "app.internal:8081", "http://example.com:8080", "")
		assert.Equal(t, 3, lines(), "another host")
		time.Sleep(time.Minute)
		upgrade("192.0.2.1", "example.com", "http://example.com:8080", "")
		assert.Equal(t, 4, lines(), "a minute later")
		upgrade("192.0.2.1", "example.com", "https://evil.example", "cross-site")
		assert.Len(t, rec.Of(telemetry.Refusal), 104, "every refusal is counted")

		first, _, _ := strings.Cut(logs.String(), "\n")
		for _, want := range []string{"level=WARN", "refusal=origin", "addr=192.0.2.0", "transport=websocket", `reason="cross-origin upgrade"`,
			"host=example.com", "origin=http://example.com:8080", "proxy_set_header Host $http_host", "$host drops the port", "Sec-Fetch-Site"} {
			assert.Contains(t, first, want)
		}
		assert.Contains(t, logs.String(), `hint="the browser says the upgrade is cross-site`)

		upgrade("192.0.2.1", strings.Repeat("h", 1000), "http://x", "")
		assert.Contains(t, logs.String(), "host="+strings.Repeat("h", 64)+"…", "quoted values are bounded")
	})
}
