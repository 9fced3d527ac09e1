package storetest

import (
	"context"
	"fmt"
	"strings"
	"testing"
	"time"

	"github.com/partnerkit/partnerkit"
	"github.com/partnerkit/partnerkit/partners"
)

// authSuite is the table of the conformance tests of sessions, sign-in
// throttling, API keys and team roles.
func authSuite() suite {
	ctx := context.Background()
	const password = "Sup3r-secret" // the bootstrap admin's
	return suite{tests: []test{
		{name: "Sessions", needs: forPartners, fn: func(t *testing.T, h Harness) {
			e := newPartnersEnv(t, h)
			dist := e.create(t, e.admin, partners.CreatePartnerInput{Type: partners.TypeDistributor, Name: "D"})
			must[*partners.Membership](t)(e.svc.AddMember(ctx, e.admin, dist.ID, e.adminUser.ID, partnerkit.RoleViewer))
			token, sess, err := e.svc.SignIn(ctx, "ADMIN@root.example", password, "10.0.0.1")
			noErr(t, err)
			if len(token) < 40 || sess.AccountID != e.root.ID || sess.TokenHash == token {
				t.Fatalf("session %+v", sess)
			}
			actor, _, err := e.svc.SessionActor(ctx, token)
			noErr(t, err)
			if actor != e.admin {
				t.Fatalf("actor %+v, want %+v", actor, e.admin)
			}
			switched := must[partnerkit.Actor](t)(e.svc.SwitchAccount(ctx, token, dist.ID))
			again, _, err := e.svc.SessionActor(ctx, token)
			noErr(t, err)
			if switched.Role != partnerkit.RoleViewer || again.AccountID != dist.ID {
				t.Fatalf("after switch: %+v %+v", switched, again)
			}
			_, err = e.svc.SwitchAccount(ctx, token, "PA-elsewhere")
			wantField(t, err, partnerkit.CodeInvalid, "account_id")
			_, _, err = e.svc.SessionActor(ctx, "not-a-token")
			wantCode(t, err, partnerkit.CodeUnauthorized)
			// Stores agree that a missing session or key cannot be updated.
			wantCode(t, e.store.UpdateSession(ctx, &partners.Session{TokenHash: "none", LastSeenAt: Epoch}), partnerkit.CodeNotFound)
			wantCode(t, e.store.UpdateAPIKey(ctx, &partners.APIKey{ID: "AK-none"}), partnerkit.CodeNotFound)
			noErr(t, e.svc.SignOut(ctx, token))
			_, _, err = e.svc.SessionActor(ctx, token)
			wantCode(t, err, partnerkit.CodeUnauthorized)
			// Sessions expire.
			token, _, err = e.svc.SignIn(ctx, "admin@root.example", password, "")
			noErr(t, err)
			e.advance(partners.SessionTTL + time.Minute)
			_, _, err = e.svc.SessionActor(ctx, token)
			wantCode(t, err, partnerkit.CodeUnauthorized)
		}},

		{name: "SignInThrottled", needs: forPartners, fn: func(t *testing.T, h Harness) {
			e := newPartnersEnv(t, h)
			signIn := func(email, pw, addr string) error {
				_, _, err := e.svc.SignIn(ctx, email, pw, addr)
				return err
			}
			// The (email, address) pair: five checks, then that pair waits.
			for range partners.PairAttempts {
				wantCode(t, signIn("admin@root.example", "wrong", "10.0.0.2"), partnerkit.CodeUnauthorized)
			}
			err := signIn("admin@root.example", password, "10.0.0.2")
			wantCode(t, err, partnerkit.CodeRateLimited)
			if !strings.Contains(partnerkit.ErrorMessage(err), "try again in") || partnerkit.ErrorRetryAfter(err) <= 0 {
				t.Fatalf("message %q, retry after %s", partnerkit.ErrorMessage(err), partnerkit.ErrorRetryAfter(err))
			}
			// A stranger cannot lock a user out: 100 more guesses from X leave
			// the user signing in from Y.
			for range 100 {
				wantCode(t, signIn("victim@root.example", "wrong", "10.6.6.6"), partnerkit.CodeUnauthorized, partnerkit.CodeRateLimited)
			}
			must[*partners.User](t)(e.svc.CreateUser(ctx, e.admin, partners.CreateUserInput{Email: "victim@root.example",
				FullName: "Victim", Password: "Sup3r-secret", Role: partnerkit.RoleStaff}))
			for range 100 {
				wantCode(t, signIn("victim@root.example", "wrong", "10.6.6.6"), partnerkit.CodeRateLimited)
			}
			noErr(t, signIn("victim@root.example", "Sup3r-secret", "10.7.7.7"))
			noErr(t, signIn("admin@root.example", password, "10.0.0.3"))
			// The address: AddressAttempts checks for any emails, then it waits.
			for i := range partners.AddressAttempts {
				wantCode(t, signIn(fmt.Sprintf("user%d@nat.example", i), "wrong", "10.8.8.8"), partnerkit.CodeUnauthorized)
			}
			wantCode(t, signIn("someone@else.example", "whatever", "10.8.8.8"), partnerkit.CodeRateLimited)
			// Windows end.
			e.advance(partners.PairWindow + time.Minute)
			noErr(t, signIn("admin@root.example", password, "10.0.0.2"))
			noErr(t, signIn("victim@root.example", "Sup3r-secret", "10.8.8.8"))
		}},

		{name: "SignInManyAddressesSlowOneEmail", needs: forPartners, fn: func(t *testing.T, h Harness) {
			e := newPartnersEnv(t, h)
			// An attacker with a new address for every guess, trying every 5
			// seconds for an hour, gets a bounded number of password checks.
			checked := 0
			start := e.svc.Clock().Now()
			for i := 0; e.svc.Clock().Now().Sub(start) < partners.EmailWindow; i++ {
				_, _, err := e.svc.SignIn(ctx, "admin@root.example", "wrong", fmt.Sprintf("10.%d.%d.%d", i/65536%256, i/256%256, i%256))
				wantCode(t, err, partnerkit.CodeUnauthorized, partnerkit.CodeRateLimited)
				if partnerkit.ErrorCode(err) == partnerkit.CodeUnauthorized {
					checked++
				}
				e.advance(5 * time.Second)
			}
			if checked < partners.EmailFreeAttempts || checked > 40 {
				t.Fatalf("%d guesses checked in an hour, want %d to 40", checked, partners.EmailFreeAttempts)
			}
			// Slowed, not locked: after the delay the user signs in.
			e.advance(partners.EmailMaxDelay)
			noErr(t, func() error { _, _, err := e.svc.SignIn(ctx, "admin@root.example", password, "192.0.2.1"); return err }())
		}},

		{name: "APIKeys", needs: forPartners, fn: func(t *testing.T, h Harness) {
			e := newPartnersEnv(t, h)
			staff := partnerkit.Actor{AccountID: e.root.ID, UserID: "UR-staff", Role: partnerkit.RoleStaff}
			_, _, err := e.svc.CreateAPIKey(ctx, staff, partners.APIKeyInput{Description: "ci", Role: partnerkit.RoleViewer})
			wantCode(t, err, partnerkit.CodeForbidden)
			_, _, err = e.svc.CreateAPIKey(ctx, e.admin, partners.APIKeyInput{Role: partnerkit.RoleViewer})
			wantField(t, err, partnerkit.CodeInvalid, "description")
			past := Epoch.Add(-time.Hour)
			_, _, err = e.svc.CreateAPIKey(ctx, e.admin, partners.APIKeyInput{Description: "x", Role: partnerkit.RoleStaff, ExpiresAt: &past})
			wantField(t, err, partnerkit.CodeInvalid, "expires_at")

			exp := Epoch.Add(48 * time.Hour)
			k, key, err := e.svc.CreateAPIKey(ctx, e.admin, partners.APIKeyInput{Description: "usage collector", Role: partnerkit.RoleStaff, ExpiresAt: &exp})
			noErr(t, err)
			if !strings.HasPrefix(key, partners.APIKeyPrefix) || !strings.HasPrefix(key, k.Prefix) || k.LastUsedAt != nil {
				t.Fatalf("key %q %+v", key, k)
			}
			actor, err := e.svc.APIKeyActor(ctx, key)
			noErr(t, err)
			if actor.APIKeyID != k.ID || actor.Role != partnerkit.RoleStaff || actor.AccountID != e.root.ID || actor.Principal() != k.ID {
				t.Fatalf("actor %+v", actor)
			}
			keys := must[[]partners.APIKey](t)(e.svc.APIKeys(ctx, e.admin))
			if len(keys) != 1 || keys[0].LastUsedAt == nil || keys[0].TokenHash == key {
				t.Fatalf("keys %+v", keys)
			}
			e.advance(49 * time.Hour)
			_, err = e.svc.APIKeyActor(ctx, key)
			wantCode(t, err, partnerkit.CodeUnauthorized) // expired

			_, key2, err := e.svc.CreateAPIKey(ctx, e.admin, partners.APIKeyInput{Description: "no expiry", Role: partnerkit.RoleViewer})
			noErr(t, err)
			k2 := must[[]partners.APIKey](t)(e.svc.APIKeys(ctx, e.admin))[0]
			must[*partners.APIKey](t)(e.svc.RevokeAPIKey(ctx, e.admin, k2.ID))
			_, err = e.svc.APIKeyActor(ctx, key2)
			wantCode(t, err, partnerkit.CodeUnauthorized)
			_, err = e.svc.RevokeAPIKey(ctx, e.admin, k2.ID)
			wantCode(t, err, partnerkit.CodeConflict)
			other := e.create(t, e.admin, partners.CreatePartnerInput{Type: partners.TypeDistributor, Name: "Other"})
			_, err = e.svc.RevokeAPIKey(ctx, partnerkit.Actor{AccountID: other.ID, Role: partnerkit.RoleAdmin}, k.ID)
			wantCode(t, err, partnerkit.CodeNotFound)
			_, err = e.svc.APIKeyActor(ctx, "pk_forged")
			wantCode(t, err, partnerkit.CodeUnauthorized)
		}},

		{name: "TeamInvitations", needs: forPartners, fn: func(t *testing.T, h Harness) {
			e := newPartnersEnv(t, h)
			_, _, err := e.svc.InviteMember(ctx, partnerkit.Actor{AccountID: e.root.ID, Role: partnerkit.RoleStaff},
				partners.TeamInviteInput{Email: "new@root.example", Role: partnerkit.RoleStaff})
			wantCode(t, err, partnerkit.CodeForbidden)
			_, _, err = e.svc.InviteMember(ctx, e.admin, partners.TeamInviteInput{Email: "nope", Role: "owner"})
			wantField(t, err, partnerkit.CodeInvalid, "email")
			inv, token, err := e.svc.InviteMember(ctx, e.admin, partners.TeamInviteInput{Email: " New@Root.example ", Role: partnerkit.RoleStaff})
			noErr(t, err)
			rev := must[*partners.TeamInvitationReview](t)(e.svc.ReviewTeamInvitation(ctx, token))
			if rev.AccountName != "Root Provider" || rev.Email != "new@root.example" || rev.Registered || inv.TokenHash == token {
				t.Fatalf("review %+v", rev)
			}
			_, err = e.svc.AcceptTeamInvitation(ctx, token, partners.AcceptTeamInvitationInput{FullName: "New", Password: "weak"}, "")
			wantField(t, err, partnerkit.CodeInvalid, "password")
			u := must[*partners.User](t)(e.svc.AcceptTeamInvitation(ctx, token, partners.AcceptTeamInvitationInput{FullName: "New", Password: "Passw0rd!"}, ""))
			_, ms, err := e.svc.Authenticate(ctx, "new@root.example", "Passw0rd!", "")
			noErr(t, err)
			if len(ms) != 1 || ms[0].AccountID != e.root.ID || ms[0].Role != partnerkit.RoleStaff || ms[0].UserID != u.ID {
				t.Fatalf("memberships %+v", ms)
			}
			_, err = e.svc.AcceptTeamInvitation(ctx, token, partners.AcceptTeamInvitationInput{FullName: "New", Password: "Passw0rd!"}, "")
			wantCode(t, err, partnerkit.CodeGone)
			_, err = e.svc.ReviewTeamInvitation(ctx, "unknown")
			wantCode(t, err, partnerkit.CodeNotFound)
			// A registered email joins another account with its own password.
			dist := e.create(t, e.admin, partners.CreatePartnerInput{Type: partners.TypeDistributor, Name: "D"})
			distAdmin := partnerkit.Actor{AccountID: dist.ID, UserID: "UR-d", Role: partnerkit.RoleAdmin}
			_, token2, err := e.svc.InviteMember(ctx, distAdmin, partners.TeamInviteInput{Email: "new@root.example", Role: partnerkit.RoleViewer})
			noErr(t, err)
			if rev := must[*partners.TeamInvitationReview](t)(e.svc.ReviewTeamInvitation(ctx, token2)); !rev.Registered {
				t.Fatalf("review %+v", rev)
			}
			_, err = e.svc.AcceptTeamInvitation(ctx, token2, partners.AcceptTeamInvitationInput{Password: "Wrong-pass1"}, "")
			wantField(t, err, partnerkit.CodeInvalid, "password")
			must[*partners.User](t)(e.svc.AcceptTeamInvitation(ctx, token2, partners.AcceptTeamInvitationInput{Password: "Passw0rd!"}, ""))
			if _, ms, _ := e.svc.Authenticate(ctx, "new@root.example", "Passw0rd!", ""); len(ms) != 2 {
				t.Fatalf("memberships %+v", ms)
			}
			// Links expire.
			_, token3, err := e.svc.InviteMember(ctx, e.admin, partners.TeamInviteInput{Email: "late@root.example", Role: partnerkit.RoleViewer})
			noErr(t, err)
			e.advance(partners.TeamInvitationTTL + time.Minute)
			_, err = e.svc.AcceptTeamInvitation(ctx, token3, partners.AcceptTeamInvitationInput{FullName: "L", Password: "Passw0rd!"}, "")
			wantCode(t, err, partnerkit.CodeGone)
		}},

		{name: "TeamKeepsAnAdmin", needs: forPartners, fn: func(t *testing.T, h Harness) {
			e := newPartnersEnv(t, h)
			u := must[*partners.User](t)(e.svc.CreateUser(ctx, e.admin, partners.CreateUserInput{Email: "b@root.example",
				FullName: "B", Password: "Passw0rd!", Role: partnerkit.RoleStaff}))
			_, err := e.svc.ChangeRole(ctx, e.admin, e.admin.UserID, partnerkit.RoleViewer)
			wantCode(t, err, partnerkit.CodeConflict) // the only admin
			wantCode(t, e.svc.RemoveMember(ctx, e.admin, e.admin.UserID), partnerkit.CodeConflict)
			m := must[*partners.Membership](t)(e.svc.ChangeRole(ctx, e.admin, u.ID, partnerkit.RoleAdmin))
			if m.Role != partnerkit.RoleAdmin {
				t.Fatalf("role %s", m.Role)
			}
			must[*partners.Membership](t)(e.svc.ChangeRole(ctx, e.admin, e.admin.UserID, partnerkit.RoleViewer))
			_, err = e.svc.ChangeRole(ctx, e.admin, u.ID, "owner")
			wantField(t, err, partnerkit.CodeInvalid, "role")
			newAdmin := partnerkit.Actor{AccountID: e.root.ID, UserID: u.ID, Role: partnerkit.RoleAdmin}
			noErr(t, e.svc.RemoveMember(ctx, newAdmin, e.admin.UserID))
			members := must[[]partners.Member](t)(e.svc.Members(ctx, newAdmin, e.root.ID))
			if len(members) != 1 || members[0].UserID != u.ID {
				t.Fatalf("members %+v", members)
			}
			wantCode(t, e.svc.RemoveMember(ctx, newAdmin, "UR-nobody"), partnerkit.CodeNotFound)
			_, err = e.svc.ChangeRole(ctx, partnerkit.Actor{AccountID: e.root.ID, Role: partnerkit.RoleStaff}, u.ID, partnerkit.RoleViewer)
			wantCode(t, err, partnerkit.CodeForbidden)
		}},
	}}
}
