package storetest

import (
	"context"
	"encoding/json"
	"fmt"
	"slices"
	"strings"
	"sync"
	"testing"
	"time"

	"github.com/partnerkit/partnerkit"
	"github.com/partnerkit/partnerkit/agreements"
	"github.com/partnerkit/partnerkit/capacity"
	"github.com/partnerkit/partnerkit/contracts"
	"github.com/partnerkit/partnerkit/partners"
	"github.com/partnerkit/partnerkit/resellers"
)

// eventRecorder tells which domain events one call emitted: the events the
// store's feed gained (every store), and on stores that dispatch in process
// (the memory store) what the bus delivered to a subscriber after commit.
type eventRecorder struct {
	e      *partnersEnv
	seen   map[string]bool
	mu     sync.Mutex
	bus    []partnerkit.Event
	inProc bool
}

func newEventRecorder(t *testing.T, e *partnersEnv, h Harness) *eventRecorder {
	t.Helper()
	r := &eventRecorder{e: e, seen: map[string]bool{}, inProc: h.Capabilities().Name == "memory"}
	stop := e.bus.Subscribe(nil, func(_ context.Context, ev partnerkit.Event) error {
		r.mu.Lock()
		defer r.mu.Unlock()
		r.bus = append(r.bus, ev)
		return nil
	})
	t.Cleanup(stop)
	r.take(t)
	return r
}

// take returns the feed's events not seen before, oldest first, and what
// the bus delivered since the last take.
func (r *eventRecorder) take(t *testing.T) ([]partnerkit.AuditEvent, []partnerkit.Event) {
	t.Helper()
	all, _, err := r.e.store.Events(context.Background(), partners.EventQuery{Sort: "at"})
	noErr(t, err)
	var fresh []partnerkit.AuditEvent
	for _, ev := range all {
		if !r.seen[ev.ID] {
			r.seen[ev.ID] = true
			fresh = append(fresh, ev)
		}
	}
	r.mu.Lock()
	defer r.mu.Unlock()
	bus := r.bus
	r.bus = nil
	return fresh, bus
}

// expect runs op and checks the types of the events it emitted, in order
// of their times (ties in any order), and that each is a whole event.
func (r *eventRecorder) expect(t *testing.T, name string, op func() error, wantErr bool, want ...string) []partnerkit.AuditEvent {
	t.Helper()
	err := op()
	if wantErr && err == nil {
		t.Fatalf("%s: the call did not fail", name)
	}
	if !wantErr {
		noErr(t, err)
	}
	got, bus := r.take(t)
	types := make([]string, len(got))
	for i, ev := range got {
		types[i] = ev.Action
		if problem := wholeEvent(ev); problem != "" {
			t.Errorf("%s: event %s (%s) %s", name, ev.ID, ev.Action, problem)
		}
	}
	if !sameTypes(types, want) {
		t.Errorf("%s emitted %v, want %v", name, types, want)
	}
	if r.inProc {
		var ids []string
		for _, ev := range bus {
			ids = append(ids, ev.ID)
		}
		var feed []string
		for _, ev := range got {
			feed = append(feed, ev.ID)
		}
		slices.Sort(ids)
		slices.Sort(feed)
		if !slices.Equal(ids, feed) {
			t.Errorf("%s: the bus delivered %v, the feed gained %v", name, ids, feed)
		}
		for _, ev := range bus {
			if ev.Data.EntityID == "" || ev.Type == "" {
				t.Errorf("%s: the bus delivered an incomplete event %+v", name, ev)
			}
		}
	}
	return got
}

// sameTypes compares two lists of event types as multisets.
func sameTypes(got, want []string) bool {
	g, w := slices.Clone(got), slices.Clone(want)
	slices.Sort(g)
	slices.Sort(w)
	return slices.Equal(g, w)
}

// wholeEvent says what a domain event lacks: a known type, an ID, its
// account, its time, the object it is about, the object after the change
// (or before, for a deletion), as valid JSON.
func wholeEvent(ev partnerkit.AuditEvent) string {
	switch {
	case !partnerkit.KnownEventType(ev.Action):
		return "has a type missing from partnerkit.EventTypes"
	case ev.ID == "" || ev.AccountID == "" || ev.At.IsZero():
		return "lacks its ID, account or time"
	case ev.EntityType == "" || ev.EntityID == "":
		return "does not name its object"
	case len(ev.After) == 0 && !strings.HasSuffix(ev.Action, ".deleted") && !strings.HasSuffix(ev.Action, ".removed") && !strings.HasSuffix(ev.Action, ".revoked"):
		return "carries no object after the change"
	case len(ev.After) > 0 && !json.Valid(ev.After), len(ev.Before) > 0 && !json.Valid(ev.Before):
		return "carries an object that is not JSON"
	}
	want := typeEntity(ev.Action)
	if want != "" && want != ev.EntityType {
		return fmt.Sprintf("is about a %s; the catalogue says %s", ev.EntityType, want)
	}
	return ""
}

func typeEntity(name string) string {
	for _, t := range partnerkit.EventTypes {
		if t.Name == name {
			return t.Entity
		}
	}
	return ""
}

// hasBefore reports whether an event carries the object before the change.
func hasBefore(evs []partnerkit.AuditEvent, action string) bool {
	for _, ev := range evs {
		if ev.Action == action && len(ev.Before) > 0 {
			return true
		}
	}
	return false
}

func eventsSuite() suite {
	ctx := context.Background()
	return suite{tests: []test{
		// Each operation emits exactly its events, with the object after
		// the change (and before, where the audit has it); a rolled-back
		// wizard emits nothing, from the feed or the bus.
		{name: "PerOperation", needs: forContracts, fn: func(t *testing.T, h Harness) {
			f := newOnboardingFixture(t, h)
			r := newEventRecorder(t, f.partnersEnv, h)
			var partner *partners.Account
			r.expect(t, "CreatePartner", func() (err error) {
				partner, err = f.svc.CreatePartner(ctx, f.actor, partners.CreatePartnerInput{Type: partners.TypeReseller, Name: "Champions Corp"})
				return err
			}, false, "partner.created")
			name := "Champions Corporation"
			evs := r.expect(t, "UpdatePartner", func() error {
				_, err := f.svc.UpdatePartner(ctx, f.actor, partner.ID, partners.UpdatePartnerInput{Name: &name})
				return err
			}, false, "partner.updated")
			if !hasBefore(evs, "partner.updated") {
				t.Errorf("partner.updated carries no object before the change")
			}
			r.expect(t, "SuspendPartner", func() error { _, err := f.svc.SuspendPartner(ctx, f.actor, partner.ID); return err }, false, "partner.suspended")
			r.expect(t, "ReactivatePartner", func() error { _, err := f.svc.ReactivatePartner(ctx, f.actor, partner.ID); return err }, false, "partner.reactivated")
			r.expect(t, "SuspendTwice", func() error {
				if _, err := f.svc.SuspendPartner(ctx, f.actor, partner.ID); err != nil {
					return err
				}
				_, err := f.svc.SuspendPartner(ctx, f.actor, partner.ID)
				return err
			}, true, "partner.suspended")
			r.expect(t, "Reactivate", func() error { _, err := f.svc.ReactivatePartner(ctx, f.actor, partner.ID); return err }, false, "partner.reactivated")

			var key *partners.APIKey
			r.expect(t, "CreateAPIKey", func() (err error) {
				key, _, err = f.svc.CreateAPIKey(ctx, f.actor, partners.APIKeyInput{Description: "ERP", Role: partnerkit.RoleViewer})
				return err
			}, false, "api_key.created")
			r.expect(t, "RevokeAPIKey", func() error { _, err := f.svc.RevokeAPIKey(ctx, f.actor, key.ID); return err }, false, "api_key.revoked")

			var agr *agreements.Agreement
			r.expect(t, "CreateAgreement", func() (err error) {
				agr, err = f.agr.Create(ctx, f.actor, agreements.CreateInput{Type: agreements.TypeProgram, Name: "Reseller program"})
				return err
			}, false, "agreement.created")
			r.expect(t, "PublishAgreement", func() error {
				_, err := f.agr.Publish(ctx, f.actor, agr.ID, agreements.DocumentInput{Kind: agreements.DocumentURL, URL: "https://example.com/terms.pdf"})
				return err
			}, false, "agreement.version_published")

			var con *contracts.Contract
			r.expect(t, "CreateContract", func() (err error) {
				con, err = f.con.Create(ctx, f.actor, contracts.CreateInput{PartnerID: partner.ID, AgreementID: agr.ID})
				return err
			}, false, "contract.created")
			r.expect(t, "SignContract", func() error { _, err := f.con.Sign(ctx, f.actor, con.ID); return err }, false, "contract.signed")
			r.expect(t, "ActivateContract", func() error { _, err := f.con.Activate(ctx, f.actor, con.ID); return err }, false, "contract.activated")
			r.expect(t, "ActivateTwice", func() error { _, err := f.con.Activate(ctx, f.actor, con.ID); return err }, true)

			// The whole wizard: the vendor, a new agreement, its contract
			// and one per marketplace (with the distribution agreement
			// the wizard makes once), the invitation.
			vendor := partners.CreatePartnerInput{Type: partners.TypeVendor, Name: "Contoso"}
			evs = r.expect(t, "Onboard", func() error {
				_, err := f.con.Onboard(ctx, f.actor, contracts.OnboardingInput{Partner: vendor,
					NewAgreement:   &agreements.CreateInput{Type: agreements.TypeProgram, Name: "Vendor program"},
					MarketplaceIDs: []string{f.markets[0].ID, f.markets[1].ID}, Action: contracts.ActionInvite})
				return err
			}, false, "partner.created", "agreement.created", "agreement.created", "contract.created", "contract.created", "contract.created", "invitation.created")
			for _, ev := range evs {
				if ev.Action == "partner.created" && ev.AccountID == f.actor.AccountID {
					t.Errorf("the vendor's partner.created belongs to the distributor, want the vendor's account")
				}
			}
			// Wizards failing late roll back with their events.
			for _, c := range []struct {
				name string
				in   contracts.OnboardingInput
			}{
				{"OnboardForeignMarketplaceLate", contracts.OnboardingInput{Partner: partners.CreatePartnerInput{Type: partners.TypeVendor, Name: "Rolled back"},
					NewAgreement:   &agreements.CreateInput{Type: agreements.TypeProgram, Name: "Never"},
					MarketplaceIDs: []string{f.markets[0].ID, f.otherMarket.ID}, Action: contracts.ActionInvite}},
				{"OnboardUserNotInTeamLate", contracts.OnboardingInput{Partner: partners.CreatePartnerInput{Type: partners.TypeVendor, Name: "Rolled back"},
					NewAgreement:   &agreements.CreateInput{Type: agreements.TypeProgram, Name: "Never"},
					MarketplaceIDs: []string{f.markets[0].ID}, Action: contracts.ActionCreateAccount,
					UserIDs: []string{f.team[0].ID, f.adminUser.ID}}},
			} {
				r.expect(t, c.name, func() error { _, err := f.con.Onboard(ctx, f.actor, c.in); return err }, true)
			}

			var gone *partners.Account
			r.expect(t, "CreateToDelete", func() (err error) {
				gone, err = f.svc.CreatePartner(ctx, f.actor, partners.CreatePartnerInput{Type: partners.TypeReseller, Name: "Short-lived"})
				return err
			}, false, "partner.created")
			r.expect(t, "DeletePartner", func() error { return f.svc.DeletePartner(ctx, f.actor, gone.ID) }, false, "partner.deleted")
			r.expect(t, "DeleteWithDependents", func() error { return f.svc.DeletePartner(ctx, f.actor, partner.ID) }, true)
		}},

		{name: "PerOperationCapacity", needs: forCapacity, fn: func(t *testing.T, h Harness) {
			f := newCapacityFixture(t, h)
			r := newEventRecorder(t, f.partnersEnv, h)
			terms := f.reservedTerms
			terms.ReservedTB = tb("120")
			evs := r.expect(t, "SetTerms", func() error { _, err := f.cap.SetTerms(ctx, f.admin, f.c100.ID, terms); return err }, false, "capacity.terms_changed")
			if !hasBefore(evs, "capacity.terms_changed") {
				t.Errorf("capacity.terms_changed carries no terms before the change")
			}
			r.expect(t, "SetAllocation", func() error {
				_, err := f.cap.SetAllocation(ctx, f.distActor, f.resellers[0].ID, capacity.AllocationInput{ContractID: f.c100.ID, AllocatedTB: tb("10")})
				return err
			}, false, "allocation.changed")
			r.expect(t, "AllocationBeyondReservation", func() error {
				_, err := f.cap.SetAllocation(ctx, f.distActor, f.resellers[1].ID, capacity.AllocationInput{ContractID: f.c100.ID, AllocatedTB: tb("500")})
				return err
			}, true)
			r.expect(t, "Transfer", func() error { _, err := f.cap.Transfer(ctx, f.distActor, f.resellers[0].ID, f.c50.ID); return err }, false, "allocation.transferred")
			var sa *capacity.StorageAccount
			r.expect(t, "CreateStorageAccount", func() (err error) {
				sa, err = f.cap.CreateStorageAccount(ctx, f.distActor, capacity.StorageAccountInput{PartnerID: f.resellers[0].ID, Name: "Backups", QuotaTB: tb("1")})
				return err
			}, false, "storage_account.created")
			r.expect(t, "DeleteStorageAccount", func() error { _, err := f.cap.DeleteStorageAccount(ctx, f.distActor, sa.ID); return err }, false, "storage_account.deletion_scheduled")
			size := tb("150")
			var deal *capacity.Deal
			r.expect(t, "RegisterDeal", func() (err error) {
				deal, err = f.cap.RegisterDeal(ctx, f.resellerActor(1), capacity.DealInput{CustomerName: "Globex", ExpectedTB: &size,
					CloseDate: Epoch.AddDate(0, 2, 0).Format(time.DateOnly)})
				return err
			}, false, "deal.submitted")
			r.expect(t, "ApproveDeal", func() error { _, err := f.cap.ApproveDeal(ctx, f.distActor, deal.ID, "fits the plan"); return err }, false, "deal.approved")
		}},

		{name: "PerOperationResellers", needs: forResellers, fn: func(t *testing.T, h Harness) {
			f := newResellersFixture(t, h)
			r := newEventRecorder(t, f.partnersEnv, h)
			var sub *resellers.Subscription
			r.expect(t, "OrderForNewClient", func() (err error) {
				sub, err = f.rs.Order(ctx, f.resellerActor, resellers.OrderInput{NewClient: &resellers.ClientInput{Name: "Acme"},
					ServiceID: f.service.ID, PlanID: f.service.Plans[0].ID, Resources: []resellers.AmountInput{{Name: "mailboxes", Amount: tb("10")}}})
				return err
			}, false, "client.created", "subscription.ordered")
			r.expect(t, "Renew", func() error { _, err := f.rs.Renew(ctx, f.resellerActor, sub.ID); return err }, false, "subscription.renewed")
			r.expect(t, "Stop", func() error { _, err := f.rs.Stop(ctx, f.resellerActor, sub.ID); return err }, false, "subscription.stopped")
			r.expect(t, "StopTwice", func() error { _, err := f.rs.Stop(ctx, f.resellerActor, sub.ID); return err }, true)
		}},
	}}
}
