package forwarded

import (
	"errors"
	"fmt"
	"net"
	"net/http"
	"net/netip"
	"strings"
)

// Proxies is a set of trusted proxies, by network prefix. A nil *Proxies
// trusts nobody and changes no request. It is immutable and safe for
// concurrent use.
type Proxies struct {
	nets []netip.Prefix
}

// Parse returns the proxies of cidrs: each an address ("10.1.2.3",
// "2001:db8::1") or a CIDR prefix ("10.0.0.0/8", "2001:db8::/32"). It
// returns nil, and no error, for none. A prefix of every address
// ("0.0.0.0/0", "::/0") is refused: any client could then forge its
// address. The error, on one line, names every bad entry.
func Parse(cidrs []string) (*Proxies, error) {
	if len(cidrs) == 0 {
		return nil, nil
	}
	p := &Proxies{nets: make([]netip.Prefix, 0, len(cidrs))}
	var bad []string
	for _, c := range cidrs {
		n, err := parsePrefix(strings.TrimSpace(c))
		if err != nil {
			bad = append(bad, fmt.Sprintf("%q: %v", c, err))
			continue
		}
		p.nets = append(p.nets, n)
	}
	if len(bad) > 0 {
		return nil, errors.New(strings.Join(bad, "; "))
	}
	return p, nil
}

// parsePrefix parses one entry of Parse.
func parsePrefix(s string) (netip.Prefix, error) {
	if !strings.Contains(s, "/") {
		a, err := netip.ParseAddr(s)
		if err != nil || a.Zone() != "" {
			return netip.Prefix{}, errors.New("not an IP address or CIDR prefix (such as 10.0.0.0/8 or 2001:db8::/32)")
		}
		a = a.Unmap()
		return netip.PrefixFrom(a, a.BitLen()), nil
	}
	n, err := netip.ParsePrefix(s)
	if err != nil {
		return netip.Prefix{}, errors.New("not an IP address or CIDR prefix (such as 10.0.0.0/8 or 2001:db8::/32)")
	}
	if n.Bits() == 0 {
		return netip.Prefix{}, errors.New("trusts every address, so that any client could forge its own: name the proxies' networks")
	}
	if n.Addr().Is4In6() && n.Bits() >= 96 {
		n = netip.PrefixFrom(n.Addr().Unmap(), n.Bits()-96)
	}
	return n.Masked(), nil
}

// Trusts reports whether a is the address of a trusted proxy.
func (p *Proxies) Trusts(a netip.Addr) bool {
	if p == nil {
		return false
	}
	a = a.Unmap()
	for _, n := range p.nets {
		if n.Contains(a) {
			return true
		}
	}
	return false
}

// ClientAddr returns the address of r's client: the host of r.RemoteAddr,
// or, when that is a trusted proxy, the address X-Forwarded-For names (see
// the package documentation).
func (p *Proxies) ClientAddr(r *http.Request) string {
	peer, ok := peerOf(r)
	if !ok {
		return host(r.RemoteAddr)
	}
	if !p.Trusts(peer) {
		return peer.String()
	}
	client := peer
	vals := r.Header.Values(forwardedFor)
	for i := len(vals) - 1; i >= 0; i-- {
		for rest := vals[i]; rest != ""; {
			entry := rest
			if j := strings.LastIndexByte(rest, ','); j >= 0 {
				entry, rest = rest[j+1:], rest[:j]
			} else {
				rest = ""
			}
			a, ok := parseEntry(strings.TrimSpace(entry))
			switch {
			case !ok:
				return peer.String()
			case !p.Trusts(a):
				return a.String()
			}
			client = a
		}
	}
	return client.String()
}

// HTTPS reports whether r's client used HTTPS: r came over TLS, or from a
// trusted proxy whose X-Forwarded-Proto says "https".
func (p *Proxies) HTTPS(r *http.Request) bool {
	if r.TLS != nil {
		return true
	}
	peer, ok := peerOf(r)
	return ok && p.Trusts(peer) && scheme(r.Header.Values(forwardedProto)) == "https"
}

// Request returns r as the app should see it. From an untrusted peer, it
// is r without its forwarding headers (Forwarded, X-Forwarded-*,
// X-Real-Ip). From a trusted proxy, it is r with one X-Forwarded-Proto,
// the scheme the nearest proxy reported ("http" or "https"; none when it
// reported neither), so that every reader of the header (auth's
// TrustForwardedProto reads its first value) agrees with HTTPS. It returns
// r itself when nothing changes, and with a nil p; else a shallow copy with
// its own Header.
func (p *Proxies) Request(r *http.Request) *http.Request {
	if p == nil {
		return r
	}
	if peer, ok := peerOf(r); ok && p.Trusts(peer) {
		vals := r.Header.Values(forwardedProto)
		want := scheme(vals)
		if len(vals) == 0 || len(vals) == 1 && vals[0] == want {
			return r
		}
		r = withHeader(r)
		if want == "" {
			r.Header.Del(forwardedProto)
		} else {
			r.Header.Set(forwardedProto, want)
		}
		return r
	}
	for _, k := range forwarding {
		if _, ok := r.Header[k]; ok {
			r = withHeader(r)
			for _, k := range forwarding {
				delete(r.Header, k)
			}
			return r
		}
	}
	return r
}

// Header names, canonical.
const (
	forwardedFor   = "X-Forwarded-For"
	forwardedProto = "X-Forwarded-Proto"
)

// forwarding are the headers by which a proxy describes the client; only
// trusted proxies may send them.
var forwarding = []string{"Forwarded", forwardedFor, "X-Forwarded-Host", "X-Forwarded-Port", forwardedProto, "X-Real-Ip"}

// withHeader returns a shallow copy of r with a copy of its Header.
func withHeader(r *http.Request) *http.Request {
	r2 := new(http.Request)
	*r2 = *r
	r2.Header = r.Header.Clone()
	return r2
}

// scheme returns the last value of X-Forwarded-Proto (the one the nearest
// proxy wrote, should the proxies append rather than set it), lower-cased,
// if it is "http" or "https"; else "".
func scheme(vals []string) string {
	if len(vals) == 0 {
		return ""
	}
	last := vals[len(vals)-1]
	if i := strings.LastIndexByte(last, ','); i >= 0 {
		last = last[i+1:]
	}
	switch s := strings.ToLower(strings.TrimSpace(last)); s {
	case "http", "https":
		return s
	}
	return ""
}

// peerOf returns the address of r's peer.
func peerOf(r *http.Request) (netip.Addr, bool) {
	if ap, err := netip.ParseAddrPort(r.RemoteAddr); err == nil {
		return ap.Addr().Unmap().WithZone(""), true
	}
	if a, err := netip.ParseAddr(r.RemoteAddr); err == nil {
		return a.Unmap().WithZone(""), true
	}
	return netip.Addr{}, false
}

// parseEntry parses an X-Forwarded-For entry: an address, or an address
// with a port ("192.0.2.1:4711", "[2001:db8::1]:4711"), as some proxies
// write them.
func parseEntry(s string) (netip.Addr, bool) {
	if a, err := netip.ParseAddr(s); err == nil {
		return a.Unmap().WithZone(""), true
	}
	if ap, err := netip.ParseAddrPort(s); err == nil {
		return ap.Addr().Unmap().WithZone(""), true
	}
	return netip.Addr{}, false
}

// host returns the host of a RemoteAddr that is not an IP address and
// port (a Unix socket's, say), or the whole of it.
func host(remote string) string {
	if h, _, err := net.SplitHostPort(remote); err == nil {
		return h
	}
	return remote
}
