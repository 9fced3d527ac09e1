package api_test

import (
	"context"
	"net/http"
	"strings"
	"testing"

	"github.com/partnerkit/partnerkit"
	"github.com/partnerkit/partnerkit/agreements"
	"github.com/partnerkit/partnerkit/contracts"
	"github.com/partnerkit/partnerkit/listings"
	"github.com/partnerkit/partnerkit/partners"
	"github.com/shopspring/decimal"
)

// seedListing gives the actor's account a vendor with an active
// distribution contract on a marketplace, and a product listed there. It
// returns the vendor, product and listing IDs.
func seedListing(t *testing.T, s *server, actor partnerkit.Actor) (vendor, product, listing string) {
	t.Helper()
	ctx := context.Background()
	cfg := s.cfg
	check := func(err error) {
		t.Helper()
		if err != nil {
			t.Fatal(err)
		}
	}
	v, err := cfg.Partners.CreatePartner(ctx, actor, partners.CreatePartnerInput{Type: partners.TypeVendor, Name: "Vendor V"})
	check(err)
	mp, err := cfg.Contracts.CreateMarketplace(ctx, actor, contracts.MarketplaceInput{Name: "AppSource", Currency: "USD", External: true})
	check(err)
	agr, err := cfg.Agreements.Create(ctx, actor, agreements.CreateInput{Type: agreements.TypeDistribution, Name: "Distribution"})
	check(err)
	c, err := cfg.Contracts.Create(ctx, actor, contracts.CreateInput{PartnerID: v.ID, AgreementID: agr.ID, MarketplaceID: mp.ID})
	check(err)
	_, err = cfg.Contracts.Sign(ctx, actor, c.ID)
	check(err)
	_, err = cfg.Contracts.Activate(ctx, actor, c.ID)
	check(err)
	p, err := cfg.Listings.CreateProduct(ctx, actor, listings.ProductInput{VendorID: v.ID, Name: "Backup", Items: []listings.ItemInput{
		{Name: "Seat", Type: listings.ItemReservation, Unit: "user", Price: decimal.NewFromInt(10)}}})
	check(err)
	l, err := cfg.Listings.CreateListing(ctx, actor, listings.ListingInput{ProductID: p.ID, MarketplaceID: mp.ID})
	check(err)
	return v.ID, p.ID, l.ID
}

// TestListingsAPI walks products, listings and offer plans over HTTP on
// every store, including the conflict without a distribution contract.
func TestListingsAPI(t *testing.T) {
	onEveryStore(t, func(t *testing.T, s *server, admin partnerkit.Actor) {
		vendor, _, _ := seedListing(t, s, admin)
		u := s.signIn("root@provider.example", "Sup3r-secret")

		var p listings.Product
		u.must(http.MethodPost, "/products", map[string]any{"vendor_id": vendor, "name": "Cloud Backup", "items": []any{
			map[string]any{"name": "Seat", "type": "reservation", "unit": "user", "price": "9.99"},
			map[string]any{"name": "Storage", "type": "pay_as_you_go", "unit": "GB", "price": "0.02"},
			map[string]any{"name": "Egress", "type": "pay_as_you_go", "unit": "GB", "price": "0.01"},
		}}, http.StatusCreated, &p)
		if len(p.Items) != 3 || !p.Items[0].Price.Equal(decimal.RequireFromString("9.99")) {
			t.Fatalf("product %+v", p)
		}
		res, body := u.do(http.MethodPost, "/products", map[string]any{"vendor_id": vendor, "name": "X", "items": []any{
			map[string]any{"name": "A", "type": "reservation", "unit": "u", "price": "1"},
			map[string]any{"name": "B", "type": "monthly", "unit": "u", "price": "1"}}})
		if res.StatusCode != http.StatusBadRequest || !strings.Contains(string(body), `"items[1].type"`) {
			t.Fatalf("bad item type: %d %s", res.StatusCode, body)
		}

		var set listings.OfferPlanSet
		u.must(http.MethodGet, "/products/"+p.ID+"/offer-plans?tenant_id=contoso", nil, http.StatusOK, &set)
		if len(set.Plans) != 2 || set.Plans[0].PricingLabel != "Per User" || len(set.Plans[1].Dimensions) != 2 ||
			set.WebhookURL != "https://cloudblue.connect.com/portal/contoso/"+p.ID+"/notification" {
			t.Fatalf("offer plans %+v", set)
		}
		res, body = u.do(http.MethodGet, "/products/"+p.ID+"/offer-plans?tenant_id=a/b", nil)
		if res.StatusCode != http.StatusBadRequest || !strings.Contains(string(body), `"tenant_id"`) {
			t.Fatalf("bad tenant: %d %s", res.StatusCode, body)
		}

		// A marketplace without a distribution contract: 409 naming the field.
		var mp contracts.Marketplace
		u.must(http.MethodPost, "/marketplaces", map[string]any{"name": "Azure Marketplace", "currency": "USD", "external": true}, http.StatusCreated, &mp)
		res, body = u.do(http.MethodPost, "/listings", map[string]any{"product_id": p.ID, "marketplace_id": mp.ID})
		if res.StatusCode != http.StatusConflict || !strings.Contains(string(body), "has no active distribution contract on marketplace") ||
			!strings.Contains(string(body), `"marketplace_id"`) {
			t.Fatalf("listing without contract: %d %s", res.StatusCode, body)
		}
		var list struct {
			Items []listings.Listing `json:"items"`
			Total int                `json:"total"`
		}
		u.must(http.MethodGet, "/listings?vendor_id="+vendor, nil, http.StatusOK, &list)
		if list.Total != 1 {
			t.Fatalf("listings %+v", list)
		}
		u.must(http.MethodDelete, "/listings/"+list.Items[0].ID, nil, http.StatusNoContent, nil)
		u.must(http.MethodDelete, "/products/"+p.ID, nil, http.StatusNoContent, nil)
		u.must(http.MethodGet, "/products/"+p.ID, nil, http.StatusNotFound, nil)
	})
}
