//go:build !js

package client_test

import (
	"context"
	"log/slog"
	"net/http/httptest"
	"testing"

	"github.com/partnerkit/partnerkit"
	"github.com/partnerkit/partnerkit/app/api"
	"github.com/partnerkit/partnerkit/app/client"
	"github.com/partnerkit/partnerkit/app/client/nethttp"
	"github.com/partnerkit/partnerkit/app/server"
	"github.com/partnerkit/partnerkit/contracts"
	"github.com/partnerkit/partnerkit/partners"
	"github.com/partnerkit/partnerkit/storetest"
)

// TestListingsThroughClient creates a product, fails to list it without a
// distribution contract and reads its offer plans with the typed client.
func TestListingsThroughClient(t *testing.T) {
	ctx := context.Background()
	cfg := server.Memory(server.Options{Hasher: storetest.CheapHasher})
	cfg.Logger = slog.New(slog.DiscardHandler)
	root, user, err := cfg.Partners.Bootstrap(ctx, partners.BootstrapInput{AccountName: "Mighty Mick's LLC",
		AccountType: partners.TypeDistributor, AdminEmail: "mick@mighty.example", AdminPassword: "Sup3r-secret"})
	if err != nil {
		t.Fatal(err)
	}
	mick := partnerkit.Actor{AccountID: root.ID, UserID: user.ID, Role: partnerkit.RoleAdmin}
	vendor, err := cfg.Partners.CreatePartner(ctx, mick, partners.CreatePartnerInput{Type: partners.TypeVendor, Name: "Contoso"})
	if err != nil {
		t.Fatal(err)
	}
	mp, err := cfg.Contracts.CreateMarketplace(ctx, mick, contracts.MarketplaceInput{Name: "AppSource", Currency: "USD", External: true})
	if err != nil {
		t.Fatal(err)
	}
	srv := httptest.NewServer(api.New(cfg))
	defer srv.Close()
	c := client.New(srv.URL, nethttp.New())
	if _, err := c.SignIn(ctx, "mick@mighty.example", "Sup3r-secret"); err != nil {
		t.Fatal(err)
	}

	_, err = c.CreateProduct(ctx, client.NewProduct{VendorID: vendor.ID, Name: "Backup", Items: []client.ProductItem{{Name: "Seat", Type: "weekly", Unit: "user", Price: "1"}}})
	if partnerkit.ErrorFields(err)["items[0].type"] == "" {
		t.Fatalf("bad item type: %v", err)
	}
	p, err := c.CreateProduct(ctx, client.NewProduct{VendorID: vendor.ID, Name: "Backup", Items: []client.ProductItem{
		{Name: "Seat", Type: "reservation", Unit: "user", Price: "9.99"},
		{Name: "Storage", Type: "pay_as_you_go", Unit: "GB", Price: "0.02"},
	}})
	if err != nil || len(p.Items) != 2 || p.Items[0].Price != "9.99" || p.Items[1].Position != 2 {
		t.Fatalf("create: %+v %v", p, err)
	}
	_, err = c.CreateListing(ctx, p.ID, mp.ID)
	if partnerkit.ErrorCode(err) != partnerkit.CodeConflict || partnerkit.ErrorFields(err)["marketplace_id"] == "" {
		t.Fatalf("listing without contract: %v", err)
	}
	set, err := c.OfferPlans(ctx, p.ID, "contoso")
	if err != nil || len(set.Plans) != 2 || set.Plans[0].PricingLabel != "Per User" || set.Plans[1].PricingModel != "flat_rate" ||
		set.LandingPageURL != "https://cloudblue.connect.com/portal/contoso/"+p.ID+"/start" {
		t.Fatalf("offer plans: %+v %v", set, err)
	}
	list, err := c.Products(ctx, vendor.ID, client.Page{})
	if err != nil || list.Total != 1 {
		t.Fatalf("products: %+v %v", list, err)
	}
	name := "Backup Pro"
	if up, err := c.UpdateProduct(ctx, p.ID, client.ProductChanges{Name: &name, Version: p.Version}); err != nil || up.Name != name {
		t.Fatalf("update: %+v %v", up, err)
	}
	if err := c.DeleteProduct(ctx, p.ID); err != nil {
		t.Fatal(err)
	}
	if l, err := c.Listings(ctx, client.ListingQuery{VendorID: vendor.ID}); err != nil || l.Total != 0 {
		t.Fatalf("listings: %+v %v", l, err)
	}
}
