package livetemplate

import (
	"errors"
	"fmt"
	"html/template"
	"io/fs"
	"log/slog"
	"net/http"
	"strings"
	"time"

	"github.com/lvtgo/livetemplate/auth"
	"github.com/lvtgo/livetemplate/broadcast"
	"github.com/lvtgo/livetemplate/internal/source"
	"github.com/lvtgo/livetemplate/session"
	"github.com/lvtgo/livetemplate/telemetry"
	"github.com/lvtgo/livetemplate/upload"
)

// Option configures New (a template option: WithText, WithFiles, WithFS,
// WithFuncs, WithStrict) or NewApp (every other option: how pages are
// served). Options only record values; New and NewApp validate them, report
// every problem in one error, and refuse the other constructor's options.
type Option func(*options)

// options holds what the options recorded.
type options struct {
	src    source.Source
	strict *bool

	auth      auth.Authenticator
	sessions  session.Store
	origins   []string
	frames    []string // frame-ancestors sources; nil: 'self'
	clientIP  func(*http.Request) string
	proxies   []string
	bus       broadcast.Bus
	uploads   upload.Storage
	uploadLim *upload.Options
	logger    *slog.Logger
	limits    Limits
	ping      time.Duration
	idle      time.Duration
	redirects []string
	secrets   [][]byte
	sink      telemetry.Sink
	drain     time.Duration
	lease     time.Duration // App.Lead's; set by tests only (export_test.go)

	given []string // option names, "app:" or "template:" first, in order
	errs  []error
}

const (
	forTemplate = "template:"
	forApp      = "app:"
)

// opt returns an Option named name for constructor kind that runs set.
func opt(kind, name string, set func(*options)) Option {
	return func(o *options) {
		o.given = append(o.given, kind+name)
		set(o)
	}
}

// collect applies opts and refuses the options of the other constructor.
func collect(opts []Option, kind string) (*options, error) {
	o := &options{}
	for _, f := range opts {
		if f != nil {
			f(o)
		}
	}
	errs := o.errs
	for _, g := range o.given {
		if name, app := strings.CutPrefix(g, forApp); app && kind != forApp {
			errs = append(errs, fmt.Errorf("%s configures how pages are served: pass it to NewApp (docs/apps.md), not to New", name))
		} else if name, tmpl := strings.CutPrefix(g, forTemplate); tmpl && kind != forTemplate {
			errs = append(errs, fmt.Errorf("%s is a template option: pass it to New, not to NewApp", name))
		}
	}
	return o, errors.Join(errs...)
}

// check records err if cond fails.
func (o *options) check(bad bool, err string) {
	if bad {
		o.errs = append(o.errs, errors.New(err))
	}
}

// WithText parses the template from src.
func WithText(src string) Option {
	return opt(forTemplate, "WithText", func(o *options) { o.src.Text = &src })
}

// WithFiles parses the template from files, as template.ParseFiles does. The
// page is the template named like New's name argument, or the first file's
// base name.
func WithFiles(paths ...string) Option {
	return opt(forTemplate, "WithFiles", func(o *options) { o.src.Files = append(o.src.Files, paths...) })
}

// WithFS parses the template from the files of fsys that match patterns, as
// template.ParseFS does (use it with embed.FS).
func WithFS(fsys fs.FS, patterns ...string) Option {
	return opt(forTemplate, "WithFS", func(o *options) { o.src.FS, o.src.Patterns = fsys, append(o.src.Patterns, patterns...) })
}

// WithFuncs adds functions the templates may call, as template.Funcs does.
func WithFuncs(funcs template.FuncMap) Option {
	return opt(forTemplate, "WithFuncs", func(o *options) { o.src.AddFuncs(funcs) })
}

// WithStrict turns strict templates on or off (default on). Strict
// templates run with Option("missingkey=error"): a missing map key fails
// instead of printing nothing (index gives the zero value), and reading a
// store the page lacks ({{range .Options}} on a page of several stores) is
// refused when it is mounted. Valid templates render alike either way.
func WithStrict(on bool) Option {
	return opt(forTemplate, "WithStrict", func(o *options) { o.strict = &on })
}

// WithAuthenticator sets who a request is and which session group it shares
// (default: an auth.Anonymous made by NewApp, one group per browser, its
// cookies signed with a random key of the process).
func WithAuthenticator(a auth.Authenticator) Option {
	return opt(forApp, "WithAuthenticator", func(o *options) {
		o.check(a == nil, "nil authenticator")
		o.auth = a
	})
}

// WithSessionStore sets where shared state is kept (default: a
// session.Memory with a 24-hour TTL, closed with the app). A store passed
// here is not closed by livetemplate.
func WithSessionStore(s session.Store) Option {
	return opt(forApp, "WithSessionStore", func(o *options) {
		o.check(s == nil, "nil session store")
		o.sessions = s
	})
}

// WithAllowedOrigins lets pages served from other origins open live
// connections and post actions. Each pattern is a host pattern as in
// path.Match ("example.com", "*.example.com", "example.com:8443") or an
// origin with a scheme ("https://example.com", "https://*.example.com").
// A pattern means the same for WebSocket upgrades and for POSTs, and NewApp
// reports malformed ones. Same-origin requests are always allowed.
func WithAllowedOrigins(patterns ...string) Option {
	return opt(forApp, "WithAllowedOrigins", func(o *options) { o.origins = append(o.origins, patterns...) })
}

// WithFrameAncestors sets who may show the pages in a frame, as the sources
// of the Content-Security-Policy frame-ancestors directive ("'self'",
// "'none'", "https://partner.example"). The default is "'self'": other
// sites cannot frame the pages (clickjacking). Pages answered with 'self'
// or 'none' also carry the matching X-Frame-Options header for old browsers.
func WithFrameAncestors(sources ...string) Option {
	return opt(forApp, "WithFrameAncestors", func(o *options) {
		o.check(len(sources) == 0, "WithFrameAncestors needs at least one source")
		for _, f := range sources {
			o.check(f == "" || strings.ContainsAny(f, ";,\r\n"), fmt.Sprintf("frame ancestor %q: not a CSP source", f))
		}
		o.frames = append(o.frames, sources...)
	})
}

// WithTrustedProxies names the reverse proxies and load balancers in front
// of the app, by address or CIDR prefix ("10.0.0.0/8"). From a request
// whose peer is one of them, the client's address (for the per-address
// limits and the logs) is the rightmost X-Forwarded-For entry that is not
// a trusted proxy, and X-Forwarded-Proto says whether it used HTTPS
// (Secure, __Host- cookies); requests from other peers are stripped of
// such headers. Not with WithClientAddress (docs/instances.md).
func WithTrustedProxies(cidrs ...string) Option {
	return opt(forApp, "WithTrustedProxies", func(o *options) { o.proxies = append(o.proxies, cidrs...) })
}

// WithClientAddress sets how a request's client address is found, for the
// per-address limits (default: the host of r.RemoteAddr). Behind proxies,
// WithTrustedProxies does it.
func WithClientAddress(f func(r *http.Request) string) Option {
	return opt(forApp, "WithClientAddress", func(o *options) {
		o.check(f == nil, "nil client address function")
		o.clientIP = f
	})
}

// WithUploads lets stores that accept files (upload.Acceptor) receive
// them: they stream into s, tuned by lim (nil: defaults). docs/uploads.md.
func WithUploads(s upload.Storage, lim *upload.Options) Option {
	return opt(forApp, "WithUploads", func(o *options) {
		o.check(s == nil, "nil upload storage")
		o.uploads, o.uploadLim = s, lim
	})
}

// WithBus connects the app's instances: with several server instances
// sharing one session store (Redis, say), pass each the same bus
// (broadcast/redisbus): a change made on one instance then reaches the
// pages on every other, and server pushes (Broadcast, Refresh, Disconnect)
// reach every instance. Without it, an app serves one instance. The app
// does not close the bus.
func WithBus(b broadcast.Bus) Option {
	return opt(forApp, "WithBus", func(o *options) {
		o.check(b == nil, "nil bus")
		o.bus = b
	})
}

// WithLogger sets the logger (default slog.Default()).
func WithLogger(l *slog.Logger) Option {
	return opt(forApp, "WithLogger", func(o *options) {
		o.check(l == nil, "nil logger")
		o.logger = l
	})
}

// WithTelemetry sends what the app does (pages loaded, joined and left,
// actions, pushes, session store and bus calls, refusals) to s as events;
// s is called on hot paths and must not block. telemetry/promsink serves
// them to Prometheus; docs/production.md lists the metrics.
func WithTelemetry(s telemetry.Sink) Option {
	return opt(forApp, "WithTelemetry", func(o *options) {
		o.check(s == nil, "nil telemetry sink")
		o.sink = s
	})
}

// WithDrain sets how long Shutdown (and Serve) drain the app before they
// stop it (default 0: at once): readiness fails first (App.Health), then
// the live pages are closed in batches spread over d, so that their
// clients reconnect spread out, to other instances (docs/production.md).
func WithDrain(d time.Duration) Option {
	return opt(forApp, "WithDrain", func(o *options) {
		o.check(d < 0, "negative drain")
		o.drain = d
	})
}

// WithLimits sets the limits of what one client may do; see Limits.
func WithLimits(l Limits) Option {
	return opt(forApp, "WithLimits", func(o *options) { o.limits = l })
}

// WithKeepalive sets how often idle WebSocket connections are pinged
// (default 30s).
func WithKeepalive(d time.Duration) Option {
	return opt(forApp, "WithKeepalive", func(o *options) {
		o.check(d < 0, "negative keepalive")
		o.ping = d
	})
}

// WithIdleTimeout sets how long the server keeps a page's state (its last
// tree and private stores) after its connection ended, so that a
// reconnecting page resumes it (default 5 minutes).
func WithIdleTimeout(d time.Duration) Option {
	return opt(forApp, "WithIdleTimeout", func(o *options) {
		o.check(d < 0, "negative idle timeout")
		o.idle = d
	})
}

// WithRedirectHosts lets ActionContext.Redirect send pages to these hosts
// ("accounts.example.com", or with a port), over http or https. Without
// it, actions may redirect only to paths of the app's own site.
func WithRedirectHosts(hosts ...string) Option {
	return opt(forApp, "WithRedirectHosts", func(o *options) {
		for _, h := range hosts {
			o.check(h == "" || strings.ContainsAny(h, "/?#@ \\"), fmt.Sprintf("redirect host %q: not a host", h))
			o.redirects = append(o.redirects, strings.ToLower(h))
		}
	})
}

// WithSecret gives the app its keys: the first signs, every one checks (to
// rotate, add the new key last on every instance, then first, then drop the
// old one: docs/security.md). They sign page tokens, so that every instance
// given the same keys opens the pages another made (no balancer affinity
// needed), and, without WithAuthenticator, anonymous visitors' cookies, so
// that identities survive restarts. Keys must be at least 32 bytes of
// secret randomness. Default: a random key per app.
func WithSecret(current []byte, previous ...[]byte) Option {
	return opt(forApp, "WithSecret", func(o *options) {
		for _, k := range append([][]byte{current}, previous...) {
			o.check(len(k) < 32, "WithSecret: a key must be at least 32 bytes")
			o.secrets = append(o.secrets, k)
		}
	})
}
