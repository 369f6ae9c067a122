package livetemplate

import (
	"errors"
	"fmt"
	"html/template"
	"io/fs"
	"log/slog"
	"net"
	"net/http"
	"strings"
	"time"

	"github.com/lvtgo/livetemplate/auth"
	"github.com/lvtgo/livetemplate/broadcast"
	"github.com/lvtgo/livetemplate/session"
	"github.com/lvtgo/livetemplate/transport"
)

// Option configures a Template. Options only record values; New validates
// them and reports every problem in one error.
type Option func(*config)

// Limits bound what clients can make the server do. The zero value of a
// field means its default; a negative value means no limit. Action rates
// are counted per session group and per client address (see
// WithClientAddress), never per page, so opening more tabs or dropping the
// page token buys nothing.
type Limits struct {
	// ActionsPerSecond is the sustained rate of actions of one session group
	// (default 50). Excess actions are answered with a rate_limited error
	// (HTTP 429 with Retry-After), never queued.
	ActionsPerSecond float64
	// ActionBurst is how many actions one session group may send at once
	// (default 200).
	ActionBurst int
	// AddressActionsPerSecond is the sustained rate of actions from one
	// client address, all groups together (default 200).
	AddressActionsPerSecond float64
	// AddressActionBurst is the burst allowed to one client address
	// (default 800).
	AddressActionBurst int
	// MaxMessageBytes is the largest message accepted (default 64 KiB);
	// larger ones are answered with a too_large error.
	MaxMessageBytes int64
	// MaxConnsPerGroup is how many live connections (WebSockets and HTTP
	// pages that poll) one session group may have (default 100). One more
	// is refused: WebSocket close 4029, HTTP 429.
	MaxConnsPerGroup int
	// MaxConnsPerAddress is how many live connections, including
	// WebSockets that have not joined yet, one client address may have
	// (default 1000).
	MaxConnsPerAddress int
	// MaxPendingPages bounds the pages the server remembers without a live
	// connection: rendered pages waiting for theirs, and pages whose
	// connection ended, kept so they can resume (default 10,000). Past it
	// the oldest is forgotten (its page then starts afresh when it connects).
	MaxPendingPages int
	// MaxUnjoined is how many WebSockets may wait for their join message at
	// once, server-wide (default 1000); more are refused with close 1013.
	MaxUnjoined int
	// JoinTimeout is how long a new WebSocket may take to send its join
	// message before it is closed with 4008 (default 5s).
	JoinTimeout time.Duration
	// StallTimeout is how long a client may take to accept one message
	// before it is disconnected as stalled (default 10s). A client that
	// merely falls behind is never dropped: it gets one patch from the
	// state it has to the state now.
	StallTimeout time.Duration
}

func (l Limits) withDefaults() Limits {
	def := func(v *int, d int) {
		if *v == 0 {
			*v = d
		}
	}
	deff := func(v *float64, d float64) {
		if *v == 0 {
			*v = d
		}
	}
	deff(&l.ActionsPerSecond, 50)
	def(&l.ActionBurst, 200)
	deff(&l.AddressActionsPerSecond, 200)
	def(&l.AddressActionBurst, 800)
	if l.MaxMessageBytes == 0 {
		l.MaxMessageBytes = 64 << 10
	}
	def(&l.MaxConnsPerGroup, 100)
	def(&l.MaxConnsPerAddress, 1000)
	def(&l.MaxPendingPages, 10_000)
	def(&l.MaxUnjoined, 1000)
	if l.JoinTimeout <= 0 {
		l.JoinTimeout = 5 * time.Second
	}
	if l.StallTimeout <= 0 {
		l.StallTimeout = 10 * time.Second
	}
	return l
}

type config struct {
	text     *string
	files    []string
	fsys     fs.FS
	patterns []string
	funcs    template.FuncMap
	auth     auth.Authenticator
	sessions session.Store
	origins  []string
	logger   *slog.Logger
	limits   Limits
	ping     time.Duration
	idle     time.Duration
	frames   []string // frame-ancestors sources; nil: 'self'
	clientIP func(*http.Request) string
	bus      broadcast.Bus
	strict   strictRefs // WithStrict: not nil; New fills it
	errs     []error

	// Set by validate:
	originPolicy *transport.Origins
}

// WithText parses the template from src.
func WithText(src string) Option {
	return func(c *config) { c.text = &src }
}

// WithFiles parses the template from files, as template.ParseFiles does. The
// page is the template named like New's name argument, or the first file's
// base name.
func WithFiles(paths ...string) Option {
	return func(c *config) { c.files = append(c.files, paths...) }
}

// WithFS parses the template from the files of fsys that match patterns, as
// template.ParseFS does (use it with embed.FS).
func WithFS(fsys fs.FS, patterns ...string) Option {
	return func(c *config) { c.fsys, c.patterns = fsys, append(c.patterns, patterns...) }
}

// WithFuncs adds functions the templates may call, as template.Funcs does.
func WithFuncs(funcs template.FuncMap) Option {
	return func(c *config) {
		if c.funcs == nil {
			c.funcs = template.FuncMap{}
		}
		for k, v := range funcs {
			c.funcs[k] = v
		}
	}
}

// WithAuthenticator sets who a request is and which session group it shares
// (default: an auth.Anonymous made once per Template, one group per
// browser, its cookies signed with a random key of the process). Pages of
// one application that share state should share one authenticator and one
// session store: with the default, each Template signs its cookies with its
// own key, so a browser moving between them gets a new identity.
func WithAuthenticator(a auth.Authenticator) Option {
	return func(c *config) {
		if a == nil {
			c.errs = append(c.errs, errors.New("nil authenticator"))
		}
		c.auth = a
	}
}

// WithSessionStore sets where group state is kept (default: a
// session.Memory with a 24-hour TTL, closed with the handler). A store passed
// here is not closed by livetemplate.
func WithSessionStore(s session.Store) Option {
	return func(c *config) {
		if s == nil {
			c.errs = append(c.errs, errors.New("nil session store"))
		}
		c.sessions = s
	}
}

// WithAllowedOrigins lets pages served from other origins open live
// connections and post actions. Each pattern is a host pattern as in
// path.Match ("example.com", "*.example.com", "example.com:8443") or an
// origin with a scheme ("https://example.com", "https://*.example.com").
// A pattern means the same for WebSocket upgrades and for POSTs, and New
// reports malformed ones. Same-origin requests are always allowed.
func WithAllowedOrigins(patterns ...string) Option {
	return func(c *config) { c.origins = append(c.origins, patterns...) }
}

// WithFrameAncestors sets who may show the page in a frame, as the sources
// of the Content-Security-Policy frame-ancestors directive ("'self'",
// "'none'", "https://partner.example"). The default is "'self'": other
// sites cannot frame the page (clickjacking). Pages answered with 'self'
// or 'none' also carry the matching X-Frame-Options header for old browsers.
func WithFrameAncestors(sources ...string) Option {
	return func(c *config) {
		if len(sources) == 0 {
			c.errs = append(c.errs, errors.New("WithFrameAncestors needs at least one source"))
		}
		c.frames = append(c.frames, sources...)
	}
}

// WithClientAddress sets how a request's client address is found, for the
// per-address limits. The default is the host of r.RemoteAddr. Behind a
// reverse proxy or load balancer every request comes from the proxy, so
// return the address the proxy reports (say the last X-Forwarded-For entry
// your proxy appends), and only from headers your proxy sets.
func WithClientAddress(f func(r *http.Request) string) Option {
	return func(c *config) {
		if f == nil {
			c.errs = append(c.errs, errors.New("nil client address function"))
		}
		c.clientIP = f
	}
}

// WithBus connects the page's instances: with several server instances
// sharing one session store (Redis, say), pass each the same bus
// (broadcast/redisbus): a change made on one instance then reaches the
// page's connections on every other, and server pushes (Broadcast, Refresh)
// reach every instance. Without it, a page serves one instance. The
// handler does not close the bus.
func WithBus(b broadcast.Bus) Option {
	return func(c *config) {
		if b == nil {
			c.errs = append(c.errs, errors.New("nil bus"))
		}
		c.bus = b
	}
}

// WithLogger sets the logger (default slog.Default()).
func WithLogger(l *slog.Logger) Option {
	return func(c *config) {
		if l == nil {
			c.errs = append(c.errs, errors.New("nil logger"))
		}
		c.logger = l
	}
}

// WithStrict makes template mistakes errors instead of empty output. The
// template runs with Option("missingkey=error"), so reading a map key that
// is not there fails the render instead of printing nothing. Use the index
// function for keys that may be missing: it still gives the zero value.
//
// Strict mode matters most on pages with several stores, where the template's
// data is a map from store names to stores: {{range .Options}}, written
// before the page had a second store, would otherwise render nothing. In
// strict mode the render fails, the page's GET is answered 500 with a
// generic message, and the log names the mistake and the stores the page
// has:
//
//	template "poll": no store named "Options"; the page's stores are: poll, vote
//
// Valid templates render exactly as without strict mode.
func WithStrict() Option {
	return func(c *config) { c.strict = strictRefs{} } // filled by New
}

// WithLimits sets the limits of what one client may do; see Limits.
func WithLimits(l Limits) Option {
	return func(c *config) { c.limits = l }
}

// WithKeepalive sets how often idle WebSocket connections are pinged
// (default 30s).
func WithKeepalive(d time.Duration) Option {
	return func(c *config) { c.ping = d }
}

// WithIdleTimeout sets how long the server keeps a page's connection state
// (its last tree and private stores) after the page went away, so that a
// reconnecting page resumes it (default 5 minutes).
func WithIdleTimeout(d time.Duration) Option {
	return func(c *config) { c.idle = d }
}

// validate checks the recorded options and fills in defaults.
func (c *config) validate() error {
	errs := c.errs
	sources := 0
	if c.text != nil {
		sources++
	}
	if len(c.files) > 0 {
		sources++
	}
	if c.fsys != nil {
		sources++
		if len(c.patterns) == 0 {
			errs = append(errs, errors.New("WithFS needs at least one pattern"))
		}
	}
	if sources > 1 {
		errs = append(errs, errors.New("use only one of WithText, WithFiles and WithFS"))
	}
	if p, err := transport.ParseOrigins(c.origins); err != nil {
		errs = append(errs, err)
	} else {
		c.originPolicy = p
	}
	for _, f := range c.frames {
		if f == "" || strings.ContainsAny(f, ";,\r\n") {
			errs = append(errs, fmt.Errorf("frame ancestor %q: not a CSP source", f))
		}
	}
	if c.idle < 0 || c.ping < 0 {
		errs = append(errs, errors.New("negative keepalive or idle timeout"))
	}
	if c.logger == nil {
		c.logger = slog.Default()
	}
	if c.idle == 0 {
		c.idle = 5 * time.Minute
	}
	if c.ping == 0 {
		c.ping = 30 * time.Second
	}
	if c.clientIP == nil {
		c.clientIP = remoteHost
	}
	if c.auth == nil {
		// One per Template: every Handle of it shares the signing key.
		a, err := auth.NewAnonymous(nil)
		if err != nil {
			errs = append(errs, err)
		}
		c.auth = a
	}
	c.limits = c.limits.withDefaults()
	return errors.Join(errs...)
}

// remoteHost is the default client address: the host of r.RemoteAddr.
func remoteHost(r *http.Request) string {
	host, _, err := net.SplitHostPort(r.RemoteAddr)
	if err != nil {
		return r.RemoteAddr
	}
	return host
}
