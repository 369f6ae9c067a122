package protocol_test

import (
	"encoding/json"
	"net/http"
	"strconv"
	"testing"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"

	"github.com/lvtgo/livetemplate/client"
	"github.com/lvtgo/livetemplate/internal/protocol"
)

func TestPageLoad(t *testing.T) {
	t.Parallel()
	s := newServer(t, serverOptions{})

	res := s.do(t, http.MethodGet, "/", "ada", nil, "")
	require.Equal(t, http.StatusOK, res.status)
	assert.Equal(t, "text/html; charset=utf-8", res.header.Get("Content-Type"))
	assert.Equal(t, "no-store", res.header.Get("Cache-Control"))
	assert.Equal(t, "Lvt-Navigate", res.header.Get("Vary"), "a navigation GET of the same URL answers JSON")
	assert.Equal(t, "frame-ancestors 'self'", res.header.Get("Content-Security-Policy"))
	assert.Equal(t, "SAMEORIGIN", res.header.Get("X-Frame-Options"))
	assert.Equal(t, strconv.Itoa(len(res.body)), res.header.Get("Content-Length"))

	token := tokenAttr.FindStringSubmatch(res.body)
	require.NotNil(t, token)
	script := `<script src="?lvt-client=` + client.Hash() + `" data-lvt-token="` + token[1] + `" defer></script>`
	assert.Equal(t, `<html><body><p>0</p>`+script+`</body></html>`, res.body, "the script goes before </body>")
	assert.Equal(t, 1, s.rt.Pages().Waiting(), "the page waits for its connection")

	head := s.do(t, http.MethodHead, "/", "ada", nil, "")
	assert.Equal(t, http.StatusOK, head.status)
	assert.Empty(t, head.body)
	assert.Equal(t, "text/html; charset=utf-8", head.header.Get("Content-Type"))
	assert.Equal(t, "Lvt-Navigate", head.header.Get("Vary"))
	assert.Equal(t, 1, s.rt.Pages().Waiting(), "HEAD remembers nothing")
}

func TestFrameAncestors(t *testing.T) {
	t.Parallel()
	tests := []struct {
		name    string
		sources []string
		csp     string
		xfo     string
	}{
		{name: "default", csp: "frame-ancestors 'self'", xfo: "SAMEORIGIN"},
		{name: "none", sources: []string{"'none'"}, csp: "frame-ancestors 'none'", xfo: "DENY"},
		{name: "others", sources: []string{"'self'", "https://app.example"}, csp: "frame-ancestors 'self' https://app.example"},
	}
	for _, tc := range tests {
		t.Run(tc.name, func(t *testing.T) {
			t.Parallel()
			s := newServer(t, serverOptions{frameAncestors: tc.sources})
			res := s.do(t, http.MethodGet, "/", "ada", nil, "")
			assert.Equal(t, tc.csp, res.header.Get("Content-Security-Policy"))
			assert.Equal(t, tc.xfo, res.header.Get("X-Frame-Options"))
		})
	}
}

func TestTheClientScriptIsServedAtThePagesURL(t *testing.T) {
	t.Parallel()
	s := newServer(t, serverOptions{})
	res := s.do(t, http.MethodGet, "/other?"+protocol.ClientQuery+"="+client.Hash(), "", nil, "")
	assert.Equal(t, http.StatusOK, res.status, "no identity needed")
	assert.Equal(t, string(client.Script()), res.body)
	res = s.do(t, http.MethodGet, "/?"+protocol.ClientQuery+"=stale", "", nil, "")
	assert.Equal(t, http.StatusNotFound, res.status)

	// Its parts, where the script asks for them: its URL and part=<name>.
	want, _ := client.Part("scroll")
	res = s.do(t, http.MethodGet, "/other?"+protocol.ClientQuery+"="+client.Hash()+"&part=scroll", "", nil, "")
	assert.Equal(t, http.StatusOK, res.status)
	assert.Equal(t, string(want), res.body)
	res = s.do(t, http.MethodGet, "/other?"+protocol.ClientQuery+"="+client.Hash()+"&part=nope", "", nil, "")
	assert.Equal(t, http.StatusNotFound, res.status)
}

// A navigation GET (header Lvt-Navigate) makes the page and answers its
// token, for the live connection to move to.
func TestNavigationGET(t *testing.T) {
	t.Parallel()
	s := newServer(t, serverOptions{})
	res := s.do(t, http.MethodGet, "/other", "ada", http.Header{"Lvt-Navigate": {""}}, "")
	require.Equal(t, http.StatusOK, res.status)
	assert.Equal(t, "application/json", res.header.Get("Content-Type"))
	var m struct {
		T     string `json:"t"`
		Token string `json:"token"`
	}
	require.NoError(t, json.Unmarshal([]byte(res.body), &m), res.body)
	assert.Equal(t, "page", m.T)
	assert.NotEmpty(t, m.Token)
	assert.Equal(t, "Lvt-Navigate", res.header.Get("Vary"))
	assert.Equal(t, 1, s.rt.Pages().Waiting())
}

func TestAMountThatRedirectsAnswers303(t *testing.T) {
	t.Parallel()
	s := newServer(t, serverOptions{})
	req, err := http.NewRequestWithContext(t.Context(), http.MethodGet, s.url+"/other?away", nil)
	require.NoError(t, err)
	req.Header.Set("X-User", "ada")
	noFollow := &http.Client{CheckRedirect: func(*http.Request, []*http.Request) error { return http.ErrUseLastResponse }}
	res, err := noFollow.Do(req)
	require.NoError(t, err)
	res.Body.Close()
	assert.Equal(t, http.StatusSeeOther, res.StatusCode)
	assert.Equal(t, "/", res.Header.Get("Location"))
	assert.Zero(t, s.rt.Pages().Len())

	// Its flash message waits for the next page load, under a cookie.
	var parked *http.Cookie
	for _, c := range res.Cookies() {
		if c.Name == "lvt-flash" {
			parked = c
		}
	}
	require.NotNil(t, parked, "the flash is parked")
	assert.True(t, parked.HttpOnly)
	assert.Equal(t, "/", parked.Path)
	withCookie := http.Header{"Cookie": {parked.Name + "=" + parked.Value}}
	next := s.do(t, http.MethodGet, "/", "ada", withCookie, "")
	assert.Contains(t, next.body, "<em>Please sign in.</em>")
	assert.Contains(t, next.header.Get("Set-Cookie"), "lvt-flash=;", "shown once: the cookie is cleared")
	again := s.do(t, http.MethodGet, "/", "ada", withCookie, "")
	assert.NotContains(t, again.body, "<em>", "taken already")
}

func TestAMountThatRefuses(t *testing.T) {
	t.Parallel()
	s := newServer(t, serverOptions{})
	res := s.do(t, http.MethodGet, "/other?refuse", "ada", nil, "")
	assert.Equal(t, http.StatusBadRequest, res.status)
	assert.Equal(t, "Members only.\n", res.body, "the Mount's message for the user")

	res = s.do(t, http.MethodGet, "/other?refuse", "ada", http.Header{"Lvt-Navigate": {""}}, "")
	assert.Equal(t, http.StatusBadRequest, res.status)
	assert.Equal(t, "application/json", res.header.Get("Content-Type"), "a navigation GET is answered in JSON")
	assert.JSONEq(t, `{"t":"reply","error":{"code":"failed","message":"Members only."}}`, res.body)
}

func TestMethodNotAllowed(t *testing.T) {
	t.Parallel()
	s := newServer(t, serverOptions{})
	for _, method := range []string{http.MethodPut, http.MethodDelete, http.MethodPatch} {
		t.Run(method, func(t *testing.T) {
			t.Parallel()
			res := s.do(t, method, "/", "ada", nil, "")
			assert.Equal(t, http.StatusMethodNotAllowed, res.status)
			assert.Equal(t, "GET, HEAD, POST", res.header.Get("Allow"))
			assert.Equal(t, "application/json", res.header.Get("Content-Type"))
			assert.JSONEq(t, `{"t":"reply","error":{"code":"method_not_allowed","message":"Method not allowed: use GET, HEAD or POST."}}`, res.body)
		})
	}
}

func TestIdentifyFailures(t *testing.T) {
	t.Parallel()
	s := newServer(t, serverOptions{})
	tests := []struct {
		name   string
		method string
		user   string
		status int
		json   string // the JSON body, or "" for a text one
		text   string
	}{
		{name: "GET unauthenticated", method: http.MethodGet, status: 401, text: "Unauthorized.\n"},
		{name: "GET, the authenticator fails", method: http.MethodGet, user: "broken", status: 500, text: "Something went wrong. Please try again.\n"},
		{name: "GET, an identity without a group", method: http.MethodGet, user: "nogroup", status: 500, text: "Something went wrong. Please try again.\n"},
		{name: "POST unauthenticated", method: http.MethodPost, status: 401, json: `{"t":"reply","ref":3,"error":{"code":"unauthorized","message":"Unauthorized."}}`},
		{name: "POST, the authenticator fails", method: http.MethodPost, user: "broken", status: 500, json: `{"t":"reply","ref":3,"error":{"code":"internal","message":"Something went wrong. Please try again."}}`},
	}
	for _, tc := range tests {
		t.Run(tc.name, func(t *testing.T) {
			res := s.do(t, tc.method, "/", tc.user, nil, `{"t":"action","ref":3,"name":"inc","token":"x"}`)
			assert.Equal(t, tc.status, res.status)
			if tc.json != "" {
				assert.Equal(t, "application/json", res.header.Get("Content-Type"))
				assert.JSONEq(t, tc.json, res.body)
				return
			}
			assert.Equal(t, "text/plain; charset=utf-8", res.header.Get("Content-Type"))
			assert.Equal(t, tc.text, res.body)
			assert.NotContains(t, res.body, "identity provider", "the cause is logged, never sent")
		})
	}
	assert.Contains(t, s.logs.lines(), "ERROR authentication failed")
	assert.Contains(t, s.logs.lines(), "ERROR authenticator returned an identity without a group")
}
