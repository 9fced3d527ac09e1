//go:build !js

package e2e_test

import (
	"context"
	"os"
	"strings"
	"testing"
	"time"

	"github.com/chromedp/chromedp"
	"github.com/partnerkit/partnerkit/partners"
	"github.com/pquerna/otp/totp"
)

// TestBrowserRecoveryCodes: Ada, whose two-factor sign-in is on, signs in
// with a recovery code, and on /account/security makes new ones: the
// button asks for her password and a current code (an empty form and a
// wrong code are refused next to their fields), the new codes show once in
// the recovery-codes display, and the page then counts 10 of 10. On a
// phone an old code no longer signs her in; a new one does. Screenshots
// at 1280 and 375 px; no page scrolls sideways.
func TestBrowserRecoveryCodes(t *testing.T) {
	if os.Getenv("PARTNERKIT_E2E") == "" {
		t.Skip("set PARTNERKIT_E2E=1 (make test-e2e) to run the browser tests")
	}
	ctx := context.Background()
	s := newMailSite(t)
	_, ada := s.partnerWithAdmin(s.provider, partners.TypeReseller, "Acme Reseller", "ada@acme.example", "Ada Lovelace")
	en, err := s.svc.Partners.BeginTwoFactor(ctx, ada)
	s.check(err)
	code, err := totp.GenerateCode(en.Secret, time.Now())
	s.check(err)
	old, err := s.svc.Partners.ConfirmTwoFactor(ctx, ada, code, "")
	s.check(err)
	shot := newShots(t)
	desk := browser(t)

	var codes, head string
	err = shot.run(desk, "renew",
		signInAs(s.url, "ada@acme.example", "Sup3r-secret"),
		waitFor("#code-form"),
		typeIn("#code-form-code", old[0]),
		click("#code-form-submit"),
		until(`location.pathname === '/'`),
		load(s.url+"/account/security"),
		waitFor("#two-factor-state"),
		until(`document.querySelector('#two-factor-state').innerText.includes('9 of 10')`),
		shot.take("recovery-01-on"),
		click(`[data-act="renew-codes"]`),
		waitFor("#renew-form"),
		until(`!!document.activeElement && document.activeElement.id === 'renew-form-password'`),
		click("#renew-form-submit"), // empty: refused in the page
		waitFor(`#renew-form-password[aria-invalid="true"]`),
		waitFor(`#renew-form-code[aria-invalid="true"]`),
		typeIn("#renew-form-password", "Sup3r-secret"),
		typeIn("#renew-form-code", "000000"),
		click("#renew-form-submit"), // a wrong code: refused by the server
		until(`document.querySelector('#renew-form-code').getAttribute('aria-invalid') === 'true' &&
			!document.querySelector('#renew-form-password').hasAttribute('aria-invalid')`),
		until(`!!document.activeElement && document.activeElement.id === 'renew-form-code'`),
		shot.take("recovery-02-wrong-code"),
		noSideways("new recovery codes form at 1280"),
		setValue("#renew-form-code", ""),
		totpCode("#renew-form-code", &en.Secret, 30*time.Second), // the confirmation used this step's
		click("#renew-form-submit"),
		waitFor("#recovery-codes-value"),
		into(&codes, chromedp.Evaluate[string](`document.querySelector('#recovery-codes-value').value`)),
		textOf(&head, "#recovery-codes strong"),
		shot.take("recovery-03-new-codes"),
		click("#codes-saved"),
		until(`!!document.querySelector('#two-factor-state') && document.querySelector('#two-factor-state').innerText.includes('10 of 10')`),
		waitFor(`[data-act="renew-codes"]`),
	)
	if err != nil {
		t.Fatal(err)
	}
	fresh := strings.Fields(codes)
	if len(fresh) != partners.RecoveryCodes || fresh[0] == old[0] || !strings.Contains(head, "old ones no longer work") {
		t.Fatalf("new codes %q, heading %q", codes, head)
	}

	phone := browserSized(t, 375, 812)
	err = shot.run(phone, "renew-phone",
		viewport(375, 812),
		signInAs(s.url, "ada@acme.example", "Sup3r-secret"),
		waitFor("#code-form"),
		typeIn("#code-form-code", old[1]), // killed by the new codes
		click("#code-form-submit"),
		waitFor(`#code-form-code[aria-invalid="true"]`),
		shot.take("recovery-04-old-code-375"),
		setValue("#code-form-code", fresh[0]),
		click("#code-form-submit"),
		until(`location.pathname === '/'`),
		load(s.url+"/account/security"),
		until(`!!document.querySelector('#two-factor-state') && document.querySelector('#two-factor-state').innerText.includes('9 of 10')`),
		click(`[data-act="renew-codes"]`),
		waitFor("#renew-form"),
		shot.take("recovery-05-form-375"),
		noSideways("new recovery codes form at 375"),
		click(`[data-act="renew-cancel"]`),
		waitFor(`[data-act="renew-codes"]`),
	)
	if err != nil {
		t.Fatal(err)
	}
}
