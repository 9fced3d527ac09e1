package capacity_test

import (
	"context"
	"fmt"
	"time"

	"github.com/partnerkit/partnerkit"
	"github.com/partnerkit/partnerkit/agreements"
	"github.com/partnerkit/partnerkit/capacity"
	"github.com/partnerkit/partnerkit/contracts"
	"github.com/partnerkit/partnerkit/partners"
	"github.com/partnerkit/partnerkit/wiring"
	"github.com/partnerkit/partnerkit/wiring/stores"
	"github.com/shopspring/decimal"
)

// A provider reserves 100 TB for a distributor, which allocates 60 TB to a
// reseller; the reseller's storage account reports 70 TB for a day, so
// 10 TB is allocation excess (the reservation is not exceeded), priced per
// TB-month with exact decimals.
func ExampleService_UsageReport() {
	ctx := context.Background()
	now := time.Date(2026, 1, 5, 0, 0, 0, 0, time.UTC) // contracts and allocations first
	clock := partnerkit.Clock(func() time.Time { return now })
	svc := wiring.MustNew(stores.Memory(), wiring.Options{Clock: clock})
	ps, as, cs, caps := svc.Partners, svc.Agreements, svc.Contracts, svc.Capacity

	root, _, _ := ps.Bootstrap(ctx, partners.BootstrapInput{AccountName: "Impossible Cloud", AdminEmail: "ops@provider.example", AdminPassword: "Sup3r-secret"})
	provider := partnerkit.Actor{AccountID: root.ID, UserID: "UR-provider", Role: partnerkit.RoleAdmin}
	dist, _ := ps.CreatePartner(ctx, provider, partners.CreatePartnerInput{Type: partners.TypeDistributor, Name: "Distributor"})
	distributor := partnerkit.Actor{AccountID: dist.ID, UserID: "UR-dist", Role: partnerkit.RoleAdmin}
	reseller, _ := ps.CreatePartner(ctx, distributor, partners.CreatePartnerInput{Type: partners.TypeReseller, Name: "Reseller"})

	agr, _ := as.Create(ctx, provider, agreements.CreateInput{Type: agreements.TypeCapacity, Name: "Capacity 2026"})
	c, _ := cs.Create(ctx, provider, contracts.CreateInput{PartnerID: dist.ID, AgreementID: agr.ID})
	_, _ = cs.Sign(ctx, provider, c.ID)
	_, _ = cs.Activate(ctx, provider, c.ID)
	_, _ = caps.SetTerms(ctx, provider, c.ID, capacity.TermsInput{ReservedTB: decimal.NewFromInt(100),
		BillingModel: capacity.BillingReserved, PricePerTB: decimal.NewFromInt(5), ExcessPricePerTB: decimal.NewFromInt(8), Currency: "USD"})

	_, err := caps.SetAllocation(ctx, distributor, reseller.ID, capacity.AllocationInput{ContractID: c.ID, AllocatedTB: decimal.NewFromInt(120)})
	fmt.Println(partnerkit.ErrorCode(err)) // above the reservation
	_, _ = caps.SetAllocation(ctx, distributor, reseller.ID, capacity.AllocationInput{ContractID: c.ID, AllocatedTB: decimal.NewFromInt(60)})

	sa, _ := caps.CreateStorageAccount(ctx, distributor, capacity.StorageAccountInput{PartnerID: reseller.ID, Name: "Acme backups", QuotaTB: decimal.NewFromInt(50)})
	now = time.Date(2026, 1, 10, 0, 0, 0, 0, time.UTC) // usage of the day before comes in
	day := now.Add(-24 * time.Hour)
	_, _ = caps.IngestUsage(ctx, distributor, []capacity.Sample{{StorageAccountID: sa.ID, Timestamp: day, Bytes: 70 * capacity.BytesPerTB}})

	rep, _ := caps.UsageReport(ctx, distributor, capacity.ReportQuery{PartnerID: reseller.ID, From: day, To: day})
	r := rep.Rows[0]
	fmt.Println(r.Period, r.UsedTB, r.AllocatedTB, r.AllocationExcessTBMonths, r.AllocationExcessFee, r.Currency)
	// Output:
	// conflict
	// 2026-01-09 70 60 0.322581 2.5806 USD
}
