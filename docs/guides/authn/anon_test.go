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
// NewAnonymousHandler serves the notes to anonymous browsers whose cookies
// are signed with key: loaded from where you keep secrets, the same on every
// instance, so that identities survive restarts and work on every instance.
func NewAnonymousHandler(key []byte) (*livetemplate.Handler, error) {
	a, err := auth.NewAnonymous(&auth.AnonymousOptions{Key: key}) // at least auth.AnonymousKeySize bytes
	if err != nil {
		return nil, err
	}
	return newHandler(livetemplate.WithAuthenticator(a))
}

// quote:end

// Two handlers (two instances, or before and after a restart) with one key
// accept each other's cookies.
func TestAnonymousWithAKey(t *testing.T) {
	key := auth.NewAnonymousKey()
	h1, err := NewAnonymousHandler(key)
	require.NoError(t, err)
	t.Cleanup(func() { _ = h1.Close() })
	h2, err := NewAnonymousHandler(key)
	require.NoError(t, err)
	t.Cleanup(func() { _ = h2.Close() })
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
