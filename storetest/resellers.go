package storetest

import (
	"context"
	"slices"
	"testing"
	"time"

	"github.com/partnerkit/partnerkit"
	"github.com/partnerkit/partnerkit/agreements"
	"github.com/partnerkit/partnerkit/contracts"
	"github.com/partnerkit/partnerkit/partners"
	"github.com/partnerkit/partnerkit/resellers"
	"github.com/shopspring/decimal"
)

// resellersFixture is a root provider with a catalog service and a
// reseller holding an active contract with it, and the resellers service
// on the same database.
type resellersFixture struct {
	*partnersEnv
	rs            *resellers.Service
	st            resellers.Store
	reseller      *partners.Account
	resellerActor partnerkit.Actor
	service       *resellers.CatalogService
}

func newResellersFixture(t *testing.T, h Harness) *resellersFixture {
	t.Helper()
	ctx := context.Background()
	e := newPartnersEnv(t, h)
	declared(t, e.stores, forResellers)
	f := &resellersFixture{partnersEnv: e, st: e.stores.Resellers, rs: e.rs}
	f.reseller = e.create(t, e.admin, partners.CreatePartnerInput{Type: partners.TypeReseller, Name: "Reseller"})
	f.resellerActor = partnerkit.Actor{AccountID: f.reseller.ID, UserID: "UR-reseller", Role: partnerkit.RoleAdmin}
	agr := must[*agreements.Agreement](t)(e.agr.Create(ctx, e.admin, agreements.CreateInput{Type: agreements.TypeService, Name: "Reseller Store"}))
	c := must[*contracts.Contract](t)(e.con.Create(ctx, e.admin, contracts.CreateInput{PartnerID: f.reseller.ID, AgreementID: agr.ID}))
	must[*contracts.Contract](t)(e.con.Sign(ctx, e.admin, c.ID))
	must[*contracts.Contract](t)(e.con.Activate(ctx, e.admin, c.ID))
	f.service = must[*resellers.CatalogService](t)(f.rs.CreateService(ctx, e.admin, resellers.ServiceInput{
		Name: "Cloud Mail", Description: "Mail for teams", Plans: []resellers.PlanInput{{
			Name: "Business", BillingPeriod: resellers.Monthly, DecreaseAtRenewal: true, Resources: []resellers.PlanResource{
				{Name: "mailboxes", Unit: "user", UnitPrice: tb("4.125"), Min: tb("1"), Max: tb("500")},
				{Name: "archive", Unit: "GB", UnitPrice: tb("0.000001"), Min: tb("0")},
			}}, {Name: "Trial", BillingPeriod: resellers.Annual, TrialDays: 30, Resources: []resellers.PlanResource{
			{Name: "mailboxes", Unit: "user", UnitPrice: tb("40"), Min: tb("1")}}}}}))
	return f
}

func (f *resellersFixture) order(t *testing.T, clientName, mailboxes string) *resellers.Subscription {
	t.Helper()
	return must[*resellers.Subscription](t)(f.rs.Order(context.Background(), f.resellerActor, resellers.OrderInput{
		NewClient: &resellers.ClientInput{Name: clientName, Email: "IT@" + clientName + ".example"},
		ServiceID: f.service.ID, PlanID: f.service.Plans[0].ID,
		Resources: []resellers.AmountInput{{Name: "mailboxes", Amount: tb(mailboxes)}, {Name: "archive", Amount: tb("1234567.123456")}}}))
}

func sameAmounts(t *testing.T, got, want []resellers.Amount) {
	t.Helper()
	if len(got) != len(want) {
		t.Fatalf("amounts = %+v, want %+v", got, want)
	}
	for i := range got {
		if got[i].Name != want[i].Name || got[i].Unit != want[i].Unit || !got[i].Amount.Equal(want[i].Amount) || !got[i].UnitPrice.Equal(want[i].UnitPrice) {
			t.Fatalf("amount %d = %+v, want %+v", i, got[i], want[i])
		}
	}
}

// resellersSuite is the table of resellers.Store's conformance tests,
// through the service.
func resellersSuite() suite {
	ctx := context.Background()
	return suite{tests: append([]test{
		{name: "CatalogRoundTrip", needs: forResellers, fn: func(t *testing.T, h Harness) {
			f := newResellersFixture(t, h)
			got := must[*resellers.CatalogService](t)(f.st.GetService(ctx, f.service.ID))
			if got.Name != "Cloud Mail" || got.ProviderID != f.root.ID || len(got.Plans) != 2 || got.Version != 1 ||
				!got.CreatedAt.Equal(f.service.CreatedAt) || got.CreatedAt.Location() != time.UTC {
				t.Fatalf("stored service = %+v", got)
			}
			r := got.Plans[0].Resources[1]
			if !r.UnitPrice.Equal(tb("0.000001")) || !got.Plans[0].DecreaseAtRenewal || got.Plans[1].TrialDays != 30 {
				t.Fatalf("plans = %+v", got.Plans)
			}
			catalog := must[partnerkit.List[resellers.CatalogService]](t)(f.rs.Catalog(ctx, f.resellerActor, resellers.ServiceFilter{}))
			if catalog.Total != 1 || catalog.Items[0].ID != f.service.ID {
				t.Fatalf("catalog = %+v", catalog)
			}
			// A stale version is a conflict; a missing service not_found.
			stale := *got
			stale.Version = 7
			wantCode(t, f.st.UpdateService(ctx, &stale), partnerkit.CodeConflict)
			stale.ID = "SVC-missing"
			wantCode(t, f.st.UpdateService(ctx, &stale), partnerkit.CodeNotFound)
			_, err := f.st.GetService(ctx, "SVC-missing")
			wantCode(t, err, partnerkit.CodeNotFound)
		}},

		{name: "CatalogCurrency", needs: forResellers, fn: func(t *testing.T, h Harness) {
			// A service without a currency is in USD; one is given as any
			// case and stored upper-cased; an update without one keeps it,
			// with one changes it; a code that is not one names the field.
			f := newResellersFixture(t, h)
			if got := must[*resellers.CatalogService](t)(f.st.GetService(ctx, f.service.ID)); got.Currency != resellers.DefaultCurrency {
				t.Fatalf("currency of a service created without one = %q", got.Currency)
			}
			plans := []resellers.PlanInput{{Name: "Basic", BillingPeriod: resellers.Monthly,
				Resources: []resellers.PlanResource{{Name: "seats", Unit: "user", UnitPrice: tb("9.5"), Min: tb("1")}}}}
			eur := must[*resellers.CatalogService](t)(f.rs.CreateService(ctx, f.admin, resellers.ServiceInput{Name: "Backup", Currency: " eur ", Plans: plans}))
			if got := must[*resellers.CatalogService](t)(f.st.GetService(ctx, eur.ID)); got.Currency != "EUR" {
				t.Fatalf("stored currency = %q, want EUR", got.Currency)
			}
			kept := must[*resellers.CatalogService](t)(f.rs.UpdateService(ctx, f.admin, eur.ID, resellers.ServiceInput{Name: "Backup+", Plans: plans, Version: 1}))
			changed := must[*resellers.CatalogService](t)(f.rs.UpdateService(ctx, f.admin, eur.ID, resellers.ServiceInput{Name: "Backup+", Currency: "CHF", Plans: plans, Version: 2}))
			if kept.Currency != "EUR" || changed.Currency != "CHF" {
				t.Fatalf("after updates: %q then %q, want EUR then CHF", kept.Currency, changed.Currency)
			}
			if got := must[*resellers.CatalogService](t)(f.st.GetService(ctx, eur.ID)); got.Currency != "CHF" {
				t.Fatalf("stored after update = %q", got.Currency)
			}
			_, err := f.rs.CreateService(ctx, f.admin, resellers.ServiceInput{Name: "Bad", Currency: "dollars", Plans: plans})
			wantField(t, err, partnerkit.CodeInvalid, "currency")
		}},

		{name: "SubscriptionAndChargeCurrency", needs: forResellers, fn: func(t *testing.T, h Harness) {
			// A subscription is in its service's currency, and so is each
			// charge; analytics add up the costs of one currency only: the
			// asked one, or that of most charges, and list the others.
			f := newResellersFixture(t, h)
			usd := f.order(t, "Alpha", "2")
			eurService := must[*resellers.CatalogService](t)(f.rs.CreateService(ctx, f.admin, resellers.ServiceInput{Name: "Backup",
				Currency: "EUR", Plans: []resellers.PlanInput{{Name: "Basic", BillingPeriod: resellers.Monthly,
					Resources: []resellers.PlanResource{{Name: "seats", Unit: "user", UnitPrice: tb("10"), Min: tb("1")}}}}}))
			var eur []*resellers.Subscription
			for _, name := range []string{"Beta", "Gamma"} {
				eur = append(eur, must[*resellers.Subscription](t)(f.rs.Order(ctx, f.resellerActor, resellers.OrderInput{
					NewClient: &resellers.ClientInput{Name: name, Email: "it@" + name + ".example"},
					ServiceID: eurService.ID, PlanID: eurService.Plans[0].ID,
					Resources: []resellers.AmountInput{{Name: "seats", Amount: tb("3")}}})))
			}
			if usd.Currency != "USD" || eur[0].Currency != "EUR" {
				t.Fatalf("subscriptions in %q and %q, want USD and EUR", usd.Currency, eur[0].Currency)
			}
			if got := must[*resellers.Subscription](t)(f.st.GetSubscription(ctx, eur[0].ID)); got.Currency != "EUR" {
				t.Fatalf("stored subscription currency %q", got.Currency)
			}
			charges := must[partnerkit.List[resellers.Charge]](t)(f.rs.Charges(ctx, f.resellerActor, resellers.ChargeFilter{Page: partnerkit.Page{Limit: 100}}))
			perCurrency := map[string]decimal.Decimal{}
			for _, c := range charges.Items {
				want := map[bool]string{true: "EUR", false: "USD"}[c.ServiceID == eurService.ID]
				if c.Currency != want {
					t.Fatalf("charge %s of service %s in %q, want %s", c.ID, c.ServiceID, c.Currency, want)
				}
				perCurrency[c.Currency] = perCurrency[c.Currency].Add(c.Amount)
			}
			// As many charges in euros as in dollars (the USD order bills two
			// resources): the default report is of the first code.
			a := must[*resellers.Analytics](t)(f.rs.Analytics(ctx, f.resellerActor, resellers.AnalyticsQuery{By: resellers.ByService}))
			if a.Currency != "EUR" || !slices.Equal(a.Currencies, []string{"EUR", "USD"}) || !a.Total.Equal(perCurrency["EUR"]) {
				t.Fatalf("default analytics: %s %s of %v, want EUR %s of [EUR USD]", a.Currency, a.Total, a.Currencies, perCurrency["EUR"])
			}
			a = must[*resellers.Analytics](t)(f.rs.Analytics(ctx, f.resellerActor, resellers.AnalyticsQuery{By: resellers.ByService, Currency: "usd"}))
			if a.Currency != "USD" || !a.Total.Equal(perCurrency["USD"]) || len(a.Rows) != 1 || a.Rows[0].ID != f.service.ID {
				t.Fatalf("analytics in USD: %s %s with %d rows, want USD %s of the USD service only", a.Currency, a.Total, len(a.Rows), perCurrency["USD"])
			}
			_, err := f.rs.Analytics(ctx, f.resellerActor, resellers.AnalyticsQuery{Currency: "euros"})
			wantField(t, err, partnerkit.CodeInvalid, "currency")
		}},

		{name: "ClientsListAndFilter", needs: forResellers, fn: func(t *testing.T, h Harness) {
			f := newResellersFixture(t, h)
			for _, n := range []string{"Zeta", "alpha", "Beta_1", "Beta%2"} {
				must[*resellers.Client](t)(f.rs.CreateClient(ctx, f.resellerActor, resellers.ClientInput{Name: n}))
			}
			l := must[partnerkit.List[resellers.Client]](t)(f.rs.Clients(ctx, f.resellerActor, resellers.ClientFilter{}))
			var names []string
			for _, c := range l.Items {
				names = append(names, c.Name)
			}
			if l.Total != 4 || names[0] != "Beta%2" || names[3] != "alpha" {
				t.Fatalf("clients (byte order) = %v", names)
			}
			l = must[partnerkit.List[resellers.Client]](t)(f.rs.Clients(ctx, f.resellerActor, resellers.ClientFilter{Q: "a_"}))
			if l.Total != 1 || l.Items[0].Name != "Beta_1" {
				t.Fatalf("q=a_ = %+v", l.Items)
			}
			hold := resellers.ClientOnHold
			c := must[*resellers.Client](t)(f.rs.UpdateClient(ctx, f.resellerActor, l.Items[0].ID, resellers.ClientUpdate{Status: &hold}))
			if c.Version != 2 {
				t.Fatalf("version = %d", c.Version)
			}
			l = must[partnerkit.List[resellers.Client]](t)(f.rs.Clients(ctx, f.resellerActor, resellers.ClientFilter{Status: resellers.ClientOnHold}))
			if l.Total != 1 {
				t.Fatalf("on hold = %+v", l)
			}
			l = must[partnerkit.List[resellers.Client]](t)(f.rs.Clients(ctx, f.resellerActor, resellers.ClientFilter{Page: partnerkit.Page{Limit: 2, Offset: 1}}))
			if l.Total != 4 || len(l.Items) != 2 {
				t.Fatalf("page = %+v", l)
			}
			// The provider sees the clients of the reseller it manages; the
			// reseller does not see the provider's.
			l = must[partnerkit.List[resellers.Client]](t)(f.rs.Clients(ctx, f.admin, resellers.ClientFilter{PartnerID: f.reseller.ID}))
			if l.Total != 4 {
				t.Fatalf("provider's view = %d", l.Total)
			}
			_, err := f.rs.Clients(ctx, f.resellerActor, resellers.ClientFilter{PartnerID: f.root.ID})
			wantCode(t, err, partnerkit.CodeNotFound)
		}},

		{name: "SubscriptionLifecycle", needs: forResellers, fn: func(t *testing.T, h Harness) {
			f := newResellersFixture(t, h)
			sub := f.order(t, "Acme", "10")
			got := must[*resellers.Subscription](t)(f.st.GetSubscription(ctx, sub.ID))
			sameAmounts(t, got.Resources, sub.Resources)
			if got.Status != resellers.StatusActive || !got.PeriodEnd.Equal(sub.PeriodEnd) || got.TrialEndsAt != nil || got.Scheduled != nil ||
				!got.DecreaseAtRenewal || got.ServiceName != "Cloud Mail" || got.PlanName != "Business" {
				t.Fatalf("stored subscription = %+v", got)
			}
			// Decrease at renewal: scheduled, then applied.
			sub = must[*resellers.Subscription](t)(f.rs.ChangeResources(ctx, f.resellerActor, sub.ID, []resellers.AmountInput{{Name: "mailboxes", Amount: tb("4")}}))
			got = must[*resellers.Subscription](t)(f.st.GetSubscription(ctx, sub.ID))
			if len(got.Scheduled) != 1 || !got.Scheduled[0].Amount.Equal(tb("4")) || !got.Resources[0].Amount.Equal(tb("10")) {
				t.Fatalf("scheduled = %+v / %+v", got.Scheduled, got.Resources)
			}
			sub = must[*resellers.Subscription](t)(f.rs.Renew(ctx, f.resellerActor, sub.ID))
			got = must[*resellers.Subscription](t)(f.st.GetSubscription(ctx, sub.ID))
			if got.Scheduled != nil || !got.Resources[0].Amount.Equal(tb("4")) || got.Version != 3 {
				t.Fatalf("renewed = %+v", got)
			}
			must[*resellers.Subscription](t)(f.rs.Stop(ctx, f.resellerActor, sub.ID))
			_, err := f.rs.Renew(ctx, f.resellerActor, sub.ID)
			wantField(t, err, partnerkit.CodeConflict, "status")
			_, err = f.rs.Stop(ctx, f.resellerActor, sub.ID)
			wantField(t, err, partnerkit.CodeConflict, "status")
			must[*resellers.Subscription](t)(f.rs.Activate(ctx, f.resellerActor, sub.ID))

			evs := must[[]resellers.Event](t)(f.rs.History(ctx, f.resellerActor, sub.ID))
			var types []string
			for i, e := range evs {
				types = append(types, string(e.Type))
				if e.Seq != i+1 || e.Actor != "UR-reseller" || e.At.Location() != time.UTC {
					t.Fatalf("event %d = %+v", i, e)
				}
			}
			if want := "ordered decrease_scheduled renewed stopped activated"; joinStrings(types) != want {
				t.Fatalf("history = %s, want %s", joinStrings(types), want)
			}
			if evs[3].From != resellers.StatusActive || evs[3].To != resellers.StatusStopped {
				t.Fatalf("stop event = %+v", evs[3])
			}
			if !evs[0].Resources[0].Amount.Equal(tb("10")) || !evs[2].Resources[0].Amount.Equal(tb("4")) {
				t.Fatalf("event amounts = %+v / %+v", evs[0].Resources, evs[2].Resources)
			}
		}},

		{name: "ChargesDecimal", needs: forResellers, fn: func(t *testing.T, h Harness) {
			f := newResellersFixture(t, h)
			sub := f.order(t, "Acme", "3")
			charges := must[partnerkit.List[resellers.Charge]](t)(f.rs.Charges(ctx, f.resellerActor, resellers.ChargeFilter{}))
			if charges.Total != 2 {
				t.Fatalf("charges = %+v", charges)
			}
			total := decimal.Zero
			for _, c := range charges.Items {
				total = total.Add(c.Amount)
				if c.PartnerID != f.reseller.ID || c.SubscriptionID != sub.ID || c.Kind != resellers.ChargeOrder || !c.Fraction.Equal(tb("1")) {
					t.Fatalf("charge = %+v", c)
				}
			}
			// 3 × 4.125 = 12.375 → 12.38; 1234567.123456 × 0.000001 = 1.234567… → 1.23.
			if !total.Equal(tb("13.61")) {
				t.Fatalf("total = %s, want 13.61", total)
			}
			byArchive := charges.Items[0]
			if byArchive.Resource != "archive" {
				byArchive = charges.Items[1]
			}
			if !byArchive.Quantity.Equal(tb("1234567.123456")) || !byArchive.UnitPrice.Equal(tb("0.000001")) {
				t.Fatalf("archive charge lost digits: %+v", byArchive)
			}
			sub2 := f.order(t, "Beta", "1")
			l := must[partnerkit.List[resellers.Charge]](t)(f.rs.Charges(ctx, f.resellerActor, resellers.ChargeFilter{SubscriptionID: sub2.ID}))
			if l.Total != 2 {
				t.Fatalf("one subscription's charges = %d", l.Total)
			}
			l = must[partnerkit.List[resellers.Charge]](t)(f.rs.Charges(ctx, f.resellerActor, resellers.ChargeFilter{From: sub2.CreatedAt}))
			if l.Total != 2 {
				t.Fatalf("charges from = %d", l.Total)
			}
			subs := must[partnerkit.List[resellers.Subscription]](t)(f.rs.Subscriptions(ctx, f.resellerActor, resellers.SubscriptionFilter{}))
			if subs.Total != 2 || subs.Items[0].ID != sub2.ID {
				t.Fatalf("subscriptions newest first = %+v", subs.Items)
			}
			a := must[*resellers.Analytics](t)(f.rs.Analytics(ctx, f.resellerActor, resellers.AnalyticsQuery{Granularity: resellers.ByDay,
				From: Epoch, To: Epoch.AddDate(0, 0, 1)}))
			if len(a.Rows) != 2 || a.Rows[0].Name != "Acme" || !a.Rows[0].Total.Equal(tb("13.61")) || !a.Total.Equal(tb("13.61").Add(tb("4.13")).Add(tb("1.23"))) {
				t.Fatalf("analytics = %+v", a)
			}
		}},

		{name: "RollbackOnFailure", needs: forResellers, fn: func(t *testing.T, h Harness) {
			f := newResellersFixture(t, h)
			// A failing order creates no inline client: nothing is half-written.
			_, err := f.rs.Order(ctx, f.resellerActor, resellers.OrderInput{NewClient: &resellers.ClientInput{Name: "Ghost"},
				ServiceID: f.service.ID, PlanID: f.service.Plans[0].ID,
				Resources: []resellers.AmountInput{{Name: "mailboxes", Amount: tb("501")}}})
			wantField(t, err, partnerkit.CodeInvalid, "resources[0].amount")
			l := must[partnerkit.List[resellers.Client]](t)(f.rs.Clients(ctx, f.resellerActor, resellers.ClientFilter{}))
			if l.Total != 0 {
				t.Fatalf("clients after a failed order = %d", l.Total)
			}
		}},

		{name: "Trial", needs: forResellers, fn: func(t *testing.T, h Harness) {
			f := newResellersFixture(t, h)
			sub := must[*resellers.Subscription](t)(f.rs.Order(ctx, f.resellerActor, resellers.OrderInput{
				NewClient: &resellers.ClientInput{Name: "Trial Co"}, ServiceID: f.service.ID, PlanID: f.service.Plans[1].ID}))
			got := must[*resellers.Subscription](t)(f.st.GetSubscription(ctx, sub.ID))
			if got.TrialEndsAt == nil || !got.TrialEndsAt.Equal(*sub.TrialEndsAt) || got.TrialEndsAt.Location() != time.UTC {
				t.Fatalf("trial end = %v", got.TrialEndsAt)
			}
			l := must[partnerkit.List[resellers.Charge]](t)(f.rs.Charges(ctx, f.resellerActor, resellers.ChargeFilter{}))
			if l.Total != 1 || !l.Items[0].Amount.IsZero() || !l.Items[0].UnitPrice.IsZero() {
				t.Fatalf("trial charge = %+v", l.Items)
			}
		}},

		{name: "DependentsBlockPartnerDeletion", needs: forResellers, fn: func(t *testing.T, h Harness) {
			f := newResellersFixture(t, h)
			f.order(t, "Acme", "3")
			reseller := must[map[string]int](t)(f.stores.Partners.Dependents(ctx, f.reseller.ID))
			if reseller["clients"] != 1 || reseller["subscriptions"] != 1 {
				t.Fatalf("reseller dependents = %v, want 1 client and 1 subscription", reseller)
			}
			provider := must[map[string]int](t)(f.stores.Partners.Dependents(ctx, f.service.ProviderID))
			if provider["catalog services"] != 1 || provider["subscriptions"] != 1 {
				t.Fatalf("provider dependents = %v, want 1 catalog service and 1 subscription", provider)
			}
		}},
	}, scheduledResellersTests()...)}
}

func joinStrings(ss []string) string {
	out := ""
	for i, s := range ss {
		if i > 0 {
			out += " "
		}
		out += s
	}
	return out
}
