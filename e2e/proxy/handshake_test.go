package proxy_test

import (
	"net/http"
	"net/http/httptest"
	"testing"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"

	"github.com/lvtgo/livetemplate/e2e/internal/browsertest"
)

// What Chromium sends with a same-origin WebSocket handshake and with a
// same-origin fetch POST. The origin check (transport.Origins) trusts
// Sec-Fetch-Site when a browser sends it and otherwise compares Origin's
// host with Host: on a WebSocket handshake Chromium sends no Sec-Fetch-Site,
// so there the comparison decides, and a proxy that rewrites Host makes
// every upgrade cross-origin, while POSTs pass (docs/instances.md).
func TestE2EChromiumSendsNoSecFetchSiteOnWebSocketHandshakes(t *testing.T) {
	seen := make(chan http.Header, 2)
	mux := http.NewServeMux()
	mux.HandleFunc("GET /{$}", func(w http.ResponseWriter, _ *http.Request) {
		w.Header().Set("Content-Type", "text/html; charset=utf-8")
		_, _ = w.Write([]byte(`<!DOCTYPE html><title>handshake</title><script>
			new WebSocket("ws://" + location.host + "/ws").onerror = () => { window.wsDone = true; };
			fetch("/post", {method: "POST", body: "{}"}).then(() => { window.postDone = true; });
		</script>`))
	})
	mux.HandleFunc("GET /ws", func(w http.ResponseWriter, r *http.Request) {
		seen <- r.Header.Clone()
		http.Error(w, "no", http.StatusForbidden)
	})
	mux.HandleFunc("POST /post", func(w http.ResponseWriter, r *http.Request) {
		seen <- r.Header.Clone()
	})
	srv := httptest.NewServer(mux)
	t.Cleanup(srv.Close)

	tab := browsertest.New(t).Tab(t)
	tab.AllowConsole("WebSocket connection to .* failed")
	tab.Navigate(srv.URL + "/")
	tab.WaitJS(`() => window.wsDone === true && window.postDone === true`)
	byKind := map[string]http.Header{}
	for range 2 {
		h := <-seen
		byKind[h.Get("Upgrade")] = h
	}
	ws, post := byKind["websocket"], byKind[""]
	require.NotNil(t, ws, "the handshake")
	require.NotNil(t, post, "the POST")
	assert.Equal(t, srv.URL, ws.Get("Origin"), "a handshake carries Origin")
	assert.Empty(t, ws.Values("Sec-Fetch-Site"), "and no Sec-Fetch-Site: %v", ws)
	assert.Empty(t, ws.Values("Sec-Fetch-Mode"), "nor any Sec-Fetch-* header: %v", ws)
	assert.Equal(t, "same-origin", post.Get("Sec-Fetch-Site"), "a POST says it is same-origin")
	t.Logf("Chromium's handshake headers: %v", ws)
}
