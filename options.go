package livetemplate

import (
	"errors"
	"fmt"
	"html/template"
	"io/fs"
	"log/slog"
	"net/url"
	"path"
	"time"

	"github.com/lvtgo/livetemplate/auth"
	"github.com/lvtgo/livetemplate/session"
)

// Option configures a Template. Options only record values; New validates
// them and reports every problem in one error.
type Option func(*config)

// Limits bound what one client can make the server do. The zero value of a
// field means its default; a negative value means no limit.
type Limits struct {
	// ActionsPerSecond is the sustained rate of actions per connection
	// (default 20). Excess actions are answered with a rate_limited error,
	// never queued.
	ActionsPerSecond float64
	// ActionBurst is how many actions a connection may send at once
	// (default 40).
	ActionBurst int
	// MaxMessageBytes is the largest message accepted (default 64 KiB);
	// larger ones are answered with a too_large error.
	MaxMessageBytes int64
	// MaxConnsPerGroup is how many live connections one session group may
	// have (default 100).
	MaxConnsPerGroup int
	// SendQueue is how many messages may wait for one slow client before it
	// is disconnected (default 64).
	SendQueue int
}

func (l Limits) withDefaults() Limits {
	if l.ActionsPerSecond == 0 {
		l.ActionsPerSecond = 20
	}
	if l.ActionBurst == 0 {
		l.ActionBurst = 40
	}
	if l.MaxMessageBytes == 0 {
		l.MaxMessageBytes = 64 << 10
	}
	if l.MaxConnsPerGroup == 0 {
		l.MaxConnsPerGroup = 100
	}
	if l.SendQueue == 0 {
		l.SendQueue = 64
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
	errs     []error
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
// (default: auth.NewAnonymous(nil), one group per browser).
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
// path.Match ("example.com", "*.example.com") or a full origin
// ("https://example.com"). Same-origin requests are always allowed.
func WithAllowedOrigins(patterns ...string) Option {
	return func(c *config) { c.origins = append(c.origins, patterns...) }
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
	for _, o := range c.origins {
		if err := checkOrigin(o); err != nil {
			errs = append(errs, err)
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
	c.limits = c.limits.withDefaults()
	return errors.Join(errs...)
}

func checkOrigin(o string) error {
	pattern := o
	if u, err := url.Parse(o); err == nil && u.Scheme != "" && u.Host != "" {
		pattern = u.Host
	}
	if pattern == "" {
		return errors.New("empty allowed origin")
	}
	if _, err := path.Match(pattern, ""); err != nil {
		return fmt.Errorf("allowed origin %q: %w", o, err)
	}
	return nil
}
