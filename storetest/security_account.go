package storetest

import (
	"context"
	"fmt"
	"strings"
	"sync"
	"testing"
	"time"

	"github.com/partnerkit/partnerkit"
	"github.com/partnerkit/partnerkit/partners"
	"github.com/partnerkit/partnerkit/partners/rules"
	"github.com/pquerna/otp/totp"
)

// MailBox is a partnerkit.MailQueue that keeps what is queued, for tests.
type MailBox struct {
	mu    sync.Mutex
	mails []partnerkit.Mail
}

// QueueMail implements partnerkit.MailQueue.
func (b *MailBox) QueueMail(_ context.Context, m partnerkit.Mail) error {
	b.mu.Lock()
	defer b.mu.Unlock()
	b.mails = append(b.mails, m)
	return nil
}

// Sent returns the mail of one kind queued so far, oldest first.
func (b *MailBox) Sent(kind string) []partnerkit.Mail {
	b.mu.Lock()
	defer b.mu.Unlock()
	var out []partnerkit.Mail
	for _, m := range b.mails {
		if m.Kind == kind {
			out = append(out, m)
		}
	}
	return out
}

// Last returns the last mail of a kind, failing t when there is none.
func (b *MailBox) Last(t testing.TB, kind string) partnerkit.Mail {
	t.Helper()
	ms := b.Sent(kind)
	if len(ms) == 0 {
		t.Fatalf("no %s mail was queued", kind)
	}
	return ms[len(ms)-1]
}

// secEnv is a fresh database with a root provider, its admin, a staff
// member and a partners service that queues mail into a MailBox.
type secEnv struct {
	store     partners.Store
	svc       *partners.Service
	mail      *MailBox
	root      *partners.Account
	admin     partnerkit.Actor
	adminUser *partners.User
	clock     partnerkit.Clock
	advance   func(time.Duration)
}

const (
	secPassword = "Sup3r-secret"
	secEmail    = "admin@root.example"
)

func newSecEnv(t *testing.T, h Harness) *secEnv {
	t.Helper()
	st := h.MakeStores(t).Partners
	clock, advance := AdjustableClock(Epoch)
	box := &MailBox{}
	svc := partners.NewService(st, partners.WithClock(clock), partners.WithPasswordHasher(CheapHasher),
		partners.WithMailQueue(box), partners.WithResetAnswerFloor(0))
	root, user, err := svc.Bootstrap(context.Background(), partners.BootstrapInput{AccountName: "Root Provider",
		AdminEmail: secEmail, AdminFullName: "Root Admin", AdminPassword: secPassword})
	noErr(t, err)
	return &secEnv{store: st, svc: svc, mail: box, root: root, adminUser: user, clock: clock, advance: advance,
		admin: partnerkit.Actor{AccountID: root.ID, UserID: user.ID, Role: partnerkit.RoleAdmin}}
}

// member creates a user of the root account with a role.
func (e *secEnv) member(t *testing.T, email string, role partnerkit.Role) (*partners.User, partnerkit.Actor) {
	t.Helper()
	u, err := e.svc.CreateUser(context.Background(), e.admin, partners.CreateUserInput{Email: email, FullName: "Member " + email,
		Password: secPassword, Role: role})
	noErr(t, err)
	return u, partnerkit.Actor{AccountID: e.root.ID, UserID: u.ID, Role: role}
}

// signIn signs in without two-factor and returns the session token.
func (e *secEnv) signIn(t *testing.T, email, password, ua string) string {
	t.Helper()
	res, err := e.svc.BeginSignIn(context.Background(), partners.SignInInput{Email: email, Password: password, UserAgent: ua,
		Address: "192.0.2.10"})
	noErr(t, err)
	if res.Token == "" {
		t.Fatalf("sign-in of %s gave no session: %+v", email, res)
	}
	return res.Token
}

// code returns the current TOTP code of secret on the env's clock.
func (e *secEnv) code(t *testing.T, secret string) string {
	t.Helper()
	c, err := totp.GenerateCode(secret, e.clock())
	noErr(t, err)
	return c
}

// enrol turns two-factor sign-in on for actor and returns its secret and
// recovery codes; the clock then moves past the confirmation's time step.
func (e *secEnv) enrol(t *testing.T, actor partnerkit.Actor) (string, []string) {
	t.Helper()
	ctx := context.Background()
	en, err := e.svc.BeginTwoFactor(ctx, actor)
	noErr(t, err)
	codes, err := e.svc.ConfirmTwoFactor(ctx, actor, e.code(t, en.Secret), "192.0.2.10")
	noErr(t, err)
	e.advance(partners.TOTPPeriod)
	return en.Secret, codes
}

// resetToken asks for a reset link and returns its token, from the mail.
func (e *secEnv) resetToken(t *testing.T, email string) string {
	t.Helper()
	noErr(t, e.svc.RequestPasswordReset(context.Background(), email, "192.0.2.20"))
	m := e.mail.Last(t, partnerkit.MailPasswordReset)
	token, ok := strings.CutPrefix(m.Data["reset_path"], partners.ResetPasswordPath)
	if !ok || token == "" || m.To != email {
		t.Fatalf("reset mail %+v", m)
	}
	return token
}

// accountSecuritySuite is the table of the conformance tests of passwords
// (reset, change, the common list), sessions, two-factor sign-in and team
// invitation lists, and of the SecurityStore rules under concurrency.
func accountSecuritySuite() suite {
	ctx := context.Background()
	return suite{tests: append([]test{
		{name: "PasswordResetSingleUseAndEndsSessions", needs: forPartners, fn: func(t *testing.T, h Harness) {
			e := newSecEnv(t, h)
			first := e.signIn(t, secEmail, secPassword, "Firefox/1 Linux")
			second := e.signIn(t, secEmail, secPassword, "Chrome/1 Windows")
			token := e.resetToken(t, secEmail)
			m := e.mail.Last(t, partnerkit.MailPasswordReset)
			if m.Ref != e.adminUser.ID || m.AccountID != e.root.ID || m.Data["expires_at"] == "" || m.Data["full_name"] != "Root Admin" {
				t.Fatalf("reset mail %+v", m)
			}
			const next = "N3w-Passphrase"
			// A weak or common password is refused naming the field, and
			// does not spend the link.
			wantField(t, e.svc.ResetPassword(ctx, token, "short", ""), partnerkit.CodeInvalid, "password")
			err := e.svc.ResetPassword(ctx, token, "Password1", "")
			wantField(t, err, partnerkit.CodeInvalid, "password")
			if got := partnerkit.ErrorFields(err)["password"]; got != rules.CommonPasswordProblem {
				t.Fatalf("common password: %q", got)
			}
			guarantee(t, h, "UsePasswordReset's conditional UPDATE … WHERE used_at IS NULL")
			errs := Race(10, func(i int) error { return e.svc.ResetPassword(ctx, token, fmt.Sprintf("%s-%d", next, i), "") })
			if c := Outcomes(t, errs, partnerkit.CodeGone); c[""] != 1 || c[partnerkit.CodeGone] != 9 {
				t.Fatalf("10 uses of one link: %v", c)
			}
			won := -1
			for i, err := range errs {
				if err == nil {
					won = i
				}
			}
			for _, tok := range []string{first, second} {
				_, _, err := e.svc.SessionActor(ctx, tok)
				wantCode(t, err, partnerkit.CodeUnauthorized)
			}
			_, _, err = e.svc.Authenticate(ctx, secEmail, secPassword, "")
			wantCode(t, err, partnerkit.CodeUnauthorized)
			e.signIn(t, secEmail, fmt.Sprintf("%s-%d", next, won), "")
			wantCode(t, e.svc.ResetPassword(ctx, token, next, ""), partnerkit.CodeGone)
			wantCode(t, e.svc.ResetPassword(ctx, "unknown-token", next, ""), partnerkit.CodeNotFound)
			changed := e.mail.Last(t, partnerkit.MailPasswordChanged)
			if changed.Data["method"] != "reset" || changed.Data["sessions_ended"] != "2" || changed.To != secEmail {
				t.Fatalf("password changed mail %+v", changed)
			}
		}},

		{name: "PasswordResetExpires", needs: forPartners, fn: func(t *testing.T, h Harness) {
			e := newSecEnv(t, h)
			token := e.resetToken(t, secEmail)
			later := e.resetToken(t, secEmail)
			e.advance(partners.PasswordResetTTL)
			wantCode(t, e.svc.ResetPassword(ctx, token, "N3w-Passphrase", ""), partnerkit.CodeGone)
			_, err := e.store.UsePasswordReset(ctx, partners.HashToken(later), e.clock())
			wantCode(t, err, partnerkit.CodeGone)
			_, err = e.store.UsePasswordReset(ctx, partners.HashToken("nope"), e.clock())
			wantCode(t, err, partnerkit.CodeNotFound)
			// A new password kills the user's other links.
			a, b := e.resetToken(t, secEmail), e.resetToken(t, secEmail)
			noErr(t, e.svc.ResetPassword(ctx, a, "N3w-Passphrase", ""))
			wantCode(t, e.svc.ResetPassword(ctx, b, "Other-Passphrase9", ""), partnerkit.CodeGone)
		}},

		{name: "PasswordResetSameAnswerForUnknownEmail", needs: forPartners, fn: func(t *testing.T, h Harness) {
			e := newSecEnv(t, h)
			known := e.svc.RequestPasswordReset(ctx, "ADMIN@root.example", "192.0.2.30")
			unknown := e.svc.RequestPasswordReset(ctx, "nobody@root.example", "192.0.2.30")
			if known != nil || unknown != nil {
				t.Fatalf("answers differ or fail: known %v, unknown %v", known, unknown)
			}
			if ms := e.mail.Sent(partnerkit.MailPasswordReset); len(ms) != 1 || ms[0].To != secEmail {
				t.Fatalf("reset mail: %+v", ms)
			}
			wantField(t, e.svc.RequestPasswordReset(ctx, "not an email", ""), partnerkit.CodeInvalid, "email")
			// Throttled like sign-ins, for every email alike.
			for _, email := range []string{secEmail, "nobody@root.example"} {
				var err error
				for range partners.PairAttempts + 1 {
					err = e.svc.RequestPasswordReset(ctx, email, "192.0.2.31")
				}
				wantCode(t, err, partnerkit.CodeRateLimited)
			}
		}},

		{name: "ChangePassword", needs: forPartners, fn: func(t *testing.T, h Harness) {
			e := newSecEnv(t, h)
			current := e.signIn(t, secEmail, secPassword, "Firefox/1 Linux")
			other := e.signIn(t, secEmail, secPassword, "Chrome/1 Windows")
			change := func(cur, next string) error {
				_, err := e.svc.ChangePassword(ctx, e.admin, partners.ChangePasswordInput{CurrentPassword: cur, NewPassword: next}, current, "")
				return err
			}
			wantField(t, change("wrong", "N3w-Passphrase"), partnerkit.CodeInvalid, "current_password")
			wantField(t, change(secPassword, "Password1"), partnerkit.CodeInvalid, "new_password")
			wantField(t, change(secPassword, secPassword), partnerkit.CodeInvalid, "new_password")
			n, err := e.svc.ChangePassword(ctx, e.admin, partners.ChangePasswordInput{CurrentPassword: secPassword,
				NewPassword: "N3w-Passphrase"}, current, "")
			noErr(t, err)
			if n != 1 {
				t.Fatalf("%d other sessions ended, want 1", n)
			}
			_, _, err = e.svc.SessionActor(ctx, current)
			noErr(t, err)
			_, _, err = e.svc.SessionActor(ctx, other)
			wantCode(t, err, partnerkit.CodeUnauthorized)
			if m := e.mail.Last(t, partnerkit.MailPasswordChanged); m.Data["method"] != "change" {
				t.Fatalf("mail %+v", m)
			}
			_, err = e.svc.ChangePassword(ctx, partnerkit.Actor{AccountID: e.root.ID, APIKeyID: "AK-x", Role: partnerkit.RoleAdmin},
				partners.ChangePasswordInput{CurrentPassword: "N3w-Passphrase", NewPassword: "Other-Passphrase9"}, "", "")
			wantCode(t, err, partnerkit.CodeForbidden)
		}},

		{name: "CommonPasswordRefusedWhereSet", needs: forPartners, fn: func(t *testing.T, h Harness) {
			e := newSecEnv(t, h)
			for _, pw := range []string{"Password1", "PASSWORD1", "Qwerty123", "Trustno1"} {
				if !partners.IsCommonPassword(pw) {
					t.Fatalf("%q is not on the common list", pw)
				}
				_, err := e.svc.CreateUser(ctx, e.admin, partners.CreateUserInput{Email: "c@root.example", FullName: "C", Password: pw,
					Role: partnerkit.RoleStaff})
				wantField(t, err, partnerkit.CodeInvalid, "password")
			}
			if partners.IsCommonPassword(secPassword) {
				t.Fatalf("%q is on the common list", secPassword)
			}
			_, token, err := e.svc.InviteMember(ctx, e.admin, partners.TeamInviteInput{Email: "j@root.example", Role: partnerkit.RoleViewer})
			noErr(t, err)
			_, err = e.svc.AcceptTeamInvitation(ctx, token, partners.AcceptTeamInvitationInput{FullName: "J", Password: "Password1"}, "")
			wantField(t, err, partnerkit.CodeInvalid, "password")
			wantField(t, partners.ActivateAccountInput{Email: "a@b.example", FullName: "A", Password: "Password1",
				LegalName: "Champions Corp"}.Check(), partnerkit.CodeInvalid, "password")
			// The PWA's rule checks the policy alone.
			noErr(t, rules.CheckPasswordPolicy("Password1"))
		}},

		{name: "Sessions", needs: forPartners, fn: func(t *testing.T, h Harness) {
			e := newSecEnv(t, h)
			_, staff := e.member(t, "staff@root.example", partnerkit.RoleStaff)
			mine := e.signIn(t, secEmail, secPassword, "Mozilla/5.0 (X11; Linux x86_64; rv:128.0) Gecko/20100101 Firefox/128.0")
			phone := e.signIn(t, secEmail, secPassword, "Mozilla/5.0 (iPhone; CPU iPhone OS 17_0 like Mac OS X) Version/17.0 Mobile Safari/604.1")
			e.signIn(t, secEmail, secPassword, "curl/8.0")
			theirs := e.signIn(t, "staff@root.example", secPassword, "")
			list := must[[]partners.SessionInfo](t)(e.svc.Sessions(ctx, e.admin, mine))
			if len(list) != 3 {
				t.Fatalf("%d sessions, want 3: %+v", len(list), list)
			}
			current := 0
			for _, s := range list {
				if !partnerkit.HasPrefix(s.ID, partners.PrefixSession) || strings.Contains(mine, s.ID) || s.ID == partners.HashToken(mine) ||
					s.Address != "192.0.2.10" || s.CreatedAt.IsZero() || s.LastSeenAt.IsZero() {
					t.Fatalf("session %+v", s)
				}
				if s.Current {
					current++
					if s.Device != "Firefox on Linux" {
						t.Fatalf("current device %q", s.Device)
					}
				}
			}
			if current != 1 || list[0].Device != "curl" || list[1].Device != "Safari on iOS" {
				t.Fatalf("sessions %+v", list)
			}
			// Another user's session is not_found by its ID.
			theirList := must[[]partners.SessionInfo](t)(e.svc.Sessions(ctx, staff, theirs))
			wantCode(t, e.svc.RevokeSession(ctx, e.admin, theirList[0].ID), partnerkit.CodeNotFound)
			noErr(t, e.svc.RevokeSession(ctx, e.admin, list[1].ID))
			_, _, err := e.svc.SessionActor(ctx, phone)
			wantCode(t, err, partnerkit.CodeUnauthorized)
			wantCode(t, e.svc.RevokeSession(ctx, e.admin, list[1].ID), partnerkit.CodeNotFound)
			n := must[int](t)(e.svc.RevokeOtherSessions(ctx, e.admin, mine))
			if n != 1 {
				t.Fatalf("ended %d others, want 1", n)
			}
			if left := must[[]partners.SessionInfo](t)(e.svc.Sessions(ctx, e.admin, mine)); len(left) != 1 || !left[0].Current {
				t.Fatalf("left %+v", left)
			}
			_, _, err = e.svc.SessionActor(ctx, theirs)
			noErr(t, err)
		}},

		{name: "NewDeviceMail", needs: forPartners, fn: func(t *testing.T, h Harness) {
			e := newSecEnv(t, h)
			e.signIn(t, secEmail, secPassword, "Firefox/128.0 (X11; Linux)")
			e.signIn(t, secEmail, secPassword, "Firefox/129.0 (X11; Linux)") // the same device
			if ms := e.mail.Sent(partnerkit.MailNewSignIn); len(ms) != 0 {
				t.Fatalf("mail at a first or known device: %+v", ms)
			}
			e.signIn(t, secEmail, secPassword, "Mozilla/5.0 (Windows NT 10.0) Chrome/120.0 Safari/537.36")
			m := e.mail.Last(t, partnerkit.MailNewSignIn)
			if m.Data["device"] != "Chrome on Windows" || m.Data["address"] != "192.0.2.10" || m.To != secEmail ||
				!strings.HasPrefix(m.Ref, partners.PrefixSession+"-") {
				t.Fatalf("new sign-in mail %+v", m)
			}
			off := false
			over := must[*partners.SecurityOverview](t)(e.svc.SetSecurity(ctx, e.admin, partners.SecurityInput{NewSignInMail: &off}, ""))
			if over.NewSignInMail {
				t.Fatalf("overview %+v", over)
			}
			e.signIn(t, secEmail, secPassword, "Mozilla/5.0 (Android 14) Chrome/120.0 Mobile")
			if ms := e.mail.Sent(partnerkit.MailNewSignIn); len(ms) != 1 {
				t.Fatalf("%d new sign-in mails after turning them off", len(ms))
			}
		}},

		{name: "TwoFactorSignIn", needs: forPartners, fn: func(t *testing.T, h Harness) {
			e := newSecEnv(t, h)
			en := must[*partners.TwoFactorEnrolment](t)(e.svc.BeginTwoFactor(ctx, e.admin))
			if !strings.HasPrefix(en.URL, "otpauth://totp/") || !strings.Contains(en.URL, "secret="+en.Secret) ||
				!strings.HasPrefix(en.QRCodeSVG, "<svg") || !strings.HasPrefix(en.QRCode, "data:image/svg+xml;base64,") {
				t.Fatalf("enrolment %+v", en)
			}
			// Pending: sign-in stays one step until it is confirmed.
			e.signIn(t, secEmail, secPassword, "")
			_, err := e.svc.ConfirmTwoFactor(ctx, e.admin, "000000", "")
			wantField(t, err, partnerkit.CodeInvalid, "code")
			codes := must[[]string](t)(e.svc.ConfirmTwoFactor(ctx, e.admin, e.code(t, en.Secret), ""))
			if len(codes) != partners.RecoveryCodes {
				t.Fatalf("%d recovery codes", len(codes))
			}
			if m := e.mail.Last(t, partnerkit.MailTwoFactorChanged); m.Data["enabled"] != "true" {
				t.Fatalf("mail %+v", m)
			}
			_, err = e.svc.BeginTwoFactor(ctx, e.admin)
			wantCode(t, err, partnerkit.CodeConflict)
			e.advance(partners.TOTPPeriod)
			// Two steps now: the password gives a challenge, no session.
			_, _, err = e.svc.SignIn(ctx, secEmail, secPassword, "")
			wantCode(t, err, partnerkit.CodeUnauthorized)
			begin := func() string {
				t.Helper()
				res := must[*partners.SignInResult](t)(e.svc.BeginSignIn(ctx, partners.SignInInput{Email: secEmail, Password: secPassword,
					Address: "192.0.2.40", UserAgent: "Firefox/1 Linux"}))
				if res.Challenge == "" || res.Token != "" || res.Session != nil {
					t.Fatalf("first step %+v", res)
				}
				return res.Challenge
			}
			finish := func(in partners.SecondFactorInput) (*partners.SignInResult, error) {
				in.Address = "192.0.2.40"
				return e.svc.CompleteSignIn(ctx, in)
			}
			code := e.code(t, en.Secret)
			res := must[*partners.SignInResult](t)(finish(partners.SecondFactorInput{Challenge: begin(), Code: code}))
			if _, _, err := e.svc.SessionActor(ctx, res.Token); err != nil {
				t.Fatal(err)
			}
			// The same code again, with a new challenge: a replay.
			_, err = finish(partners.SecondFactorInput{Challenge: begin(), Code: code})
			wantField(t, err, partnerkit.CodeInvalid, "code")
			// A recovery code works once, whatever its case and dashes.
			challenge := begin()
			_, err = finish(partners.SecondFactorInput{Challenge: challenge, RecoveryCode: strings.ToUpper(strings.ReplaceAll(codes[0], "-", ""))})
			noErr(t, err)
			_, err = finish(partners.SecondFactorInput{Challenge: challenge, RecoveryCode: codes[1]})
			wantCode(t, err, partnerkit.CodeGone) // that challenge was used
			_, err = finish(partners.SecondFactorInput{Challenge: begin(), RecoveryCode: codes[0]})
			wantField(t, err, partnerkit.CodeInvalid, "recovery_code")
			over := must[*partners.SecurityOverview](t)(e.svc.Security(ctx, e.admin, ""))
			if !over.TwoFactorEnabled || over.RecoveryCodesLeft != partners.RecoveryCodes-1 {
				t.Fatalf("overview %+v", over)
			}
			// A challenge expires.
			late := begin()
			e.advance(partners.ChallengeTTL)
			_, err = finish(partners.SecondFactorInput{Challenge: late, Code: e.code(t, en.Secret)})
			wantCode(t, err, partnerkit.CodeGone)
			// Off again with the password and a code.
			e.advance(partners.TOTPPeriod)
			wantField(t, e.svc.DisableTwoFactor(ctx, e.admin, partners.DisableTwoFactorInput{Password: "wrong", Code: e.code(t, en.Secret)}, ""),
				partnerkit.CodeInvalid, "password")
			noErr(t, e.svc.DisableTwoFactor(ctx, e.admin, partners.DisableTwoFactorInput{Password: secPassword, Code: e.code(t, en.Secret)}, ""))
			if m := e.mail.Last(t, partnerkit.MailTwoFactorChanged); m.Data["enabled"] != "false" {
				t.Fatalf("mail %+v", m)
			}
			e.signIn(t, secEmail, secPassword, "")
			if n := must[int](t)(e.store.RecoveryCodesLeft(ctx, e.adminUser.ID)); n != 0 {
				t.Fatalf("%d recovery codes left after disabling", n)
			}
		}},

		{name: "TwoFactorCodesThrottled", needs: forPartners, fn: func(t *testing.T, h Harness) {
			e := newSecEnv(t, h)
			secret, _ := e.enrol(t, e.admin)
			begin := func(addr string) string {
				t.Helper()
				res := must[*partners.SignInResult](t)(e.svc.BeginSignIn(ctx, partners.SignInInput{Email: secEmail, Password: secPassword, Address: addr}))
				return res.Challenge
			}
			wrong := func(challenge, addr string) error {
				_, err := e.svc.CompleteSignIn(ctx, partners.SecondFactorInput{Challenge: challenge, Code: "000000", Address: addr})
				return err
			}
			// The sign-in throttle counts codes: from one address, the
			// password and four wrong codes use up the pair's attempts.
			c := begin("192.0.2.50")
			for range partners.PairAttempts - 1 {
				wantField(t, wrong(c, "192.0.2.50"), partnerkit.CodeInvalid, "code")
			}
			_, err := e.svc.CompleteSignIn(ctx, partners.SecondFactorInput{Challenge: c, Code: e.code(t, secret), Address: "192.0.2.50"})
			wantCode(t, err, partnerkit.CodeRateLimited)
			// Repeated wrong codes kill the challenge, from any address.
			e.advance(partners.EmailWindow) // a new window of every count
			c = begin("192.0.2.60")
			for i := range partners.MaxChallengeFailures {
				err := wrong(c, fmt.Sprintf("192.0.2.%d", 70+i))
				if i < partners.MaxChallengeFailures-1 {
					wantField(t, err, partnerkit.CodeInvalid, "code")
				} else {
					wantCode(t, err, partnerkit.CodeGone)
				}
			}
			_, err = e.svc.CompleteSignIn(ctx, partners.SecondFactorInput{Challenge: c, Code: e.code(t, secret), Address: "192.0.2.80"})
			wantCode(t, err, partnerkit.CodeGone)
			// A right code on a live challenge still signs in.
			e.advance(partners.EmailWindow)
			_, err = e.svc.CompleteSignIn(ctx, partners.SecondFactorInput{Challenge: begin("192.0.2.90"), Code: e.code(t, secret), Address: "192.0.2.90"})
			noErr(t, err)
		}},

		{name: "RequiredTwoFactorForcesEnrolment", needs: forPartners, fn: func(t *testing.T, h Harness) {
			e := newSecEnv(t, h)
			_, staff := e.member(t, "staff@root.example", partnerkit.RoleStaff)
			on := true
			_, err := e.svc.SetAccountSecurity(ctx, staff, partners.AccountSecurityInput{RequireTwoFactor: &on})
			wantCode(t, err, partnerkit.CodeForbidden)
			sec := must[*partners.AccountSecurity](t)(e.svc.SetAccountSecurity(ctx, e.admin, partners.AccountSecurityInput{RequireTwoFactor: &on}))
			if !sec.RequireTwoFactor || sec.AccountID != e.root.ID {
				t.Fatalf("settings %+v", sec)
			}
			key, keyToken, err := e.svc.CreateAPIKey(ctx, e.admin, partners.APIKeyInput{Description: "k", Role: partnerkit.RoleViewer})
			noErr(t, err)
			res := must[*partners.SignInResult](t)(e.svc.BeginSignIn(ctx, partners.SignInInput{Email: "staff@root.example", Password: secPassword}))
			if !res.EnrolmentRequired || !res.Session.Restricted {
				t.Fatalf("sign-in %+v", res)
			}
			_, _, err = e.svc.SessionActor(ctx, res.Token)
			wantCode(t, err, partnerkit.CodeForbidden)
			actor, _, err := e.svc.SessionMember(ctx, res.Token) // who am I, and enrol
			noErr(t, err)
			over := must[*partners.SecurityOverview](t)(e.svc.Security(ctx, actor, res.Token))
			if !over.SessionRestricted || over.TwoFactorRequiredBy != "Root Provider" {
				t.Fatalf("overview %+v", over)
			}
			// API keys are unaffected.
			if a, err := e.svc.APIKeyActor(ctx, keyToken); err != nil || a.APIKeyID != key.ID {
				t.Fatalf("API key: %+v %v", a, err)
			}
			secret, _ := e.enrol(t, actor)
			if _, _, err := e.svc.SessionActor(ctx, res.Token); err != nil {
				t.Fatalf("after enrolment: %v", err)
			}
			// It stays on while the account requires it.
			err = e.svc.DisableTwoFactor(ctx, staff, partners.DisableTwoFactorInput{Password: secPassword, Code: e.code(t, secret)}, "")
			wantCode(t, err, partnerkit.CodeForbidden)
			// An admin without two-factor is asked too.
			res = must[*partners.SignInResult](t)(e.svc.BeginSignIn(ctx, partners.SignInInput{Email: secEmail, Password: secPassword}))
			if !res.EnrolmentRequired {
				t.Fatalf("admin sign-in %+v", res)
			}
		}},

		{name: "TeamInvitationsListResendRevoke", needs: forPartners, fn: func(t *testing.T, h Harness) {
			e := newSecEnv(t, h)
			_, viewer := e.member(t, "viewer@root.example", partnerkit.RoleViewer)
			inv, token, err := e.svc.InviteMember(ctx, e.admin, partners.TeamInviteInput{Email: "Joiner@Root.example", Role: partnerkit.RoleStaff})
			noErr(t, err)
			m := e.mail.Last(t, partnerkit.MailTeamInvitation)
			if m.Data["invite_path"] != partners.JoinPath+token || m.Data["account_name"] != "Root Provider" || m.Data["role"] != "staff" ||
				m.Data["inviter"] != "Root Admin" || m.Ref != inv.ID || m.To != "joiner@root.example" || m.Data["expires_at"] == "" {
				t.Fatalf("invitation mail %+v", m)
			}
			_, err = e.svc.TeamInvitations(ctx, viewer)
			wantCode(t, err, partnerkit.CodeForbidden)
			list := must[[]partners.TeamInvitationView](t)(e.svc.TeamInvitations(ctx, e.admin))
			if len(list) != 1 || list[0].Status != partners.InvitationPending || list[0].SentAt.IsZero() || list[0].Delivery != nil {
				t.Fatalf("list %+v", list)
			}
			again, newToken, err := e.svc.ResendTeamInvitation(ctx, e.admin, inv.ID)
			noErr(t, err)
			if newToken == token || again.ID != inv.ID || !again.SentAt.After(inv.SentAt) || len(e.mail.Sent(partnerkit.MailTeamInvitation)) != 2 {
				t.Fatalf("resent %+v", again)
			}
			_, err = e.svc.ReviewTeamInvitation(ctx, token)
			wantCode(t, err, partnerkit.CodeNotFound) // the old link died
			must[*partners.TeamInvitationReview](t)(e.svc.ReviewTeamInvitation(ctx, newToken))
			// Revoked: the link stops working.
			other, otherToken, err := e.svc.InviteMember(ctx, e.admin, partners.TeamInviteInput{Email: "other@root.example", Role: partnerkit.RoleViewer})
			noErr(t, err)
			must[*partners.TeamInvitation](t)(e.svc.RevokeTeamInvitation(ctx, e.admin, other.ID))
			_, err = e.svc.ReviewTeamInvitation(ctx, otherToken)
			wantCode(t, err, partnerkit.CodeGone)
			_, err = e.svc.RevokeTeamInvitation(ctx, e.admin, other.ID)
			wantCode(t, err, partnerkit.CodeConflict)
			_, _, err = e.svc.ResendTeamInvitation(ctx, e.admin, other.ID)
			wantCode(t, err, partnerkit.CodeConflict)
			// Used: activated; and another account's ID is not_found.
			must[*partners.User](t)(e.svc.AcceptTeamInvitation(ctx, newToken, partners.AcceptTeamInvitationInput{FullName: "Joiner",
				Password: "Joiner-pass-9"}, ""))
			expiring, _, err := e.svc.InviteMember(ctx, e.admin, partners.TeamInviteInput{Email: "late@root.example", Role: partnerkit.RoleViewer})
			noErr(t, err)
			e.advance(partners.TeamInvitationTTL)
			status := map[string]string{}
			for _, v := range must[[]partners.TeamInvitationView](t)(e.svc.TeamInvitations(ctx, e.admin)) {
				status[v.ID] = v.Status
			}
			want := map[string]string{inv.ID: partners.InvitationActivated, other.ID: partners.InvitationRevoked, expiring.ID: partners.InvitationExpired}
			if fmt.Sprint(status) != fmt.Sprint(want) {
				t.Fatalf("statuses %v, want %v", status, want)
			}
			_, _, err = e.svc.ResendTeamInvitation(ctx, e.admin, inv.ID)
			wantCode(t, err, partnerkit.CodeConflict)
			_, _, err = e.svc.ResendTeamInvitation(ctx, e.admin, expiring.ID) // an expired one may be sent again
			noErr(t, err)
			dist, err := e.svc.CreatePartner(ctx, e.admin, partners.CreatePartnerInput{Type: partners.TypeDistributor, Name: "D"})
			noErr(t, err)
			foreign := partnerkit.Actor{AccountID: dist.ID, UserID: "UR-x", Role: partnerkit.RoleAdmin}
			_, err = e.svc.RevokeTeamInvitation(ctx, foreign, expiring.ID)
			wantCode(t, err, partnerkit.CodeNotFound)
		}},

		{name: "StoreRules", needs: forPartners, fn: func(t *testing.T, h Harness) {
			e := newSecEnv(t, h)
			uid := e.adminUser.ID
			now := e.clock()
			got := must[*partners.AccountSecurity](t)(e.store.GetAccountSecurity(ctx, e.root.ID))
			if got.RequireTwoFactor || got.AccountID != e.root.ID || !got.UpdatedAt.IsZero() {
				t.Fatalf("default settings %+v", got)
			}
			_, err := e.store.GetTwoFactor(ctx, uid)
			wantCode(t, err, partnerkit.CodeNotFound)
			noErr(t, e.store.PendTwoFactor(ctx, uid, "plain:A", now))
			wantCode(t, e.store.UseTOTPStep(ctx, uid, 5), partnerkit.CodeNotFound) // pending is not enabled
			noErr(t, e.store.PendTwoFactor(ctx, uid, "plain:B", now))
			noErr(t, e.store.EnableTwoFactor(ctx, uid, 10, now))
			wantCode(t, e.store.EnableTwoFactor(ctx, uid, 11, now), partnerkit.CodeConflict)
			wantCode(t, e.store.PendTwoFactor(ctx, uid, "plain:C", now), partnerkit.CodeConflict)
			tf := must[*partners.TwoFactor](t)(e.store.GetTwoFactor(ctx, uid))
			if tf.Secret != "plain:B" || tf.EnabledAt == nil || tf.LastStep != 10 || tf.MuteNewSignIn {
				t.Fatalf("two-factor %+v", tf)
			}
			wantCode(t, e.store.UseTOTPStep(ctx, uid, 10), partnerkit.CodeConflict)
			noErr(t, e.store.UseTOTPStep(ctx, uid, 11))
			noErr(t, e.store.SetMuteNewSignIn(ctx, uid, true, now))
			if tf := must[*partners.TwoFactor](t)(e.store.GetTwoFactor(ctx, uid)); !tf.MuteNewSignIn || tf.Secret != "plain:B" || tf.LastStep != 11 {
				t.Fatalf("mute kept the rest? %+v", tf)
			}
			noErr(t, e.store.ReplaceRecoveryCodes(ctx, uid, []string{"h1", "h2"}))
			noErr(t, e.store.UseRecoveryCode(ctx, uid, "h1", now))
			wantCode(t, e.store.UseRecoveryCode(ctx, uid, "h1", now), partnerkit.CodeNotFound)
			wantCode(t, e.store.UseRecoveryCode(ctx, uid, "h3", now), partnerkit.CodeNotFound)
			if n := must[int](t)(e.store.RecoveryCodesLeft(ctx, uid)); n != 1 {
				t.Fatalf("%d codes left", n)
			}
			noErr(t, e.store.DisableTwoFactor(ctx, uid, now))
			wantCode(t, e.store.DisableTwoFactor(ctx, uid, now), partnerkit.CodeNotFound)
			if tf := must[*partners.TwoFactor](t)(e.store.GetTwoFactor(ctx, uid)); tf.Secret != "" || tf.EnabledAt != nil || !tf.MuteNewSignIn {
				t.Fatalf("disabled %+v", tf)
			}
			if n := must[int](t)(e.store.RecoveryCodesLeft(ctx, uid)); n != 0 {
				t.Fatalf("%d codes left after disabling", n)
			}
			// Devices: new, known, counted.
			for i, c := range []struct {
				device string
				added  bool
				before int
			}{{"A", true, 0}, {"A", false, 1}, {"B", true, 1}} {
				added, before, err := e.store.RememberDevice(ctx, uid, c.device, now)
				noErr(t, err)
				if added != c.added || before != c.before {
					t.Fatalf("device %d: added %v before %d, want %v %d", i, added, before, c.added, c.before)
				}
			}
			// Challenges.
			ch := &partners.SignInChallenge{TokenHash: "ch1", UserID: uid, AccountID: e.root.ID, CreatedAt: now, ExpiresAt: now.Add(time.Minute)}
			noErr(t, e.store.CreateSignInChallenge(ctx, ch))
			if n := must[int](t)(e.store.FailSignInChallenge(ctx, "ch1")); n != 1 {
				t.Fatalf("failures %d", n)
			}
			_, err = e.store.FailSignInChallenge(ctx, "nope")
			wantCode(t, err, partnerkit.CodeNotFound)
			wantCode(t, e.store.UseSignInChallenge(ctx, "ch1", 1, now), partnerkit.CodeGone) // at the limit
			noErr(t, e.store.UseSignInChallenge(ctx, "ch1", 2, now))
			wantCode(t, e.store.UseSignInChallenge(ctx, "ch1", 2, now), partnerkit.CodeGone)
			_, err = e.store.FailSignInChallenge(ctx, "ch1")
			wantCode(t, err, partnerkit.CodeGone)
			if c := must[*partners.SignInChallenge](t)(e.store.GetSignInChallenge(ctx, "ch1")); c.UsedAt == nil || c.Failures != 1 {
				t.Fatalf("challenge %+v", c)
			}
			wantCode(t, e.store.UpdateUserPassword(ctx, "UR-none", "x", now), partnerkit.CodeNotFound)
			wantCode(t, e.store.DeleteUserSession(ctx, uid, "SE-none"), partnerkit.CodeNotFound)
			_, err = e.store.GetTeamInvitation(ctx, "TI-none")
			wantCode(t, err, partnerkit.CodeNotFound)
			wantCode(t, e.store.RevokeTeamInvitation(ctx, "TI-none", now), partnerkit.CodeNotFound)
		}},

		{name: "ConcurrentSecondFactorOnce", needs: forPartners, fn: func(t *testing.T, h Harness) {
			e := newSecEnv(t, h)
			uid := e.adminUser.ID
			now := e.clock()
			noErr(t, e.store.PendTwoFactor(ctx, uid, "plain:A", now))
			noErr(t, e.store.EnableTwoFactor(ctx, uid, 1, now))
			noErr(t, e.store.ReplaceRecoveryCodes(ctx, uid, []string{"h1"}))
			guarantee(t, h, "the conditional UPDATEs of UseTOTPStep, UseRecoveryCode, UseSignInChallenge and PendTwoFactor")
			for round := range raceRounds {
				step := int64(10 + round)
				c := Outcomes(t, Race(10, func(int) error { return e.store.UseTOTPStep(ctx, uid, step) }), partnerkit.CodeConflict)
				if c[""] != 1 {
					t.Fatalf("round %d: one step accepted %d times", round, c[""])
				}
				hash := fmt.Sprintf("ch-%d", round)
				noErr(t, e.store.CreateSignInChallenge(ctx, &partners.SignInChallenge{TokenHash: hash, UserID: uid, AccountID: e.root.ID,
					CreatedAt: now, ExpiresAt: now.Add(time.Minute)}))
				c = Outcomes(t, Race(10, func(int) error { return e.store.UseSignInChallenge(ctx, hash, 5, now) }), partnerkit.CodeGone)
				if c[""] != 1 {
					t.Fatalf("round %d: one challenge used %d times", round, c[""])
				}
				fails := Race(10, func(int) error {
					_, err := e.store.FailSignInChallenge(ctx, hash)
					return err
				})
				Outcomes(t, fails, partnerkit.CodeGone)
			}
			c := Outcomes(t, Race(10, func(int) error { return e.store.UseRecoveryCode(ctx, uid, "h1", now) }), partnerkit.CodeNotFound)
			if c[""] != 1 {
				t.Fatalf("one recovery code used %d times", c[""])
			}
			other := must[*partners.User](t)(e.svc.CreateUser(ctx, e.admin, partners.CreateUserInput{Email: "o@root.example", FullName: "O",
				Password: secPassword, Role: partnerkit.RoleStaff}))
			// Enrolments racing a confirmation never replace an enabled secret.
			noErr(t, e.store.PendTwoFactor(ctx, other.ID, "plain:first", now))
			errs := Race(10, func(i int) error {
				if i == 0 {
					return e.store.EnableTwoFactor(ctx, other.ID, 1, now)
				}
				return e.store.PendTwoFactor(ctx, other.ID, fmt.Sprintf("plain:%d", i), now)
			})
			Outcomes(t, errs, partnerkit.CodeConflict)
			tf := must[*partners.TwoFactor](t)(e.store.GetTwoFactor(ctx, other.ID))
			if errs[0] == nil && (tf.EnabledAt == nil || tf.LastStep != 1) {
				t.Fatalf("enabled, then replaced: %+v", tf)
			}
		}},

		{name: "ConcurrentTeamInvitationResendRevoke", needs: forPartners, fn: func(t *testing.T, h Harness) {
			e := newSecEnv(t, h)
			guarantee(t, h, "RenewTeamInvitation's and RevokeTeamInvitation's conditional UPDATEs")
			for round := range raceRounds {
				inv, _, err := e.svc.InviteMember(ctx, e.admin, partners.TeamInviteInput{Email: fmt.Sprintf("r%d@root.example", round), Role: partnerkit.RoleViewer})
				noErr(t, err)
				errs := Race(10, func(i int) error {
					if i%2 == 0 {
						_, err := e.svc.RevokeTeamInvitation(ctx, e.admin, inv.ID)
						return err
					}
					_, _, err := e.svc.ResendTeamInvitation(ctx, e.admin, inv.ID)
					return err
				})
				revoked := 0
				for i, err := range errs {
					if err == nil && i%2 == 0 {
						revoked++
					}
				}
				Outcomes(t, errs, partnerkit.CodeConflict)
				if revoked != 1 {
					t.Fatalf("round %d: revoked %d times", round, revoked)
				}
			}
		}},
	}, recoveryCodeTests()...)}
}
