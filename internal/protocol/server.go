package protocol

import (
	"context"
	"crypto/hmac"
	"crypto/sha256"
	"encoding/hex"
	"errors"
	"log/slog"
	"net/http"
	"net/url"
	"strings"
	"sync/atomic"
	"time"

	"github.com/lvtgo/livetemplate/auth"
	"github.com/lvtgo/livetemplate/client"
	"github.com/lvtgo/livetemplate/internal/fault"
	"github.com/lvtgo/livetemplate/internal/forwarded"
	"github.com/lvtgo/livetemplate/internal/limit"
	"github.com/lvtgo/livetemplate/internal/runtime"
	"github.com/lvtgo/livetemplate/telemetry"
	"github.com/lvtgo/livetemplate/transport"
)

// Options configure a Server.
type Options struct {
	// Auth names the client of every request. Default: an auth.Anonymous
	// with a random key.
	Auth auth.Authenticator
	// ClientAddr returns a request's client address, for per-address
	// limits and the logs. Default: Proxies.ClientAddr (without proxies,
	// the host of r.RemoteAddr). Not with Proxies.
	ClientAddr func(*http.Request) string
	// Proxies are the trusted reverse proxies: from them the client's
	// address and scheme are read from their headers, which every other
	// peer's requests are stripped of before anything reads them; the
	// default authenticator then trusts X-Forwarded-Proto. Default: none.
	Proxies *forwarded.Proxies
	// Origins are the other origins allowed to connect and post.
	Origins *transport.Origins
	// FrameAncestors are the CSP frame-ancestors sources of pages; nil:
	// 'self'.
	FrameAncestors []string
	// Ping is the WebSocket keepalive period.
	Ping time.Duration
	// Secrets are the app's keys: with them, and no Auth, the anonymous
	// authenticator's key derives from the first (and its previous keys
	// from the others), so that identities survive restarts.
	Secrets [][]byte
}

// Server serves the pages of one app. It is safe for concurrent use.
type Server struct {
	rt       *runtime.Runtime
	o        Options
	log      *slog.Logger
	lim      runtime.Limits
	ws       *transport.WebSocket
	post     *transport.HTTP
	frameCSP string
	frameXFO string
	sink     telemetry.Sink // the runtime's
	quiet    *limit.Every   // refusals' log lines
	draining atomic.Bool
}

// New returns a Server for the pages of rt.
func New(rt *runtime.Runtime, o Options) (*Server, error) {
	if o.ClientAddr != nil && o.Proxies != nil {
		return nil, errors.New("a client address function and trusted proxies both say where a request comes from: give one")
	}
	if o.Auth == nil {
		a, err := anonymous(o.Secrets, o.Proxies != nil)
		if err != nil {
			return nil, err
		}
		o.Auth = a
	}
	if o.ClientAddr == nil {
		o.ClientAddr = o.Proxies.ClientAddr
	}
	lim := rt.Limits()
	s := &Server{rt: rt, o: o, log: rt.Logger(), lim: lim, sink: rt.Telemetry(), quiet: limit.NewEvery(refusalPeriod, refusalKeys)}
	s.frameCSP, s.frameXFO = frameHeaders(o.FrameAncestors)
	s.ws = transport.NewWebSocket(&transport.WebSocketOptions{
		Origins:      o.Origins,
		ReadLimit:    lim.MaxMessageBytes,
		HardLimit:    max(16*lim.MaxMessageBytes, 1<<20),
		PingInterval: o.Ping,
		WriteTimeout: lim.StallTimeout,
		Logger:       s.log,
		Refused:      s.upgradeRefused,
	})
	post, err := transport.NewHTTP(&transport.HTTPOptions{MaxBody: lim.MaxMessageBytes, Origins: o.Origins})
	if err != nil {
		return nil, err
	}
	s.post = post
	return s, nil
}

// ClientQuery is the query parameter under which a page's URL also serves
// the client script: the script tag's src is "?lvt-client=<hash>",
// relative to the page, so it works wherever the page is mounted.
const ClientQuery = "lvt-client"

// Serve answers one request to a page of view v: GET and HEAD load the page
// (or the client script), a WebSocket upgrade opens its live connection,
// POST carries one message over HTTP; any other method is refused.
func (s *Server) Serve(w http.ResponseWriter, r *http.Request, v *runtime.View) {
	r = s.o.Proxies.Request(r)
	if r.Method == http.MethodGet && r.URL.Query().Has(ClientQuery) {
		serveClient(w, r)
		return
	}
	switch {
	case transport.IsUpgrade(r):
		s.serveSocket(w, r, v)
	case r.Method == http.MethodGet || r.Method == http.MethodHead:
		s.servePage(w, r, v)
	case r.Method == http.MethodPost:
		s.servePost(w, r, v)
	default:
		fault.WriteHTTP(w, 0, fault.New(fault.MethodNotAllowed, ""))
	}
}

// Shutdown closes every WebSocket left after Drain with "going away" after
// what it still has to send, and waits for their goroutines, or returns
// ctx's error first.
func (s *Server) Shutdown(ctx context.Context) error { return s.ws.Shutdown(ctx) }

// identify runs the Authenticator; when it fails, fail answers the request
// with the refusal, and ok is false.
func (s *Server) identify(w http.ResponseWriter, r *http.Request, fail func(*fault.Error)) (auth.Identity, bool) {
	id, err := s.o.Auth.Identify(w, r)
	switch {
	case err == nil && !id.Expires.IsZero() && !time.Now().Before(id.Expires):
		// Expired, within an authenticator's leeway: a live page stops at
		// its credentials' expiry (a socket is closed then), so does this.
		fail(fault.New(fault.Unauthorized, "Your session has expired."))
	case err == nil && id.GroupID != "":
		return id, true
	case err == nil:
		s.log.Error("authenticator returned an identity without a group")
		fail(fault.New(fault.Internal, ""))
	case errors.Is(err, auth.ErrUnauthenticated):
		fail(fault.New(fault.Unauthorized, ""))
	default:
		s.log.Error("authentication failed", "err", err)
		fail(fault.New(fault.Internal, ""))
	}
	return auth.Identity{}, false
}

// plain answers a refused page load or upgrade with plain text.
func plain(w http.ResponseWriter) func(*fault.Error) {
	return func(e *fault.Error) {
		if d := e.Retry(); d > 0 {
			w.Header().Set("Retry-After", fault.RetryAfter(d))
		}
		http.Error(w, e.UserMessage(), e.Kind.Status())
	}
}

// serveClient serves the client script at the page's own URL, and its
// parts there with part=<name> added.
func serveClient(w http.ResponseWriter, r *http.Request) {
	if r.URL.Query().Get(ClientQuery) != client.Hash() {
		http.NotFound(w, r)
		return
	}
	r2 := r.Clone(r.Context())
	r2.URL.Path = client.Path()
	r2.URL.RawQuery = ""
	if part := r.URL.Query().Get("part"); part != "" {
		r2.URL.RawQuery = url.Values{"part": {part}}.Encode()
	}
	client.Handler().ServeHTTP(w, r2)
}

// anonymous returns the default authenticator, trusting X-Forwarded-Proto
// behind trusted proxies (Serve strips it from every other peer's
// requests). With the app's keys, its keys derive from them, and its
// cookie has the usual name. Without, it has a key of this app's own and a
// cookie named after it: two apps of one process (two one-page apps, say)
// keep their visitors apart instead of overwriting each other's cookie on
// every visit.
func anonymous(secrets [][]byte, proxied bool) (*auth.Anonymous, error) {
	if len(secrets) == 0 {
		key := auth.NewAnonymousKey()
		sum := sha256.Sum256(key)
		return auth.NewAnonymous(&auth.AnonymousOptions{Key: key, CookieName: auth.CookieName + "-" + hex.EncodeToString(sum[:4]), TrustForwardedProto: proxied})
	}
	derive := func(secret []byte) []byte {
		m := hmac.New(sha256.New, secret)
		m.Write([]byte("livetemplate anonymous cookies"))
		return m.Sum(nil)
	}
	o := &auth.AnonymousOptions{Key: derive(secrets[0]), TrustForwardedProto: proxied}
	for _, s := range secrets[1:] {
		o.PreviousKeys = append(o.PreviousKeys, derive(s))
	}
	return auth.NewAnonymous(o)
}

// frameHeaders builds the page headers that say who may frame it.
func frameHeaders(sources []string) (csp, xfo string) {
	if len(sources) == 0 {
		sources = []string{"'self'"}
	}
	csp = "frame-ancestors " + strings.Join(sources, " ")
	if len(sources) == 1 {
		switch strings.ToLower(sources[0]) {
		case "'self'":
			xfo = "SAMEORIGIN"
		case "'none'":
			xfo = "DENY"
		}
	}
	return csp, xfo
}
