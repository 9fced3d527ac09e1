package webhooks

import (
	"context"
	"errors"
	"net/netip"
	"strings"
	"testing"

	"github.com/partnerkit/partnerkit"
)

type fakeResolver map[string][]string

func (f fakeResolver) LookupNetIP(_ context.Context, _, host string) ([]netip.Addr, error) {
	var out []netip.Addr
	for _, s := range f[host] {
		out = append(out, netip.MustParseAddr(s))
	}
	if len(out) == 0 {
		return nil, errors.New("no such host")
	}
	return out, nil
}

func TestAddressBlocked(t *testing.T) {
	for addr, blocked := range map[string]bool{
		"127.0.0.1": true, "127.8.9.10": true, "10.0.0.1": true, "172.16.4.4": true, "192.168.1.1": true,
		"169.254.169.254": true, "100.64.0.1": true, "0.0.0.0": true, "::1": true, "::": true, "fe80::1": true,
		"fd00::1": true, "::ffff:127.0.0.1": true, "::ffff:10.0.0.1": true, "fd00:ec2::254": true,
		"93.184.216.34": false, "8.8.8.8": false, "2606:4700::1111": false, "172.32.0.1": false,
	} {
		if got := AddressBlocked(netip.MustParseAddr(addr)); got != blocked {
			t.Errorf("%s blocked: %v, want %v", addr, got, blocked)
		}
	}
}

func TestCheckURL(t *testing.T) {
	resolver := fakeResolver{"erp.example.com": {"93.184.216.34"}, "internal.example.com": {"10.0.0.1"},
		"mixed.example.com": {"93.184.216.34", "127.0.0.1"}}
	for _, c := range []struct {
		url, problem string
		private      bool
	}{
		{"https://erp.example.com/hooks", "", false},
		{"https://93.184.216.34:8443/x?y=1", "", false},
		{"http://erp.example.com/hooks", "must use https", false},
		{"http://127.0.0.1:8080/hook", "", true},
		{"https://127.0.0.1/hook", "loopback", false},
		{"http://127.0.0.1", "https", false},
		{"https://169.254.169.254/latest/meta-data", "metadata", false},
		{"https://[::1]/hook", "loopback", false},
		{"https://[::ffff:127.0.0.1]/hook", "loopback", false},
		{"https://internal.example.com/hook", "resolves to 10.0.0.1", false},
		{"https://mixed.example.com/hook", "resolves to 127.0.0.1", false},
		{"https://localhost/hook", "loopback", false},
		{"https://app.localhost/hook", "loopback", false},
		{"https://nowhere.example.com/hook", "does not resolve", false},
		{"ftp://erp.example.com/", "must use https", false},
		{"erp.example.com/hooks", "absolute URL", false},
		{"https://user:pw@erp.example.com/", "user name or password", false},
		{"https://erp.example.com/#frag", "fragment", false},
		{"", "is required", false},
		{"https://erp.example.com/" + strings.Repeat("a", MaxURLLength), "at most", false},
	} {
		t.Run(c.url, func(t *testing.T) {
			_, err := checkURL(context.Background(), c.url, c.private, resolver)
			if c.problem == "" {
				if err != nil {
					t.Fatalf("refused: %v", err)
				}
				return
			}
			if partnerkit.ErrorCode(err) != partnerkit.CodeInvalid || !strings.Contains(partnerkit.ErrorFields(err)["url"], c.problem) {
				t.Fatalf("err %v (fields %v), want invalid url containing %q", err, partnerkit.ErrorFields(err), c.problem)
			}
		})
	}
}
