package storetest

import (
	"context"
	"strings"
	"testing"

	"github.com/partnerkit/partnerkit"
	"github.com/partnerkit/partnerkit/agreements"
	"github.com/partnerkit/partnerkit/contracts"
	"github.com/partnerkit/partnerkit/partners"
)

// contractsFixture is a distributor-owned agreement and two partners.
type contractsFixture struct {
	*partnersEnv
	reseller, vendor *partners.Account
	program          *agreements.Agreement
	distribution     *agreements.Agreement
	marketplace      *contracts.Marketplace
}

func newContractsFixture(t *testing.T, h Harness) *contractsFixture {
	t.Helper()
	ctx := context.Background()
	e := newPartnersEnv(t, h)
	declared(t, e.stores, forContracts)
	f := &contractsFixture{partnersEnv: e}
	f.reseller = e.create(t, e.admin, partners.CreatePartnerInput{Type: partners.TypeReseller, Name: "Champions Corp"})
	f.vendor = e.create(t, e.admin, partners.CreatePartnerInput{Type: partners.TypeVendor, Name: "Acme Storage"})
	f.program = must[*agreements.Agreement](t)(e.agr.Create(ctx, e.admin, agreements.CreateInput{Type: agreements.TypeProgram, Name: "Reseller program"}))
	f.distribution = must[*agreements.Agreement](t)(e.agr.Create(ctx, e.admin, agreements.CreateInput{Type: agreements.TypeDistribution, Name: "Distribution"}))
	f.marketplace = must[*contracts.Marketplace](t)(e.con.CreateMarketplace(ctx, e.admin, contracts.MarketplaceInput{Name: "AppSource", Currency: "usd", External: true}))
	return f
}

func (f *contractsFixture) contract(t *testing.T, partner *partners.Account) *contracts.Contract {
	t.Helper()
	return must[*contracts.Contract](t)(f.con.Create(context.Background(), f.admin, contracts.CreateInput{PartnerID: partner.ID, AgreementID: f.program.ID}))
}

// contractsSuite is the table of contracts.Store's conformance tests,
// through the service.
func contractsSuite() suite {
	ctx := context.Background()
	return suite{tests: []test{
		{name: "Transitions", needs: forContracts, fn: func(t *testing.T, h Harness) {
			f := newContractsFixture(t, h)
			// reach brings a new contract to a status through legal moves.
			reach := map[contracts.Status][]string{
				contracts.StatusPending:    nil,
				contracts.StatusSigned:     {"sign"},
				contracts.StatusActive:     {"sign", "activate"},
				contracts.StatusRejected:   {"reject"},
				contracts.StatusTerminated: {"sign", "activate", "terminate"},
			}
			do := map[string]func(context.Context, partnerkit.Actor, string) (*contracts.Contract, error){
				"sign": f.con.Sign, "activate": f.con.Activate, "reject": f.con.Reject, "terminate": f.con.Terminate,
			}
			legal := map[string]contracts.Status{
				"pending/sign": contracts.StatusSigned, "pending/reject": contracts.StatusRejected,
				"signed/activate": contracts.StatusActive, "signed/terminate": contracts.StatusTerminated,
				"active/terminate": contracts.StatusTerminated,
			}
			for _, from := range contracts.Statuses() {
				for _, action := range []string{"sign", "activate", "reject", "terminate"} {
					t.Run(string(from)+"/"+action, func(t *testing.T) {
						c := f.contract(t, f.reseller)
						for _, step := range reach[from] {
							must[*contracts.Contract](t)(do[step](ctx, f.admin, c.ID))
						}
						got, err := do[action](ctx, f.admin, c.ID)
						want, ok := legal[string(from)+"/"+action]
						if !ok {
							wantCode(t, err, partnerkit.CodeConflict)
							if msg := partnerkit.ErrorMessage(err); !strings.Contains(msg, string(from)) {
								t.Fatalf("message %q does not name the state %s", msg, from)
							}
							after := must[*contracts.Contract](t)(f.con.Get(ctx, f.admin, c.ID))
							if after.Status != from {
								t.Fatalf("illegal move changed status to %s", after.Status)
							}
							return
						}
						noErr(t, err)
						stored := must[*contracts.Contract](t)(f.con.Get(ctx, f.admin, c.ID))
						if got.Status != want || stored.Status != want || stored.Version != got.Version {
							t.Fatalf("status %s (stored %s), want %s", got.Status, stored.Status, want)
						}
						events := must[[]contracts.Event](t)(f.con.Events(ctx, f.admin, c.ID))
						last := events[len(events)-1]
						if events[0].Type != contracts.EventCreated || len(events) != len(reach[from])+2 ||
							last.FromStatus != from || last.ToStatus != want || last.Actor != f.admin.UserID {
							t.Fatalf("events %+v", events)
						}
					})
				}
			}
		}},

		{name: "TimestampsAndRoundTrip", needs: forContracts, fn: func(t *testing.T, h Harness) {
			f := newContractsFixture(t, h)
			c := f.contract(t, f.reseller)
			must[*contracts.Contract](t)(f.con.Sign(ctx, f.admin, c.ID))
			active := must[*contracts.Contract](t)(f.con.Activate(ctx, f.admin, c.ID))
			got := must[*contracts.Contract](t)(f.con.Get(ctx, f.admin, c.ID))
			if got.SignedAt == nil || got.ActivatedAt == nil || !got.ActivatedAt.Equal(*active.ActivatedAt) ||
				got.TerminatedAt != nil || got.LatestAgreementVersion != 1 || got.UpdatePending {
				t.Fatalf("stored contract %+v", got)
			}
		}},

		{name: "DistributionOnePerMarketplace", needs: forContracts, fn: func(t *testing.T, h Harness) {
			f := newContractsFixture(t, h)
			in := contracts.CreateInput{PartnerID: f.vendor.ID, AgreementID: f.distribution.ID, MarketplaceID: f.marketplace.ID}
			first := must[*contracts.Contract](t)(f.con.Create(ctx, f.admin, in))
			_, err := f.con.Create(ctx, f.admin, in)
			wantField(t, err, partnerkit.CodeConflict, "marketplace_id")
			if !strings.Contains(partnerkit.ErrorMessage(err), "AppSource") {
				t.Fatalf("error does not name the marketplace: %v", err)
			}
			// The store itself refuses a second open contract (the rule holds under races).
			dup := *first
			dup.ID = partnerkit.NewID(partnerkit.PrefixContract)
			wantField(t, f.stores.Contracts.CreateContract(ctx, &dup), partnerkit.CodeConflict, "marketplace_id")
			// Rejected or terminated contracts free the marketplace.
			must[*contracts.Contract](t)(f.con.Reject(ctx, f.admin, first.ID))
			must[*contracts.Contract](t)(f.con.Create(ctx, f.admin, in))
			// Rules: distribution needs a vendor and a marketplace; others none.
			_, err = f.con.Create(ctx, f.admin, contracts.CreateInput{PartnerID: f.reseller.ID, AgreementID: f.distribution.ID, MarketplaceID: f.marketplace.ID})
			wantField(t, err, partnerkit.CodeInvalid, "agreement_id")
			_, err = f.con.Create(ctx, f.admin, contracts.CreateInput{PartnerID: f.vendor.ID, AgreementID: f.distribution.ID})
			wantField(t, err, partnerkit.CodeInvalid, "marketplace_id")
			_, err = f.con.Create(ctx, f.admin, contracts.CreateInput{PartnerID: f.vendor.ID, AgreementID: f.program.ID, MarketplaceID: f.marketplace.ID})
			wantField(t, err, partnerkit.CodeInvalid, "marketplace_id")
			_, err = f.con.CreateMarketplace(ctx, f.admin, contracts.MarketplaceInput{Name: "appsource", Currency: "EUR"})
			wantField(t, err, partnerkit.CodeConflict, "name")
			_, err = f.con.CreateMarketplace(ctx, f.admin, contracts.MarketplaceInput{Name: "Azure", Currency: "dollars"})
			wantField(t, err, partnerkit.CodeInvalid, "currency")
			mps := must[[]contracts.Marketplace](t)(f.con.Marketplaces(ctx, f.admin))
			if len(mps) != 1 || mps[0].Currency != "USD" || !mps[0].External {
				t.Fatalf("marketplaces %+v", mps)
			}
		}},

		{name: "NewVersionAwaitsSignature", needs: forContracts, fn: func(t *testing.T, h Harness) {
			f := newContractsFixture(t, h)
			c := f.contract(t, f.reseller)
			must[*contracts.Contract](t)(f.con.Sign(ctx, f.admin, c.ID))
			must[*contracts.Contract](t)(f.con.Activate(ctx, f.admin, c.ID))
			partnerSide := partnerkit.Actor{AccountID: f.reseller.ID, UserID: "UR-partner", Role: partnerkit.RoleStaff}
			_, err := f.con.SignUpdate(ctx, partnerSide, c.ID)
			wantCode(t, err, partnerkit.CodeConflict) // nothing newer yet

			must[*agreements.Version](t)(f.agr.Publish(ctx, f.admin, f.program.ID, agreements.DocumentInput{Kind: agreements.DocumentURL, URL: "https://example.com/v2"}))
			got := must[*contracts.Contract](t)(f.con.Get(ctx, partnerSide, c.ID))
			if !got.UpdatePending || got.AgreementVersion != 1 || got.LatestAgreementVersion != 2 {
				t.Fatalf("after publish: %+v", got)
			}
			// A bound version cannot be deleted.
			wantCode(t, f.agr.DeleteVersion(ctx, f.admin, f.program.ID, 1), partnerkit.CodeConflict)
			// Only the partner signs the update.
			_, err = f.con.SignUpdate(ctx, f.admin, c.ID)
			wantCode(t, err, partnerkit.CodeForbidden)
			up := must[*contracts.Contract](t)(f.con.SignUpdate(ctx, partnerSide, c.ID))
			if up.UpdatePending || up.AgreementVersion != 2 || up.Status != contracts.StatusActive {
				t.Fatalf("after re-sign: %+v", up)
			}
			events := must[[]contracts.Event](t)(f.con.Events(ctx, f.admin, c.ID))
			if last := events[len(events)-1]; last.Type != contracts.EventResigned || last.AgreementVersion != 2 || last.Actor != "UR-partner" {
				t.Fatalf("last event %+v", last)
			}
			// The old version is free now.
			noErr(t, f.agr.DeleteVersion(ctx, f.admin, f.program.ID, 1))
			// The partner reads the document it signed.
			v, _, err := f.con.Document(ctx, partnerSide, c.ID)
			noErr(t, err)
			if v.Number != 2 || v.Document.URL != "https://example.com/v2" {
				t.Fatalf("document %+v", v)
			}
		}},

		{name: "TenancyAndDirectoryCounts", needs: forContracts, fn: func(t *testing.T, h Harness) {
			f := newContractsFixture(t, h)
			c1 := f.contract(t, f.reseller)
			c2 := must[*contracts.Contract](t)(f.con.Create(ctx, f.admin, contracts.CreateInput{PartnerID: f.vendor.ID,
				AgreementID: f.distribution.ID, MarketplaceID: f.marketplace.ID}))
			f.contract(t, f.vendor) // pending: counts an agreement, not a signed contract
			rejected := f.contract(t, f.reseller)
			must[*contracts.Contract](t)(f.con.Reject(ctx, f.admin, rejected.ID))
			for _, id := range []string{c1.ID, c2.ID} {
				must[*contracts.Contract](t)(f.con.Sign(ctx, f.admin, id))
			}
			must[*contracts.Contract](t)(f.con.Activate(ctx, f.admin, c2.ID))

			dir := must[partnerkit.List[partners.DirectoryEntry]](t)(f.svc.Directory(ctx, f.admin, partners.DirectoryFilter{}))
			counts := map[string]partners.Counts{}
			for _, it := range dir.Items {
				counts[it.Name] = it.Counts
			}
			if got := counts["Acme Storage"]; got[contracts.CountSignedContracts] != 1 || got[contracts.CountAgreements] != 2 {
				t.Errorf("vendor counts %+v", got)
			}
			if got := counts["Champions Corp"]; got[contracts.CountSignedContracts] != 1 || got[contracts.CountAgreements] != 1 {
				t.Errorf("reseller counts %+v", got)
			}

			list := must[partnerkit.List[contracts.Contract]](t)(f.con.List(ctx, f.admin, contracts.ListFilter{}))
			if list.Total != 4 || list.Items[0].ID != rejected.ID {
				t.Fatalf("owner's list: total %d, first %s", list.Total, list.Items[0].ID)
			}
			signed := must[partnerkit.List[contracts.Contract]](t)(f.con.List(ctx, f.admin, contracts.ListFilter{Status: contracts.StatusSigned}))
			if signed.Total != 1 || signed.Items[0].ID != c1.ID {
				t.Fatalf("signed: %+v", signed)
			}
			reseller := partnerkit.Actor{AccountID: f.reseller.ID, Role: partnerkit.RoleViewer}
			mine := must[partnerkit.List[contracts.Contract]](t)(f.con.List(ctx, reseller, contracts.ListFilter{}))
			if mine.Total != 2 {
				t.Fatalf("partner's own list: %d", mine.Total)
			}
			_, err := f.con.Get(ctx, reseller, c2.ID) // the vendor's contract
			wantCode(t, err, partnerkit.CodeNotFound)
			_, err = f.con.Sign(ctx, reseller, c1.ID) // viewer
			wantCode(t, err, partnerkit.CodeForbidden)
			_, err = f.con.List(ctx, reseller, contracts.ListFilter{AccountID: f.vendor.ID})
			wantCode(t, err, partnerkit.CodeNotFound)

			// Audit: the contract's whole story, visible to its owner only.
			trail := must[partnerkit.List[partnerkit.AuditEvent]](t)(f.svc.AuditTrail(ctx, f.admin, c2.ID, partnerkit.Page{}))
			var actions []string
			for _, ev := range trail.Items {
				actions = append(actions, ev.Action)
			}
			if strings.Join(actions, ",") != "contract.created,contract.signed,contract.activated" {
				t.Fatalf("audit %v", actions)
			}
			_, err = f.svc.AuditTrail(ctx, reseller, c2.ID, partnerkit.Page{})
			wantCode(t, err, partnerkit.CodeNotFound)
		}},
	}}
}
