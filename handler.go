package livetemplate

import (
	"context"
	"crypto/rand"
	"encoding/base64"
	"errors"
	"fmt"
	"log/slog"
	"net/http"
	"net/url"
	"strings"
	"sync"
	"time"

	"github.com/lvtgo/livetemplate/auth"
	"github.com/lvtgo/livetemplate/client"
	"github.com/lvtgo/livetemplate/registry"
	"github.com/lvtgo/livetemplate/session"
	"github.com/lvtgo/livetemplate/transport"
)

// handler implements LiveHandler.
type handler struct {
	t        *Template
	specs    []storeSpec
	private  bool // some store is PerConnection: each connection renders alone
	lim      Limits
	log      *slog.Logger
	auth     auth.Authenticator
	sessions session.Store
	closer   func() error // closes a session store the handler made itself
	ws       *transport.WebSocket
	post     *transport.HTTP
	conns    *registry.Registry[*conn]
	idle     time.Duration

	ctx    context.Context // lifetime: cancelled by Shutdown
	cancel context.CancelFunc
	wg     sync.WaitGroup

	mu     sync.Mutex
	groups map[string]*group
	tokens map[string]*conn
	closed bool
	once   sync.Once
	err    error
}

// pollTimeout is how long an HTTP poll waits for a change.
const pollTimeout = 25 * time.Second

// pageTimeout is how long a rendered page waits for its live connection
// (a WebSocket join or a first HTTP message) before it is forgotten.
const pageTimeout = time.Minute

func newHandler(t *Template, specs []storeSpec) (*handler, error) {
	cfg := t.cfg
	h := &handler{
		t:      t,
		specs:  specs,
		lim:    cfg.limits,
		log:    cfg.logger.With("component", "livetemplate", "page", t.name),
		auth:   cfg.auth,
		conns:  registry.New[*conn](),
		idle:   cfg.idle,
		groups: make(map[string]*group),
		tokens: make(map[string]*conn),
	}
	for i := range specs {
		h.private = h.private || specs[i].private
	}
	if h.auth == nil {
		h.auth = auth.NewAnonymous(nil)
	}
	h.sessions = cfg.sessions
	if h.sessions == nil {
		m := session.NewMemory(nil)
		h.sessions, h.closer = m, m.Close
	}
	wsOrigins, httpOrigins := splitOrigins(cfg.origins)
	h.ws = transport.NewWebSocket(&transport.WebSocketOptions{
		OriginPatterns: wsOrigins,
		ReadLimit:      h.lim.MaxMessageBytes,
		HardLimit:      max(16*h.lim.MaxMessageBytes, 1<<20),
		PingInterval:   cfg.ping,
		SendQueue:      h.lim.SendQueue,
		Logger:         h.log,
	})
	post, err := transport.NewHTTP(&transport.HTTPOptions{MaxBody: h.lim.MaxMessageBytes, TrustedOrigins: httpOrigins})
	if err != nil {
		return nil, err
	}
	h.post = post
	h.ctx, h.cancel = context.WithCancel(context.Background())
	h.wg.Go(h.janitor)
	return h, nil
}

// splitOrigins turns WithAllowedOrigins patterns into host patterns for
// WebSocket upgrades and full origins for HTTP cross-origin checks.
func splitOrigins(patterns []string) (hosts, origins []string) {
	for _, p := range patterns {
		if u, err := url.Parse(p); err == nil && u.Scheme != "" && u.Host != "" {
			hosts = append(hosts, u.Host)
			if !strings.ContainsAny(u.Host, "*?[") {
				origins = append(origins, u.Scheme+"://"+u.Host)
			}
			continue
		}
		hosts = append(hosts, p)
		if !strings.ContainsAny(p, "*?[") {
			origins = append(origins, "https://"+p, "http://"+p)
		}
	}
	return hosts, origins
}

// ServeHTTP implements http.Handler.
func (h *handler) ServeHTTP(w http.ResponseWriter, r *http.Request) {
	if r.Method == http.MethodGet && r.URL.Query().Has(clientQuery) {
		h.serveClient(w, r)
		return
	}
	switch {
	case transport.IsUpgrade(r):
		h.serveSocket(w, r)
	case r.Method == http.MethodGet || r.Method == http.MethodHead:
		h.servePage(w, r)
	case r.Method == http.MethodPost:
		h.servePost(w, r)
	default:
		w.Header().Set("Allow", "GET, HEAD, POST")
		http.Error(w, "method not allowed", http.StatusMethodNotAllowed)
	}
}

// identify runs the Authenticator and answers the request itself when it
// fails; ok is false then.
func (h *handler) identify(w http.ResponseWriter, r *http.Request) (auth.Identity, bool) {
	id, err := h.auth.Identify(w, r)
	switch {
	case err == nil && id.GroupID != "":
		return id, true
	case err == nil:
		h.log.Error("authenticator returned an identity without a group")
		http.Error(w, "internal error", http.StatusInternalServerError)
	case errors.Is(err, auth.ErrUnauthenticated):
		http.Error(w, "unauthorized", http.StatusUnauthorized)
	default:
		h.log.Error("authentication failed", "err", err)
		http.Error(w, "internal error", http.StatusInternalServerError)
	}
	return auth.Identity{}, false
}

// clientQuery is the query parameter under which the page's URL also serves
// the client script: the script tag's src is "?lvt-client=<hash>", relative
// to the page, so it works wherever the handler is mounted.
const clientQuery = "lvt-client"

func (h *handler) serveClient(w http.ResponseWriter, r *http.Request) {
	if r.URL.Query().Get(clientQuery) != client.Hash() {
		http.NotFound(w, r)
		return
	}
	r2 := r.Clone(r.Context())
	r2.URL.Path = client.Path()
	r2.URL.RawQuery = ""
	client.Handler().ServeHTTP(w, r2)
}

// Shutdown implements LiveHandler.
func (h *handler) Shutdown(ctx context.Context) error {
	h.once.Do(func() {
		h.mu.Lock()
		h.closed = true
		h.mu.Unlock()
		h.cancel()
		err := h.ws.Shutdown(ctx)
		h.wg.Wait()
		if h.closer != nil {
			err = errors.Join(err, h.closer())
		}
		if err != nil {
			h.err = fmt.Errorf("livetemplate: shutdown: %w", err)
		}
	})
	return h.err
}

// Close implements LiveHandler.
func (h *handler) Close() error {
	ctx, cancel := context.WithTimeout(context.Background(), 5*time.Second)
	defer cancel()
	return h.Shutdown(ctx)
}

// janitor forgets connections whose page went away and groups nobody uses.
func (h *handler) janitor() {
	tick := time.NewTicker(max(h.idle/4, 50*time.Millisecond))
	defer tick.Stop()
	for {
		select {
		case <-h.ctx.Done():
			return
		case now := <-tick.C:
			h.sweep(now)
		}
	}
}

func (h *handler) sweep(now time.Time) {
	var gone []*conn
	h.mu.Lock()
	for tok, c := range h.tokens {
		idle := h.idle
		if !c.contacted.Load() {
			// A page load whose page never came back (a bot, a closed
			// tab): its render is let go of soon.
			idle = min(idle, pageTimeout)
		}
		if !c.attached.Load() && now.Sub(c.seen()) > idle {
			delete(h.tokens, tok)
			gone = append(gone, c)
		}
	}
	h.mu.Unlock()
	for _, c := range gone {
		c.g.mu.Lock()
		if c.ws == nil {
			h.conns.Remove(c)
			c.wake()
		}
		c.g.mu.Unlock()
		h.release(c.g)
	}
}

// newToken returns a random 128-bit token.
func newToken() string {
	var b [16]byte
	_, _ = rand.Read(b[:]) // never fails (crypto/rand)
	return base64.RawURLEncoding.EncodeToString(b[:])
}

// lookupToken returns the connection state a page's token names, if it
// belongs to the same session group.
func (h *handler) lookupToken(token string, id auth.Identity) *conn {
	if token == "" {
		return nil
	}
	h.mu.Lock()
	defer h.mu.Unlock()
	c := h.tokens[token]
	if c == nil || c.id.GroupID != id.GroupID {
		return nil
	}
	return c
}

// errClosed is returned while the handler shuts down.
var errClosed = errors.New("livetemplate: handler closed")

// newConn makes the state of a new page connection and registers its token.
func (h *handler) newConn(ctx context.Context, id auth.Identity, r *http.Request) (*conn, error) {
	g, err := h.acquire(ctx, id, r)
	if err != nil {
		return nil, err
	}
	c := &conn{h: h, g: g, id: id, token: newToken(), logID: newToken()[:8], req: r}
	c.touch()
	c.limiter = newLimiter(h.lim.ActionsPerSecond, h.lim.ActionBurst)
	c.private = make([]Store, len(h.specs))
	for i := range h.specs {
		if !h.specs[i].private {
			continue
		}
		c.private[i] = h.specs[i].fresh()
		if err := mount(ctx, c.private[i], id, r); err != nil {
			h.release(g)
			return nil, err
		}
	}
	h.mu.Lock()
	if h.closed {
		h.mu.Unlock()
		h.release(g)
		return nil, errClosed
	}
	h.tokens[c.token] = c
	h.mu.Unlock()
	return c, nil
}
