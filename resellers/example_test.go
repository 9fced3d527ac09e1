package resellers_test

import (
	"context"
	"fmt"
	"time"

	"github.com/partnerkit/partnerkit"
	"github.com/partnerkit/partnerkit/agreements"
	"github.com/partnerkit/partnerkit/contracts"
	"github.com/partnerkit/partnerkit/partners"
	"github.com/partnerkit/partnerkit/resellers"
	"github.com/partnerkit/partnerkit/wiring"
	"github.com/partnerkit/partnerkit/wiring/stores"
	"github.com/shopspring/decimal"
)

// A provider offers a mail service to a reseller it has an active contract
// with; the reseller orders 10 mailboxes for a new client and is billed
// for them, then adds 5 more half-way through the month.
func ExampleService_Order() {
	ctx := context.Background()
	now := time.Date(2026, 4, 1, 0, 0, 0, 0, time.UTC)
	clock := partnerkit.Clock(func() time.Time { return now })
	wired := wiring.MustNew(stores.Memory(), wiring.Options{Clock: clock})
	ps, as, cs, rs := wired.Partners, wired.Agreements, wired.Contracts, wired.Resellers

	root, _, _ := ps.Bootstrap(ctx, partners.BootstrapInput{AccountName: "ActivePlatform", AdminEmail: "ops@provider.example", AdminPassword: "Sup3r-secret"})
	provider := partnerkit.Actor{AccountID: root.ID, UserID: "UR-provider", Role: partnerkit.RoleAdmin}
	res, _ := ps.CreatePartner(ctx, provider, partners.CreatePartnerInput{Type: partners.TypeReseller, Name: "Reseller"})
	reseller := partnerkit.Actor{AccountID: res.ID, UserID: "UR-reseller", Role: partnerkit.RoleAdmin}
	agr, _ := as.Create(ctx, provider, agreements.CreateInput{Type: agreements.TypeService, Name: "Reseller Store"})
	c, _ := cs.Create(ctx, provider, contracts.CreateInput{PartnerID: res.ID, AgreementID: agr.ID})
	_, _ = cs.Sign(ctx, provider, c.ID)
	_, _ = cs.Activate(ctx, provider, c.ID)

	svc, _ := rs.CreateService(ctx, provider, resellers.ServiceInput{Name: "Cloud Mail", Plans: []resellers.PlanInput{{
		Name: "Business", BillingPeriod: resellers.Monthly, Resources: []resellers.PlanResource{
			{Name: "mailboxes", Unit: "user", UnitPrice: decimal.RequireFromString("4.50"), Min: decimal.NewFromInt(1)},
		}}}})
	sub, err := rs.Order(ctx, reseller, resellers.OrderInput{NewClient: &resellers.ClientInput{Name: "Acme"},
		ServiceID: svc.ID, PlanID: svc.Plans[0].ID,
		Resources: []resellers.AmountInput{{Name: "mailboxes", Amount: decimal.NewFromInt(10)}}})
	if err != nil {
		fmt.Println(err)
		return
	}
	fmt.Println(sub.ServiceName, sub.Status, sub.PeriodEnd.Format(time.DateOnly))

	now = time.Date(2026, 4, 16, 0, 0, 0, 0, time.UTC) // 15 of 30 days left
	_, _ = rs.ChangeResources(ctx, reseller, sub.ID, []resellers.AmountInput{{Name: "mailboxes", Amount: decimal.NewFromInt(15)}})
	charges, _ := rs.Charges(ctx, reseller, resellers.ChargeFilter{})
	for _, ch := range charges.Items {
		fmt.Println(ch.Kind, ch.Quantity, "×", ch.UnitPrice, "×", ch.Fraction, "=", ch.Amount.StringFixed(2))
	}
	// Output:
	// Cloud Mail active 2026-05-01
	// order 10 × 4.5 × 1 = 45.00
	// increase 5 × 4.5 × 0.5 = 11.25
}

// A subscription on a plan that renews automatically, left alone for two
// months and a half: the scheduled period-end rule (run by the server
// periodically, here by hand) renews it period by period, billing each
// period as a manual renewal would, and expires one that does not renew.
func ExampleService_RunPeriodEnds() {
	ctx := context.Background()
	now := time.Date(2026, 4, 1, 0, 0, 0, 0, time.UTC)
	clock := partnerkit.Clock(func() time.Time { return now })
	wired := wiring.MustNew(stores.Memory(), wiring.Options{Clock: clock})
	ps, as, cs, rs := wired.Partners, wired.Agreements, wired.Contracts, wired.Resellers

	root, _, _ := ps.Bootstrap(ctx, partners.BootstrapInput{AccountName: "ActivePlatform", AdminEmail: "ops@provider.example", AdminPassword: "Sup3r-secret"})
	provider := partnerkit.Actor{AccountID: root.ID, UserID: "UR-provider", Role: partnerkit.RoleAdmin}
	res, _ := ps.CreatePartner(ctx, provider, partners.CreatePartnerInput{Type: partners.TypeReseller, Name: "Reseller"})
	reseller := partnerkit.Actor{AccountID: res.ID, UserID: "UR-reseller", Role: partnerkit.RoleAdmin}
	agr, _ := as.Create(ctx, provider, agreements.CreateInput{Type: agreements.TypeService, Name: "Reseller Store"})
	c, _ := cs.Create(ctx, provider, contracts.CreateInput{PartnerID: res.ID, AgreementID: agr.ID})
	_, _ = cs.Sign(ctx, provider, c.ID)
	_, _ = cs.Activate(ctx, provider, c.ID)
	svc, _ := rs.CreateService(ctx, provider, resellers.ServiceInput{Name: "Cloud Mail", Plans: []resellers.PlanInput{{
		Name: "Business", BillingPeriod: resellers.Monthly, AutoRenew: true, Resources: []resellers.PlanResource{
			{Name: "mailboxes", Unit: "user", UnitPrice: decimal.RequireFromString("4.50"), Min: decimal.NewFromInt(1)},
		}}}})
	order := func(client string) *resellers.Subscription {
		sub, _ := rs.Order(ctx, reseller, resellers.OrderInput{NewClient: &resellers.ClientInput{Name: client},
			ServiceID: svc.ID, PlanID: svc.Plans[0].ID, Resources: []resellers.AmountInput{{Name: "mailboxes", Amount: decimal.NewFromInt(10)}}})
		return sub
	}
	renewing, lapsing := order("Acme"), order("Globex")
	off := false
	_, _ = rs.UpdateSubscription(ctx, reseller, lapsing.ID, resellers.SubscriptionUpdate{AutoRenew: &off})

	now = time.Date(2026, 6, 15, 0, 0, 0, 0, time.UTC)
	res1, err := rs.RunPeriodEnds(ctx)
	if err != nil {
		fmt.Println(err)
		return
	}
	res2, _ := rs.RunPeriodEnds(ctx) // idempotent: nothing left to do
	fmt.Printf("%+v then %+v\n", res1, res2)
	for _, id := range []string{renewing.ID, lapsing.ID} {
		sub, _ := rs.Subscription(ctx, reseller, id)
		fmt.Println(sub.Status, sub.PeriodEnd.Format(time.DateOnly))
	}
	charges, _ := rs.Charges(ctx, reseller, resellers.ChargeFilter{SubscriptionID: renewing.ID})
	for _, ch := range charges.Items {
		fmt.Println(ch.Kind, ch.PeriodStart.Format(time.DateOnly), ch.Amount.StringFixed(2))
	}
	// Output:
	// {Renewed:2 Expired:1 Skipped:0} then {Renewed:0 Expired:0 Skipped:0}
	// active 2026-07-01
	// expired 2026-05-01
	// order 2026-04-01 45.00
	// renewal 2026-05-01 45.00
	// renewal 2026-06-01 45.00
}
