package transport_test

import (
	"encoding/json"
	"errors"
	"net/http"
	"net/http/httptest"
	"strings"
	"testing"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"

	"github.com/lvtgo/livetemplate/transport"
)

const action = `{"t":"action","ref":3,"name":"inc","token":"tok","seq":1}`

func TestReadMessage(t *testing.T) {
	t.Parallel()
	origins, err := transport.ParseOrigins([]string{"https://partner.example"})
	require.NoError(t, err)
	h, err := transport.NewHTTP(&transport.HTTPOptions{MaxBody: 128, Origins: origins})
	require.NoError(t, err)

	tests := []struct {
		name    string
		method  string
		ctype   string
		body    string
		headers map[string]string
		chunked bool // no Content-Length, as with chunked encoding
		status  int  // 0: accepted
		code    string
	}{
		{name: "json post", method: http.MethodPost, ctype: "application/json", body: action},
		{name: "json with charset", method: http.MethodPost, ctype: "application/json; charset=utf-8", body: action},
		{name: "same origin", method: http.MethodPost, ctype: "application/json", body: action,
			headers: map[string]string{"Origin": "http://example.com", "Sec-Fetch-Site": "same-origin"}},
		{name: "trusted origin", method: http.MethodPost, ctype: "application/json", body: action,
			headers: map[string]string{"Origin": "https://partner.example", "Sec-Fetch-Site": "cross-site"}},
		{name: "get", method: http.MethodGet, ctype: "application/json",
			status: http.StatusMethodNotAllowed, code: transport.CodeMethodNotAllowed},
		{name: "text plain", method: http.MethodPost, ctype: "text/plain", body: action,
			status: http.StatusUnsupportedMediaType, code: transport.CodeUnsupportedMediaType},
		{name: "form", method: http.MethodPost, ctype: "application/x-www-form-urlencoded", body: "a=b",
			status: http.StatusUnsupportedMediaType, code: transport.CodeUnsupportedMediaType},
		{name: "no content type", method: http.MethodPost, body: action,
			status: http.StatusUnsupportedMediaType, code: transport.CodeUnsupportedMediaType},
		{name: "cross site fetch", method: http.MethodPost, ctype: "application/json", body: action,
			headers: map[string]string{"Sec-Fetch-Site": "cross-site"},
			status:  http.StatusForbidden, code: transport.CodeForbidden},
		{name: "origin mismatch", method: http.MethodPost, ctype: "application/json", body: action,
			headers: map[string]string{"Origin": "https://evil.example"},
			status:  http.StatusForbidden, code: transport.CodeForbidden},
		{name: "oversized", method: http.MethodPost, ctype: "application/json", body: strings.Repeat("x", 129),
			status: http.StatusRequestEntityTooLarge, code: transport.CodeTooLarge},
		{name: "oversized without length", method: http.MethodPost, ctype: "application/json", body: strings.Repeat("x", 129),
			chunked: true, status: http.StatusRequestEntityTooLarge, code: transport.CodeTooLarge},
		{name: "exactly max", method: http.MethodPost, ctype: "application/json", body: strings.Repeat("x", 128)},
		{name: "empty", method: http.MethodPost, ctype: "application/json",
			status: http.StatusBadRequest, code: transport.CodeBadRequest},
	}
	for _, tc := range tests {
		t.Run(tc.name, func(t *testing.T) {
			t.Parallel()
			r := httptest.NewRequest(tc.method, "http://example.com/page", strings.NewReader(tc.body))
			if tc.ctype != "" {
				r.Header.Set("Content-Type", tc.ctype)
			}
			for k, v := range tc.headers {
				r.Header.Set(k, v)
			}
			if tc.chunked {
				r.ContentLength = -1
			}
			body, err := h.ReadMessage(r)
			if tc.status == 0 {
				require.NoError(t, err)
				assert.Equal(t, tc.body, string(body))
				return
			}
			var e *transport.Error
			require.ErrorAs(t, err, &e)
			assert.Equal(t, tc.status, e.Status)
			assert.Equal(t, tc.code, e.Code)
			assert.NotEmpty(t, e.Message)
			if tc.status == http.StatusRequestEntityTooLarge {
				// The start of the body, for the caller to find a ref in.
				assert.True(t, strings.HasPrefix(tc.body, string(body)) && len(body) > 0 && len(body) <= 128, "%d bytes", len(body))
				return
			}
			assert.Nil(t, body)
		})
	}
}

func TestReadMessageInsecureSkipOriginCheck(t *testing.T) {
	t.Parallel()
	h, err := transport.NewHTTP(&transport.HTTPOptions{InsecureSkipOriginCheck: true})
	require.NoError(t, err)
	r := httptest.NewRequest(http.MethodPost, "http://example.com/", strings.NewReader(action))
	r.Header.Set("Content-Type", "application/json")
	r.Header.Set("Sec-Fetch-Site", "cross-site")
	r.Header.Set("Origin", "https://evil.example")
	body, err := h.ReadMessage(r)
	require.NoError(t, err)
	assert.Equal(t, action, string(body))
}

func TestWriteError(t *testing.T) {
	t.Parallel()
	tests := []struct {
		name   string
		ref    int64
		err    error
		status int
		code   string
		allow  string
	}{
		{name: "too large with ref", ref: 9, err: &transport.Error{Status: 413, Code: transport.CodeTooLarge, Message: "message too large"}, status: 413, code: "too_large"},
		{name: "method", err: &transport.Error{Status: 405, Code: transport.CodeMethodNotAllowed, Message: "use POST"}, status: 405, code: "method_not_allowed", allow: "POST"},
		{name: "other error hidden", err: errors.New("db password is hunter2"), status: 500, code: "internal"},
		{name: "quotes escaped", err: &transport.Error{Status: 400, Code: "bad_request", Message: `say "hi" </script>`}, status: 400, code: "bad_request"},
	}
	for _, tc := range tests {
		t.Run(tc.name, func(t *testing.T) {
			t.Parallel()
			w := httptest.NewRecorder()
			transport.WriteError(w, tc.ref, tc.err)
			assert.Equal(t, tc.status, w.Code)
			assert.Equal(t, "application/json", w.Header().Get("Content-Type"))
			assert.Equal(t, "no-store", w.Header().Get("Cache-Control"))
			assert.Equal(t, tc.allow, w.Header().Get("Allow"))
			require.True(t, json.Valid(w.Body.Bytes()), w.Body.String())

			var reply struct {
				T     string          `json:"t"`
				Ref   json.RawMessage `json:"ref"`
				Error struct {
					Code    string `json:"code"`
					Message string `json:"message"`
				} `json:"error"`
			}
			require.NoError(t, json.Unmarshal(w.Body.Bytes(), &reply))
			assert.Equal(t, "reply", reply.T)
			assert.Equal(t, tc.code, reply.Error.Code)
			assert.NotEmpty(t, reply.Error.Message)
			assert.NotContains(t, w.Body.String(), "hunter2")
			if tc.ref == 0 {
				assert.Nil(t, reply.Ref, "ref omitted")
			} else {
				assert.JSONEq(t, "9", string(reply.Ref))
			}
		})
	}
}

func TestWriteMessage(t *testing.T) {
	t.Parallel()
	w := httptest.NewRecorder()
	transport.WriteMessage(w, http.StatusOK, []byte(`{"t":"tree","seq":1,"tree":{}}`))
	assert.Equal(t, http.StatusOK, w.Code)
	assert.Equal(t, "application/json", w.Header().Get("Content-Type"))
	assert.Equal(t, "no-store", w.Header().Get("Cache-Control"))
	assert.JSONEq(t, `{"t":"tree","seq":1,"tree":{}}`, w.Body.String())

	w = httptest.NewRecorder()
	transport.WriteMessage(w, http.StatusNoContent, nil)
	assert.Equal(t, http.StatusNoContent, w.Code)
	assert.Empty(t, w.Body.String())
}
