package resellers_test

import (
	"context"
	"fmt"
	"testing"
	"time"

	"github.com/partnerkit/partnerkit"
	"github.com/partnerkit/partnerkit/agreements"
	"github.com/partnerkit/partnerkit/contracts"
	"github.com/partnerkit/partnerkit/internal/testdb"
	"github.com/partnerkit/partnerkit/partners"
	"github.com/partnerkit/partnerkit/resellers"
	"github.com/partnerkit/partnerkit/storetest"
	"github.com/partnerkit/partnerkit/wiring"
	"github.com/partnerkit/partnerkit/wiring/stores"
)

// benchStores opens one set of stores of each kind the benchmarks compare.
var benchStores = map[string]func(b *testing.B) storetest.Stores{
	"memory": func(b *testing.B) storetest.Stores { return stores.Memory() },
	"sqlite": func(b *testing.B) storetest.Stores { return stores.MustSQL(testdb.SQLite(b)) },
}

// benchReseller is a reseller whose clients each hold one subscription, each renewed
// every month for half a year.
func benchReseller(b *testing.B, st storetest.Stores, clients, months int) (*resellers.Service, partnerkit.Actor, time.Time) {
	b.Helper()
	ctx := context.Background()
	now := time.Date(2026, 1, 1, 0, 0, 0, 0, time.UTC)
	clock := partnerkit.Clock(func() time.Time { return now })
	wired := wiring.MustNew(st, wiring.Options{Clock: clock, Hasher: storetest.CheapHasher})
	ps, as, cs, rs := wired.Partners, wired.Agreements, wired.Contracts, wired.Resellers
	check := func(err error) {
		if err != nil {
			b.Fatal(err)
		}
	}
	root, _, err := ps.Bootstrap(ctx, partners.BootstrapInput{AccountName: "Provider", AdminEmail: "ops@provider.example", AdminPassword: "Sup3r-secret"})
	check(err)
	provider := partnerkit.Actor{AccountID: root.ID, UserID: "UR-provider", Role: partnerkit.RoleAdmin}
	res, err := ps.CreatePartner(ctx, provider, partners.CreatePartnerInput{Type: partners.TypeReseller, Name: "Reseller"})
	check(err)
	reseller := partnerkit.Actor{AccountID: res.ID, UserID: "UR-reseller", Role: partnerkit.RoleAdmin}
	agr, err := as.Create(ctx, provider, agreements.CreateInput{Type: agreements.TypeService, Name: "Reseller Store"})
	check(err)
	c, err := cs.Create(ctx, provider, contracts.CreateInput{PartnerID: res.ID, AgreementID: agr.ID})
	check(err)
	_, err = cs.Sign(ctx, provider, c.ID)
	check(err)
	_, err = cs.Activate(ctx, provider, c.ID)
	check(err)
	svc, err := rs.CreateService(ctx, provider, resellers.ServiceInput{Name: "Cloud Mail", Plans: []resellers.PlanInput{mailPlan()}})
	check(err)
	var subs []string
	for i := range clients {
		sub, err := rs.Order(ctx, reseller, resellers.OrderInput{NewClient: &resellers.ClientInput{Name: fmt.Sprintf("Client %03d", i)},
			ServiceID: svc.ID, PlanID: svc.Plans[0].ID,
			Resources: []resellers.AmountInput{{Name: "mailboxes", Amount: dec(fmt.Sprint(1 + i%50))}, {Name: "storage", Amount: dec("10.5")}}})
		check(err)
		subs = append(subs, sub.ID)
	}
	for range months - 1 {
		now = now.AddDate(0, 1, 0)
		for _, id := range subs {
			_, err := rs.Renew(ctx, reseller, id)
			check(err)
		}
	}
	return rs, reseller, now
}

// BenchmarkAnalytics measures the analytics of a reseller with 100 clients
// renewed monthly for 6 months (700 charge lines), by client per month and
// by service per day, on each store.
func BenchmarkAnalytics(b *testing.B) {
	for _, name := range []string{"memory", "sqlite"} {
		b.Run("store="+name, func(b *testing.B) {
			rs, reseller, now := benchReseller(b, benchStores[name](b), 100, 6)
			for _, q := range []resellers.AnalyticsQuery{
				{By: resellers.ByClient, Granularity: resellers.ByMonth, To: now},
				{By: resellers.ByService, Granularity: resellers.ByDay, From: now.AddDate(0, -1, 0), To: now},
			} {
				b.Run(fmt.Sprintf("by=%s/granularity=%s", q.By, q.Granularity), func(b *testing.B) {
					b.ReportAllocs()
					for b.Loop() {
						if _, err := rs.Analytics(context.Background(), reseller, q); err != nil {
							b.Fatal(err)
						}
					}
				})
			}
		})
	}
}
