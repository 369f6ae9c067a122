package auth_test

import (
	"net/http"
	"net/http/httptest"
	"net/url"
	"os"
	"path/filepath"
	"strings"
	"testing"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"

	"github.com/lvtgo/livetemplate/auth"
)

func TestLocalPathAccepts(t *testing.T) {
	t.Parallel()

	tests := []struct {
		name, ref, want string
	}{
		{name: "root", ref: "/", want: "/"},
		{name: "path", ref: "/orders/7", want: "/orders/7"},
		{name: "query and fragment kept", ref: "/orders/7?tab=items&x=%2F%2Fy#top", want: "/orders/7?tab=items&x=%2F%2Fy#top"},
		{name: "empty query kept", ref: "/a?", want: "/a?"},
		{name: "a slash in the query", ref: "/?next=//evil.example", want: "/?next=//evil.example"},
		{name: "a slash in the fragment", ref: "/#//evil.example", want: "/#//evil.example"},
		{name: "encoded non-ASCII", ref: "/%E2%9C%93", want: "/%E2%9C%93"},
		{name: "raw non-ASCII is encoded", ref: "/café?q=café#café", want: "/caf%C3%A9?q=caf%C3%A9#caf%C3%A9"},
		{name: "a space is encoded", ref: "/a b?c d", want: "/a%20b?c%20d"},
		{name: "encoded space", ref: "/a%20b", want: "/a%20b"},
		{name: "double slash inside", ref: "/a//b", want: "/a//b"},
		{name: "a colon in the path", ref: "/javascript:alert(1)", want: "/javascript:alert(1)"},
		{name: "an at sign", ref: "/@evil.example", want: "/@evil.example"},
		{name: "doubly encoded slashes", ref: "/%252F%252Fevil.example", want: "/%252F%252Fevil.example"},
		{name: "doubly encoded tab", ref: "/%2509/evil.example", want: "/%2509/evil.example"},
		{name: "dots inside a segment", ref: "/a.b/..c/...", want: "/a.b/..c/..."},
	}
	for _, tc := range tests {
		t.Run(tc.name, func(t *testing.T) {
			t.Parallel()

			got, ok := auth.LocalPath(tc.ref)
			require.True(t, ok, tc.ref)
			assert.Equal(t, tc.want, got)
			assert.Equal(t, tc.want, auth.SafeNext(tc.ref))
			again, ok := auth.LocalPath(got)
			assert.True(t, ok, "its own result is accepted")
			assert.Equal(t, got, again, "and unchanged")
		})
	}
}

func TestLocalPathRefuses(t *testing.T) {
	t.Parallel()

	for _, ref := range []string{
		"", "relative", "./a", "../a", "?q", "#top", " /", "\t/",
		"//evil.example", "///evil.example", "//evil.example/", "/%2F%2Fevil.example", "/%2Fevil.example", "/%2f/evil.example",
		`/\evil.example`, `\\evil.example`, `\/evil.example`, `/\/evil.example`, "/%5Cevil.example", "/%5C%5Cevil.example", "/a\\b",
		"/\t/evil.example", "/%09/evil.example", "/\t\t/evil.example", "/%09%09/evil.example",
		"/\n/evil.example", "/%0A/evil.example", "/\r/evil.example", "/%0D/evil.example", "/a\r\nSet-Cookie: x=y",
		"/%00/evil.example", "/\x00", "/\x7f", "/%7F", "/%0B/evil.example",
		"/?\t", "/#\n",
		"/.", "/..", "/./", "/../", "/.//evil.example", "/..//evil.example", "/a/..//evil.example", "/%2e%2e//evil.example", "/%2E/%2Fevil.example",
		"https://evil.example", "http://evil.example/", "https:evil.example", "HTTPS://evil.example",
		"javascript:alert(1)", "JaVaScRiPt:alert(1)", "data:text/html,<script>alert(1)</script>", "mailto:a@evil.example",
		"http://user:pw@evil.example/", "//user@evil.example", "/%zz", "/a%",
	} {
		got, ok := auth.LocalPath(ref)
		assert.False(t, ok, "%q", ref)
		assert.Empty(t, got, "%q", ref)
		assert.Equal(t, "/", auth.SafeNext(ref), "%q", ref)
	}
}

// signInRedirect is the end of a login handler: it sends the visitor to
// the next parameter, or home.
func signInRedirect(w http.ResponseWriter, r *http.Request) {
	http.Redirect(w, r, auth.SafeNext(r.URL.Query().Get(auth.NextParam)), http.StatusSeeOther)
}

// browserResolve resolves loc against base as a browser reads a Location
// header (the WHATWG URL parser, for http and https): tabs and newlines
// are dropped, leading and trailing control characters and spaces are
// trimmed, backslashes count as slashes, and any number of slashes may
// start a host ("///evil.example").
func browserResolve(tb testing.TB, base *url.URL, loc string) *url.URL {
	tb.Helper()
	loc = strings.Map(func(r rune) rune {
		switch r {
		case '\t', '\n', '\r':
			return -1
		case '\\':
			return '/'
		}
		return r
	}, loc)
	loc = strings.TrimFunc(loc, func(r rune) bool { return r <= ' ' })
	if strings.HasPrefix(loc, "//") { // every further slash is skipped before the host
		loc = "//" + strings.TrimLeft(loc, "/")
	}
	ref, err := url.Parse(loc)
	require.NoError(tb, err, "Location %q does not parse", loc)
	return base.ResolveReference(ref)
}

// redirectCorpus returns the open-redirect payloads of
// testdata/open-redirects.txt, as an attacker writes them after "next=" in
// a link to the sign-in page.
func redirectCorpus(tb testing.TB) []string {
	tb.Helper()
	b, err := os.ReadFile(filepath.Join("testdata", "open-redirects.txt"))
	require.NoError(tb, err)
	var out []string
	for line := range strings.Lines(string(b)) {
		if line = strings.TrimRight(line, "\n"); line != "" && !strings.HasPrefix(line, "#") {
			out = append(out, line)
		}
	}
	require.NotEmpty(tb, out)
	return out
}

// Every payload of the corpus leaves the visitor on the site.
func TestSafeNextKeepsTheCorpusOnTheSite(t *testing.T) {
	t.Parallel()

	base, err := url.Parse("https://app.example/login")
	require.NoError(t, err)
	for _, payload := range redirectCorpus(t) {
		w := httptest.NewRecorder()
		signInRedirect(w, &http.Request{Method: http.MethodGet, URL: &url.URL{Path: "/login", RawQuery: auth.NextParam + "=" + payload}, Header: http.Header{}})
		require.Equal(t, http.StatusSeeOther, w.Code)
		loc := w.Header().Get("Location")
		assert.Equal(t, "app.example", browserResolve(t, base, loc).Host, "%q sent the browser to %q", payload, loc)
	}
}

// FuzzSafeNext checks that whatever the next parameter holds, the Location
// a login handler sends, read by a browser against the page's URL, keeps
// the site's host and scheme, and is a path that LocalPath accepts as it
// is.
func FuzzSafeNext(f *testing.F) {
	for _, p := range redirectCorpus(f) {
		f.Add(p)
	}
	for _, p := range []string{"/", "/a?b=c#d", "/caf%C3%A9", "", "%", "/%", "?", "#", "/\\", "/..;/"} {
		f.Add(p)
	}
	base, err := url.Parse("https://app.example/login")
	require.NoError(f, err)

	f.Fuzz(func(t *testing.T, query string) {
		w := httptest.NewRecorder()
		r := &http.Request{Method: http.MethodGet, URL: &url.URL{Path: "/login", RawQuery: auth.NextParam + "=" + query}, Header: http.Header{}}
		signInRedirect(w, r)
		loc := w.Header().Get("Location")
		got := browserResolve(t, base, loc)
		assert.Equal(t, base.Host, got.Host, "next=%q sent the browser to %q", query, loc)
		assert.Equal(t, base.Scheme, got.Scheme, "next=%q sent the browser to %q", query, loc)
		assert.False(t, strings.ContainsFunc(loc, func(r rune) bool { return r < 0x20 || r == 0x7f || r == '\\' }), "Location %q", loc)

		next := auth.SafeNext(r.URL.Query().Get(auth.NextParam))
		again, ok := auth.LocalPath(next)
		assert.True(t, ok, "SafeNext's %q is a local path", next)
		assert.Equal(t, next, again)
	})
}
