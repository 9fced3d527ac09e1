package capacity_test

import (
	"context"
	"testing"

	"github.com/partnerkit/partnerkit"
	"github.com/partnerkit/partnerkit/agreements"
	"github.com/partnerkit/partnerkit/capacity"
	"github.com/partnerkit/partnerkit/contracts"
	"github.com/partnerkit/partnerkit/partners"
	"github.com/partnerkit/partnerkit/storetest"
	"github.com/partnerkit/partnerkit/wiring"
	"github.com/partnerkit/partnerkit/wiring/stores"
	"github.com/shopspring/decimal"
)

// Allocations answers a partner without an allocation with an empty list
// (where Allocation answers not_found), one with its allocation, and a
// partner the actor may not see with not_found; the capacity contracts
// carry the names of their partner and agreement.
func TestAllocations(t *testing.T) {
	ctx := context.Background()
	svc := wiring.MustNew(stores.Memory(), wiring.Options{Hasher: storetest.CheapHasher})
	ps, caps := svc.Partners, svc.Capacity
	root, _, err := ps.Bootstrap(ctx, partners.BootstrapInput{AccountName: "Impossible Cloud", AdminEmail: "ops@provider.example", AdminPassword: "Sup3r-secret"})
	if err != nil {
		t.Fatal(err)
	}
	provider := partnerkit.Actor{AccountID: root.ID, UserID: "UR-provider", Role: partnerkit.RoleAdmin}
	dist, _ := ps.CreatePartner(ctx, provider, partners.CreatePartnerInput{Type: partners.TypeDistributor, Name: "Distributor"})
	distributor := partnerkit.Actor{AccountID: dist.ID, UserID: "UR-dist", Role: partnerkit.RoleAdmin}
	other, _ := ps.CreatePartner(ctx, provider, partners.CreatePartnerInput{Type: partners.TypeDistributor, Name: "Other"})
	stranger := partnerkit.Actor{AccountID: other.ID, UserID: "UR-other", Role: partnerkit.RoleAdmin}
	with, _ := ps.CreatePartner(ctx, distributor, partners.CreatePartnerInput{Type: partners.TypeReseller, Name: "With"})
	without, _ := ps.CreatePartner(ctx, distributor, partners.CreatePartnerInput{Type: partners.TypeReseller, Name: "Without"})
	agr, _ := svc.Agreements.Create(ctx, provider, agreements.CreateInput{Type: agreements.TypeCapacity, Name: "Capacity 2026"})
	c, _ := svc.Contracts.Create(ctx, provider, contracts.CreateInput{PartnerID: dist.ID, AgreementID: agr.ID})
	_, _ = svc.Contracts.Sign(ctx, provider, c.ID)
	_, _ = svc.Contracts.Activate(ctx, provider, c.ID)
	_, err = caps.SetTerms(ctx, provider, c.ID, capacity.TermsInput{ReservedTB: decimal.NewFromInt(100),
		BillingModel: capacity.BillingReserved, PricePerTB: decimal.NewFromInt(5), ExcessPricePerTB: decimal.NewFromInt(8), Currency: "USD"})
	if err != nil {
		t.Fatal(err)
	}
	if _, err := caps.SetAllocation(ctx, distributor, with.ID, capacity.AllocationInput{ContractID: c.ID, AllocatedTB: decimal.NewFromInt(10)}); err != nil {
		t.Fatal(err)
	}
	t.Run("OK", func(t *testing.T) {
		as, err := caps.Allocations(ctx, distributor, with.ID)
		if err != nil || len(as) != 1 || as[0].ContractID != c.ID {
			t.Fatalf("allocations %+v, %v", as, err)
		}
	})
	t.Run("OKNone", func(t *testing.T) {
		as, err := caps.Allocations(ctx, distributor, without.ID)
		if err != nil || as == nil || len(as) != 0 {
			t.Fatalf("allocations %+v, %v; want an empty list", as, err)
		}
		if _, err := caps.Allocation(ctx, distributor, without.ID); partnerkit.ErrorCode(err) != partnerkit.CodeNotFound {
			t.Fatalf("Allocation: %v, want not_found", err)
		}
	})
	t.Run("ErrNotFoundForStranger", func(t *testing.T) {
		if _, err := caps.Allocations(ctx, stranger, without.ID); partnerkit.ErrorCode(err) != partnerkit.CodeNotFound {
			t.Fatalf("err %v, want not_found", err)
		}
	})
	t.Run("ContractsNamed", func(t *testing.T) {
		cs, err := caps.Contracts(ctx, distributor)
		if err != nil || len(cs) != 1 || cs[0].PartnerName != "Distributor" || cs[0].AgreementName != "Capacity 2026" {
			t.Fatalf("contracts %+v, %v", cs, err)
		}
	})
}
