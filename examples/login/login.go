// Package login signs users in to the chat and dashboard examples with a
// name typed at /login: it serves the /login page, keeps who signed in as a
// signed JWT in a cookie (auth/jwtauth), guards pages with RequireLogin and
// Restrict (the library's auth.SignIn), and signs users out at /logout,
// closing their live pages everywhere.
//
// It is public, not internal, so that you can copy it with the examples. It
// asks for no password: any name signs in. A real application checks a
// password, or hands sign-in to an identity provider, in place of
// ValidName; the rest (cookie, guards, logout) stays as it is. What the
// library does for it: the guards (auth.SignIn: a redirect here with the
// page in "next" for page loads, 401 for live connections and actions) and
// the way back (auth.SafeNext, which accepts only paths of this site).
//
//	key, err := login.Key(*secret, logger) // -secret, or a random key
//	lg, err := login.New(login.Options{Key: key})
//	app, err := livetemplate.NewApp(livetemplate.WithAuthenticator(lg.Authenticator()))
//	mux.Handle("/login", lg)
//	mux.Handle("POST /logout", lg.Logout(app))
//	mux.Handle("/{$}", lg.RequireLogin(app.Handle(page, &Room{})))
package login

import (
	"context"
	"crypto/rand"
	"embed"
	"errors"
	"fmt"
	"html/template"
	"log/slog"
	"net/http"
	"strings"
	"time"
	"unicode"
	"unicode/utf8"

	"github.com/lvtgo/livetemplate"
	"github.com/lvtgo/livetemplate/auth"
	"github.com/lvtgo/livetemplate/auth/jwtauth"
)

// Path is where the sign-in page is served; RequireLogin sends signed-out
// visitors there.
const Path = "/login"

// GroupClaim is the JWT claim that holds the group Options.GroupOf gives a
// user at sign-in: it becomes the user's session group
// (auth.Identity.GroupID). The token is signed, so the user cannot change
// it.
const GroupClaim = "group"

// MinKeySize is the shortest signing key Key and New accept, in bytes.
const MinKeySize = 32

// MaxNameLen is the longest name, in characters.
const MaxNameLen = 32

//go:embed login.html
var files embed.FS

var page = template.Must(template.ParseFS(files, "login.html"))

// Options configure a Login. The zero value of every field but Key means
// its default.
type Options struct {
	// Key is the HMAC key (HS256) that signs and checks the tokens: at least
	// MinKeySize bytes. Every instance of an application must use the same
	// key, or a user signed in on one is a stranger to the others.
	Key []byte
	// PreviousKeys still check tokens, for a key rotation: sign-ins made
	// under them stay valid until they expire (docs/security.md). Each is
	// at least MinKeySize bytes. Default: none.
	PreviousKeys [][]byte
	// Title names the application on the sign-in page (default "Sign in").
	Title string
	// GroupOf returns the session group of a user signing in, from the
	// server's own records (a table, a directory), never from the request:
	// it goes into the signed token (GroupClaim), so that pages can address
	// everyone of a group (livetemplate.Groups) and no user can move to
	// another. Default (nil), or when it returns "": a user's group is
	// their name. It must be safe for concurrent use.
	GroupOf func(name string) string
	// TTL is how long a sign-in lasts (default 12 hours). When it ends,
	// live pages are closed and the next page load asks to sign in again.
	TTL time.Duration
	// Logger logs failures that are not the user's (default slog.Default()).
	Logger *slog.Logger
}

// Login signs users in and out. It is safe for concurrent use.
type Login struct {
	jwt   *jwtauth.Authenticator
	guard *auth.SignIn
	opts  Options
	csrf  *http.CrossOriginProtection
	log   *slog.Logger
	title string
}

// New returns a Login signing its tokens with opts.Key. It fails if a key
// is shorter than MinKeySize bytes.
func New(opts Options) (*Login, error) {
	for _, k := range append([][]byte{opts.Key}, opts.PreviousKeys...) {
		if len(k) < MinKeySize {
			return nil, fmt.Errorf("login: a key must have at least %d bytes, one has %d", MinKeySize, len(k))
		}
	}
	if opts.TTL <= 0 {
		opts.TTL = 12 * time.Hour
	}
	if opts.Logger == nil {
		opts.Logger = slog.Default()
	}
	if opts.Title == "" {
		opts.Title = "Sign in"
	}
	jo := jwtauth.Options{Method: "HS256", Key: opts.Key, SigningKey: opts.Key, GroupClaim: GroupClaim}
	for _, k := range opts.PreviousKeys {
		jo.PreviousKeys = append(jo.PreviousKeys, k)
	}
	a, err := jwtauth.New(jo)
	if err != nil {
		return nil, fmt.Errorf("login: %w", err)
	}
	guard, err := auth.NewSignIn(a, Path, &auth.SignInOptions{Logger: opts.Logger})
	if err != nil {
		return nil, fmt.Errorf("login: %w", err)
	}
	return &Login{jwt: a, guard: guard, opts: opts, csrf: http.NewCrossOriginProtection(), log: opts.Logger, title: opts.Title}, nil
}

// Key returns the signing key for a -secret flag: secret's bytes, which
// must be at least MinKeySize long. An empty secret gives a random key,
// with a warning: tokens then die with the process, and several instances
// need one key of their own to share their users.
func Key(secret string, logger *slog.Logger) ([]byte, error) {
	if secret == "" {
		key := make([]byte, MinKeySize)
		_, _ = rand.Read(key) // never fails (crypto/rand)
		logger.Warn("no -secret: signing sign-ins with a random key of this process; restarting signs everybody out, and several instances need the same -secret")
		return key, nil
	}
	if len(secret) < MinKeySize {
		return nil, fmt.Errorf("login: the secret must have at least %d bytes, it has %d", MinKeySize, len(secret))
	}
	return []byte(secret), nil
}

// Authenticator returns the authenticator that reads the sign-in cookie:
// give it to the App of the live pages (livetemplate.WithAuthenticator). A
// user's UserID is their name; their GroupID is the group Options.GroupOf
// gave them at sign-in, or their name.
func (l *Login) Authenticator() *jwtauth.Authenticator { return l.jwt }

// ServeHTTP serves Path: GET shows the sign-in form (form#login), POST
// signs in with its name and redirects to the page the user came from (the
// next query parameter, if auth.SafeNext finds it a path of this site;
// else "/"), or shows the form again with what is wrong. Cross-origin POSTs
// are refused (403).
func (l *Login) ServeHTTP(w http.ResponseWriter, r *http.Request) {
	switch r.Method {
	case http.MethodGet, http.MethodHead:
		l.show(w, http.StatusOK, form{})
	case http.MethodPost:
		l.csrf.Handler(http.HandlerFunc(l.signIn)).ServeHTTP(w, r)
	default:
		w.Header().Set("Allow", "GET, HEAD, POST")
		http.Error(w, "method not allowed", http.StatusMethodNotAllowed)
	}
}

// form is what the sign-in page shows. The form posts to the page's own
// URL, next parameter included.
type form struct {
	Title, Name, Error string
}

func (l *Login) show(w http.ResponseWriter, status int, f form) {
	f.Title = l.title
	w.Header().Set("Content-Type", "text/html; charset=utf-8")
	w.Header().Set("Cache-Control", "no-store")
	w.WriteHeader(status)
	if err := page.Execute(w, f); err != nil {
		l.log.Error("login page failed", "err", err)
	}
}

func (l *Login) signIn(w http.ResponseWriter, r *http.Request) {
	r.Body = http.MaxBytesReader(w, r.Body, 4<<10)
	if err := r.ParseForm(); err != nil {
		http.Error(w, "bad request", http.StatusBadRequest)
		return
	}
	f := form{Name: strings.TrimSpace(r.PostForm.Get("name"))}
	if err := ValidName("name", f.Name); err != nil {
		f.Error = message(err)
		l.show(w, http.StatusUnprocessableEntity, f)
		return
	}
	var claims map[string]any
	if l.opts.GroupOf != nil {
		if g := l.opts.GroupOf(f.Name); g != "" {
			claims = map[string]any{GroupClaim: g}
		}
	}
	if _, err := l.jwt.Issue(w, r, f.Name, l.opts.TTL, claims); err != nil {
		l.log.Error("cannot issue a token", "err", err)
		http.Error(w, "internal error", http.StatusInternalServerError)
		return
	}
	http.Redirect(w, r, auth.SafeNext(r.URL.Query().Get(auth.NextParam)), http.StatusSeeOther)
}

// message is the user's message of a FieldError.
func message(err error) string {
	var fe livetemplate.FieldError
	if errors.As(err, &fe) {
		return fe.Message
	}
	return "That does not work."
}

// ValidName checks a name typed at sign-in, or one named elsewhere (a
// user or group an announcement is for): 1 to MaxNameLen letters, digits,
// '-', '_' or '.'. It returns nil or a livetemplate.FieldError for field,
// whose Message is for the user.
func ValidName(field, name string) error {
	msg := ""
	switch n := utf8.RuneCountInString(name); {
	case n == 0:
		msg = "Please enter a name."
	case n > MaxNameLen:
		msg = fmt.Sprintf("Keep it to %d characters.", MaxNameLen)
	}
	for _, c := range name {
		if msg == "" && !unicode.IsLetter(c) && !unicode.IsDigit(c) && c != '-' && c != '_' && c != '.' {
			msg = "Use only letters, digits, '-', '_' and '.'."
		}
	}
	if msg != "" {
		return livetemplate.FieldError{Field: field, Message: msg}
	}
	return nil
}

// RequireLogin lets signed-in users through to next (auth.SignIn.Require).
// A signed-out page load (GET or HEAD) is redirected to Path, which brings
// the user back after signing in; anything else (a WebSocket upgrade, a
// POST) is answered 401.
func (l *Login) RequireLogin(next http.Handler) http.Handler {
	return l.guard.Require(next)
}

// Restrict is RequireLogin for the users allow accepts (nil accepts all):
// a signed-in user it refuses gets 403 Forbidden, on page loads,
// WebSocket upgrades and POSTs alike (auth.SignIn.Restrict).
func (l *Login) Restrict(allow func(auth.Identity) bool, next http.Handler) http.Handler {
	return l.guard.Restrict(allow, next)
}

// Disconnecter closes the live pages of the users a target names, on every
// instance: *livetemplate.App is one (every page of the app), and so is
// *livetemplate.Handler (the pages of one handler).
type Disconnecter interface {
	Disconnect(ctx context.Context, t livetemplate.Target) (livetemplate.Reach, error)
}

// Logout returns the handler of POST /logout: it clears the sign-in
// cookie, closes the signed-in user's live connections on pages, usually
// the App's (every tab, every instance: their pages then show they are
// offline), and redirects to Path. Cross-origin POSTs are refused (403).
func (l *Login) Logout(pages ...Disconnecter) http.Handler {
	return l.csrf.Handler(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		if r.Method != http.MethodPost {
			w.Header().Set("Allow", "POST")
			http.Error(w, "method not allowed", http.StatusMethodNotAllowed)
			return
		}
		id, err := l.jwt.Identify(w, r)
		l.jwt.Clear(w, r)
		if err == nil {
			for _, p := range pages {
				if _, err := p.Disconnect(r.Context(), livetemplate.Users(id.UserID)); err != nil {
					l.log.Error("cannot close the pages of a user who signed out", "user", id.UserID, "err", err)
				}
			}
		}
		http.Redirect(w, r, Path, http.StatusSeeOther)
	}))
}
