package contracts_test

import (
	"context"
	"fmt"
	"testing"

	"github.com/partnerkit/partnerkit"
	"github.com/partnerkit/partnerkit/agreements"
	"github.com/partnerkit/partnerkit/contracts"
	"github.com/partnerkit/partnerkit/internal/testdb"
	"github.com/partnerkit/partnerkit/partners"
	"github.com/partnerkit/partnerkit/storetest"
	"github.com/partnerkit/partnerkit/wiring"
	"github.com/partnerkit/partnerkit/wiring/stores"
)

// BenchmarkOnboarding measures whole Create Partner wizard calls: a vendor
// with a new agreement (URL document) on two marketplaces, invited.
func BenchmarkOnboarding(b *testing.B) {
	open := map[string]func(b *testing.B) storetest.Stores{
		"memory": func(b *testing.B) storetest.Stores { return stores.Memory() },
		"sqlite": func(b *testing.B) storetest.Stores { return stores.MustSQL(testdb.SQLite(b)) },
	}
	for _, name := range []string{"memory", "sqlite"} {
		b.Run("store="+name, func(b *testing.B) {
			ctx := context.Background()
			svc := wiring.MustNew(open[name](b), wiring.Options{Hasher: storetest.CheapHasher})
			psvc, csvc := svc.Partners, svc.Contracts
			root, admin, err := psvc.Bootstrap(ctx, partners.BootstrapInput{AccountName: "Distributor", AccountType: partners.TypeDistributor,
				AdminEmail: "admin@dist.example", AdminPassword: "Sup3r-secret"})
			if err != nil {
				b.Fatal(err)
			}
			actor := partnerkit.Actor{AccountID: root.ID, UserID: admin.ID, Role: partnerkit.RoleAdmin}
			var markets []string
			for _, n := range []string{"AppSource", "Azure Marketplace"} {
				m, err := csvc.CreateMarketplace(ctx, actor, contracts.MarketplaceInput{Name: n, Currency: "USD", External: true})
				if err != nil {
					b.Fatal(err)
				}
				markets = append(markets, m.ID)
			}
			b.ReportAllocs()
			b.ResetTimer()
			i := 0
			for b.Loop() {
				i++
				res, err := csvc.Onboard(ctx, actor, contracts.OnboardingInput{
					Partner: partners.CreatePartnerInput{Type: partners.TypeVendor, Name: fmt.Sprintf("Vendor %d", i)},
					NewAgreement: &agreements.CreateInput{Type: agreements.TypeProgram, Name: fmt.Sprintf("Program %d", i),
						Document: agreements.DocumentInput{Kind: agreements.DocumentURL, URL: "https://example.com/terms.pdf"}},
					MarketplaceIDs: markets, Action: contracts.ActionInvite,
				})
				if err != nil || len(res.Contracts) != 3 {
					b.Fatal(err)
				}
			}
			b.ReportMetric(float64(b.N)/b.Elapsed().Seconds(), "wizards/s")
		})
	}
}
