package forwarded_test

import (
	"crypto/tls"
	"net/http"
	"net/http/httptest"
	"net/netip"
	"strings"
	"testing"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"

	"github.com/lvtgo/livetemplate/internal/forwarded"
)

// trusted are the proxies of the tests: a load balancer's network and one
// address of each family.
var trusted = []string{"10.0.0.0/8", "192.0.2.10", "2001:db8::/32"}

func request(remote string, header ...string) *http.Request {
	r := httptest.NewRequest(http.MethodGet, "/", nil)
	r.RemoteAddr = remote
	for i := 0; i+1 < len(header); i += 2 {
		r.Header.Add(header[i], header[i+1])
	}
	return r
}

func TestClientAddr(t *testing.T) {
	p, err := forwarded.Parse(trusted)
	require.NoError(t, err)
	for _, tc := range []struct {
		name   string
		remote string
		header []string
		want   string
	}{
		{name: "direct", remote: "203.0.113.7:5000", want: "203.0.113.7"},
		{name: "direct client forging the header", remote: "203.0.113.7:5000",
			header: []string{"X-Forwarded-For", "198.51.100.1"}, want: "203.0.113.7"},
		{name: "direct client posing as a proxy's client", remote: "203.0.113.7:5000",
			header: []string{"X-Forwarded-For", "10.0.0.1"}, want: "203.0.113.7"},
		{name: "through the proxy", remote: "10.0.0.2:5000",
			header: []string{"X-Forwarded-For", "203.0.113.7"}, want: "203.0.113.7"},
		{name: "through the proxy, forged entries to the left", remote: "10.0.0.2:5000",
			header: []string{"X-Forwarded-For", "198.51.100.1, 10.9.9.9, 203.0.113.7"}, want: "203.0.113.7"},
		{name: "through two proxies", remote: "10.0.0.2:5000",
			header: []string{"X-Forwarded-For", "203.0.113.7, 192.0.2.10"}, want: "203.0.113.7"},
		{name: "several header lines", remote: "10.0.0.2:5000",
			header: []string{"X-Forwarded-For", "198.51.100.1", "X-Forwarded-For", "203.0.113.7, 10.1.1.1"}, want: "203.0.113.7"},
		{name: "an earlier line after trusted ones", remote: "10.0.0.2:5000",
			header: []string{"X-Forwarded-For", "203.0.113.7", "X-Forwarded-For", "10.1.1.1"}, want: "203.0.113.7"},
		{name: "the proxy without the header", remote: "10.0.0.2:5000", want: "10.0.0.2"},
		{name: "empty header", remote: "10.0.0.2:5000", header: []string{"X-Forwarded-For", ""}, want: "10.0.0.2"},
		{name: "malformed entry", remote: "10.0.0.2:5000",
			header: []string{"X-Forwarded-For", "203.0.113.7, bogus"}, want: "10.0.0.2"},
		{name: "empty entry", remote: "10.0.0.2:5000",
			header: []string{"X-Forwarded-For", "203.0.113.7,,10.1.1.1"}, want: "10.0.0.2"},
		{name: "malformed entry left of the client is never read", remote: "10.0.0.2:5000",
			header: []string{"X-Forwarded-For", "bogus, 203.0.113.7"}, want: "203.0.113.7"},
		{name: "only proxies", remote: "10.0.0.2:5000",
			header: []string{"X-Forwarded-For", "10.3.3.3, 10.1.1.1"}, want: "10.3.3.3"},
		{name: "entry with a port", remote: "10.0.0.2:5000",
			header: []string{"X-Forwarded-For", "203.0.113.7:4711"}, want: "203.0.113.7"},
		{name: "IPv6 client", remote: "10.0.0.2:5000",
			header: []string{"X-Forwarded-For", "2001:db9::7"}, want: "2001:db9::7"},
		{name: "IPv6 client with a port", remote: "10.0.0.2:5000",
			header: []string{"X-Forwarded-For", "[2001:db9::7]:4711"}, want: "2001:db9::7"},
		{name: "IPv6 proxy", remote: "[2001:db8::1]:5000",
			header: []string{"X-Forwarded-For", "203.0.113.7"}, want: "203.0.113.7"},
		{name: "IPv4-mapped proxy", remote: "[::ffff:10.0.0.2]:5000",
			header: []string{"X-Forwarded-For", "::ffff:203.0.113.7"}, want: "203.0.113.7"},
		{name: "a peer that is not an address", remote: "@", want: "@"},
	} {
		t.Run(tc.name, func(t *testing.T) {
			assert.Equal(t, tc.want, p.ClientAddr(request(tc.remote, tc.header...)))
		})
	}
}

// Without trusted proxies the headers mean nothing and change nothing.
func TestNil(t *testing.T) {
	var p *forwarded.Proxies
	r := request("10.0.0.2:5000", "X-Forwarded-For", "203.0.113.7", "X-Forwarded-Proto", "https")
	assert.Equal(t, "10.0.0.2", p.ClientAddr(r))
	assert.False(t, p.HTTPS(r))
	assert.Same(t, r, p.Request(r))
	assert.False(t, p.Trusts(netip.MustParseAddr("10.0.0.2")))
	r.TLS = &tls.ConnectionState{}
	assert.True(t, p.HTTPS(r))
}

func TestHTTPS(t *testing.T) {
	p, err := forwarded.Parse(trusted)
	require.NoError(t, err)
	for _, tc := range []struct {
		name   string
		remote string
		header []string
		want   bool
	}{
		{name: "plain", remote: "10.0.0.2:1"},
		{name: "proxy says https", remote: "10.0.0.2:1", header: []string{"X-Forwarded-Proto", "https"}, want: true},
		{name: "proxy says HTTPS", remote: "10.0.0.2:1", header: []string{"X-Forwarded-Proto", " HTTPS "}, want: true},
		{name: "proxy says http", remote: "10.0.0.2:1", header: []string{"X-Forwarded-Proto", "http"}},
		{name: "proxy appends http to a forged https", remote: "10.0.0.2:1", header: []string{"X-Forwarded-Proto", "https, http"}},
		{name: "proxy appends a line", remote: "10.0.0.2:1", header: []string{"X-Forwarded-Proto", "https", "X-Forwarded-Proto", "http"}},
		{name: "untrusted peer says https", remote: "203.0.113.7:1", header: []string{"X-Forwarded-Proto", "https"}},
	} {
		t.Run(tc.name, func(t *testing.T) {
			assert.Equal(t, tc.want, p.HTTPS(request(tc.remote, tc.header...)))
		})
	}
}

// From an untrusted peer the forwarding headers are removed, so that
// nothing downstream (an authenticator trusting X-Forwarded-Proto, the
// app's own code) reads them; from a proxy the scheme is made one value.
func TestRequest(t *testing.T) {
	p, err := forwarded.Parse(trusted)
	require.NoError(t, err)

	forged := request("203.0.113.7:1", "X-Forwarded-For", "198.51.100.1", "X-Forwarded-Proto", "https",
		"Forwarded", "for=198.51.100.1", "X-Real-Ip", "198.51.100.1", "X-Forwarded-Host", "evil.example", "User-Agent", "ua")
	got := p.Request(forged)
	require.NotSame(t, forged, got)
	assert.Equal(t, http.Header{"User-Agent": {"ua"}}, got.Header)
	assert.Equal(t, "https", forged.Header.Get("X-Forwarded-Proto"), "the original is left alone")
	assert.False(t, p.HTTPS(got))

	clean := request("203.0.113.7:1", "User-Agent", "ua")
	assert.Same(t, clean, p.Request(clean), "nothing to remove: no copy")

	single := request("10.0.0.2:1", "X-Forwarded-Proto", "https", "X-Forwarded-For", "203.0.113.7")
	assert.Same(t, single, p.Request(single), "one proxy's header as it is: no copy")

	appended := request("10.0.0.2:1", "X-Forwarded-Proto", "https, http", "X-Forwarded-For", "198.51.100.1, 203.0.113.7")
	got = p.Request(appended)
	assert.Equal(t, []string{"http"}, got.Header.Values("X-Forwarded-Proto"), "the nearest proxy's word")
	assert.Equal(t, "198.51.100.1, 203.0.113.7", got.Header.Get("X-Forwarded-For"), "the chain is the app's to read")

	odd := request("10.0.0.2:1", "X-Forwarded-Proto", "gopher")
	assert.Empty(t, p.Request(odd).Header.Values("X-Forwarded-Proto"))

	upper := request("10.0.0.2:1", "X-Forwarded-Proto", "HTTPS")
	assert.Equal(t, "https", p.Request(upper).Header.Get("X-Forwarded-Proto"))
}

func TestParse(t *testing.T) {
	p, err := forwarded.Parse(nil)
	assert.NoError(t, err)
	assert.Nil(t, p)

	p, err = forwarded.Parse([]string{"127.0.0.1/32", " ::1 ", "::ffff:10.0.0.0/104", "172.16.0.1/12"})
	require.NoError(t, err)
	for _, a := range []string{"127.0.0.1", "::1", "10.200.0.1", "::ffff:10.0.0.1", "172.31.255.255"} {
		assert.True(t, p.Trusts(netip.MustParseAddr(a)), a)
	}
	for _, a := range []string{"127.0.0.2", "11.0.0.1", "172.32.0.0", "::2"} {
		assert.False(t, p.Trusts(netip.MustParseAddr(a)), a)
	}

	_, err = forwarded.Parse([]string{"10.0.0.0/33", "example.com", "10.0.0.1/8", "0.0.0.0/0", "::/0", "fe80::1%eth0", ""})
	require.Error(t, err)
	for _, want := range []string{`"10.0.0.0/33": not an IP address or CIDR prefix`, `"example.com": not`, `"0.0.0.0/0": trusts every address`,
		`"::/0": trusts every address`, `"fe80::1%eth0": not`, `"": not`} {
		assert.ErrorContains(t, err, want)
	}
	assert.NotContains(t, err.Error(), `"10.0.0.1/8"`, "a prefix with host bits is a prefix")
}

// Whatever the header: a direct client gets its own address, and through
// the proxy the answer is the proxy, an entry of the header, never an
// address the header does not hold.
func FuzzClientAddr(f *testing.F) {
	f.Add("198.51.100.1, 203.0.113.7")
	f.Add("10.1.1.1,[2001:db9::7]:80, ,bogus")
	p, err := forwarded.Parse(trusted)
	require.NoError(f, err)
	f.Fuzz(func(t *testing.T, xff string) {
		direct := request("203.0.113.9:1", "X-Forwarded-For", xff)
		assert.Equal(t, "203.0.113.9", p.ClientAddr(direct))
		got := p.ClientAddr(request("10.0.0.2:1", "X-Forwarded-For", xff))
		a, err := netip.ParseAddr(got)
		require.NoError(t, err, "an address: %q", got)
		if got != "10.0.0.2" {
			assert.True(t, containsAddr(xff, a), "%q is not in %q", got, xff)
		}
	})
}

func containsAddr(xff string, a netip.Addr) bool {
	for _, e := range strings.Split(xff, ",") {
		e = strings.TrimSpace(e)
		if b, err := netip.ParseAddr(e); err == nil && b.Unmap().WithZone("") == a {
			return true
		}
		if ap, err := netip.ParseAddrPort(e); err == nil && ap.Addr().Unmap().WithZone("") == a {
			return true
		}
	}
	return false
}
