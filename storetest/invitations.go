package storetest

import (
	"context"
	"fmt"
	"strings"
	"sync"
	"testing"
	"time"

	"github.com/partnerkit/partnerkit"
	"github.com/partnerkit/partnerkit/contracts"
	"github.com/partnerkit/partnerkit/partners"
)

// mailLog is a partnerkit.MailQueue that keeps what it was asked to queue.
type mailLog struct {
	mu   sync.Mutex
	mail []partnerkit.Mail
}

func (m *mailLog) QueueMail(_ context.Context, x partnerkit.Mail) error {
	m.mu.Lock()
	defer m.mu.Unlock()
	m.mail = append(m.mail, x)
	return nil
}

func (m *mailLog) all() []partnerkit.Mail {
	m.mu.Lock()
	defer m.mu.Unlock()
	return append([]partnerkit.Mail(nil), m.mail...)
}

// mailing returns a contracts service on the fixture's stores that queues
// its mail in a log.
func (f *onboardingFixture) mailing() (*contracts.Service, *mailLog) {
	log := &mailLog{}
	return contracts.NewService(f.stores.Contracts, f.svc, f.agr, f.stores.Partners,
		contracts.WithClock(f.clock), contracts.WithMailQueue(log)), log
}

func activation(email string) contracts.ActivationInput {
	return contracts.ActivationInput{Email: email, AcceptAgreement: true, FullName: "Coach Carter", Password: "Sup3r-secret", LegalName: "Champions Corp"}
}

// invitationOf returns the invitation as the issuer's list shows it.
func (f *onboardingFixture) invitationOf(t *testing.T, id string) contracts.Invitation {
	t.Helper()
	list := must[partnerkit.List[contracts.Invitation]](t)(f.con.Invitations(context.Background(), f.actor, contracts.InvitationFilter{}))
	for _, inv := range list.Items {
		if inv.ID == id {
			return inv
		}
	}
	t.Fatalf("invitation %s is not in its issuer's list", id)
	return contracts.Invitation{}
}

func invitationLifeTests() []test {
	ctx := context.Background()
	return []test{
		// The wizard mails the invitation (to the address given, else the
		// business contact); a resend issues a new link and kills the old
		// one; a revocation kills the link; both only for the issuer.
		{name: "ResendAndRevoke", needs: forContracts, fn: func(t *testing.T, h Harness) {
			f := newOnboardingFixture(t, h)
			con, log := f.mailing()
			res := must[*contracts.OnboardingResult](t)(con.Onboard(ctx, f.actor, contracts.OnboardingInput{
				Partner: partners.CreatePartnerInput{Type: partners.TypeReseller, Name: "Champions Corp",
					BusinessContact: partners.Contact{Name: "Coach", Email: "Coach@Champions.example"}},
				AgreementID: f.program.ID, Action: contracts.ActionInvite}))
			mail := log.all()
			if len(mail) != 1 || mail[0].Kind != partnerkit.MailPartnerInvitation || mail[0].To != "coach@champions.example" ||
				mail[0].Ref != res.Invitation.ID || mail[0].Data["activation_path"] != contracts.ActivationPath(res.ActivationToken) ||
				mail[0].Data["partner_name"] != "Champions Corp" || mail[0].Data["inviter_name"] != "Mighty Mick's LLC" ||
				mail[0].Data["agreement_name"] != f.program.Name || mail[0].AccountID != f.actor.AccountID {
				t.Fatalf("the wizard queued %+v", mail)
			}
			inv := f.invitationOf(t, res.Invitation.ID)
			if inv.Status != contracts.InvitationPending || inv.SentTo != "coach@champions.example" || inv.Sends != 1 || !inv.SentAt.Equal(inv.CreatedAt) {
				t.Fatalf("listed %+v", inv)
			}
			// The address given in the wizard wins over the contact's.
			other := must[*contracts.OnboardingResult](t)(con.Onboard(ctx, f.actor, contracts.OnboardingInput{
				Partner: partners.CreatePartnerInput{Type: partners.TypeReseller, Name: "Globex",
					BusinessContact: partners.Contact{Email: "ceo@globex.example"}},
				AgreementID: f.program.ID, Action: contracts.ActionInvite, InviteEmail: "IT@Globex.example"}))
			if got := log.all(); len(got) != 2 || got[1].To != "it@globex.example" || other.Invitation.SentTo != "it@globex.example" {
				t.Fatalf("queued %+v", got)
			}
			// Without an address the link is only handed out.
			quiet := must[*contracts.OnboardingResult](t)(con.Onboard(ctx, f.actor, contracts.OnboardingInput{
				Partner: partners.CreatePartnerInput{Type: partners.TypeReseller, Name: "Initech"}, AgreementID: f.program.ID, Action: contracts.ActionInvite}))
			if len(log.all()) != 2 || quiet.Invitation.SentTo != "" {
				t.Fatalf("an invitation without an address was mailed: %+v", log.all())
			}

			// Another account, staff of another tenant, a viewer: not theirs.
			stranger := f.create(t, f.admin, partners.CreatePartnerInput{Type: partners.TypeDistributor, Name: "Stranger"})
			foreign := partnerkit.Actor{AccountID: stranger.ID, UserID: "UR-stranger", Role: partnerkit.RoleAdmin}
			_, err := con.ResendInvitation(ctx, foreign, res.Invitation.ID, contracts.ResendInput{})
			wantCode(t, err, partnerkit.CodeNotFound)
			_, err = con.RevokeInvitation(ctx, foreign, res.Invitation.ID)
			wantCode(t, err, partnerkit.CodeNotFound)
			viewer := f.actor
			viewer.Role = partnerkit.RoleViewer
			_, err = con.RevokeInvitation(ctx, viewer, res.Invitation.ID)
			wantCode(t, err, partnerkit.CodeForbidden)
			_, err = con.ResendInvitation(ctx, f.actor, res.Invitation.ID, contracts.ResendInput{Email: "not an address"})
			wantField(t, err, partnerkit.CodeInvalid, "email")

			// Resend: a new link, the old one dead, mailed to the new address.
			f.advance(time.Hour)
			again := must[*contracts.ResendResult](t)(con.ResendInvitation(ctx, f.actor, res.Invitation.ID, contracts.ResendInput{Email: "Carter@Champions.example"}))
			if again.ActivationToken == res.ActivationToken || again.Invitation.Sends != 2 || again.Invitation.SentTo != "carter@champions.example" {
				t.Fatalf("resent %+v", again)
			}
			_, err = con.ReviewInvitation(ctx, res.ActivationToken)
			wantCode(t, err, partnerkit.CodeNotFound)
			must[*contracts.InvitationReview](t)(con.ReviewInvitation(ctx, again.ActivationToken))
			if got := log.all(); len(got) != 3 || got[2].To != "carter@champions.example" || got[2].Data["activation_path"] != contracts.ActivationPath(again.ActivationToken) {
				t.Fatalf("the resend queued %+v", got)
			}
			inv = f.invitationOf(t, res.Invitation.ID)
			if inv.Sends != 2 || !inv.SentAt.After(inv.CreatedAt) || !inv.ExpiresAt.After(res.Invitation.ExpiresAt) {
				t.Fatalf("after the resend %+v", inv)
			}

			// Revoke: the link is dead, with a message that says so.
			revoked := must[*contracts.Invitation](t)(con.RevokeInvitation(ctx, f.actor, res.Invitation.ID))
			if revoked.Status != contracts.InvitationRevoked || revoked.RevokedAt == nil || revoked.RevokedBy != f.actor.Principal() {
				t.Fatalf("revoked %+v", revoked)
			}
			_, err = con.ActivateInvitation(ctx, again.ActivationToken, activation("coach@champions.example"))
			wantCode(t, err, partnerkit.CodeGone)
			_, err = con.RevokeInvitation(ctx, f.actor, res.Invitation.ID)
			wantCode(t, err, partnerkit.CodeGone)
			_, err = con.ResendInvitation(ctx, f.actor, res.Invitation.ID, contracts.ResendInput{})
			wantCode(t, err, partnerkit.CodeGone)
			if inv := f.invitationOf(t, res.Invitation.ID); inv.Status != contracts.InvitationRevoked || inv.RevokedAt == nil {
				t.Fatalf("listed after revoking: %+v", inv)
			}
			list := must[partnerkit.List[contracts.Invitation]](t)(con.Invitations(ctx, f.actor, contracts.InvitationFilter{Status: contracts.InvitationRevoked}))
			if list.Total != 1 || list.Items[0].ID != res.Invitation.ID {
				t.Fatalf("revoked invitations %+v", list)
			}

			// An expired invitation can be sent again, and works.
			f.advance(contracts.DefaultInvitationTTL + time.Second)
			must[int](t)(con.ExpireInvitations(ctx))
			if inv := f.invitationOf(t, other.Invitation.ID); inv.Status != contracts.InvitationExpired {
				t.Fatalf("not expired: %+v", inv)
			}
			fresh := must[*contracts.ResendResult](t)(con.ResendInvitation(ctx, f.actor, other.Invitation.ID, contracts.ResendInput{}))
			if fresh.Invitation.Status != contracts.InvitationPending || fresh.Invitation.SentTo != "it@globex.example" {
				t.Fatalf("resent after expiry %+v", fresh.Invitation)
			}
			must[*contracts.ActivationResult](t)(con.ActivateInvitation(ctx, fresh.ActivationToken, activation("it@globex.example")))
			if inv := f.invitationOf(t, other.Invitation.ID); inv.Status != contracts.InvitationActivated {
				t.Fatalf("after activation %+v", inv)
			}
			_, err = con.ResendInvitation(ctx, f.actor, other.Invitation.ID, contracts.ResendInput{})
			wantCode(t, err, partnerkit.CodeGone)

			// The trail tells the story.
			actions := actionsOf(auditOf(t, f.partnersEnv, f.actor, res.Partner.ID))
			if want := "partner.created,invitation.created,invitation.resent,invitation.revoked"; strings.Join(actions, ",") != want {
				t.Fatalf("trail %v, want %s", actions, want)
			}
		}},

		// Concurrent resends: whatever the order, exactly one of the links
		// they return works.
		{name: "ConcurrentResends", needs: forContracts, fn: func(t *testing.T, h Harness) {
			f := newOnboardingFixture(t, h)
			guarantee(t, h, "ReissueInvitation is conditional on the token hash the resend read")
			res := f.invite(t, "Champions Corp")
			tokens := make([]string, 6)
			errs := Race(len(tokens), func(i int) error {
				r, err := f.con.ResendInvitation(ctx, f.actor, res.Invitation.ID, contracts.ResendInput{})
				if err == nil {
					tokens[i] = r.ActivationToken
				}
				return err
			})
			Outcomes(t, errs, partnerkit.CodeConflict)
			working := 0
			for _, tok := range append(tokens, res.ActivationToken) {
				if tok == "" {
					continue
				}
				if _, err := f.con.ReviewInvitation(ctx, tok); err == nil {
					working++
				}
			}
			if working != 1 {
				t.Fatalf("%d links work after concurrent resends, want 1", working)
			}
		}},

		// A revocation, a resend and an activation at once: the activation
		// succeeds only if it came first, and the invitation ends in the
		// state the winners say.
		{name: "ConcurrentRevokeResendActivate", needs: forContracts, fn: func(t *testing.T, h Harness) {
			f := newOnboardingFixture(t, h)
			guarantee(t, h, "conditional updates on the invitation's status (and token hash)")
			for round := range 6 {
				res := f.invite(t, fmt.Sprintf("Partner %d", round))
				errs := Race(3, func(i int) error {
					switch i {
					case 0:
						_, err := f.con.RevokeInvitation(ctx, f.actor, res.Invitation.ID)
						return err
					case 1:
						_, err := f.con.ResendInvitation(ctx, f.actor, res.Invitation.ID, contracts.ResendInput{})
						return err
					}
					_, err := f.con.ActivateInvitation(ctx, res.ActivationToken, activation(fmt.Sprintf("p%d@partner.example", round)))
					return err
				})
				Outcomes(t, errs, partnerkit.CodeGone, partnerkit.CodeNotFound, partnerkit.CodeConflict)
				revokedOK, resentOK, activatedOK := errs[0] == nil, errs[1] == nil, errs[2] == nil
				inv := f.invitationOf(t, res.Invitation.ID)
				switch {
				case activatedOK && (revokedOK || resentOK):
					t.Fatalf("round %d: the activation and a revocation or resend both succeeded (%v)", round, errs)
				case activatedOK && inv.Status != contracts.InvitationActivated,
					revokedOK && inv.Status != contracts.InvitationRevoked,
					!activatedOK && !revokedOK && inv.Status != contracts.InvitationPending:
					t.Fatalf("round %d: status %s after %v", round, inv.Status, errs)
				}
			}
		}},
	}
}
