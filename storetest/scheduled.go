package storetest

import (
	"context"
	"encoding/json"
	"fmt"
	"slices"
	"strings"
	"testing"
	"time"

	"github.com/partnerkit/partnerkit"
	"github.com/partnerkit/partnerkit/capacity"
	"github.com/partnerkit/partnerkit/contracts"
	"github.com/partnerkit/partnerkit/partners"
	"github.com/partnerkit/partnerkit/resellers"
	"github.com/partnerkit/partnerkit/wiring"
	"github.com/shopspring/decimal"
)

// The scheduled rules' tests: the subscription period end (renewal or
// expiry), invitation expiry, the storage purge's events and usage
// threshold alerts. Each rule takes "now" from its service's clock (the
// suite's adjustable clock), is idempotent (a second run changes nothing and
// records no event) and holds when several instances run it at once (the
// Concurrent… tests, in the Concurrency suite).

// auditOf returns the audit events of an entity that actor may see, oldest
// first; none is an empty list.
func auditOf(t *testing.T, e *partnersEnv, actor partnerkit.Actor, entityID string) []partnerkit.AuditEvent {
	t.Helper()
	l, err := e.svc.AuditTrail(context.Background(), actor, entityID, partnerkit.Page{Limit: partnerkit.MaxLimit})
	if partnerkit.ErrorCode(err) == partnerkit.CodeNotFound {
		return nil
	}
	noErr(t, err)
	return l.Items
}

// actionsOf returns the actions of events.
func actionsOf(events []partnerkit.AuditEvent) []string {
	out := make([]string, len(events))
	for i, ev := range events {
		out[i] = ev.Action
	}
	return out
}

// countAction counts the events of one action.
func countAction(events []partnerkit.AuditEvent, action string) int {
	n := 0
	for _, ev := range events {
		if ev.Action == action {
			n++
		}
	}
	return n
}

// wantSystemEvent fails t unless ev is a scheduled rule's event: action,
// in the catalogue of event types, by the system actor, in account.
func wantSystemEvent(t *testing.T, ev partnerkit.AuditEvent, action, account string) {
	t.Helper()
	if ev.Action != action || ev.Actor != partnerkit.PrincipalSystem || ev.AccountID != account || !partnerkit.KnownEventType(ev.Action) {
		t.Fatalf("event %s by %s in %s (known: %v), want %s by %s in %s", ev.Action, ev.Actor, ev.AccountID,
			partnerkit.KnownEventType(ev.Action), action, partnerkit.PrincipalSystem, account)
	}
}

// secondInstance builds the services of a second server on e's stores and
// clock.
func secondInstance(t *testing.T, e *partnersEnv) *wiring.Services {
	t.Helper()
	return wired(t, e.stores, wiring.Options{Clock: e.clock, Hasher: CheapHasher})
}

// --- resellers: the period end ---

// renewingService adds to the provider's catalog a service whose plan
// renews automatically (and defers decreases to the renewal).
func (f *resellersFixture) renewingService(t *testing.T) *resellers.CatalogService {
	t.Helper()
	return must[*resellers.CatalogService](t)(f.rs.CreateService(context.Background(), f.admin, resellers.ServiceInput{
		Name: "Cloud Backup", Plans: []resellers.PlanInput{{Name: "Renewing", BillingPeriod: resellers.Monthly,
			DecreaseAtRenewal: true, AutoRenew: true, Resources: []resellers.PlanResource{
				{Name: "mailboxes", Unit: "user", UnitPrice: tb("4.125"), Min: tb("1"), Max: tb("500")},
				{Name: "archive", Unit: "GB", UnitPrice: tb("0.000001"), Min: tb("0")},
			}}}}))
}

// orderOn orders the first plan of svc for a new client.
func (f *resellersFixture) orderOn(t *testing.T, svc *resellers.CatalogService, clientName, mailboxes string) *resellers.Subscription {
	t.Helper()
	return must[*resellers.Subscription](t)(f.rs.Order(context.Background(), f.resellerActor, resellers.OrderInput{
		NewClient: &resellers.ClientInput{Name: clientName}, ServiceID: svc.ID, PlanID: svc.Plans[0].ID,
		Resources: []resellers.AmountInput{{Name: "mailboxes", Amount: tb(mailboxes)}, {Name: "archive", Amount: tb("1234567.123456")}}}))
}

func (f *resellersFixture) charges(t *testing.T, subID string) []resellers.Charge {
	t.Helper()
	return must[partnerkit.List[resellers.Charge]](t)(f.rs.Charges(context.Background(), f.resellerActor,
		resellers.ChargeFilter{SubscriptionID: subID, Page: partnerkit.Page{Limit: partnerkit.MaxLimit}})).Items
}

// renewalCharges keeps the renewal charges, in billing order.
func renewalCharges(cs []resellers.Charge) []resellers.Charge {
	return slices.DeleteFunc(slices.Clone(cs), func(c resellers.Charge) bool { return c.Kind != resellers.ChargeRenewal })
}

func setAutoRenew(t *testing.T, f *resellersFixture, id string, on bool) *resellers.Subscription {
	t.Helper()
	return must[*resellers.Subscription](t)(f.rs.UpdateSubscription(context.Background(), f.resellerActor, id, resellers.SubscriptionUpdate{AutoRenew: &on}))
}

func scheduledResellersTests() []test {
	ctx := context.Background()
	return []test{
		{name: "PeriodEndsRenewOrExpire", needs: forResellers, fn: func(t *testing.T, h Harness) {
			f := newResellersFixture(t, h)
			renewing := f.renewingService(t)
			if got := must[*resellers.CatalogService](t)(f.st.GetService(ctx, renewing.ID)); !got.Plans[0].AutoRenew || f.service.Plans[0].AutoRenew {
				t.Fatalf("plans' auto_renew: %+v / %+v", got.Plans[0], f.service.Plans[0])
			}
			hold := resellers.ClientOnHold
			cases := []struct {
				name      string
				svc       *resellers.CatalogService
				prepare   func(t *testing.T, sub *resellers.Subscription)
				want      resellers.Status
				wantEvent string // the rule's audit action, "" for none
			}{
				{"PlanRenews", renewing, nil, resellers.StatusActive, "subscription.renewed"},
				{"PlanExpires", f.service, nil, resellers.StatusExpired, "subscription.expired"},
				{"TurnedOn", f.service, func(t *testing.T, sub *resellers.Subscription) { setAutoRenew(t, f, sub.ID, true) },
					resellers.StatusActive, "subscription.renewed"},
				{"TurnedOff", renewing, func(t *testing.T, sub *resellers.Subscription) { setAutoRenew(t, f, sub.ID, false) },
					resellers.StatusExpired, "subscription.expired"},
				{"ClientOnHoldExpires", renewing, func(t *testing.T, sub *resellers.Subscription) {
					must[*resellers.Client](t)(f.rs.UpdateClient(ctx, f.resellerActor, sub.ClientID, resellers.ClientUpdate{Status: &hold}))
				}, resellers.StatusExpired, "subscription.expired"},
				{"StoppedStays", renewing, func(t *testing.T, sub *resellers.Subscription) {
					must[*resellers.Subscription](t)(f.rs.Stop(ctx, f.resellerActor, sub.ID))
				}, resellers.StatusStopped, ""},
			}
			subs := make([]*resellers.Subscription, len(cases))
			for i, c := range cases {
				subs[i] = f.orderOn(t, c.svc, "Client "+c.name, "10")
				if subs[i].AutoRenew != c.svc.Plans[0].AutoRenew {
					t.Fatalf("%s: auto_renew %v not copied from the plan", c.name, subs[i].AutoRenew)
				}
				if c.prepare != nil {
					c.prepare(t, subs[i])
				}
				subs[i] = must[*resellers.Subscription](t)(f.rs.Subscription(ctx, f.resellerActor, subs[i].ID))
			}
			// Nothing is due yet.
			if res := must[resellers.PeriodEndResult](t)(f.rs.RunPeriodEnds(ctx)); res != (resellers.PeriodEndResult{}) {
				t.Fatalf("before the period end: %+v", res)
			}
			f.advance(32 * 24 * time.Hour) // past the first monthly period, before the second ends
			res := must[resellers.PeriodEndResult](t)(f.rs.RunPeriodEnds(ctx))
			if want := (resellers.PeriodEndResult{Renewed: 2, Expired: 3}); res != want {
				t.Fatalf("run = %+v, want %+v", res, want)
			}
			trails := map[string]int{}
			for i, c := range cases {
				t.Run(c.name, func(t *testing.T) {
					sub := subs[i]
					got := must[*resellers.Subscription](t)(f.st.GetSubscription(ctx, sub.ID))
					if got.Status != c.want {
						t.Fatalf("status %s, want %s", got.Status, c.want)
					}
					trail := auditOf(t, f.partnersEnv, f.resellerActor, sub.ID)
					trails[sub.ID] = len(trail)
					if c.wantEvent == "" {
						if got.Version != sub.Version {
							t.Fatalf("untouched subscription moved: %+v", got)
						}
						return
					}
					wantSystemEvent(t, trail[len(trail)-1], c.wantEvent, f.reseller.ID)
					hist := must[[]resellers.Event](t)(f.rs.History(ctx, f.resellerActor, sub.ID))
					if last := hist[len(hist)-1]; last.Actor != partnerkit.PrincipalSystem || "subscription."+string(last.Type) != c.wantEvent {
						t.Fatalf("last history entry %+v", last)
					}
					if c.want == resellers.StatusActive &&
						(!got.PeriodStart.Equal(sub.PeriodEnd) || !got.PeriodEnd.Equal(sub.BillingPeriod.After(sub.PeriodEnd))) {
						t.Fatalf("renewed period %s–%s, want it to follow %s", got.PeriodStart, got.PeriodEnd, sub.PeriodEnd)
					}
				})
			}
			// A second run changes nothing and records nothing.
			charges := len(must[partnerkit.List[resellers.Charge]](t)(f.rs.Charges(ctx, f.resellerActor,
				resellers.ChargeFilter{Page: partnerkit.Page{Limit: partnerkit.MaxLimit}})).Items)
			if res := must[resellers.PeriodEndResult](t)(f.rs.RunPeriodEnds(ctx)); res != (resellers.PeriodEndResult{}) {
				t.Fatalf("second run = %+v, want nothing", res)
			}
			for _, sub := range subs {
				if n := len(auditOf(t, f.partnersEnv, f.resellerActor, sub.ID)); n != trails[sub.ID] {
					t.Fatalf("second run recorded %d events on %s", n-trails[sub.ID], sub.ID)
				}
			}
			if n := len(must[partnerkit.List[resellers.Charge]](t)(f.rs.Charges(ctx, f.resellerActor,
				resellers.ChargeFilter{Page: partnerkit.Page{Limit: partnerkit.MaxLimit}})).Items); n != charges {
				t.Fatalf("second run billed %d charges", n-charges)
			}
		}},

		{name: "PeriodEndsCatchUp", needs: forResellers, fn: func(t *testing.T, h Harness) {
			f := newResellersFixture(t, h)
			sub := f.orderOn(t, f.renewingService(t), "Dormant", "10")
			// A decrease scheduled for the renewal applies to the first one only.
			must[*resellers.Subscription](t)(f.rs.ChangeResources(ctx, f.resellerActor, sub.ID, []resellers.AmountInput{{Name: "mailboxes", Amount: tb("4")}}))
			f.advance(95 * 24 * time.Hour) // three monthly periods passed while the server was down
			res := must[resellers.PeriodEndResult](t)(f.rs.RunPeriodEnds(ctx))
			if res != (resellers.PeriodEndResult{Renewed: 3}) {
				t.Fatalf("run = %+v, want 3 renewals", res)
			}
			got := must[*resellers.Subscription](t)(f.st.GetSubscription(ctx, sub.ID))
			end := sub.PeriodEnd
			for range 3 {
				end = sub.BillingPeriod.After(end)
			}
			if got.Status != resellers.StatusActive || !got.PeriodEnd.Equal(end) || got.Scheduled != nil || !got.Resources[0].Amount.Equal(tb("4")) {
				t.Fatalf("caught up = %+v, want active until %s with 4 mailboxes", got, end)
			}
			// One renewal per period, each billed for its own period, in order.
			renewals := renewalCharges(f.charges(t, sub.ID))
			if len(renewals) != 6 {
				t.Fatalf("%d renewal charges, want 3 periods × 2 resources", len(renewals))
			}
			start := sub.PeriodEnd
			for i := 0; i < len(renewals); i += 2 {
				for _, c := range renewals[i : i+2] {
					if !c.PeriodStart.Equal(start) || !c.PeriodEnd.Equal(sub.BillingPeriod.After(start)) {
						t.Fatalf("renewal charge %d bills %s–%s, want the period from %s", i, c.PeriodStart, c.PeriodEnd, start)
					}
					if c.Resource == "mailboxes" && !c.Quantity.Equal(tb("4")) {
						t.Fatalf("renewal %d bills %s mailboxes, want the 4 scheduled", i/2, c.Quantity)
					}
				}
				start = sub.BillingPeriod.After(start)
			}
			trail := auditOf(t, f.partnersEnv, f.resellerActor, sub.ID)
			if n := countAction(trail, "subscription.renewed"); n != 3 {
				t.Fatalf("%d renewal events, want 3: %v", n, actionsOf(trail))
			}
			hist := must[[]resellers.Event](t)(f.rs.History(ctx, f.resellerActor, sub.ID))
			if len(hist) != 5 { // ordered, decrease scheduled, 3 renewals
				t.Fatalf("history %+v", hist)
			}
			// The per-account rule of old (ExpireDue) agrees: nothing left to do.
			if subs := must[[]resellers.Subscription](t)(f.rs.ExpireDue(ctx, f.resellerActor)); len(subs) != 0 {
				t.Fatalf("ExpireDue after the run expired %d", len(subs))
			}
		}},

		{name: "AutoRenewalBillsAsManualRenewal", needs: forResellers, fn: func(t *testing.T, h Harness) {
			f := newResellersFixture(t, h)
			svc := f.renewingService(t)
			manual, auto := f.orderOn(t, svc, "By hand", "10"), f.orderOn(t, svc, "Automatic", "10")
			for _, id := range []string{manual.ID, auto.ID} {
				must[*resellers.Subscription](t)(f.rs.ChangeResources(ctx, f.resellerActor, id, []resellers.AmountInput{{Name: "mailboxes", Amount: tb("6")}}))
			}
			must[*resellers.Subscription](t)(f.rs.Renew(ctx, f.resellerActor, manual.ID))
			f.advance(32 * 24 * time.Hour)
			if res := must[resellers.PeriodEndResult](t)(f.rs.RunPeriodEnds(ctx)); res != (resellers.PeriodEndResult{Renewed: 1}) {
				t.Fatalf("run = %+v, want the automatic subscription renewed once", res)
			}
			m, a := renewalCharges(f.charges(t, manual.ID)), renewalCharges(f.charges(t, auto.ID))
			if len(m) != 2 || len(a) != 2 {
				t.Fatalf("renewal charges: %d manual, %d automatic", len(m), len(a))
			}
			byResource := func(cs []resellers.Charge) map[string]resellers.Charge {
				out := map[string]resellers.Charge{}
				for _, c := range cs {
					out[c.Resource] = c
				}
				return out
			}
			mm, am := byResource(m), byResource(a)
			for name, mc := range mm {
				ac := am[name]
				if ac.Kind != mc.Kind || ac.Unit != mc.Unit || !ac.Quantity.Equal(mc.Quantity) || !ac.UnitPrice.Equal(mc.UnitPrice) ||
					!ac.Fraction.Equal(mc.Fraction) || !ac.Amount.Equal(mc.Amount) || ac.Description != mc.Description ||
					ac.PartnerID != mc.PartnerID || ac.ServiceID != mc.ServiceID {
					t.Fatalf("%s: automatic renewal billed %+v, a manual one %+v", name, ac, mc)
				}
				if !mc.PeriodStart.Equal(manual.PeriodEnd) || !ac.PeriodStart.Equal(auto.PeriodEnd) {
					t.Fatalf("%s: renewals bill from %s and %s, want %s and %s", name, mc.PeriodStart, ac.PeriodStart, manual.PeriodEnd, auto.PeriodEnd)
				}
			}
			if !mm["mailboxes"].Quantity.Equal(tb("6")) || !mm["mailboxes"].Amount.Equal(tb("24.75")) {
				t.Fatalf("renewal of 6 mailboxes at 4.125 = %+v", mm["mailboxes"])
			}
		}},

		{name: "UpdateSubscription", needs: forResellers, fn: func(t *testing.T, h Harness) {
			f := newResellersFixture(t, h)
			sub := f.order(t, "Settings", "2")
			on := true
			got := must[*resellers.Subscription](t)(f.rs.UpdateSubscription(ctx, f.resellerActor, sub.ID, resellers.SubscriptionUpdate{AutoRenew: &on, Version: sub.Version}))
			if !got.AutoRenew || got.Version != sub.Version+1 {
				t.Fatalf("updated = %+v", got)
			}
			if stored := must[*resellers.Subscription](t)(f.st.GetSubscription(ctx, sub.ID)); !stored.AutoRenew {
				t.Fatalf("stored auto_renew = %v", stored.AutoRenew)
			}
			trail := auditOf(t, f.partnersEnv, f.resellerActor, sub.ID)
			if last := trail[len(trail)-1]; last.Action != "subscription.updated" || last.Actor != "UR-reseller" {
				t.Fatalf("audit %v", actionsOf(trail))
			}
			// Not a status move: the history is unchanged.
			if hist := must[[]resellers.Event](t)(f.rs.History(ctx, f.resellerActor, sub.ID)); len(hist) != 1 {
				t.Fatalf("history %+v", hist)
			}
			for _, c := range []struct {
				name  string
				actor partnerkit.Actor
				id    string
				in    resellers.SubscriptionUpdate
				code  partnerkit.Code
				field string
			}{
				{"ErrStaleVersion", f.resellerActor, sub.ID, resellers.SubscriptionUpdate{AutoRenew: &on, Version: sub.Version}, partnerkit.CodeConflict, "version"},
				{"ErrViewer", partnerkit.Actor{AccountID: f.reseller.ID, UserID: "UR-viewer", Role: partnerkit.RoleViewer}, sub.ID,
					resellers.SubscriptionUpdate{AutoRenew: &on}, partnerkit.CodeForbidden, ""},
				{"ErrNotTheReseller", f.admin, sub.ID, resellers.SubscriptionUpdate{AutoRenew: &on}, partnerkit.CodeForbidden, ""},
				{"ErrUnknown", f.resellerActor, "SUB-missing", resellers.SubscriptionUpdate{AutoRenew: &on}, partnerkit.CodeNotFound, ""},
			} {
				t.Run(c.name, func(t *testing.T) {
					_, err := f.rs.UpdateSubscription(ctx, c.actor, c.id, c.in)
					if c.field != "" {
						wantField(t, err, c.code, c.field)
						return
					}
					wantCode(t, err, c.code)
				})
			}
		}},
	}
}

// --- contracts: invitation expiry ---

func (f *onboardingFixture) invite(t *testing.T, name string) *contracts.OnboardingResult {
	t.Helper()
	return must[*contracts.OnboardingResult](t)(f.con.Onboard(context.Background(), f.actor, contracts.OnboardingInput{
		Partner: partners.CreatePartnerInput{Type: partners.TypeReseller, Name: name}, AgreementID: f.program.ID, Action: contracts.ActionInvite}))
}

func scheduledInvitationTests() []test {
	ctx := context.Background()
	return []test{
		{name: "InvitationExpiryRule", needs: forContracts, fn: func(t *testing.T, h Harness) {
			f := newOnboardingFixture(t, h)
			expiring, used := f.invite(t, "Expiring"), f.invite(t, "Used")
			if expiring.Invitation.Status != contracts.InvitationPending {
				t.Fatalf("new invitation %+v", expiring.Invitation)
			}
			act := must[*contracts.ActivationResult](t)(f.con.ActivateInvitation(ctx, used.ActivationToken, contracts.ActivationInput{
				Email: "boss@used.example", AcceptAgreement: true, FullName: "Boss", Password: "Sup3r-secret", LegalName: "Used Ltd"}))
			f.advance(contracts.DefaultInvitationTTL / 2)
			fresh := f.invite(t, "Fresh")
			f.advance(contracts.DefaultInvitationTTL/2 + time.Minute)

			if n := must[int](t)(f.con.ExpireInvitations(ctx)); n != 1 {
				t.Fatalf("expired %d invitations, want 1", n)
			}
			list := must[partnerkit.List[contracts.Invitation]](t)(f.con.Invitations(ctx, f.actor, contracts.InvitationFilter{}))
			status := map[string]contracts.InvitationStatus{}
			for _, inv := range list.Items {
				status[inv.ID] = inv.Status
			}
			want := map[string]contracts.InvitationStatus{expiring.Invitation.ID: contracts.InvitationExpired,
				used.Invitation.ID: contracts.InvitationActivated, fresh.Invitation.ID: contracts.InvitationPending}
			if list.Total != 3 || fmt.Sprint(status) != fmt.Sprint(want) || list.Items[0].ID != fresh.Invitation.ID {
				t.Fatalf("invitations %+v, want statuses %v newest first", list.Items, want)
			}
			for _, c := range []struct {
				name   string
				filter contracts.InvitationFilter
				want   []string
			}{
				{"Expired", contracts.InvitationFilter{Status: contracts.InvitationExpired}, []string{expiring.Invitation.ID}},
				{"Pending", contracts.InvitationFilter{Status: contracts.InvitationPending}, []string{fresh.Invitation.ID}},
				{"OnePartner", contracts.InvitationFilter{PartnerID: used.Partner.ID}, []string{used.Invitation.ID}},
				{"Page", contracts.InvitationFilter{Page: partnerkit.Page{Limit: 1, Offset: 2}}, []string{expiring.Invitation.ID, used.Invitation.ID}},
			} {
				t.Run(c.name, func(t *testing.T) {
					l := must[partnerkit.List[contracts.Invitation]](t)(f.con.Invitations(ctx, f.actor, c.filter))
					if len(l.Items) != 1 || !slices.Contains(c.want, l.Items[0].ID) {
						t.Fatalf("items %+v, want one of %v", l.Items, c.want)
					}
				})
			}
			_, err := f.con.Invitations(ctx, f.actor, contracts.InvitationFilter{Status: "lost"})
			wantField(t, err, partnerkit.CodeInvalid, "status")
			_, err = f.con.Invitations(ctx, f.actor, contracts.InvitationFilter{PartnerID: f.root.ID})
			wantCode(t, err, partnerkit.CodeNotFound)

			// An expired link keeps failing as before.
			_, err = f.con.ReviewInvitation(ctx, expiring.ActivationToken)
			wantCode(t, err, partnerkit.CodeGone)
			if !strings.Contains(partnerkit.ErrorMessage(err), "expired") {
				t.Fatalf("message %q", partnerkit.ErrorMessage(err))
			}
			_, err = f.con.ActivateInvitation(ctx, expiring.ActivationToken, contracts.ActivationInput{Email: "x@expiring.example",
				AcceptAgreement: true, FullName: "X", Password: "Sup3r-secret", LegalName: "Expiring Ltd"})
			wantCode(t, err, partnerkit.CodeGone)

			// Events: the expiry by the system, the activation by the new user,
			// each in the invited partner's account.
			trail := auditOf(t, f.partnersEnv, f.actor, expiring.Invitation.ID)
			if len(trail) != 1 {
				t.Fatalf("expired invitation's audit %v", actionsOf(trail))
			}
			wantSystemEvent(t, trail[0], "invitation.expired", expiring.Partner.ID)
			var after contracts.Invitation
			noErr(t, json.Unmarshal(trail[0].After, &after))
			if after.Status != contracts.InvitationExpired || after.ID != expiring.Invitation.ID {
				t.Fatalf("event object %+v", after)
			}
			trail = auditOf(t, f.partnersEnv, f.actor, used.Invitation.ID)
			if len(trail) != 1 || trail[0].Action != "invitation.activated" || trail[0].Actor != act.User.ID ||
				trail[0].AccountID != used.Partner.ID || trail[0].EntityType != "invitation" || !partnerkit.KnownEventType(trail[0].Action) {
				t.Fatalf("used invitation's audit %+v", trail)
			}
			if partner := auditOf(t, f.partnersEnv, f.actor, used.Partner.ID); countAction(partner, "partner.activated") != 1 {
				t.Fatalf("partner audit %v", actionsOf(partner))
			}

			// Idempotent: a second run expires nothing and records nothing.
			if n := must[int](t)(f.con.ExpireInvitations(ctx)); n != 0 {
				t.Fatalf("second run expired %d", n)
			}
			if trail := auditOf(t, f.partnersEnv, f.actor, expiring.Invitation.ID); len(trail) != 1 {
				t.Fatalf("second run recorded events: %v", actionsOf(trail))
			}
			// The fresh one expires in its turn.
			f.advance(contracts.DefaultInvitationTTL / 2)
			if n := must[int](t)(f.con.ExpireInvitations(ctx)); n != 1 {
				t.Fatalf("later run expired %d, want the fresh one", n)
			}
		}},
	}
}

// --- capacity: the purge's events and usage threshold alerts ---

func scheduledCapacityTests() []test {
	ctx := context.Background()
	return []test{
		{name: "PurgeRecordsEvents", needs: forCapacity, fn: func(t *testing.T, h Harness) {
			f := newCapacityFixture(t, h)
			f.allocate(t, 0, f.c100.ID, "10")
			res := f.resellerActor(0)
			doomed := must[*capacity.StorageAccount](t)(f.cap.CreateStorageAccount(ctx, res, capacity.StorageAccountInput{Name: "Doomed", QuotaTB: tb("1")}))
			kept := must[*capacity.StorageAccount](t)(f.cap.CreateStorageAccount(ctx, res, capacity.StorageAccountInput{Name: "Kept", QuotaTB: tb("1")}))
			must[*capacity.StorageAccount](t)(f.cap.DeleteStorageAccount(ctx, res, doomed.ID))
			f.advance(capacity.DeletionGrace + time.Hour)
			if ids := must[[]string](t)(f.cap.PurgeDeletedStorageAccounts(ctx)); len(ids) != 1 || ids[0] != doomed.ID {
				t.Fatalf("purged %v", ids)
			}
			for _, actor := range []partnerkit.Actor{res, f.distActor} {
				trail := auditOf(t, f.partnersEnv, actor, doomed.ID)
				last := trail[len(trail)-1]
				wantSystemEvent(t, last, "storage_account.purged", f.resellers[0].ID)
				var before capacity.StorageAccount
				noErr(t, json.Unmarshal(last.Before, &before))
				if before.ID != doomed.ID || before.Status != capacity.StorageDeletionScheduled || len(last.After) != 0 {
					t.Fatalf("purge event: before %+v, after %s", before, last.After)
				}
			}
			if n := countAction(auditOf(t, f.partnersEnv, res, kept.ID), "storage_account.purged"); n != 0 {
				t.Fatalf("kept account has %d purge events", n)
			}
			n := len(auditOf(t, f.partnersEnv, res, doomed.ID))
			if ids := must[[]string](t)(f.cap.PurgeDeletedStorageAccounts(ctx)); len(ids) != 0 {
				t.Fatalf("second purge %v", ids)
			}
			if m := len(auditOf(t, f.partnersEnv, res, doomed.ID)); m != n {
				t.Fatalf("second purge recorded %d events", m-n)
			}
		}},

		{name: "AlertThresholdsTerms", needs: forCapacity, fn: func(t *testing.T, h Harness) {
			f := newCapacityFixture(t, h)
			got := must[*capacity.Terms](t)(f.cap.SetTerms(ctx, f.admin, f.c100.ID, f.reservedTerms))
			if !slices.Equal(got.AlertThresholds, []int{80, 90, 100}) {
				t.Fatalf("default thresholds %v", got.AlertThresholds)
			}
			for _, c := range []struct {
				name string
				in   []int
				want []int
			}{
				{"Custom", []int{50, 75, 100, 150}, []int{50, 75, 100, 150}},
				{"None", []int{}, []int{}},
				{"Bounds", []int{1, 1000}, []int{1, 1000}},
			} {
				t.Run(c.name, func(t *testing.T) {
					in := f.reservedTerms
					in.AlertThresholds = c.in
					must[*capacity.Terms](t)(f.cap.SetTerms(ctx, f.admin, f.c100.ID, in))
					o := must[*capacity.Overview](t)(f.cap.Overview(ctx, f.distActor, f.c100.ID))
					if !slices.Equal(o.Terms.AlertThresholds, c.want) || o.Terms.AlertThresholds == nil {
						t.Fatalf("stored thresholds %v, want %v", o.Terms.AlertThresholds, c.want)
					}
				})
			}
			for _, c := range []struct {
				name  string
				in    []int
				field string
			}{
				{"ErrZero", []int{0, 50}, "alert_thresholds[0]"},
				{"ErrAboveMax", []int{80, 1001}, "alert_thresholds[1]"},
				{"ErrNegative", []int{-5}, "alert_thresholds[0]"},
				{"ErrRepeated", []int{80, 80}, "alert_thresholds[1]"},
				{"ErrDecreasing", []int{80, 90, 85}, "alert_thresholds[2]"},
				{"ErrTooMany", []int{1, 2, 3, 4, 5, 6, 7, 8, 9, 10, 11}, "alert_thresholds"},
			} {
				t.Run(c.name, func(t *testing.T) {
					in := f.reservedTerms
					in.AlertThresholds = c.in
					_, err := f.cap.SetTerms(ctx, f.admin, f.c100.ID, in)
					wantField(t, err, partnerkit.CodeInvalid, c.field)
				})
			}
		}},

		{name: "UsageThresholdAlerts", needs: forCapacity, fn: func(t *testing.T, h Harness) {
			f := newCapacityFixture(t, h)
			// Reseller 0: 10 TB of c100 (80, 90, 100 %); reseller 1: 4 TB of
			// c50, alerted at 50 % only; reseller 2: pay-per-use at 0 TB.
			half := f.reservedTerms
			half.ReservedTB, half.AlertThresholds = tb("50"), []int{50}
			must[*capacity.Terms](t)(f.cap.SetTerms(ctx, f.admin, f.c50.ID, half))
			f.allocate(t, 0, f.c100.ID, "10")
			f.allocate(t, 1, f.c50.ID, "4")
			f.allocate(t, 2, f.payg.ID, "0")
			var boxes []string
			for i := range 3 {
				a := must[*capacity.StorageAccount](t)(f.cap.CreateStorageAccount(ctx, f.resellerActor(i), capacity.StorageAccountInput{
					Name: fmt.Sprintf("Box %d", i), QuotaTB: tb("1")}))
				boxes = append(boxes, a.ID)
			}
			now := Epoch
			advance := func(d time.Duration) { f.advance(d); now = now.Add(d) }
			ingest := func(i int, used string) {
				t.Helper()
				must[capacity.IngestResult](t)(f.cap.IngestUsage(ctx, f.resellerActor(i), []capacity.Sample{{StorageAccountID: boxes[i],
					Timestamp: now, Bytes: capacity.TBToBytes(tb(used))}}))
			}
			check := func(want int) {
				t.Helper()
				if n := must[int](t)(f.cap.CheckUsageThresholds(ctx)); n != want {
					t.Fatalf("%d alerts, want %d", n, want)
				}
			}
			alerts := func(i int) []capacity.UsageAlert {
				t.Helper()
				var out []capacity.UsageAlert
				for _, ev := range auditOf(t, f.partnersEnv, f.distActor, f.resellers[i].ID) {
					if ev.Action != "usage.threshold_crossed" {
						continue
					}
					wantSystemEvent(t, ev, "usage.threshold_crossed", f.resellers[i].ID)
					var a capacity.UsageAlert
					noErr(t, json.Unmarshal(ev.After, &a))
					out = append(out, a)
				}
				return out
			}
			check(0) // no usage yet

			ingest(0, "8.5") // 85 % of 10 TB
			ingest(1, "1")   // 25 % of 4 TB
			ingest(2, "5")   // pay-per-use at 0 TB: no share to fill
			check(1)
			check(0) // once per threshold per month
			got := alerts(0)
			if len(got) != 1 || got[0].Threshold != 80 || got[0].ContractID != f.c100.ID || got[0].PartnerID != f.resellers[0].ID ||
				!got[0].UsedTB.Equal(tb("8.5")) || !got[0].AllocatedTB.Equal(tb("10")) || got[0].Month != "2026-01" {
				t.Fatalf("alerts of reseller 0: %+v", got)
			}

			advance(24 * time.Hour)
			ingest(0, "10.000001") // past 90 and 100 % on the next day
			ingest(1, "2")         // exactly 50 %
			check(3)
			check(0)
			if got := alerts(0); len(got) != 3 || got[1].Threshold != 90 || got[2].Threshold != 100 || !got[2].UsedTB.Equal(tb("10.000001")) {
				t.Fatalf("alerts of reseller 0: %+v", got)
			}
			if got := alerts(1); len(got) != 1 || got[0].Threshold != 50 || !got[0].UsedTB.Equal(decimal.NewFromInt(2)) {
				t.Fatalf("alerts of reseller 1: %+v", got)
			}
			if got := alerts(2); len(got) != 0 {
				t.Fatalf("alerts of the pay-per-use reseller: %+v", got)
			}

			// Next month: nothing until that month's usage, then again.
			advance(31 * 24 * time.Hour) // 2026-02-03
			check(0)
			ingest(0, "8.1")
			check(1)
			if got := alerts(0); len(got) != 4 || got[3].Threshold != 80 || got[3].Month != "2026-02" {
				t.Fatalf("alerts of reseller 0 in February: %+v", got)
			}
			check(0)
		}},
	}
}

// --- the Concurrent… tests of the scheduled rules ---

func scheduledConcurrencyTests() []test {
	ctx := context.Background()
	return []test{
		{name: "ConcurrentPeriodEnds", needs: forResellers, fn: func(t *testing.T, h Harness) {
			guarantee(t, h, "resellers.Store: optimistic versions on each period's renewal or expiry")
			f := newResellersFixture(t, h)
			svc := f.renewingService(t)
			instances := []*resellers.Service{f.rs, secondInstance(t, f.partnersEnv).Resellers}
			var renewing, expiring []*resellers.Subscription
			for i := range 4 {
				renewing = append(renewing, f.orderOn(t, svc, fmt.Sprintf("Renewing %d", i), "3"))
			}
			for i := range 2 {
				expiring = append(expiring, f.order(t, fmt.Sprintf("Expiring%d", i), "3"))
			}
			periods := 0
			for round, days := range []int{65, 30} { // two periods behind, then one
				f.advance(time.Duration(days) * 24 * time.Hour)
				want := 2
				if round > 0 {
					want = 1
				}
				periods += want
				results := make([]resellers.PeriodEndResult, 4)
				errs := Race(4, func(i int) error {
					var err error
					results[i], err = instances[i%2].RunPeriodEnds(ctx)
					return err
				})
				Outcomes(t, errs)
				var sum resellers.PeriodEndResult
				for _, r := range results {
					sum.Renewed, sum.Expired = sum.Renewed+r.Renewed, sum.Expired+r.Expired
				}
				wantExpired := len(expiring)
				if round > 0 {
					wantExpired = 0
				}
				if sum.Renewed != want*len(renewing) || sum.Expired != wantExpired {
					t.Fatalf("round %d: runs %+v renewed %d and expired %d, want %d and %d", round, results, sum.Renewed, sum.Expired,
						want*len(renewing), wantExpired)
				}
				for _, sub := range renewing {
					got := must[*resellers.Subscription](t)(f.st.GetSubscription(ctx, sub.ID))
					end := sub.PeriodEnd
					for range periods {
						end = sub.BillingPeriod.After(end)
					}
					trail := auditOf(t, f.partnersEnv, f.resellerActor, sub.ID)
					if !got.PeriodEnd.Equal(end) || countAction(trail, "subscription.renewed") != periods ||
						len(renewalCharges(f.charges(t, sub.ID))) != 2*periods {
						t.Fatalf("round %d: %s ends %s (want %s), %d renewal events and %d renewal charges, want %d and %d",
							round, sub.ID, got.PeriodEnd, end, countAction(trail, "subscription.renewed"),
							len(renewalCharges(f.charges(t, sub.ID))), periods, 2*periods)
					}
				}
				for _, sub := range expiring {
					if n := countAction(auditOf(t, f.partnersEnv, f.resellerActor, sub.ID), "subscription.expired"); n != 1 {
						t.Fatalf("round %d: %s expired %d times", round, sub.ID, n)
					}
				}
			}
		}},

		{name: "ConcurrentInvitationExpiry", needs: forContracts, fn: func(t *testing.T, h Harness) {
			guarantee(t, h, "contracts.Store: ExpireInvitation is a conditional update of a pending invitation")
			f := newOnboardingFixture(t, h)
			instances := []*contracts.Service{f.con, secondInstance(t, f.partnersEnv).Contracts}
			var invs []*contracts.Invitation
			for i := range 6 {
				invs = append(invs, f.invite(t, fmt.Sprintf("Invited %d", i)).Invitation)
			}
			f.advance(contracts.DefaultInvitationTTL + time.Minute)
			counts := make([]int, 4)
			errs := Race(4, func(i int) error {
				var err error
				counts[i], err = instances[i%2].ExpireInvitations(ctx)
				return err
			})
			Outcomes(t, errs)
			if sum := counts[0] + counts[1] + counts[2] + counts[3]; sum != len(invs) {
				t.Fatalf("runs expired %v invitations, %d in all, want %d", counts, sum, len(invs))
			}
			for _, inv := range invs {
				if n := countAction(auditOf(t, f.partnersEnv, f.actor, inv.ID), "invitation.expired"); n != 1 {
					t.Fatalf("%s has %d expiry events, want 1", inv.ID, n)
				}
			}
		}},

		{name: "ConcurrentPurge", needs: forCapacity, fn: func(t *testing.T, h Harness) {
			guarantee(t, h, "capacity.Store: PurgeStorageAccounts is one DELETE … RETURNING")
			f := newCapacityFixture(t, h)
			f.allocate(t, 0, f.c100.ID, "10")
			res := f.resellerActor(0)
			instances := []*capacity.Service{f.cap, secondInstance(t, f.partnersEnv).Capacity}
			var ids []string
			for i := range 5 {
				a := must[*capacity.StorageAccount](t)(f.cap.CreateStorageAccount(ctx, res, capacity.StorageAccountInput{Name: fmt.Sprintf("Gone %d", i), QuotaTB: tb("1")}))
				must[*capacity.StorageAccount](t)(f.cap.DeleteStorageAccount(ctx, res, a.ID))
				ids = append(ids, a.ID)
			}
			f.advance(capacity.DeletionGrace + time.Hour)
			purged := make([][]string, 4)
			errs := Race(4, func(i int) error {
				var err error
				purged[i], err = instances[i%2].PurgeDeletedStorageAccounts(ctx)
				return err
			})
			Outcomes(t, errs)
			all := slices.Concat(purged...)
			slices.Sort(all)
			slices.Sort(ids)
			if !slices.Equal(all, ids) {
				t.Fatalf("runs purged %v, want each of %v once", purged, ids)
			}
			for _, id := range ids {
				if n := countAction(auditOf(t, f.partnersEnv, res, id), "storage_account.purged"); n != 1 {
					t.Fatalf("%s has %d purge events, want 1", id, n)
				}
			}
		}},

		{name: "ConcurrentUsageAlerts", needs: forCapacity, fn: func(t *testing.T, h Harness) {
			guarantee(t, h, "capacity.Store: InsertUsageAlert is INSERT … ON CONFLICT DO NOTHING on (partner, contract, month, threshold)")
			f := newCapacityFixture(t, h)
			instances := []*capacity.Service{f.cap, secondInstance(t, f.partnersEnv).Capacity}
			for i := range f.resellers {
				f.allocate(t, i, f.c100.ID, "10")
				a := must[*capacity.StorageAccount](t)(f.cap.CreateStorageAccount(ctx, f.resellerActor(i), capacity.StorageAccountInput{
					Name: "Full", QuotaTB: tb("1")}))
				must[capacity.IngestResult](t)(f.cap.IngestUsage(ctx, f.resellerActor(i), []capacity.Sample{{StorageAccountID: a.ID,
					Timestamp: Epoch, Bytes: capacity.TBToBytes(tb("12"))}}))
			}
			counts := make([]int, 4)
			errs := Race(4, func(i int) error {
				var err error
				counts[i], err = instances[i%2].CheckUsageThresholds(ctx)
				return err
			})
			Outcomes(t, errs)
			if sum := counts[0] + counts[1] + counts[2] + counts[3]; sum != 3*len(f.resellers) {
				t.Fatalf("runs alerted %v, %d in all, want 3 thresholds × %d partners", counts, sum, len(f.resellers))
			}
			for _, p := range f.resellers {
				if n := countAction(auditOf(t, f.partnersEnv, f.distActor, p.ID), "usage.threshold_crossed"); n != 3 {
					t.Fatalf("%s has %d alerts, want 3", p.ID, n)
				}
			}
		}},
	}
}
