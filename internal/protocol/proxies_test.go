package protocol_test

import (
	"net/http"
	"testing"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"

	"github.com/lvtgo/livetemplate/auth"
	"github.com/lvtgo/livetemplate/internal/forwarded"
	"github.com/lvtgo/livetemplate/internal/protocol"
)

// The flash cookie parked by a Mount's redirect is Secure when the client
// used HTTPS to a trusted proxy, and only then.
func TestFlashCookieBehindAProxy(t *testing.T) {
	t.Parallel()
	for _, tc := range []struct {
		name    string
		proxies []string
		secure  bool
	}{
		{name: "from the trusted proxy", proxies: []string{"127.0.0.1/32"}, secure: true},
		{name: "from a peer that is not one", proxies: []string{"10.0.0.0/8"}, secure: false},
	} {
		t.Run(tc.name, func(t *testing.T) {
			s := newServer(t, serverOptions{proxies: tc.proxies})
			req, err := http.NewRequestWithContext(t.Context(), http.MethodGet, s.url+"/other?away", nil)
			require.NoError(t, err)
			req.Header.Set("X-User", "ada")
			req.Header.Set("X-Forwarded-Proto", "https")
			noFollow := &http.Client{CheckRedirect: func(*http.Request, []*http.Request) error { return http.ErrUseLastResponse }}
			res, err := noFollow.Do(req)
			require.NoError(t, err)
			res.Body.Close()
			require.Equal(t, http.StatusSeeOther, res.StatusCode)
			var parked *http.Cookie
			for _, c := range res.Cookies() {
				if c.Name == "lvt-flash" {
					parked = c
				}
			}
			require.NotNil(t, parked)
			assert.Equal(t, tc.secure, parked.Secure)
		})
	}
}

func TestClientAddressAndProxiesAreExclusive(t *testing.T) {
	t.Parallel()
	s := build(t, serverOptions{})
	p, err := forwarded.Parse([]string{"10.0.0.0/8"})
	require.NoError(t, err)
	_, err = protocol.New(s.rt, protocol.Options{Auth: auth.AuthenticatorFunc(identify), ClientAddr: clientAddr, Proxies: p})
	assert.ErrorContains(t, err, "give one")
}
