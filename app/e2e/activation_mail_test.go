//go:build !js

package e2e_test

import (
	"os"
	"strings"
	"testing"

	"github.com/partnerkit/partnerkit/partners"
)

// TestBrowserActivationFromMail is issue 15's mail story end to end: Mick,
// a distributor's admin, runs the Create Partner wizard in the browser
// with an invite address; the server's job engine sends the invitation
// through the SMTP sender to the test's SMTP server, which receives it;
// the test takes the activation link from the received message's text
// and opens it in a fresh browser on a phone, where the invited company
// activates; the link then no longer works, and Mick's /invitations shows
// the invitation activated. Screenshots at 1280 and 375 px; no page
// scrolls sideways.
func TestBrowserActivationFromMail(t *testing.T) {
	if os.Getenv("PARTNERKIT_E2E") == "" {
		t.Skip("set PARTNERKIT_E2E=1 (make test-e2e) to run the browser tests")
	}
	s := newMailSite(t)
	s.partnerWithAdmin(s.provider, partners.TypeDistributor, "Mighty Mick's LLC", "mick@mighty.example", "Mick")
	shot := newShots(t)
	mick := browser(t)

	var sentTo, shown string
	steps := append(wizardInvite(s.url, "coach@champions.example", nil),
		textOf(&sentTo, "#summary-sent-to"),
		textOf(&shown, "#activation-link"),
		shot.take("mail-01-wizard-sent"),
		noSideways("wizard summary at 1280"),
	)
	if err := shot.run(mick, "mail-wizard", steps...); err != nil {
		t.Fatal(err)
	}
	if sentTo != "coach@champions.example" {
		t.Fatalf("the summary says it was sent to %q", sentTo)
	}

	// The message the SMTP server received: from the configured sender,
	// its text part holding the absolute link to the server.
	m := s.mailTo("coach@champions.example", "invites Champions", 1)
	link := linkIn(t, m, s.url, "/activate/")
	if from := m.Header.Get("From"); !strings.Contains(from, "noreply@partners.example") || !strings.Contains(m.Text, "Mighty Mick") {
		t.Fatalf("message from %q:\n%s", from, m.Text)
	}
	if !strings.HasSuffix(shown, strings.TrimPrefix(link, s.url)) {
		t.Fatalf("the mailed link %q is not the one the wizard showed %q", link, shown)
	}

	coach := browserSized(t, 375, 812) // the invited company opens the mail on a phone
	err := shot.run(coach, "mail-activation",
		viewport(375, 812),
		load(link),
		waitFor("#activation-form"),
		until(`document.querySelector('h1').innerText.includes('invites Champions')`),
		shot.take("mail-02-activation-375"),
		noSideways("activation at 375"),
		typeIn("#email", "coach@champions.example"),
		click("#accept"),
		click("#activation-next"),
		waitFor("#full-name"),
		typeIn("#full-name", "Coach Carter"),
		typeIn("#new-password", "Sup3r-secret"),
		click("#activation-next"),
		waitFor("#legal-name"),
		typeIn("#legal-name", "Champions Corp"),
		shot.take("mail-03-activation-company-375"),
		click("#activation-next"),
		atActivationStep("Activate"),
		click("#activation-next"), // the last step: Activate
		waitFor("#activated"),
		shot.take("mail-04-activated-375"),
		noSideways("activated at 375"),
		load(link), // the second time: used
		waitFor("#link-error"),
		until(`document.querySelector('#link-error').innerText.includes('can no longer be used')`),
		shot.take("mail-05-link-used-375"),
	)
	if err != nil {
		t.Fatal(err)
	}

	var row string
	err = shot.run(mick, "mail-invitations",
		load(s.url+"/invitations"),
		waitFor(`#partner-invitations tr.invitation-row[data-status="activated"]`),
		textOf(&row, `#partner-invitations tr.invitation-row[data-status="activated"]`),
		shot.take("mail-06-invitations-activated"),
		noSideways("invitations at 1280"),
	)
	if err != nil {
		t.Fatal(err)
	}
	if !strings.Contains(row, "coach@champions.example") || !strings.Contains(row, "activated") || !strings.Contains(row, "—") ||
		strings.Contains(row, "Resend") || strings.Contains(row, "Revoke") {
		t.Fatalf("the activated invitation's row: %q", row)
	}
}
