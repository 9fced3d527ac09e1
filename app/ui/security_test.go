package ui

import (
	"strings"
	"testing"

	"github.com/partnerkit/partnerkit/app/client"
)

// With two-factor sign-in on, the page offers new recovery codes: a
// button, then a form asking for the password and a current code; the
// new codes show in the same display as the first ones, saying the old
// ones died.
func TestRecoveryCodesRenewal(t *testing.T) {
	c := &accountPage{page: "security", sec: &client.Security{TwoFactorEnabled: true, RecoveryCodesLeft: 7}}
	html := c.twoFactorHTML()
	if !strings.Contains(html, `data-act="renew-codes"`) || strings.Contains(html, `id="renew-form"`) ||
		strings.Contains(html, "recovery-codes-low") || !strings.Contains(html, `id="disable-form"`) {
		t.Errorf("two-factor on: %s", html)
	}
	c.sec.RecoveryCodesLeft = 2
	if html := c.twoFactorHTML(); !strings.Contains(html, `id="recovery-codes-low"`) {
		t.Errorf("few codes left: %s", html)
	}
	c.renewing = true
	html = c.twoFactorHTML()
	for _, want := range []string{`<form id="renew-form" novalidate>`, `id="renew-form-password" name="password" type="password" autocomplete="current-password"`,
		`id="renew-form-code" name="code" type="text" autocomplete="one-time-code"`, `id="renew-form-submit"`, `data-act="renew-cancel"`} {
		if !strings.Contains(html, want) {
			t.Errorf("missing %s in\n%s", want, html)
		}
	}
	c.codes, c.codesNew = []string{"aaaaa-bbbbb", "ccccc-ddddd"}, true
	html = c.twoFactorHTML()
	if !strings.Contains(html, `id="recovery-codes-value"`) || !strings.Contains(html, "The old ones no longer work") ||
		!strings.Contains(html, "aaaaa-bbbbb\nccccc-ddddd") || strings.Contains(html, "renew-form") {
		t.Errorf("new codes: %s", html)
	}
	c.codesNew = false
	if html := c.twoFactorHTML(); !strings.Contains(html, "Two-factor sign-in is on. Save these recovery codes") {
		t.Errorf("first codes: %s", html)
	}
}
