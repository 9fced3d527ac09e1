package storetest

import (
	"context"
	"strings"
	"testing"

	"github.com/partnerkit/partnerkit"
	"github.com/partnerkit/partnerkit/partners"
)

// securitySuite is the table of the conformance tests of the rules that
// keep one tenant out of another's business: the audit trail of shared
// users, suspension, API keys of removed members, throttled password checks
// everywhere, and adding members without revealing other tenants' logins.
func securitySuite() suite {
	ctx := context.Background()
	const password = "Sup3r-secret"

	// twoTenants makes distributors A and B under the root, each with an
	// admin, and a user who is a member of both.
	twoTenants := func(t *testing.T, h Harness) (e *partnersEnv, a, b *partners.Account, adminA, adminB partnerkit.Actor, shared *partners.User) {
		t.Helper()
		e = newPartnersEnv(t, h)
		a = e.create(t, e.admin, partners.CreatePartnerInput{Type: partners.TypeDistributor, Name: "Tenant A"})
		b = e.create(t, e.admin, partners.CreatePartnerInput{Type: partners.TypeDistributor, Name: "Tenant B"})
		admin := func(acct *partners.Account, email string) partnerkit.Actor {
			u := must[*partners.User](t)(e.svc.CreateUser(ctx, e.admin, partners.CreateUserInput{AccountID: acct.ID, Email: email,
				FullName: "Admin", Password: password, Role: partnerkit.RoleAdmin}))
			return partnerkit.Actor{AccountID: acct.ID, UserID: u.ID, Role: partnerkit.RoleAdmin}
		}
		adminA, adminB = admin(a, "admin@a.example"), admin(b, "admin@b.example")
		shared = must[*partners.User](t)(e.svc.CreateUser(ctx, adminA, partners.CreateUserInput{Email: "shared@both.example",
			FullName: "Shared", Password: password, Role: partnerkit.RoleStaff}))
		must[*partners.Membership](t)(e.svc.AddMember(ctx, e.admin, b.ID, shared.ID, partnerkit.RoleStaff))
		must[*partners.Membership](t)(e.svc.ChangeRole(ctx, adminB, shared.ID, partnerkit.RoleViewer))
		return e, a, b, adminA, adminB, shared
	}
	return suite{tests: []test{
		{name: "AuditTrailPerTenant", needs: forPartners, fn: func(t *testing.T, h Harness) {
			e, a, b, adminA, adminB, shared := twoTenants(t, h)
			for _, c := range []struct {
				name    string
				actor   partnerkit.Actor
				account string // the only account whose events it sees; "" = both
			}{{"TenantA", adminA, a.ID}, {"TenantB", adminB, b.ID}, {"RootSeesBoth", e.admin, ""}} {
				t.Run(c.name, func(t *testing.T) {
					trail := must[partnerkit.List[partnerkit.AuditEvent]](t)(e.svc.AuditTrail(ctx, c.actor, shared.ID, partnerkit.Page{}))
					seen := map[string]bool{}
					for _, ev := range trail.Items {
						seen[ev.AccountID] = true
						if c.account != "" && ev.AccountID != c.account {
							t.Fatalf("%s sees %s of account %s", c.name, ev.Action, ev.AccountID)
						}
					}
					if trail.Total != len(trail.Items) || c.account == "" && (!seen[a.ID] || !seen[b.ID]) || c.account != "" && !seen[c.account] {
						t.Fatalf("%s sees %d events of accounts %v", c.name, trail.Total, seen)
					}
				})
			}
			outsider := e.create(t, e.admin, partners.CreatePartnerInput{Type: partners.TypeDistributor, Name: "Outsider"})
			_, err := e.svc.AuditTrail(ctx, partnerkit.Actor{AccountID: outsider.ID, UserID: "UR-x", Role: partnerkit.RoleAdmin}, shared.ID, partnerkit.Page{})
			wantCode(t, err, partnerkit.CodeNotFound)
		}},

		{name: "SuspendedAccountCannotAct", needs: forPartners, fn: func(t *testing.T, h Harness) {
			e, a, b, adminA, _, _ := twoTenants(t, h)
			_, keyA := must2[*partners.APIKey, string](t)(e.svc.CreateAPIKey(ctx, adminA, partners.APIKeyInput{Description: "erp", Role: partnerkit.RoleStaff}))
			tokenA, _ := must2[string, *partners.Session](t)(e.svc.SignIn(ctx, "admin@a.example", password, ""))
			sharedToken, sess := must2[string, *partners.Session](t)(e.svc.SignIn(ctx, "shared@both.example", password, ""))
			if sess.AccountID != a.ID {
				t.Fatalf("the shared user's session starts in %s, want A", sess.AccountID)
			}
			must[*partners.Account](t)(e.svc.SuspendPartner(ctx, e.admin, a.ID))

			_, _, err := e.svc.SessionActor(ctx, tokenA)
			wantCode(t, err, partnerkit.CodeForbidden)
			if msg := partnerkit.ErrorMessage(err); !strings.Contains(msg, "suspended") {
				t.Fatalf("message %q does not name the suspension", msg)
			}
			_, err = e.svc.APIKeyActor(ctx, keyA)
			wantCode(t, err, partnerkit.CodeForbidden)
			_, _, err = e.svc.SignIn(ctx, "admin@a.example", password, "")
			wantCode(t, err, partnerkit.CodeForbidden)
			// A member of another account still sees who they are and switches.
			_, _, err = e.svc.SessionActor(ctx, sharedToken)
			wantCode(t, err, partnerkit.CodeForbidden)
			if _, _, err := e.svc.SessionMember(ctx, sharedToken); err != nil {
				t.Fatal(err)
			}
			switched := must[partnerkit.Actor](t)(e.svc.SwitchAccount(ctx, sharedToken, b.ID))
			if switched.AccountID != b.ID {
				t.Fatalf("switched to %s", switched.AccountID)
			}
			_, err = e.svc.SwitchAccount(ctx, sharedToken, a.ID)
			wantCode(t, err, partnerkit.CodeForbidden)
			_, s2 := must2[string, *partners.Session](t)(e.svc.SignIn(ctx, "shared@both.example", password, ""))
			if s2.AccountID != b.ID {
				t.Fatalf("a fresh sign-in lands in %s, want the active account B", s2.AccountID)
			}
			// Reactivation restores access.
			must[*partners.Account](t)(e.svc.ReactivatePartner(ctx, e.admin, a.ID))
			must2[partnerkit.Actor, *partners.Session](t)(e.svc.SessionActor(ctx, tokenA))
			must[partnerkit.Actor](t)(e.svc.APIKeyActor(ctx, keyA))
		}},

		{name: "KeysDieWithTheirCreator", needs: forPartners, fn: func(t *testing.T, h Harness) {
			e, _, _, adminA, _, _ := twoTenants(t, h)
			second := must[*partners.User](t)(e.svc.CreateUser(ctx, adminA, partners.CreateUserInput{Email: "leaver@a.example",
				FullName: "Leaver", Password: password, Role: partnerkit.RoleAdmin}))
			leaver := partnerkit.Actor{AccountID: adminA.AccountID, UserID: second.ID, Role: partnerkit.RoleAdmin}
			k, key := must2[*partners.APIKey, string](t)(e.svc.CreateAPIKey(ctx, leaver, partners.APIKeyInput{Description: "laptop", Role: partnerkit.RoleAdmin}))
			_, kept := must2[*partners.APIKey, string](t)(e.svc.CreateAPIKey(ctx, adminA, partners.APIKeyInput{Description: "ci", Role: partnerkit.RoleStaff}))
			keys := must[[]partners.APIKey](t)(e.svc.APIKeys(ctx, adminA))
			for _, x := range keys {
				if x.ID == k.ID && (x.Creator == nil || x.Creator.Email != "leaver@a.example") {
					t.Fatalf("the keys list does not name the creator: %+v", x)
				}
			}
			must[partnerkit.Actor](t)(e.svc.APIKeyActor(ctx, key))
			noErr(t, e.svc.RemoveMember(ctx, adminA, second.ID))
			_, err := e.svc.APIKeyActor(ctx, key)
			wantCode(t, err, partnerkit.CodeUnauthorized)
			must[partnerkit.Actor](t)(e.svc.APIKeyActor(ctx, kept))
			for _, x := range must[[]partners.APIKey](t)(e.svc.APIKeys(ctx, adminA)) {
				if x.ID == k.ID && x.RevokedAt == nil {
					t.Fatalf("the removed member's key is not shown revoked: %+v", x)
				}
			}
		}},

		{name: "TeamInvitationPasswordThrottled", needs: forPartners, fn: func(t *testing.T, h Harness) {
			e := newPartnersEnv(t, h)
			// The root's admin is invited into another account: accepting
			// checks the password of that registered login.
			other := e.create(t, e.admin, partners.CreatePartnerInput{Type: partners.TypeDistributor, Name: "Other"})
			_, token := must2[*partners.TeamInvitation, string](t)(e.svc.InviteMember(ctx,
				partnerkit.Actor{AccountID: other.ID, UserID: e.adminUser.ID, Role: partnerkit.RoleAdmin},
				partners.TeamInviteInput{Email: "admin@root.example", Role: partnerkit.RoleStaff}))
			for range partners.PairAttempts {
				_, err := e.svc.AcceptTeamInvitation(ctx, token, partners.AcceptTeamInvitationInput{Password: "Wrong-pass1"}, "10.1.2.3")
				wantField(t, err, partnerkit.CodeInvalid, "password")
			}
			_, err := e.svc.AcceptTeamInvitation(ctx, token, partners.AcceptTeamInvitationInput{Password: password}, "10.1.2.3")
			wantCode(t, err, partnerkit.CodeRateLimited)
			// The same throttle as sign-in: that pair is held there too.
			_, _, err = e.svc.SignIn(ctx, "admin@root.example", password, "10.1.2.3")
			wantCode(t, err, partnerkit.CodeRateLimited)
			must[*partners.User](t)(e.svc.AcceptTeamInvitation(ctx, token, partners.AcceptTeamInvitationInput{Password: password}, "10.9.8.7"))
		}},

		{name: "AddTeamMemberRevealsNothing", needs: forPartners, fn: func(t *testing.T, h Harness) {
			e, a, _, adminA, _, _ := twoTenants(t, h)
			add := func(email string) (*partners.TeamAddition, error) {
				return e.svc.AddTeamMember(ctx, adminA, partners.CreateUserInput{Email: email, FullName: "Newcomer",
					Password: password, Role: partnerkit.RoleStaff})
			}
			taken := must[*partners.TeamAddition](t)(add("ADMIN@b.example")) // a login of tenant B
			fresh := must[*partners.TeamAddition](t)(add("fresh@new.example"))
			if *taken != (partners.TeamAddition{Email: "admin@b.example", FullName: "Newcomer", Role: partnerkit.RoleStaff}) ||
				*fresh != (partners.TeamAddition{Email: "fresh@new.example", FullName: "Newcomer", Role: partnerkit.RoleStaff}) {
				t.Fatalf("answers differ beyond the email: %+v / %+v", taken, fresh)
			}
			// The new email is a member now; the registered one is invited, not
			// added, and keeps its own password.
			members := must[[]partners.Member](t)(e.svc.Members(ctx, adminA, a.ID))
			emails := map[string]bool{}
			for _, m := range members {
				emails[m.User.Email] = true
			}
			if !emails["fresh@new.example"] || emails["admin@b.example"] {
				t.Fatalf("members of A: %v", emails)
			}
			_, _, err := e.svc.Authenticate(ctx, "admin@b.example", password, "")
			noErr(t, err)
			// Bad input is refused the same way for both.
			for _, email := range []string{"admin@b.example", "other@new.example"} {
				_, err := e.svc.AddTeamMember(ctx, adminA, partners.CreateUserInput{Email: email, FullName: "X", Password: "weak", Role: partnerkit.RoleStaff})
				wantField(t, err, partnerkit.CodeInvalid, "password")
			}
			_, err = add("fresh@new.example") // already in this very team: that is no secret
			wantField(t, err, partnerkit.CodeConflict, "email")
		}},
	}}
}
