package livetemplate_test

import (
	"context"
	"errors"
	"io"
	"net/http"
	"net/http/httptest"
	"strings"
	"sync"
	"sync/atomic"
	"testing"
	"time"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"

	"github.com/lvtgo/livetemplate"
	"github.com/lvtgo/livetemplate/session"
)

// A page load that cannot be served is answered with what the client can
// act on: 400 and the Mount's own words for a user error, 503 with
// Retry-After while the session store fails or the app shuts down, 500 and
// nothing more for an internal error, whose cause is logged.

// mounter is a store whose Mount fails as the page's URL says: ?user=msg
// with a user error of msg, ?internal with an internal error.
type mounter struct{ Count int }

func (m *mounter) Mount(ctx *livetemplate.ActionContext) error {
	q := ctx.Request().URL.Query()
	switch {
	case q.Has("user"):
		return livetemplate.UserErrorf("%s", q.Get("user"))
	case q.Has("internal"):
		return errors.New("database exploded: secret detail")
	}
	return nil
}

func (m *mounter) Change(*livetemplate.ActionContext) error { return livetemplate.ErrUnknownAction }

// loadResult is the answer to a page load.
type loadResult struct {
	status int
	header http.Header
	body   string
}

// load GETs path from srv, with header.
func load(t *testing.T, srv *httptest.Server, path string, header http.Header) loadResult {
	t.Helper()
	req, err := http.NewRequestWithContext(t.Context(), http.MethodGet, srv.URL+path, nil)
	require.NoError(t, err)
	for k, v := range header {
		req.Header[k] = v
	}
	resp, err := srv.Client().Do(req)
	require.NoError(t, err)
	defer resp.Body.Close()
	body, err := io.ReadAll(resp.Body)
	require.NoError(t, err)
	return loadResult{status: resp.StatusCode, header: resp.Header, body: string(body)}
}

// navigate is the header of a live navigation's GET, answered in JSON.
var navigate = http.Header{"Lvt-Navigate": {"/"}}

// logLines is a concurrency-safe log destination.
type logLines struct {
	mu sync.Mutex
	b  strings.Builder
}

func (l *logLines) Write(p []byte) (int, error) {
	l.mu.Lock()
	defer l.mu.Unlock()
	return l.b.Write(p)
}

func (l *logLines) String() string {
	l.mu.Lock()
	defer l.mu.Unlock()
	return l.b.String()
}

func TestPageLoadRefusedByMount(t *testing.T) {
	tests := []struct {
		name   string
		store  livetemplate.Store
		path   string
		status int
		text   string // the plain text answer
		json   string // the answer to a navigation
		logged string // a log line, or "" for none at ERROR
	}{
		{
			name:   "a user error, on a page's own store",
			store:  livetemplate.PerConnection(&mounter{}),
			path:   "/?user=Members+only.",
			status: http.StatusBadRequest,
			text:   "Members only.\n",
			json:   `{"t":"reply","error":{"code":"failed","message":"Members only."}}`,
		},
		{
			name:   "a user error, on a shared store started afresh",
			store:  &mounter{},
			path:   "/?user=This+room+is+closed.",
			status: http.StatusBadRequest,
			text:   "This room is closed.\n",
			json:   `{"t":"reply","error":{"code":"failed","message":"This room is closed."}}`,
		},
		{
			name:   "an internal error",
			store:  livetemplate.PerConnection(&mounter{}),
			path:   "/?internal",
			status: http.StatusInternalServerError,
			text:   "Something went wrong. Please try again.\n",
			json:   `{"t":"reply","error":{"code":"internal","message":"Something went wrong. Please try again."}}`,
			logged: "secret detail",
		},
		{
			name:   "an internal error, on a shared store",
			store:  &mounter{},
			path:   "/?internal",
			status: http.StatusInternalServerError,
			text:   "Something went wrong. Please try again.\n",
			json:   `{"t":"reply","error":{"code":"internal","message":"Something went wrong. Please try again."}}`,
			logged: "secret detail",
		},
	}
	for _, tc := range tests {
		t.Run(tc.name, func(t *testing.T) {
			var logs logLines
			tmpl := livetemplate.Must(livetemplate.New("p", livetemplate.WithText(`<body><p>{{.Count}}</p></body>`)))
			h, err := on(t, livetemplate.WithLogger(slogTo(&logs))).Mount(tmpl, tc.store)
			require.NoError(t, err)
			srv := serve(t, h)

			res := load(t, srv, tc.path, nil)
			assert.Equal(t, tc.status, res.status)
			assert.Equal(t, "text/plain; charset=utf-8", res.header.Get("Content-Type"))
			assert.Equal(t, tc.text, res.body)
			assert.Empty(t, res.header.Get("Retry-After"), "trying again changes nothing")

			res = load(t, srv, tc.path, navigate)
			assert.Equal(t, tc.status, res.status, "navigation")
			assert.Equal(t, "application/json", res.header.Get("Content-Type"), "navigation")
			assert.JSONEq(t, tc.json, res.body, "navigation")

			if tc.logged != "" {
				assert.Contains(t, logs.String(), "level=ERROR")
				assert.Contains(t, logs.String(), tc.logged, "the cause is logged, never sent")
			} else {
				assert.NotContains(t, logs.String(), "level=ERROR", "a user error is the user's")
			}
		})
	}
}

// failing is a session store that fails every call while down.
type failing struct {
	session.Store
	down atomic.Bool
}

var errDown = errors.New("session store down")

func (f *failing) Get(ctx context.Context, group string) ([]byte, uint64, error) {
	if f.down.Load() {
		return nil, 0, errDown
	}
	return f.Store.Get(ctx, group)
}

func (f *failing) Put(ctx context.Context, group string, state []byte, version uint64) (uint64, error) {
	if f.down.Load() {
		return 0, errDown
	}
	return f.Store.Put(ctx, group, state, version)
}

func TestPageLoadWhileTheSessionStoreFails(t *testing.T) {
	mem := session.NewMemory(nil)
	t.Cleanup(func() { _ = mem.Close() })
	store := &failing{Store: mem}
	store.down.Store(true)
	srv := newCounterServer(t, livetemplate.WithSessionStore(store), livetemplate.WithLogger(quietLogger()))

	res := load(t, srv, "/", nil)
	assert.Equal(t, http.StatusServiceUnavailable, res.status)
	assert.Equal(t, "5", res.header.Get("Retry-After"))
	assert.Equal(t, "Changes cannot be saved right now. Please try again shortly.\n", res.body)
	assert.NotContains(t, res.body, errDown.Error())

	res = load(t, srv, "/", navigate)
	assert.Equal(t, http.StatusServiceUnavailable, res.status, "navigation")
	assert.Equal(t, "5", res.header.Get("Retry-After"), "navigation")
	assert.JSONEq(t, `{"t":"reply","error":{"code":"unavailable","message":"Changes cannot be saved right now. Please try again shortly."}}`, res.body, "navigation")

	store.down.Store(false)
	res = load(t, srv, "/", nil)
	assert.Equal(t, http.StatusOK, res.status, "the store is back")
	assert.Contains(t, res.body, "Count: 0")
}

func TestPageLoadWhileTheAppShutsDown(t *testing.T) {
	tmpl := livetemplate.Must(livetemplate.New("p", livetemplate.WithText(counterPage)))
	app := on(t, livetemplate.WithLogger(quietLogger()))
	srv := serve(t, app.Handle(tmpl, &counter{}))
	require.Equal(t, http.StatusOK, load(t, srv, "/", nil).status)

	ctx, cancel := context.WithTimeout(t.Context(), 5*time.Second)
	defer cancel()
	require.NoError(t, app.Shutdown(ctx))

	res := load(t, srv, "/", nil)
	assert.Equal(t, http.StatusServiceUnavailable, res.status)
	assert.Equal(t, "5", res.header.Get("Retry-After"), "try another instance shortly")
	assert.Equal(t, "The server is shutting down.\n", res.body)

	res = load(t, srv, "/", navigate)
	assert.Equal(t, http.StatusServiceUnavailable, res.status, "navigation")
	assert.Equal(t, "5", res.header.Get("Retry-After"), "navigation")
	assert.JSONEq(t, `{"t":"reply","error":{"code":"shutting_down","message":"The server is shutting down."}}`, res.body, "navigation")
}
