package storetest

import (
	"context"
	"fmt"
	"strings"
	"sync"
	"testing"
	"time"

	"github.com/partnerkit/partnerkit"
	"github.com/partnerkit/partnerkit/agreements"
	"github.com/partnerkit/partnerkit/contracts"
	"github.com/partnerkit/partnerkit/partners"
)

// onboardingFixture is a distributor "Mighty Mick's LLC" with a team,
// an agreement and two marketplaces, under a provider.
type onboardingFixture struct {
	*partnersEnv
	dist        *partners.Account
	actor       partnerkit.Actor
	team        []*partners.User
	program     *agreements.Agreement
	markets     []*contracts.Marketplace
	otherMarket *contracts.Marketplace
}

func newOnboardingFixture(t *testing.T, h Harness) *onboardingFixture {
	t.Helper()
	ctx := context.Background()
	e := newPartnersEnv(t, h)
	declared(t, e.stores, forContracts)
	f := &onboardingFixture{partnersEnv: e}
	f.dist = e.create(t, e.admin, partners.CreatePartnerInput{Type: partners.TypeDistributor, Name: "Mighty Mick's LLC"})
	distAdmin := must[*partners.User](t)(e.svc.CreateUser(ctx, e.admin, partners.CreateUserInput{AccountID: f.dist.ID,
		Email: "mick@mighty.example", FullName: "Mick", Password: "Sup3r-secret", Role: partnerkit.RoleAdmin}))
	f.actor = partnerkit.Actor{AccountID: f.dist.ID, UserID: distAdmin.ID, Role: partnerkit.RoleAdmin}
	staff := must[*partners.User](t)(e.svc.CreateUser(ctx, f.actor, partners.CreateUserInput{
		Email: "staff@mighty.example", FullName: "Staff", Password: "Sup3r-secret", Role: partnerkit.RoleStaff}))
	f.team = []*partners.User{distAdmin, staff}
	f.program = must[*agreements.Agreement](t)(e.agr.Create(ctx, f.actor, agreements.CreateInput{
		Type: agreements.TypeService, Name: "Service agreement", Description: "Resell our services."}))
	for _, n := range []string{"AppSource", "Azure Marketplace"} {
		f.markets = append(f.markets, must[*contracts.Marketplace](t)(e.con.CreateMarketplace(ctx, f.actor,
			contracts.MarketplaceInput{Name: n, Currency: "USD", External: true})))
	}
	f.otherMarket = must[*contracts.Marketplace](t)(e.con.CreateMarketplace(ctx, e.admin, contracts.MarketplaceInput{Name: "Provider's own", Currency: "EUR"}))
	return f
}

// snapshot counts what the distributor has, to prove nothing was left behind.
func (f *onboardingFixture) snapshot(t *testing.T) string {
	t.Helper()
	ctx := context.Background()
	dir := must[partnerkit.List[partners.DirectoryEntry]](t)(f.svc.Directory(ctx, f.actor, partners.DirectoryFilter{}))
	agr := must[partnerkit.List[agreements.Agreement]](t)(f.agr.List(ctx, f.actor, agreements.ListFilter{}))
	con := must[partnerkit.List[contracts.Contract]](t)(f.con.List(ctx, f.actor, contracts.ListFilter{}))
	n := must[int](t)(f.store.CountAccounts(ctx))
	return fmt.Sprintf("partners=%d agreements=%d contracts=%d accounts=%d", dir.Total, agr.Total, con.Total, n)
}

// onboardingSuite is the table of the Create Partner wizard's and
// invitation activation's tests.
func onboardingSuite() suite {
	ctx := context.Background()
	return suite{tests: append([]test{
		{name: "WizardPaths", needs: forContracts, fn: func(t *testing.T, h Harness) {
			f := newOnboardingFixture(t, h)
			newAgreement := func(doc agreements.DocumentInput) *agreements.CreateInput {
				return &agreements.CreateInput{Type: agreements.TypeProgram, Name: "Program " + string(doc.Kind), Description: "Terms", Document: doc}
			}
			cases := []struct {
				name          string
				in            contracts.OnboardingInput
				wantContracts int
				wantMembers   int
			}{
				{"ResellerExistingAgreementAccount", contracts.OnboardingInput{
					Partner:     partners.CreatePartnerInput{Type: partners.TypeReseller, Name: "Champions Corp", ExternalID: "CH-1"},
					AgreementID: f.program.ID, Action: contracts.ActionCreateAccount, UserIDs: []string{f.team[1].ID}}, 1, 1},
				{"ResellerNewAgreementNoDocumentInvite", contracts.OnboardingInput{
					Partner:      partners.CreatePartnerInput{Type: partners.TypeReseller, Name: "Reseller B"},
					NewAgreement: newAgreement(agreements.DocumentInput{}), Action: contracts.ActionInvite}, 1, 0},
				{"VendorNewAgreementURLTwoMarketplacesInvite", contracts.OnboardingInput{
					Partner:        partners.CreatePartnerInput{Type: partners.TypeVendor, Name: "Vendor URL"},
					NewAgreement:   newAgreement(agreements.DocumentInput{Kind: agreements.DocumentURL, URL: "https://example.com/p.pdf"}),
					MarketplaceIDs: []string{f.markets[0].ID, f.markets[1].ID}, Action: contracts.ActionInvite}, 3, 0},
				{"VendorNewAgreementFileAllUsers", contracts.OnboardingInput{
					Partner:        partners.CreatePartnerInput{Type: partners.TypeVendor, Name: "Vendor File"},
					NewAgreement:   newAgreement(agreements.DocumentInput{Kind: agreements.DocumentFile, FileName: "p.pdf", Content: samplePDF}),
					MarketplaceIDs: []string{f.markets[0].ID}, Action: contracts.ActionCreateAccount, AllUsers: true}, 2, 2},
				{"VendorNoMarketplaces", contracts.OnboardingInput{
					Partner:     partners.CreatePartnerInput{Type: partners.TypeVendor, Name: "Vendor Later"},
					AgreementID: f.program.ID, Action: contracts.ActionCreateAccount}, 1, 0},
			}
			for _, c := range cases {
				t.Run(c.name, func(t *testing.T) {
					res := must[*contracts.OnboardingResult](t)(f.con.Onboard(ctx, f.actor, c.in))
					if res.Partner.Name != c.in.Partner.Name || res.Partner.ManagerID != f.dist.ID || len(res.Contracts) != c.wantContracts {
						t.Fatalf("result: partner %+v, %d contracts", res.Partner, len(res.Contracts))
					}
					for i, con := range res.Contracts {
						stored := must[*contracts.Contract](t)(f.con.Get(ctx, f.actor, con.ID))
						if stored.Status != contracts.StatusPending || stored.PartnerID != res.Partner.ID {
							t.Fatalf("contract %d: %+v", i, stored)
						}
						if i > 0 && (stored.Type != agreements.TypeDistribution || stored.MarketplaceID != c.in.MarketplaceIDs[i-1]) {
							t.Fatalf("distribution contract %d: %+v", i, stored)
						}
					}
					if c.in.NewAgreement != nil {
						v, _, err := f.agr.Document(ctx, f.actor, res.Agreement.ID, 1)
						noErr(t, err)
						if v.Document.Kind != cmpKind(c.in.NewAgreement.Document.Kind) {
							t.Fatalf("document %+v", v.Document)
						}
					} else if res.Agreement.ID != c.in.AgreementID {
						t.Fatalf("agreement %s, want %s", res.Agreement.ID, c.in.AgreementID)
					}
					if c.in.Action == contracts.ActionInvite {
						if res.Partner.Status != partners.StatusInvited || res.Invitation == nil ||
							len(res.ActivationToken) < 22 || !strings.HasSuffix(res.ActivationLink, res.ActivationToken) {
							t.Fatalf("invite result: %+v", res)
						}
					} else if res.Partner.Status != partners.StatusActive || res.Invitation != nil || res.ActivationToken != "" {
						t.Fatalf("account result: %+v", res)
					}
					members := must[[]partners.Member](t)(f.svc.Members(ctx, f.actor, res.Partner.ID))
					if len(members) != c.wantMembers || len(res.Members) != c.wantMembers {
						t.Fatalf("members %d (result %d), want %d", len(members), len(res.Members), c.wantMembers)
					}
					for _, m := range members { // roles carry over from the team
						for _, u := range f.team {
							if m.UserID == u.ID && m.Role != map[string]partnerkit.Role{f.team[0].ID: partnerkit.RoleAdmin, f.team[1].ID: partnerkit.RoleStaff}[u.ID] {
								t.Fatalf("member %s got role %s", u.Email, m.Role)
							}
						}
					}
				})
			}
			// The wizard reuses one distribution agreement across vendors.
			list := must[partnerkit.List[agreements.Agreement]](t)(f.agr.List(ctx, f.actor, agreements.ListFilter{Type: agreements.TypeDistribution}))
			if list.Total != 1 || list.Items[0].Name != contracts.DistributionAgreementName {
				t.Fatalf("distribution agreements: %+v", list)
			}
		}},

		{name: "BadInputWritesNothing", needs: forContracts, fn: func(t *testing.T, h Harness) {
			f := newOnboardingFixture(t, h)
			before := f.snapshot(t)
			vendor := partners.CreatePartnerInput{Type: partners.TypeVendor, Name: "V"}
			cases := []struct {
				name  string
				in    contracts.OnboardingInput
				code  partnerkit.Code
				field string
			}{
				{"ErrPartnerName", contracts.OnboardingInput{Partner: partners.CreatePartnerInput{Type: partners.TypeVendor},
					AgreementID: f.program.ID, Action: contracts.ActionInvite}, partnerkit.CodeInvalid, "partner.name"},
				{"ErrPartnerType", contracts.OnboardingInput{Partner: partners.CreatePartnerInput{Type: partners.TypeCustomer, Name: "C"},
					AgreementID: f.program.ID, Action: contracts.ActionInvite}, partnerkit.CodeInvalid, "partner.type"},
				{"ErrNoAgreement", contracts.OnboardingInput{Partner: vendor, Action: contracts.ActionInvite}, partnerkit.CodeInvalid, "agreement_id"},
				{"ErrNewAgreementURL", contracts.OnboardingInput{Partner: vendor, Action: contracts.ActionInvite,
					NewAgreement: &agreements.CreateInput{Type: agreements.TypeProgram, Name: "P",
						Document: agreements.DocumentInput{Kind: agreements.DocumentURL, URL: "not a url"}}}, partnerkit.CodeInvalid, "new_agreement.document.url"},
				{"ErrAction", contracts.OnboardingInput{Partner: vendor, AgreementID: f.program.ID}, partnerkit.CodeInvalid, "action"},
				{"ErrResellerMarketplace", contracts.OnboardingInput{Partner: partners.CreatePartnerInput{Type: partners.TypeReseller, Name: "R"},
					AgreementID: f.program.ID, MarketplaceIDs: []string{f.markets[0].ID}, Action: contracts.ActionInvite}, partnerkit.CodeInvalid, "marketplace_ids"},
				{"ErrDuplicateMarketplace", contracts.OnboardingInput{Partner: vendor, AgreementID: f.program.ID,
					MarketplaceIDs: []string{f.markets[0].ID, f.markets[0].ID}, Action: contracts.ActionInvite}, partnerkit.CodeInvalid, "marketplace_ids"},
				// These fail in late steps, after the partner, agreement and
				// contracts were written: the transaction must undo them all.
				{"ErrForeignMarketplaceLate", contracts.OnboardingInput{Partner: vendor,
					NewAgreement:   &agreements.CreateInput{Type: agreements.TypeProgram, Name: "New"},
					MarketplaceIDs: []string{f.markets[0].ID, f.otherMarket.ID}, Action: contracts.ActionInvite}, partnerkit.CodeInvalid, "marketplace_ids"},
				{"ErrUserNotInTeamLate", contracts.OnboardingInput{Partner: vendor,
					NewAgreement:   &agreements.CreateInput{Type: agreements.TypeProgram, Name: "New"},
					MarketplaceIDs: []string{f.markets[0].ID, f.markets[1].ID}, Action: contracts.ActionCreateAccount,
					UserIDs: []string{f.team[0].ID, f.adminUser.ID}}, partnerkit.CodeInvalid, "user_ids"},
			}
			for _, c := range cases {
				t.Run(c.name, func(t *testing.T) {
					_, err := f.con.Onboard(ctx, f.actor, c.in)
					wantField(t, err, c.code, c.field)
					if after := f.snapshot(t); after != before {
						t.Fatalf("failed wizard left something behind: %s -> %s", before, after)
					}
				})
			}
			// A duplicate external ID fails at step 1, after validation.
			f.create(t, f.actor, partners.CreatePartnerInput{Type: partners.TypeReseller, Name: "Taken", ExternalID: "X-1"})
			before = f.snapshot(t)
			_, err := f.con.Onboard(ctx, f.actor, contracts.OnboardingInput{Partner: partners.CreatePartnerInput{
				Type: partners.TypeReseller, Name: "Dup", ExternalID: "X-1"}, AgreementID: f.program.ID, Action: contracts.ActionInvite})
			wantField(t, err, partnerkit.CodeConflict, "partner.external_id")
			if after := f.snapshot(t); after != before {
				t.Fatalf("left behind: %s -> %s", before, after)
			}
			viewer := partnerkit.Actor{AccountID: f.dist.ID, Role: partnerkit.RoleViewer}
			_, err = f.con.Onboard(ctx, viewer, contracts.OnboardingInput{Partner: vendor, AgreementID: f.program.ID, Action: contracts.ActionInvite})
			wantCode(t, err, partnerkit.CodeForbidden)
		}},

		{name: "InvitationActivation", needs: forContracts, fn: func(t *testing.T, h Harness) {
			f := newOnboardingFixture(t, h)
			res := must[*contracts.OnboardingResult](t)(f.con.Onboard(ctx, f.actor, contracts.OnboardingInput{
				Partner: partners.CreatePartnerInput{Type: partners.TypeReseller, Name: "Champions"},
				NewAgreement: &agreements.CreateInput{Type: agreements.TypeProgram, Name: "Reseller program", Description: "Sell and support.",
					Document: agreements.DocumentInput{Kind: agreements.DocumentFile, FileName: "program.md", Content: sampleMarkdown}},
				Action: contracts.ActionInvite}))
			token := res.ActivationToken

			review := must[*contracts.InvitationReview](t)(f.con.ReviewInvitation(ctx, token))
			if review.PartnerName != "Champions" || review.InviterName != "Mighty Mick's LLC" || review.AgreementName != "Reseller program" ||
				review.Document.MediaType != agreements.MediaMarkdown || review.AgreementVersion != 1 {
				t.Fatalf("review %+v", review)
			}
			_, doc, err := f.con.InvitationDocument(ctx, token)
			noErr(t, err)
			if string(doc) != string(sampleMarkdown) {
				t.Fatalf("document %q", doc)
			}

			good := contracts.ActivationInput{Email: "Coach@Champions.example", AcceptAgreement: true, FullName: "Coach Carter",
				Password: "Sup3r-secret", LegalName: "Champions Corp"}
			for _, c := range []struct {
				name  string
				edit  func(*contracts.ActivationInput)
				field string
			}{
				{"ErrNotAccepted", func(in *contracts.ActivationInput) { in.AcceptAgreement = false }, "accept_agreement"},
				{"ErrEmail", func(in *contracts.ActivationInput) { in.Email = "coach" }, "email"},
				{"ErrFullName", func(in *contracts.ActivationInput) { in.FullName = " " }, "full_name"},
				{"ErrWeakPassword", func(in *contracts.ActivationInput) { in.Password = "password" }, "password"},
				{"ErrLegalNameWithoutEntityType", func(in *contracts.ActivationInput) { in.LegalName = "Champions" }, "legal_name"},
			} {
				t.Run(c.name, func(t *testing.T) {
					in := good
					c.edit(&in)
					_, err := f.con.ActivateInvitation(ctx, token, in)
					wantField(t, err, partnerkit.CodeInvalid, c.field)
				})
			}
			// Bad input used nothing up: the link still works.
			must[*contracts.InvitationReview](t)(f.con.ReviewInvitation(ctx, token))

			act := must[*contracts.ActivationResult](t)(f.con.ActivateInvitation(ctx, token, good))
			if act.Partner.Status != partners.StatusActive || act.Partner.LegalName != "Champions Corp" ||
				act.Contract.Status != contracts.StatusActive || act.User.Email != "coach@champions.example" {
				t.Fatalf("activation %+v", act)
			}
			// The new user signs in as the partner's admin.
			_, ms, err := f.svc.Authenticate(ctx, "coach@champions.example", "Sup3r-secret", "")
			noErr(t, err)
			if len(ms) != 1 || ms[0].AccountID != res.Partner.ID || ms[0].Role != partnerkit.RoleAdmin {
				t.Fatalf("memberships %+v", ms)
			}
			events := must[[]contracts.Event](t)(f.con.Events(ctx, f.actor, act.Contract.ID))
			if len(events) != 3 || events[1].Type != contracts.EventSigned || events[2].Type != contracts.EventActivated || events[2].Actor != act.User.ID {
				t.Fatalf("events %+v", events)
			}
			dir := must[partnerkit.List[partners.DirectoryEntry]](t)(f.svc.Directory(ctx, f.actor, partners.DirectoryFilter{Q: "champions"}))
			if dir.Total != 1 || dir.Items[0].Status != partners.StatusActive || dir.Items[0].Counts[contracts.CountSignedContracts] != 1 || dir.Items[0].Counts[contracts.CountAgreements] != 1 {
				t.Fatalf("directory %+v", dir.Items)
			}
			// A link works once.
			_, err = f.con.ReviewInvitation(ctx, token)
			wantCode(t, err, partnerkit.CodeGone)
			_, err = f.con.ActivateInvitation(ctx, token, good)
			wantCode(t, err, partnerkit.CodeGone)
			if !strings.Contains(partnerkit.ErrorMessage(err), "already been used") {
				t.Fatalf("message %q", partnerkit.ErrorMessage(err))
			}
			_, err = f.con.ReviewInvitation(ctx, "no-such-token")
			wantCode(t, err, partnerkit.CodeNotFound)
			// Audit: the partner's whole story.
			trail := must[partnerkit.List[partnerkit.AuditEvent]](t)(f.svc.AuditTrail(ctx, f.actor, res.Partner.ID, partnerkit.Page{}))
			var actions []string
			for _, ev := range trail.Items {
				actions = append(actions, ev.Action)
			}
			if strings.Join(actions, ",") != "partner.created,invitation.created,partner.activated" {
				t.Fatalf("audit %v", actions)
			}
		}},

		{name: "InvitationExpires", needs: forContracts, fn: func(t *testing.T, h Harness) {
			f := newOnboardingFixture(t, h)
			res := must[*contracts.OnboardingResult](t)(f.con.Onboard(ctx, f.actor, contracts.OnboardingInput{
				Partner: partners.CreatePartnerInput{Type: partners.TypeReseller, Name: "Late"}, AgreementID: f.program.ID, Action: contracts.ActionInvite}))
			if got := res.Invitation.ExpiresAt.Sub(res.Invitation.CreatedAt); got != contracts.DefaultInvitationTTL {
				t.Fatalf("TTL %v", got)
			}
			f.advance(contracts.DefaultInvitationTTL + time.Minute)
			_, err := f.con.ReviewInvitation(ctx, res.ActivationToken)
			wantCode(t, err, partnerkit.CodeGone)
			if !strings.Contains(partnerkit.ErrorMessage(err), "expired") {
				t.Fatalf("message %q", partnerkit.ErrorMessage(err))
			}
			_, err = f.con.ActivateInvitation(ctx, res.ActivationToken, contracts.ActivationInput{Email: "x@late.example",
				AcceptAgreement: true, FullName: "X", Password: "Sup3r-secret", LegalName: "Late Ltd"})
			wantCode(t, err, partnerkit.CodeGone)
		}},

		{name: "ConcurrentActivationOneWins", needs: forContracts, fn: func(t *testing.T, h Harness) {
			guarantee(t, h, "contracts.Store: UseInvitation claims the link with a conditional update")
			f := newOnboardingFixture(t, h)
			res := must[*contracts.OnboardingResult](t)(f.con.Onboard(ctx, f.actor, contracts.OnboardingInput{
				Partner: partners.CreatePartnerInput{Type: partners.TypeReseller, Name: "Race"}, AgreementID: f.program.ID, Action: contracts.ActionInvite}))
			const n = 8
			var wg sync.WaitGroup
			errs := make([]error, n)
			for i := range n {
				wg.Add(1)
				go func() {
					defer wg.Done()
					_, errs[i] = f.con.ActivateInvitation(ctx, res.ActivationToken, contracts.ActivationInput{
						Email: fmt.Sprintf("racer%d@race.example", i), AcceptAgreement: true, FullName: "Racer",
						Password: "Sup3r-secret", LegalName: "Race Inc."})
				}()
			}
			wg.Wait()
			wins := 0
			for _, err := range errs {
				switch partnerkit.ErrorCode(err) {
				case "":
					wins++
				case partnerkit.CodeGone:
				default:
					t.Errorf("a losing activation got %v, want gone", err)
				}
			}
			if wins != 1 {
				t.Fatalf("%d activations won, want exactly 1", wins)
			}
			members := must[[]partners.Member](t)(f.svc.Members(ctx, f.actor, res.Partner.ID))
			if len(members) != 1 {
				t.Fatalf("%d users created, want 1", len(members))
			}
		}},
	}, append(scheduledInvitationTests(), invitationLifeTests()...)...)}
}

func cmpKind(k agreements.DocumentKind) agreements.DocumentKind {
	if k == "" {
		return agreements.DocumentNone
	}
	return k
}
