package authn

import (
	"fmt"
	"net/http"
	"sync"
	"time"

	"github.com/lvtgo/livetemplate"
	"github.com/lvtgo/livetemplate/auth"
)

// Sessions stands for the sign-in sessions an application already keeps.
type Sessions struct {
	mu sync.Mutex
	m  map[string]Session // by the random value of the "sid" cookie
}

// Session is one signed-in user.
type Session struct {
	User    string
	Org     string
	Expires time.Time
}

// Lookup returns the live session named by sid.
func (s *Sessions) Lookup(sid string) (Session, bool) {
	s.mu.Lock()
	defer s.mu.Unlock()
	se, ok := s.m[sid]
	if !ok || time.Now().After(se.Expires) {
		return Session{}, false
	}
	return se, true
}

// quote:own
// FromSessions identifies requests by the application's own "sid" cookie.
func FromSessions(s *Sessions) auth.Authenticator {
	return auth.AuthenticatorFunc(func(w http.ResponseWriter, r *http.Request) (auth.Identity, error) {
		c, err := r.Cookie("sid")
		if err != nil {
			return auth.Identity{}, fmt.Errorf("no session cookie: %w", auth.ErrUnauthenticated)
		}
		se, ok := s.Lookup(c.Value)
		if !ok {
			return auth.Identity{}, fmt.Errorf("unknown or expired session: %w", auth.ErrUnauthenticated)
		}
		return auth.Identity{
			UserID:  se.User,    // safe to log: a name, not the cookie
			GroupID: se.Org,     // everyone of an organisation shares the notes
			Expires: se.Expires, // live pages are closed then (4001)
		}, nil
	})
}

// quote:end

func newOwnApp(s *Sessions) (*livetemplate.App, error) {
	return livetemplate.NewApp(livetemplate.WithAuthenticator(FromSessions(s)))
}
