package chat_test

import (
	"net/http/httptest"
	"testing"

	"github.com/stretchr/testify/require"

	"github.com/lvtgo/livetemplate"
	"github.com/lvtgo/livetemplate/cluster"
	"github.com/lvtgo/livetemplate/e2e/internal/browsertest"
	"github.com/lvtgo/livetemplate/examples/chat/chat"
	"github.com/lvtgo/livetemplate/examples/login"
	"github.com/lvtgo/livetemplate/internal/testutil"
	"github.com/lvtgo/livetemplate/livetest"
)

// Two instances of the chat share one Redis server and one -secret, as
// `-redis URL -secret KEY` makes them: Ann on instance A and Bob on
// instance B are in one room (cookies are per host, not per port, so a
// sign-in on A holds on B). The test logs how long a message took from
// Ann's submit to Bob's page.
func TestE2ETwoInstancesShareARoom(t *testing.T) {
	rdb := testutil.StartRedis(t)
	key := []byte("0123456789abcdef0123456789abcdef")
	instance := func() string {
		lg, err := login.New(login.Options{Key: key, Title: "Chat"})
		require.NoError(t, err)
		c, err := cluster.Open(t.Context(), rdb.URL(), nil)
		require.NoError(t, err)
		t.Cleanup(func() { _ = c.Close() }) // after the app's own cleanup
		h, err := chat.NewHandler(livetest.App(t, append(c.Options(), livetemplate.WithAuthenticator(lg.Authenticator()))...), lg, admin)
		require.NoError(t, err)
		srv := httptest.NewServer(h)
		t.Cleanup(srv.Close)
		return srv.URL
	}
	urlA, urlB := instance(), instance()
	b := browsertest.New(t)
	ann, bob := b.Tab(t), b.Context(t).Tab(t)
	annOnB := b.Tab(t) // Ann's second tab, on the other instance
	signIn(ann, urlA, "/", "ann")
	signIn(bob, urlB, "/", "bob")
	open(annOnB, urlB, "/")
	waitOnline(ann, "ann", "bob")
	waitOnline(bob, "ann", "bob")

	// Stamp Ann's submit and the arrival on Bob's page (one browser, one clock).
	browsertest.Eval[bool](ann, `(document.addEventListener("submit", () => { window.sentAt = Date.now(); }, true), true)`)
	browsertest.Eval[bool](bob, `(new MutationObserver((_, obs) => {
		const t = document.querySelector("#messages li:last-child .text");
		if (t && t.textContent === "ping across") { window.gotAt = Date.now(); obs.disconnect(); }
	}).observe(document.getElementById("messages"), { childList: true, subtree: true, characterData: true }), true)`)
	send(ann, "ping across")
	waitLast(bob, "ann", "ping across")
	waitLast(annOnB, "ann", "ping across")
	bob.WaitJS(`() => typeof window.gotAt === "number"`)
	sentAt := browsertest.Eval[float64](ann, `window.sentAt`)
	gotAt := browsertest.Eval[float64](bob, `window.gotAt`)
	t.Logf("a message took %.0f ms from Ann's submit on instance A to Bob's page on instance B", gotAt-sentAt)

	send(bob, "pong")
	waitLast(ann, "bob", "pong")
	bob.Navigate("about:blank")
	waitOnline(ann, "ann")
}
