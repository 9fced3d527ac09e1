package contracts_test

import (
	"context"
	"testing"

	"github.com/partnerkit/partnerkit"
	"github.com/partnerkit/partnerkit/agreements"
	"github.com/partnerkit/partnerkit/contracts"
	"github.com/partnerkit/partnerkit/partners"
	"github.com/partnerkit/partnerkit/storetest"
	"github.com/partnerkit/partnerkit/wiring"
	"github.com/partnerkit/partnerkit/wiring/stores"
)

// Every contract the service returns names its partner, agreement and
// marketplace (derived), so that a list reads without a request per row:
// on Create, Get, List and a move alike.
func TestContractNames(t *testing.T) {
	ctx := context.Background()
	svc := wiring.MustNew(stores.Memory(), wiring.Options{Hasher: storetest.CheapHasher})
	root, _, err := svc.Partners.Bootstrap(ctx, partners.BootstrapInput{AccountName: "Impossible Cloud", AdminEmail: "ops@provider.example", AdminPassword: "Sup3r-secret"})
	if err != nil {
		t.Fatal(err)
	}
	provider := partnerkit.Actor{AccountID: root.ID, UserID: "UR-provider", Role: partnerkit.RoleAdmin}
	vendor, _ := svc.Partners.CreatePartner(ctx, provider, partners.CreatePartnerInput{Type: partners.TypeVendor, Name: "Acme Vendor"})
	mp, err := svc.Contracts.CreateMarketplace(ctx, provider, contracts.MarketplaceInput{Name: "AppSource", Currency: "USD", External: true})
	if err != nil {
		t.Fatal(err)
	}
	agr, _ := svc.Agreements.Create(ctx, provider, agreements.CreateInput{Type: agreements.TypeDistribution, Name: "Distribution 2026"})
	created, err := svc.Contracts.Create(ctx, provider, contracts.CreateInput{PartnerID: vendor.ID, AgreementID: agr.ID, MarketplaceID: mp.ID})
	if err != nil {
		t.Fatal(err)
	}
	signed, err := svc.Contracts.Sign(ctx, provider, created.ID)
	if err != nil {
		t.Fatal(err)
	}
	got, err := svc.Contracts.Get(ctx, provider, created.ID)
	if err != nil {
		t.Fatal(err)
	}
	list, err := svc.Contracts.List(ctx, provider, contracts.ListFilter{})
	if err != nil || len(list.Items) != 1 {
		t.Fatalf("list %+v, %v", list, err)
	}
	for name, c := range map[string]*contracts.Contract{"Create": created, "Sign": signed, "Get": got, "List": &list.Items[0]} {
		if c.PartnerName != "Acme Vendor" || c.AgreementName != "Distribution 2026" || c.MarketplaceName != "AppSource" {
			t.Errorf("%s: names %q, %q, %q", name, c.PartnerName, c.AgreementName, c.MarketplaceName)
		}
	}
}
