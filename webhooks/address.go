package webhooks

import (
	"context"
	"fmt"
	"net/netip"
	"net/url"
	"strings"

	"github.com/partnerkit/partnerkit"
)

// blockedPrefixes are the networks a webhook may not reach: the server's
// own, its neighbours' and the clouds' metadata services.
var blockedPrefixes = func() []netip.Prefix {
	var out []netip.Prefix
	for _, s := range []string{
		"0.0.0.0/8",         // "this network"
		"10.0.0.0/8",        // private
		"100.64.0.0/10",     // carrier-grade NAT
		"127.0.0.0/8",       // loopback
		"169.254.0.0/16",    // link-local, cloud metadata (169.254.169.254)
		"172.16.0.0/12",     // private
		"192.0.0.0/24",      // IETF protocol assignments
		"192.168.0.0/16",    // private
		"198.18.0.0/15",     // benchmarking
		"224.0.0.0/4",       // multicast
		"240.0.0.0/4",       // reserved, broadcast
		"::/128",            // unspecified
		"::1/128",           // loopback
		"fc00::/7",          // unique local
		"fe80::/10",         // link-local
		"ff00::/8",          // multicast
		"64:ff9b::/96",      // NAT64 of IPv4 (may map to private IPv4)
		"fd00:ec2::254/128", // AWS metadata over IPv6
		"2001:db8::/32",     // documentation
	} {
		out = append(out, netip.MustParsePrefix(s))
	}
	return out
}()

// AddressBlocked reports whether a webhook may not be sent to addr (see
// the package documentation). IPv4-mapped IPv6 addresses are judged as
// IPv4.
func AddressBlocked(addr netip.Addr) bool {
	addr = addr.Unmap()
	if !addr.IsValid() {
		return true
	}
	for _, p := range blockedPrefixes {
		if p.Contains(addr) {
			return true
		}
	}
	return false
}

// checkURL checks an endpoint URL's form and, unless allowPrivate, that
// its host is not (and does not resolve to) a blocked address. Problems
// name the field "url".
func checkURL(ctx context.Context, raw string, allowPrivate bool, resolver Resolver) (string, error) {
	raw = strings.TrimSpace(raw)
	bad := func(problem string) (string, error) { return "", partnerkit.FieldError("url", problem) }
	switch {
	case raw == "":
		return bad("is required")
	case len(raw) > MaxURLLength:
		return bad(fmt.Sprintf("must be at most %d characters", MaxURLLength))
	}
	if err := partnerkit.CheckText("url", raw, false); err != nil {
		return "", err
	}
	u, err := url.Parse(raw)
	if err != nil || !u.IsAbs() || u.Host == "" || u.Opaque != "" {
		return bad("must be an absolute URL such as https://erp.example.com/partnerkit")
	}
	switch u.Scheme {
	case "https":
	case "http":
		if !allowPrivate {
			return bad("must use https")
		}
	default:
		return bad("must use https")
	}
	if u.User != nil {
		return bad("must not carry a user name or password: authenticate with the signature")
	}
	if u.Fragment != "" {
		return bad("must not have a #fragment")
	}
	if allowPrivate {
		return u.String(), nil
	}
	host := u.Hostname()
	if addr, err := netip.ParseAddr(host); err == nil {
		if AddressBlocked(addr) {
			return bad("must not point at a loopback, private, link-local or metadata address")
		}
		return u.String(), nil
	}
	if h := strings.ToLower(strings.TrimSuffix(host, ".")); h == "localhost" || strings.HasSuffix(h, ".localhost") {
		return bad("must not point at a loopback, private, link-local or metadata address")
	}
	if resolver == nil {
		return u.String(), nil
	}
	addrs, err := resolver.LookupNetIP(ctx, "ip", host)
	if err != nil || len(addrs) == 0 {
		return bad(fmt.Sprintf("host %q does not resolve", host))
	}
	for _, a := range addrs {
		if AddressBlocked(a) {
			return bad(fmt.Sprintf("host %q resolves to %s, a loopback, private, link-local or metadata address", host, a.Unmap()))
		}
	}
	return u.String(), nil
}
