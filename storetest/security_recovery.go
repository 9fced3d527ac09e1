package storetest

import (
	"context"
	"fmt"
	"strings"
	"testing"

	"github.com/partnerkit/partnerkit"
	"github.com/partnerkit/partnerkit/partners"
)

// recoveryCodeTests are the AccountSecurity tests of new recovery codes
// (RegenerateRecoveryCodes, RenewRecoveryCodes, also under concurrency)
// and of sealed two-factor secrets (WithSecretKey, ResealTwoFactorSecret,
// TwoFactorSecretLike).
func recoveryCodeTests() []test {
	ctx := context.Background()
	return []test{
		{name: "RecoveryCodesRegenerated", needs: forPartners, fn: func(t *testing.T, h Harness) {
			e := newSecEnv(t, h)
			calls := 0
			regen := func(password, code string) ([]string, error) { // each from its own address: the throttle has its test
				calls++
				return e.svc.RegenerateRecoveryCodes(ctx, e.admin, partners.RecoveryCodesInput{Password: password, Code: code},
					fmt.Sprintf("192.0.2.%d", 100+calls))
			}
			_, err := regen(secPassword, "123456")
			wantCode(t, err, partnerkit.CodeConflict) // two-factor sign-in is off
			secret, old := e.enrol(t, e.admin)
			_, err = regen("wrong", e.code(t, secret))
			wantField(t, err, partnerkit.CodeInvalid, "password")
			_, err = regen(secPassword, "")
			wantField(t, err, partnerkit.CodeInvalid, "code")
			_, err = regen(secPassword, "000000")
			wantField(t, err, partnerkit.CodeInvalid, "code")
			_, err = regen(secPassword, old[0]) // a recovery code does not make new ones
			wantField(t, err, partnerkit.CodeInvalid, "code")
			_, err = e.svc.RegenerateRecoveryCodes(ctx, partnerkit.Actor{AccountID: e.root.ID, APIKeyID: "AK-x", Role: partnerkit.RoleAdmin},
				partners.RecoveryCodesInput{Password: secPassword, Code: e.code(t, secret)}, "")
			wantCode(t, err, partnerkit.CodeForbidden)
			// One used code first: the new set is whole again.
			begin := func() string {
				t.Helper()
				return must[*partners.SignInResult](t)(e.svc.BeginSignIn(ctx, partners.SignInInput{Email: secEmail, Password: secPassword})).Challenge
			}
			_, err = e.svc.CompleteSignIn(ctx, partners.SecondFactorInput{Challenge: begin(), RecoveryCode: old[0]})
			noErr(t, err)
			code := e.code(t, secret)
			codes := must[[]string](t)(regen(secPassword, code))
			if len(codes) != partners.RecoveryCodes {
				t.Fatalf("%d new codes", len(codes))
			}
			for _, c := range codes {
				for _, o := range old {
					if c == o {
						t.Fatalf("new code %q is an old one", c)
					}
				}
			}
			if n := must[int](t)(e.store.RecoveryCodesLeft(ctx, e.adminUser.ID)); n != partners.RecoveryCodes {
				t.Fatalf("%d codes left after renewal", n)
			}
			// The code was accepted once: not again, here or at sign-in.
			_, err = regen(secPassword, code)
			wantField(t, err, partnerkit.CodeInvalid, "code")
			_, err = e.svc.CompleteSignIn(ctx, partners.SecondFactorInput{Challenge: begin(), Code: code})
			wantField(t, err, partnerkit.CodeInvalid, "code")
			// The old codes died, the new ones work once.
			_, err = e.svc.CompleteSignIn(ctx, partners.SecondFactorInput{Challenge: begin(), RecoveryCode: old[1]})
			wantField(t, err, partnerkit.CodeInvalid, "recovery_code")
			_, err = e.svc.CompleteSignIn(ctx, partners.SecondFactorInput{Challenge: begin(), RecoveryCode: codes[3]})
			noErr(t, err)
			_, err = e.svc.CompleteSignIn(ctx, partners.SecondFactorInput{Challenge: begin(), RecoveryCode: codes[3]})
			wantField(t, err, partnerkit.CodeInvalid, "recovery_code")
			if over := must[*partners.SecurityOverview](t)(e.svc.Security(ctx, e.admin, "")); over.RecoveryCodesLeft != partners.RecoveryCodes-1 {
				t.Fatalf("overview %+v", over)
			}
			// The store refuses a renewal once two-factor sign-in is off.
			e.advance(partners.TOTPPeriod)
			noErr(t, e.svc.DisableTwoFactor(ctx, e.admin, partners.DisableTwoFactorInput{Password: secPassword, Code: e.code(t, secret)}, ""))
			wantCode(t, e.store.RenewRecoveryCodes(ctx, e.adminUser.ID, []string{"h1"}, e.clock()), partnerkit.CodeNotFound)
			if n := must[int](t)(e.store.RecoveryCodesLeft(ctx, e.adminUser.ID)); n != 0 {
				t.Fatalf("%d codes left after disabling and a refused renewal", n)
			}
		}},

		{name: "RecoveryCodesThrottled", needs: forPartners, fn: func(t *testing.T, h Harness) {
			e := newSecEnv(t, h)
			secret, _ := e.enrol(t, e.admin)
			// The password and the code count as two attempts, and a right
			// password clears nothing: wrong codes from one address soon
			// wait, even with the next right code.
			var err error
			for range partners.PairAttempts / 2 {
				_, err = e.svc.RegenerateRecoveryCodes(ctx, e.admin, partners.RecoveryCodesInput{Password: secPassword, Code: "000000"}, "192.0.2.77")
				wantField(t, err, partnerkit.CodeInvalid, "code")
			}
			_, err = e.svc.RegenerateRecoveryCodes(ctx, e.admin, partners.RecoveryCodesInput{Password: secPassword, Code: e.code(t, secret)}, "192.0.2.77")
			wantCode(t, err, partnerkit.CodeRateLimited)
			// From elsewhere the right code works and clears the counts.
			codes := must[[]string](t)(e.svc.RegenerateRecoveryCodes(ctx, e.admin,
				partners.RecoveryCodesInput{Password: secPassword, Code: e.code(t, secret)}, "192.0.2.78"))
			if len(codes) != partners.RecoveryCodes {
				t.Fatalf("%d codes", len(codes))
			}
		}},

		{name: "ConcurrentRecoveryCodeRenewal", needs: forPartners, fn: func(t *testing.T, h Harness) {
			e := newSecEnv(t, h)
			uid := e.adminUser.ID
			now := e.clock()
			noErr(t, e.store.PendTwoFactor(ctx, uid, "plain:A", now))
			noErr(t, e.store.EnableTwoFactor(ctx, uid, 1, now))
			noErr(t, e.store.ReplaceRecoveryCodes(ctx, uid, []string{"old-1", "old-2"}))
			guarantee(t, h, "RenewRecoveryCodes's conditional UPDATE of the two_factor row before the codes change")
			set := func(round, i int) []string {
				return []string{fmt.Sprintf("r%d-%d-a", round, i), fmt.Sprintf("r%d-%d-b", round, i), fmt.Sprintf("r%d-%d-c", round, i)}
			}
			for round := range raceRounds {
				c := Outcomes(t, Race(10, func(i int) error { return e.store.RenewRecoveryCodes(ctx, uid, set(round, i), now) }))
				if c[""] != 10 {
					t.Fatalf("round %d: %v", round, c)
				}
				if n := must[int](t)(e.store.RecoveryCodesLeft(ctx, uid)); n != 3 {
					t.Fatalf("round %d: %d codes after 10 renewals of 3, want one set", round, n)
				}
				whole := 0
				for i := range 10 {
					if e.store.UseRecoveryCode(ctx, uid, set(round, i)[0], now) == nil {
						whole++
						for _, h := range set(round, i)[1:] {
							noErr(t, e.store.UseRecoveryCode(ctx, uid, h, now)) // the rest of that set is there
						}
					}
				}
				if whole != 1 {
					t.Fatalf("round %d: codes of %d renewals remain, want 1", round, whole)
				}
			}
			// Renewals racing the switch-off: none leaves codes behind it.
			for round := range raceRounds {
				errs := Race(10, func(i int) error {
					if i == 0 {
						return e.store.DisableTwoFactor(ctx, uid, now)
					}
					return e.store.RenewRecoveryCodes(ctx, uid, set(100+round, i), now)
				})
				Outcomes(t, errs, partnerkit.CodeNotFound)
				if errs[0] != nil {
					t.Fatalf("round %d: disable: %v", round, errs[0])
				}
				if n := must[int](t)(e.store.RecoveryCodesLeft(ctx, uid)); n != 0 {
					t.Fatalf("round %d: %d codes of a user whose two-factor sign-in is off", round, n)
				}
				noErr(t, e.store.PendTwoFactor(ctx, uid, "plain:A", now))
				noErr(t, e.store.EnableTwoFactor(ctx, uid, 1, now))
			}
		}},

		{name: "SecretKeySealsStoredSecrets", needs: forPartners, fn: func(t *testing.T, h Harness) {
			e := newSecEnv(t, h)
			key := []byte(strings.Repeat("k", 32))
			plain, _ := e.enrol(t, e.admin) // before the key: stored plain
			uid := e.adminUser.ID
			if tf := must[*partners.TwoFactor](t)(e.store.GetTwoFactor(ctx, uid)); tf.Secret != "plain:"+plain {
				t.Fatalf("stored without a key: %q", tf.Secret)
			}
			if s := must[string](t)(e.store.TwoFactorSecretLike(ctx, "aesgcm:")); s != "" {
				t.Fatalf("a sealed secret before any key: %q", s)
			}
			sealing := partners.NewService(e.store, partners.WithClock(e.clock), partners.WithPasswordHasher(CheapHasher),
				partners.WithMailQueue(e.mail), partners.WithResetAnswerFloor(0), partners.WithSecretKey(key))
			noErr(t, sealing.CheckSecretKey(ctx))
			// The plain secret still works, and its sign-in seals it.
			res := must[*partners.SignInResult](t)(sealing.BeginSignIn(ctx, partners.SignInInput{Email: secEmail, Password: secPassword}))
			_, err := sealing.CompleteSignIn(ctx, partners.SecondFactorInput{Challenge: res.Challenge, Code: e.code(t, plain)})
			noErr(t, err)
			stored := must[*partners.TwoFactor](t)(e.store.GetTwoFactor(ctx, uid)).Secret
			if !strings.HasPrefix(stored, "aesgcm:") || strings.Contains(stored, plain) {
				t.Fatalf("after a sign-in with the key: %q", stored)
			}
			if s := must[string](t)(e.store.TwoFactorSecretLike(ctx, "aesgcm:")); s != stored {
				t.Fatalf("TwoFactorSecretLike: %q, want %q", s, stored)
			}
			noErr(t, sealing.CheckSecretKey(ctx))
			// A new enrolment is sealed from the start.
			_, staff := e.member(t, "staff@root.example", partnerkit.RoleStaff)
			en := must[*partners.TwoFactorEnrolment](t)(sealing.BeginTwoFactor(ctx, staff))
			if s := must[*partners.TwoFactor](t)(e.store.GetTwoFactor(ctx, staff.UserID)).Secret; !strings.HasPrefix(s, "aesgcm:") ||
				strings.Contains(s, en.Secret) {
				t.Fatalf("new enrolment stored %q", s)
			}
			// Another key, or none, fails clearly; recovery codes still work.
			for _, svc := range []*partners.Service{
				partners.NewService(e.store, partners.WithClock(e.clock), partners.WithPasswordHasher(CheapHasher),
					partners.WithSecretKey([]byte(strings.Repeat("x", 32)))),
				partners.NewService(e.store, partners.WithClock(e.clock), partners.WithPasswordHasher(CheapHasher)),
			} {
				err := svc.CheckSecretKey(ctx)
				if partnerkit.ErrorCode(err) != partnerkit.CodeInternal ||
					!strings.Contains(err.Error(), "sealed under another key") && !strings.Contains(err.Error(), "no secret key") {
					t.Fatalf("check with the wrong key: %v", err)
				}
			}
			// The store's reseal is conditional on the secret it replaces.
			noErr(t, e.store.ResealTwoFactorSecret(ctx, uid, "plain:not-the-stored-one", "plain:X"))
			if s := must[*partners.TwoFactor](t)(e.store.GetTwoFactor(ctx, uid)).Secret; s != stored {
				t.Fatalf("a reseal of another secret changed it: %q", s)
			}
			noErr(t, e.store.ResealTwoFactorSecret(ctx, uid, stored, "plain:Y"))
			if s := must[*partners.TwoFactor](t)(e.store.GetTwoFactor(ctx, uid)).Secret; s != "plain:Y" {
				t.Fatalf("reseal: %q", s)
			}
		}},
	}
}
