package authn

import (
	"net/url"
	"testing"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"

	"github.com/lvtgo/livetemplate"
	"github.com/lvtgo/livetemplate/auth"
	"github.com/lvtgo/livetemplate/livetest"
)

// quote:anon
// NewAnonymousApp returns an app for anonymous browsers whose cookies are
// signed with key: loaded from where you keep secrets, the same on every
// instance, so that identities survive restarts and work on every instance.
func NewAnonymousApp(key []byte) (*livetemplate.App, error) {
	a, err := auth.NewAnonymous(&auth.AnonymousOptions{Key: key}) // at least auth.AnonymousKeySize bytes
	if err != nil {
		return nil, err
	}
	return livetemplate.NewApp(livetemplate.WithAuthenticator(a))
}

// quote:end

// Two apps (two instances, or before and after a restart) with one key
// accept each other's cookies.
func TestAnonymousWithAKey(t *testing.T) {
	key := auth.NewAnonymousKey()
	instance := func() *livetemplate.Handler {
		app, err := NewAnonymousApp(key)
		require.NoError(t, err)
		t.Cleanup(func() { _ = app.Close() })
		h, err := newHandler(app)
		require.NoError(t, err)
		return h
	}
	h1, h2 := instance(), instance()
	s1, s2 := livetest.Start(t, h1), livetest.Start(t, h2)
	p := s1.Open("/")
	require.NoError(t, p.Submit("#add", url.Values{"text": {"hi"}}))
	b := s2.NewBrowser(&livetest.BrowserOptions{Cookies: p.Browser().Cookies()})
	q := b.Open("/")
	// Another instance with its own memory store: the same identity, so
	// the note it adds is signed by the same user.
	require.NoError(t, q.Submit("#add", url.Values{"text": {"again"}}))
	assert.Equal(t, p.Text("#notes li")[:34], q.Text("#notes li")[:34])
}
