//go:build !js

package e2e_test

import (
	"context"
	"crypto/tls"
	"fmt"
	"log/slog"
	"net/http/httptest"
	"os"
	"path/filepath"
	"regexp"
	"strings"
	"testing"
	"time"

	"github.com/chromedp/chromedp"
	"github.com/emersion/go-smtp"
	"github.com/partnerkit/partnerkit"
	"github.com/partnerkit/partnerkit/app/server"
	"github.com/partnerkit/partnerkit/internal/smtptest"
	"github.com/partnerkit/partnerkit/internal/sqldb"
	"github.com/partnerkit/partnerkit/jobs"
	"github.com/partnerkit/partnerkit/mail/smtpsender"
	"github.com/partnerkit/partnerkit/partners"
	"github.com/partnerkit/partnerkit/storetest"
	"github.com/partnerkit/partnerkit/wiring"
	"github.com/pquerna/otp/totp"
)

// mailSite is the real server whose mail goes, through the job engine and
// the SMTP sender, to an SMTP server of the test (STARTTLS on a
// self-signed certificate), with links to the server's own URL. The SMTP
// server refuses nobody@champions.example.
type mailSite struct {
	*world
	url  string
	smtp *smtptest.Server
}

func newMailSite(t *testing.T) *mailSite {
	t.Helper()
	if _, err := os.Stat(filepath.Join(webDir, "app.wasm")); err != nil {
		t.Fatal("app.wasm is not built: run `make test-e2e` (or `make wasm` first)")
	}
	ctx := context.Background()
	box := smtptest.Start(t, smtptest.Options{StartTLS: true, Refuse: map[string]*smtp.SMTPError{
		"nobody@champions.example": {Code: 550, EnhancedCode: smtp.EnhancedCode{5, 1, 1}, Message: "mailbox unavailable"}}})
	srv := httptest.NewUnstartedServer(nil) // its address is the mail's links'
	url := "http://" + srv.Listener.Addr().String()
	db, err := sqldb.Open(ctx, filepath.Join(t.TempDir(), "e2e.db"))
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() { db.Close() })
	if err := jobs.Migrate(ctx, db); err != nil {
		t.Fatal(err)
	}
	engine, err := jobs.New(db, jobs.Config{Logger: slog.New(slog.DiscardHandler), PollInterval: 50 * time.Millisecond})
	if err != nil {
		t.Fatal(err)
	}
	sender, err := smtpsender.New(smtpsender.Options{URL: "smtp://" + box.Addr, From: "Partnerkit <noreply@partners.example>",
		Timeout: 5 * time.Second, TLSConfig: &tls.Config{RootCAs: box.CertPool}})
	if err != nil {
		t.Fatal(err)
	}
	svc := server.SQL(db, server.Options{Hasher: storetest.CheapHasher, Publisher: engine,
		Mail: wiring.MailOptions{Sender: sender, Scheduler: engine, PublicURL: url}})
	svc.Logger = slog.New(slog.DiscardHandler)
	if err := engine.Start(ctx, &svc.Services); err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() { // before the database closes (cleanups run last first)
		stopCtx, cancel := context.WithTimeout(ctx, 10*time.Second)
		defer cancel()
		_ = engine.Stop(stopCtx)
	})
	w := &world{t: t, svc: svc, db: db}
	root, rootUser, err := svc.Partners.Bootstrap(ctx, partners.BootstrapInput{AccountName: "Impossible Cloud",
		AdminEmail: "ops@provider.example", AdminPassword: "Sup3r-secret"})
	w.check(err)
	w.provider = partnerkit.Actor{AccountID: root.ID, UserID: rootUser.ID, Role: partnerkit.RoleAdmin}
	srv.Config.Handler = server.Handler(svc, db, os.DirFS(webDir))
	srv.Start()
	t.Cleanup(srv.Close)
	return &mailSite{world: w, url: url, smtp: box}
}

// mailTo waits until n messages to addr whose subject holds word came,
// and returns the n-th.
func (s *mailSite) mailTo(addr, word string, n int) *smtptest.Parsed {
	s.t.Helper()
	deadline := time.Now().Add(30 * time.Second)
	for time.Now().Before(deadline) {
		var got []*smtptest.Parsed
		for _, r := range s.smtp.Received() {
			if m, err := smtptest.Parse(r.Data); err == nil && len(r.To) == 1 && r.To[0] == addr && strings.Contains(m.Subject, word) {
				got = append(got, m)
			}
		}
		if len(got) >= n {
			return got[n-1]
		}
		time.Sleep(100 * time.Millisecond)
	}
	s.t.Fatalf("no message %d to %s about %q arrived", n, addr, word)
	return nil
}

// linkIn is the link to path (and a token) in a message's text part.
func linkIn(t *testing.T, m *smtptest.Parsed, base, path string) string {
	t.Helper()
	link := regexp.MustCompile(regexp.QuoteMeta(base+path) + `[A-Za-z0-9_\-]+`).FindString(m.Text)
	if link == "" {
		t.Fatalf("no %s link in %q:\n%s", path, m.Subject, m.Text)
	}
	return link
}

// signInAs signs a user in with a password (the first step).
func signInAs(url, email, password string) chromedp.Action[chromedp.Void] {
	return chromedp.Steps(load(url+"/signin"), waitFor("#signin-form"), typeIn("#email", email), typeIn("#password", password), click("#signin"))
}

// totpCode types the authenticator app's code at a time into an input;
// *secret is read when the step runs.
func totpCode(sel string, secret *string, at time.Duration) chromedp.Action[chromedp.Void] {
	return chromedp.Func(func(ctx context.Context, t *chromedp.Target) error {
		code, err := totp.GenerateCode(strings.ReplaceAll(*secret, " ", ""), time.Now().Add(at))
		if err != nil {
			return err
		}
		_, err = typeIn(sel, code)(ctx, t)
		return err
	})
}

// typeFrom types the text *text holds when the step runs.
func typeFrom(sel string, text *string) chromedp.Action[chromedp.Void] {
	return chromedp.Func(func(ctx context.Context, t *chromedp.Target) error {
		_, err := typeIn(sel, *text)(ctx, t)
		return err
	})
}

// TestBrowserAccountSecurity is issue 15's PWA in a real browser. Ada
// enrols in two-factor sign-in from the QR code's key (the test computes
// the codes with pquerna/otp, as her phone would), gets a wrong code
// refused next to its field, keeps her recovery codes, signs out, and
// signs in again with a code; she makes two-factor sign-in required for
// her account, and Bob, a member without it, is sent to enrol at his
// sign-in. On a phone she forgets her password: the reset mail arrives
// over SMTP, its link opens the reset page, a weak password is refused
// next to the field, a strong one is set, her other session is gone, and
// she signs in with a recovery code. Screenshots at 1280 and 375 px; no
// page scrolls sideways.
func TestBrowserAccountSecurity(t *testing.T) {
	if os.Getenv("PARTNERKIT_E2E") == "" {
		t.Skip("set PARTNERKIT_E2E=1 (make test-e2e) to run the browser tests")
	}
	s := newMailSite(t)
	acme, ada := s.partnerWithAdmin(s.provider, partners.TypeReseller, "Acme Reseller", "ada@acme.example", "Ada Lovelace")
	_, err := s.svc.Partners.CreateUser(context.Background(), ada, partners.CreateUserInput{AccountID: acme.ID, Email: "bob@acme.example",
		FullName: "Bob", Password: "Sup3r-secret", Role: partnerkit.RoleStaff})
	s.check(err)
	shot := newShots(t)
	desk := browser(t)

	var secret, codes, wrong, state string
	err = shot.run(desk, "security",
		signInAs(s.url, "ada@acme.example", "Sup3r-secret"),
		waitFor("tr.partner-row, #directory, main h1"),
		load(s.url+"/account/security"),
		waitFor(`[data-act="enrol"]`),
		waitFor(`tr.session-row[data-current="true"]`),
		shot.take("security-01-page"),
		noSideways("security page at 1280"),
		click(`[data-act="enrol"]`),
		waitFor("#qr-code"),
		until(`document.querySelector('#qr-code').naturalWidth > 0`), // the data: URL's SVG drew
		textOf(&secret, "#totp-secret"),
		shot.take("security-02-enrol"),
		typeIn("#confirm-form-code", "000000"),
		click("#confirm-form-submit"),
		waitFor(`#confirm-form-code[aria-invalid="true"]`),
		until(`document.activeElement && document.activeElement.id === 'confirm-form-code'`), // the focus on the field
		textOf(&wrong, "#confirm-form-code-error"),
		shot.take("security-03-wrong-code"),
		setValue("#confirm-form-code", ""),
		totpCode("#confirm-form-code", &secret, 0),
		click("#confirm-form-submit"),
		waitFor("#recovery-codes-value"),
		into(&codes, chromedp.Evaluate[string](`document.querySelector('#recovery-codes-value').value`)),
		shot.take("security-04-recovery-codes"),
		click("#codes-saved"),
		waitFor("#two-factor-state"),
		click("#require-two-factor"),
		until(`document.querySelector('#settings-status').innerText.includes('Every member must now use two-factor sign-in')`),
		shot.take("security-05-on"),

		click("#signout"),
		waitFor("#signin-form"),
		typeIn("#email", "ada@acme.example"),
		typeIn("#password", "Sup3r-secret"),
		click("#signin"),
		waitFor("#code-form"),
		until(`document.activeElement && document.activeElement.id === 'code-form-code'`),
		shot.take("signin-01-code-step"),
		typeIn("#code-form-code", "123"),
		click("#code-form-submit"),
		waitFor(`#code-form-code[aria-invalid="true"]`),
		shot.take("signin-02-wrong-code"),
		setValue("#code-form-code", ""),
		totpCode("#code-form-code", &secret, 30*time.Second), // the next step's: the confirmation used this one
		click("#code-form-submit"),
		until(`location.pathname === '/'`),
		load(s.url+"/account/security"),
		waitFor("#two-factor-state"),
		textOf(&state, "#two-factor-state"),
	)
	if err != nil {
		t.Fatal(err)
	}
	recovery := strings.Fields(codes)
	if len(secret) < 16 || len(recovery) != 10 || !strings.Contains(wrong, "code") || !strings.Contains(state, "10 of 10") {
		t.Fatalf("secret %q, recovery codes %q, wrong code's problem %q, state %q", secret, codes, wrong, state)
	}

	bob := browser(t) // the account now requires two-factor sign-in: Bob must enrol first
	err = shot.run(bob, "enrol-first",
		signInAs(s.url, "bob@acme.example", "Sup3r-secret"),
		until(`location.pathname === '/account/security'`),
		waitFor("#enrol-required"),
		waitFor(`[data-act="enrol"]`),
		shot.take("security-06-enrol-required"),
	)
	if err != nil {
		t.Fatal(err)
	}

	phone := browserSized(t, 375, 812)
	var forgot, weak string
	err = shot.run(phone, "forgot",
		viewport(375, 812),
		load(s.url+"/signin"),
		click(`a[href="/forgot-password"]`),
		waitFor("#forgot-form"),
		click("#forgot-form-submit"),
		waitFor(`#forgot-form-email[aria-invalid="true"]`),
		typeIn("#forgot-form-email", "ada@acme.example"),
		click("#forgot-form-submit"),
		until(`!document.querySelector('#forgot-form-status').hidden && document.querySelector('#forgot-form-status').innerText.includes('If this email')`),
		textOf(&forgot, "#forgot-form-status"),
		shot.take("reset-01-requested-375"),
		noSideways("forgot password at 375"),
	)
	if err != nil {
		t.Fatal(err)
	}
	link := linkIn(t, s.mailTo("ada@acme.example", "Reset your Partnerkit password", 1), s.url, "/reset-password/")
	err = shot.run(phone, "reset",
		load(link),
		waitFor("#reset-form"),
		typeIn("#reset-form-password", "short"),
		typeIn("#reset-form-repeat", "short"),
		click("#reset-form-submit"),
		waitFor(`#reset-form-password[aria-invalid="true"]`),
		textOf(&weak, "#reset-form-password-error"),
		shot.take("reset-02-weak-375"),
		noSideways("reset page at 375"),
		setValue("#reset-form-password", "N3w-Passw0rd!"),
		setValue("#reset-form-repeat", "N3w-Passw0rd!"),
		click("#reset-form-submit"),
		waitFor("#reset-done"),
		shot.take("reset-03-done-375"),
		load(link), // used: the server says so
		waitFor("#reset-form"),
		typeIn("#reset-form-password", "An0ther-Passw0rd"),
		typeIn("#reset-form-repeat", "An0ther-Passw0rd"),
		click("#reset-form-submit"),
		waitFor("#link-error"),
		shot.take("reset-04-used-link-375"),

		signInAs(s.url, "ada@acme.example", "N3w-Passw0rd!"),
		waitFor("#code-form"),
		typeFrom("#code-form-code", &recovery[0]),
		click("#code-form-submit"),
		until(`location.pathname === '/'`),
		load(s.url+"/account/security"),
		waitFor("#two-factor-state"),
		waitFor(`tr.session-row[data-current="true"]`),
		until(`document.querySelector('#two-factor-state').innerText.includes('9 of 10')`),
		shot.take("security-07-phone-375"),
		noSideways("security page at 375"),

		// Two-factor sign-in off: first no longer required, then with the
		// password and a recovery code (a used one is refused).
		click("#require-two-factor"),
		until(`document.querySelector('#settings-status').innerText.includes("each member's choice")`),
		waitFor("#disable-form"),
		typeIn("#disable-form-password", "N3w-Passw0rd!"),
		typeFrom("#disable-form-code", &recovery[0]),
		click("#disable-form-submit"),
		waitFor(`#disable-form-code[aria-invalid="true"]`),
		shot.take("security-08-disable-used-code-375"),
		setValue("#disable-form-code", ""),
		typeFrom("#disable-form-code", &recovery[1]),
		click("#disable-form-submit"),
		waitFor(`[data-act="enrol"]`),
		until(`document.querySelector('#two-factor-status').innerText === 'Two-factor sign-in is off.'`),
		shot.take("security-09-off-375"),
	)
	if err != nil {
		t.Fatal(err)
	}
	if !strings.Contains(forgot, "If this email has a login") || !strings.Contains(weak, "at least 8") {
		t.Fatalf("request answer %q, weak password's problem %q", forgot, weak)
	}
	// The reset ended every session: the desk's is gone.
	if err := shot.run(desk, "desk-signed-out", load(s.url+"/account/security"), until(`location.pathname === '/signin'`)); err != nil {
		t.Fatal(err)
	}
}

// TestBrowserInvitations is the invitation lists in a real browser: Mick
// runs the wizard to an invitation e-mailed to the address he gives, which
// the SMTP server receives with the activation link; on /invitations he
// sees it sent, resends it to an address the mail server refuses (the
// refusal shows with the server's words), resends it to the right one
// (the new link shown once, the old one dead), and revokes it after a
// confirmation; then he resends and revokes a team invitation. Screenshots
// at 1280 and 375 px.
func TestBrowserInvitations(t *testing.T) {
	if os.Getenv("PARTNERKIT_E2E") == "" {
		t.Skip("set PARTNERKIT_E2E=1 (make test-e2e) to run the browser tests")
	}
	s := newMailSite(t)
	_, mick := s.partnerWithAdmin(s.provider, partners.TypeDistributor, "Mighty Mick's LLC", "mick@mighty.example", "Mick")
	_, _, err := s.svc.Partners.InviteMember(context.Background(), mick, partners.TeamInviteInput{Email: "new.colleague@mighty.example", Role: partnerkit.RoleStaff})
	s.check(err)
	shot := newShots(t)
	b := browser(t)

	var sentTo, newLink, refused string
	err = shot.run(b, "invitations", append(wizardInvite(s.url, "coach@champions.example", shot.take("invitations-01-wizard-invite-to")),
		textOf(&sentTo, "#summary-sent-to"))...)
	if err != nil {
		t.Fatal(err)
	}
	first := linkIn(t, s.mailTo("coach@champions.example", "invites Champions", 1), s.url, "/activate/")

	err = shot.run(b, "invitations-list",
		load(s.url+"/invitations"),
		waitFor(`#partner-invitations tr.invitation-row[data-status="pending"]`),
		reloadUntil(s.url+"/invitations", `#partner-invitations tr.invitation-row .status-sent`),
		waitFor(`#team-invitations tr.invitation-row[data-status="pending"]`),
		shot.take("invitations-02-list"),
		noSideways("invitations at 1280"),
		click(`#partner-invitations tr.invitation-row [data-act="resend"]`),
		waitFor("#answer-form-email"),
		setValue("#answer-form-email", "nobody@champions.example"),
		shot.take("invitations-03-resend-to"),
		click("#confirm-resend"),
		waitFor("#new-link-value"),
		click(`[data-act="link-done"]`),
		reloadUntil(s.url+"/invitations", `#partner-invitations .status-refused`),
		textOf(&refused, "#partner-invitations tr.invitation-row"),
		shot.take("invitations-04-refused"),
		click(`#partner-invitations tr.invitation-row [data-act="resend"]`),
		waitFor("#answer-form-email"),
		setValue("#answer-form-email", "boss@champions.example"),
		click("#confirm-resend"),
		waitFor("#new-link-value"),
		textOf(&newLink, "#new-link-value"),
		shot.take("invitations-05-new-link"),
		click(`[data-act="link-done"]`),
		eval(`window.confirm = () => true`), // the revoke asks first
		click(`#partner-invitations tr.invitation-row [data-act="revoke"]`),
		waitFor(`#partner-invitations tr.invitation-row[data-status="revoked"]`),
		until(`document.querySelector('#partner-invitations-status').innerText.includes('revoked')`),
		shot.take("invitations-06-revoked"),
		click(`#team-invitations tr.invitation-row [data-act="resend"]`),
		waitFor("#confirm-resend"),
		click("#confirm-resend"),
		waitFor("#new-link-value"),
		shot.take("invitations-07-team-resent"),
		click(`[data-act="link-done"]`),
		eval(`window.confirm = () => true`),
		click(`#team-invitations tr.invitation-row [data-act="revoke"]`),
		waitFor(`#team-invitations tr.invitation-row[data-status="revoked"]`),
	)
	if err != nil {
		t.Fatal(err)
	}
	if sentTo != "coach@champions.example" || !strings.Contains(newLink, "/activate/") || newLink == first ||
		!strings.Contains(refused, "refused") || !strings.Contains(refused, "mailbox unavailable") {
		t.Fatalf("sent to %q, new link %q (first %q), refused row %q", sentTo, newLink, first, refused)
	}
	if got := linkIn(t, s.mailTo("boss@champions.example", "invites Champions", 1), s.url, "/activate/"); got != newLink {
		t.Fatalf("the mail's link %q is not the one shown %q", got, newLink)
	}
	s.mailTo("new.colleague@mighty.example", "Join ", 2) // the team invitation, then its resend

	fresh := browser(t)
	if err := shot.run(fresh, "old-link", load(first), waitFor("#link-error")); err != nil {
		t.Fatal(err)
	}

	phone := browserSized(t, 375, 812)
	err = shot.run(phone, "invitations-phone",
		viewport(375, 812),
		signInAs(s.url, "mick@mighty.example", "Sup3r-secret"),
		waitFor("#create-partner"),
		load(s.url+"/invitations"),
		waitFor(`#partner-invitations tr.invitation-row`),
		waitFor(`#team-invitations tr.invitation-row`),
		shot.take("invitations-08-phone-375"),
		noSideways("invitations at 375"),
		load(s.url+"/team"),
		waitFor(`#team-invitations tr.invitation-row`),
		shot.take("invitations-09-team-page-375"),
		noSideways("team page at 375"),
	)
	if err != nil {
		t.Fatal(err)
	}
}

// wizardInvite signs Mick in at url and runs the wizard to the summary of
// an invitation of the reseller Champions to a new agreement, e-mailed to
// email; atInvite, when set, runs once the address is typed (a screenshot).
func wizardInvite(url, email string, atInvite chromedp.Action[chromedp.Void]) []chromedp.Action[chromedp.Void] {
	steps := []chromedp.Action[chromedp.Void]{
		signInAs(url, "mick@mighty.example", "Sup3r-secret"),
		waitFor("#create-partner"),
		click("#create-partner"),
		waitFor("#partner-name"),
		choose("#partner-type", "reseller"),
		typeIn("#partner-name", "Champions"),
		click("#create-agreement"),
		click("#next"),
		waitFor("#agreement-name"),
		typeIn("#agreement-name", "Reseller program"),
		click("#next"),
		waitFor("#action-invite"),
		click("#action-invite"),
		waitFor("#invite-email"),
		typeIn("#invite-email", email),
	}
	if atInvite != nil {
		steps = append(steps, atInvite)
	}
	return append(steps,
		click("#next"),
		waitFor("#wizard-review"),
		until(`document.querySelector('#wizard-review').innerText.includes('e-mailed to `+email+`')`),
		click("#create"),
		waitFor("#activation-link"))
}

// reloadUntil loads url until an element matching sel shows (a mail's
// delivery is recorded by a job, after the page loaded).
func reloadUntil(url, sel string) chromedp.Action[chromedp.Void] {
	return chromedp.Func(func(ctx context.Context, t *chromedp.Target) error {
		for range 60 {
			if _, err := load(url)(ctx, t); err != nil {
				return err
			}
			_, _ = until(`!!document.querySelector('#partner-invitations tr.invitation-row, #partner-invitations .empty')`)(ctx, t)
			if ok, err := chromedp.Evaluate[bool](fmt.Sprintf(`!!document.querySelector(%q)`, sel))(ctx, t); err != nil || ok {
				return err
			}
			time.Sleep(250 * time.Millisecond)
		}
		return fmt.Errorf("%s never showed on %s", sel, url)
	})
}
