package security

import (
	"context"
	"fmt"
	"io"
	"net/http"
	"net/http/cookiejar"
	"net/http/httptest"
	"regexp"
	"strings"
	"testing"
	"time"

	"github.com/coder/websocket"
	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"
	"go.uber.org/goleak"

	"github.com/lvtgo/livetemplate"
)

func TestMain(m *testing.M) { goleak.VerifyTestMain(m) }

func serve(t *testing.T) *httptest.Server {
	app, err := NewApp()
	require.NoError(t, err)
	h, err := NewHandler(app)
	require.NoError(t, err)
	srv := httptest.NewServer(h)
	t.Cleanup(func() { srv.Close(); _ = app.Close() })
	return srv
}

func load(t *testing.T, srv *httptest.Server) (*http.Client, string, *http.Response) {
	jar, _ := cookiejar.New(nil)
	c := &http.Client{Jar: jar}
	resp, err := c.Get(srv.URL)
	require.NoError(t, err)
	b, _ := io.ReadAll(resp.Body)
	resp.Body.Close()
	return c, string(regexp.MustCompile(`data-lvt-token="([^"]+)"`).FindStringSubmatch(string(b))[1]), resp
}

func TestHeadersAndOrigins(t *testing.T) {
	srv := serve(t)
	c, token, resp := load(t, srv)
	assert.Equal(t, "frame-ancestors 'self' https://partner.example", resp.Header.Get("Content-Security-Policy"))
	assert.Empty(t, resp.Header.Get("X-Frame-Options"))

	post := func(h http.Header) int {
		req, _ := http.NewRequest(http.MethodPost, srv.URL, strings.NewReader(fmt.Sprintf(`{"t":"sync","token":%q,"seq":0}`, token)))
		req.Header.Set("Content-Type", "application/json")
		for k, v := range h {
			req.Header[k] = v
		}
		resp, err := c.Do(req)
		require.NoError(t, err)
		resp.Body.Close()
		return resp.StatusCode
	}
	assert.Equal(t, http.StatusForbidden, post(http.Header{"Sec-Fetch-Site": {"cross-site"}, "Origin": {"https://evil.example"}}))
	assert.Equal(t, http.StatusOK, post(http.Header{"Sec-Fetch-Site": {"cross-site"}, "Origin": {"https://partner.example"}}))
	assert.Equal(t, http.StatusOK, post(http.Header{"Sec-Fetch-Site": {"cross-site"}, "Origin": {"https://app.partner.example"}}))
	assert.Equal(t, http.StatusOK, post(http.Header{"Sec-Fetch-Site": {"same-origin"}}))

	wsURL := "ws" + strings.TrimPrefix(srv.URL, "http")
	_, resp, err := websocket.Dial(t.Context(), wsURL, &websocket.DialOptions{HTTPClient: c, HTTPHeader: http.Header{"Origin": {"https://evil.example"}}})
	require.Error(t, err)
	assert.Equal(t, http.StatusForbidden, resp.StatusCode)

	_, err = livetemplate.NewApp(livetemplate.WithAllowedOrigins("[bad"))
	require.Error(t, err)
	assert.Contains(t, err.Error(), `origin pattern "[bad"`)
	_, err = livetemplate.NewApp(livetemplate.WithRedirectHosts("evil.example/path"))
	require.Error(t, err)
	assert.Contains(t, err.Error(), `redirect host "evil.example/path": not a host`)
	_, err = livetemplate.New("x", livetemplate.WithText("x"), livetemplate.WithAllowedOrigins("https://partner.example"))
	require.Error(t, err)
	assert.Contains(t, err.Error(), "WithAllowedOrigins configures how pages are served: pass it to NewApp")
}

// A page token is bound to the session group that loaded the page: another
// browser that presents it gets a page of its own, with a new token.
func TestTokenIsBoundToTheGroup(t *testing.T) {
	srv := serve(t)
	_, token, _ := load(t, srv)
	other, _, _ := load(t, srv)
	ws, _, err := websocket.Dial(t.Context(), "ws"+strings.TrimPrefix(srv.URL, "http"), &websocket.DialOptions{HTTPClient: other})
	require.NoError(t, err)
	defer ws.CloseNow()
	ctx, cancel := context.WithTimeout(t.Context(), 2*time.Second)
	defer cancel()
	require.NoError(t, ws.Write(ctx, websocket.MessageText, []byte(fmt.Sprintf(`{"t":"join","token":%q,"seq":0}`, token))))
	_, b, err := ws.Read(ctx)
	require.NoError(t, err)
	assert.Contains(t, string(b), `"t":"tree"`)
	assert.Contains(t, string(b), `"token":`, "a new page, with a new token")
	assert.NotContains(t, string(b), token)
}

// Redirect accepts a path of the site and refuses what could lead
// elsewhere (hosts WithRedirectHosts allows are tested in docs/guides/apps).
func TestRedirectTargets(t *testing.T) {
	for _, tc := range []struct {
		target string
		ok     bool
	}{
		{target: "/orders/7?tab=items", ok: true},
		{target: "orders/7"},
		{target: "//evil.example/"},
		{target: "/\\evil.example/"},
		{target: "/%2F/evil.example/"},
		{target: "https://evil.example/"},
		{target: "javascript:alert(1)"},
		{target: "https://user:pw@accounts.example/"},
	} {
		t.Run(tc.target, func(t *testing.T) {
			ctx, err := livetemplate.NewActionContext(t.Context(), livetemplate.ActionInput{Action: "go"})
			require.NoError(t, err)
			err = ctx.Redirect(tc.target)
			if tc.ok {
				assert.NoError(t, err)
				assert.Equal(t, tc.target, ctx.Redirected())
			} else {
				assert.Error(t, err)
				assert.Empty(t, ctx.Redirected())
			}
		})
	}
}
