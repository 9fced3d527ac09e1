package storetest

import (
	"context"
	"fmt"
	"strings"
	"testing"

	"github.com/partnerkit/partnerkit"
	"github.com/partnerkit/partnerkit/contracts"
	"github.com/partnerkit/partnerkit/listings"
	"github.com/partnerkit/partnerkit/partners"
	"github.com/shopspring/decimal"
)

// listingsFixture is the contracts fixture (a vendor, a distribution
// agreement, a marketplace) with the listings service on the same database.
type listingsFixture struct {
	*contractsFixture
	lst *listings.Service
}

func newListingsFixture(t *testing.T, h Harness) *listingsFixture {
	t.Helper()
	f := &listingsFixture{contractsFixture: newContractsFixture(t, h)}
	declared(t, f.stores, forListings)
	f.lst = f.partnersEnv.lst
	return f
}

// activeDistribution gives the vendor an active distribution contract on mp.
func (f *listingsFixture) activeDistribution(t *testing.T, mp *contracts.Marketplace) *contracts.Contract {
	t.Helper()
	ctx := context.Background()
	c := must[*contracts.Contract](t)(f.con.Create(ctx, f.admin, contracts.CreateInput{PartnerID: f.vendor.ID,
		AgreementID: f.distribution.ID, MarketplaceID: mp.ID}))
	must[*contracts.Contract](t)(f.con.Sign(ctx, f.admin, c.ID))
	return must[*contracts.Contract](t)(f.con.Activate(ctx, f.admin, c.ID))
}

func (f *listingsFixture) product(t *testing.T, name string) *listings.Product {
	t.Helper()
	return must[*listings.Product](t)(f.lst.CreateProduct(context.Background(), f.admin, listings.ProductInput{
		VendorID: f.vendor.ID, Name: name, Items: []listings.ItemInput{
			{Name: "Seat", MPN: "SEAT-1", Type: listings.ItemReservation, Unit: "user", Price: decimal.RequireFromString("12.5")},
			{Name: "Storage", Type: listings.ItemPayAsYouGo, Unit: "GB", Price: decimal.RequireFromString("0.0125")},
		}}))
}

func (f *listingsFixture) listingsCount(t *testing.T) int {
	t.Helper()
	got := must[partnerkit.List[partners.DirectoryEntry]](t)(f.svc.Directory(context.Background(), f.admin,
		partners.DirectoryFilter{Q: f.vendor.Name}))
	if len(got.Items) != 1 {
		t.Fatalf("directory finds %d entries for %q", len(got.Items), f.vendor.Name)
	}
	return got.Items[0].Counts[listings.CountListings]
}

func sameItems(a, b []listings.Item) bool {
	if len(a) != len(b) {
		return false
	}
	for i := range a {
		x, y := a[i], b[i]
		if x.Position != y.Position || x.Name != y.Name || x.MPN != y.MPN || x.Type != y.Type || x.Unit != y.Unit || !x.Price.Equal(y.Price) {
			return false
		}
	}
	return true
}

// listingsSuite is the table of listings.Store's conformance tests,
// through the service.
func listingsSuite() suite {
	ctx := context.Background()
	return suite{tests: []test{
		{name: "ProductRoundTrip", needs: forListings, fn: func(t *testing.T, h Harness) {
			f := newListingsFixture(t, h)
			p := f.product(t, "Cloud Backup")
			got := must[*listings.Product](t)(f.lst.GetProduct(ctx, f.admin, p.ID))
			if got.Name != "Cloud Backup" || got.VendorID != f.vendor.ID || got.Version != 1 || !got.CreatedAt.Equal(p.CreatedAt) ||
				!sameItems(got.Items, p.Items) || got.Items[1].Position != 2 {
				t.Fatalf("got %+v, want %+v", got, p)
			}
			if !partnerkit.HasPrefix(p.ID, partnerkit.PrefixProduct) {
				t.Fatalf("id %q", p.ID)
			}
		}},

		{name: "ProductCurrency", needs: forListings, fn: func(t *testing.T, h Harness) {
			// A product without a currency is in USD; one is given in any
			// case and stored upper-cased; an update without one keeps it,
			// with one changes it; a code that is not one, or an empty one
			// on update, names the field and changes nothing.
			f := newListingsFixture(t, h)
			usd := f.product(t, "Cloud Backup")
			stored := func(id string) string {
				return must[*listings.Product](t)(f.stores.Listings.GetProduct(ctx, id)).Currency
			}
			if usd.Currency != listings.DefaultCurrency || stored(usd.ID) != listings.DefaultCurrency {
				t.Fatalf("a product created without a currency: %q, stored %q", usd.Currency, stored(usd.ID))
			}
			items := []listings.ItemInput{{Name: "Seat", Type: listings.ItemReservation, Unit: "user", Price: decimal.RequireFromString("9.5")}}
			eur := must[*listings.Product](t)(f.lst.CreateProduct(ctx, f.admin, listings.ProductInput{VendorID: f.vendor.ID,
				Name: "Archive", Currency: " eur ", Items: items}))
			if eur.Currency != "EUR" || stored(eur.ID) != "EUR" {
				t.Fatalf("currency %q, stored %q; want EUR", eur.Currency, stored(eur.ID))
			}
			name := "Archive+"
			kept := must[*listings.Product](t)(f.lst.UpdateProduct(ctx, f.admin, eur.ID, listings.UpdateProductInput{Name: &name}))
			chf := "chf"
			changed := must[*listings.Product](t)(f.lst.UpdateProduct(ctx, f.admin, eur.ID, listings.UpdateProductInput{Currency: &chf}))
			if kept.Currency != "EUR" || changed.Currency != "CHF" || stored(eur.ID) != "CHF" {
				t.Fatalf("after updates: %q then %q, stored %q; want EUR, CHF, CHF", kept.Currency, changed.Currency, stored(eur.ID))
			}
			_, err := f.lst.CreateProduct(ctx, f.admin, listings.ProductInput{VendorID: f.vendor.ID, Name: "Bad", Currency: "dollars", Items: items})
			wantField(t, err, partnerkit.CodeInvalid, "currency")
			for _, bad := range []string{"", "US", "dollars"} {
				_, err := f.lst.UpdateProduct(ctx, f.admin, eur.ID, listings.UpdateProductInput{Currency: &bad})
				wantField(t, err, partnerkit.CodeInvalid, "currency")
			}
			if stored(eur.ID) != "CHF" {
				t.Fatalf("a refused update changed the currency to %q", stored(eur.ID))
			}
		}},

		{name: "UpdateReplacesItems", needs: forListings, fn: func(t *testing.T, h Harness) {
			f := newListingsFixture(t, h)
			p := f.product(t, "Cloud Backup")
			name := "Cloud Backup Pro"
			items := []listings.ItemInput{{Name: "Egress", Type: listings.ItemPayAsYouGo, Unit: "GB", Price: decimal.RequireFromString("0.01")}}
			up := must[*listings.Product](t)(f.lst.UpdateProduct(ctx, f.admin, p.ID, listings.UpdateProductInput{Name: &name, Items: &items, Version: 1}))
			got := must[*listings.Product](t)(f.lst.GetProduct(ctx, f.admin, p.ID))
			if up.Version != 2 || got.Version != 2 || got.Name != name || len(got.Items) != 1 || got.Items[0].Name != "Egress" {
				t.Fatalf("updated %+v, stored %+v", up, got)
			}
			_, err := f.lst.UpdateProduct(ctx, f.admin, p.ID, listings.UpdateProductInput{Name: &name, Version: 1})
			wantCode(t, err, partnerkit.CodeConflict)
			// A failed update changes nothing.
			bad := []listings.ItemInput{{Name: "X", Type: "monthly", Unit: "u"}}
			_, err = f.lst.UpdateProduct(ctx, f.admin, p.ID, listings.UpdateProductInput{Items: &bad})
			wantField(t, err, partnerkit.CodeInvalid, "items[0].type")
			if again := must[*listings.Product](t)(f.lst.GetProduct(ctx, f.admin, p.ID)); !sameItems(again.Items, got.Items) {
				t.Fatalf("items changed to %+v", again.Items)
			}
		}},

		{name: "ProductValidation", needs: forListings, fn: func(t *testing.T, h Harness) {
			f := newListingsFixture(t, h)
			ok := listings.ItemInput{Name: "Seat", Type: listings.ItemReservation, Unit: "user", Price: decimal.NewFromInt(1)}
			with := func(edit func(*listings.ItemInput)) []listings.ItemInput {
				it := ok
				edit(&it)
				return []listings.ItemInput{ok, it}
			}
			cases := []struct {
				name  string
				in    listings.ProductInput
				field string
			}{
				{"NameRequired", listings.ProductInput{VendorID: f.vendor.ID, Items: []listings.ItemInput{ok}}, "name"},
				{"NoItems", listings.ProductInput{VendorID: f.vendor.ID, Name: "P"}, "items"},
				{"ItemType", listings.ProductInput{VendorID: f.vendor.ID, Name: "P", Items: with(func(i *listings.ItemInput) { i.Name, i.Type = "B", "monthly" })}, "items[1].type"},
				{"ItemNameUnique", listings.ProductInput{VendorID: f.vendor.ID, Name: "P", Items: with(func(i *listings.ItemInput) { i.Name = " seat " })}, "items[1].name"},
				{"ItemNameRequired", listings.ProductInput{VendorID: f.vendor.ID, Name: "P", Items: with(func(i *listings.ItemInput) { i.Name = "" })}, "items[1].name"},
				{"ItemUnit", listings.ProductInput{VendorID: f.vendor.ID, Name: "P", Items: with(func(i *listings.ItemInput) { i.Name, i.Unit = "B", "" })}, "items[1].unit"},
				{"ItemPriceNegative", listings.ProductInput{VendorID: f.vendor.ID, Name: "P", Items: with(func(i *listings.ItemInput) { i.Name, i.Price = "B", decimal.NewFromInt(-1) })}, "items[1].price"},
				{"ItemPricePrecision", listings.ProductInput{VendorID: f.vendor.ID, Name: "P", Items: with(func(i *listings.ItemInput) { i.Name, i.Price = "B", decimal.RequireFromString("0.00001") })}, "items[1].price"},
				{"VendorNotAVendor", listings.ProductInput{VendorID: f.reseller.ID, Name: "P", Items: []listings.ItemInput{ok}}, "vendor_id"},
				{"VendorUnknown", listings.ProductInput{VendorID: "PA-none", Name: "P", Items: []listings.ItemInput{ok}}, "vendor_id"},
			}
			for _, c := range cases {
				t.Run(c.name, func(t *testing.T) {
					_, err := f.lst.CreateProduct(ctx, f.admin, c.in)
					wantField(t, err, partnerkit.CodeInvalid, c.field)
				})
			}
			if l := must[partnerkit.List[listings.Product]](t)(f.lst.ListProducts(ctx, f.admin, listings.ProductFilter{VendorID: f.vendor.ID})); l.Total != 0 {
				t.Fatalf("invalid input stored %d products", l.Total)
			}
		}},

		{name: "ListProductsPaged", needs: forListings, fn: func(t *testing.T, h Harness) {
			f := newListingsFixture(t, h)
			for _, n := range []string{"delta", "Alpha", "charlie", "bravo"} {
				f.product(t, n)
			}
			got := must[partnerkit.List[listings.Product]](t)(f.lst.ListProducts(ctx, f.admin,
				listings.ProductFilter{VendorID: f.vendor.ID, Page: partnerkit.Page{Limit: 2, Offset: 1}}))
			if got.Total != 4 || len(got.Items) != 2 || got.Items[0].Name != "bravo" || got.Items[1].Name != "charlie" ||
				len(got.Items[0].Items) != 2 {
				t.Fatalf("got %+v", got)
			}
			// The vendor itself sees its products; another tenant does not.
			vendorActor := partnerkit.Actor{AccountID: f.vendor.ID, UserID: "UR-vendor", Role: partnerkit.RoleStaff}
			if l := must[partnerkit.List[listings.Product]](t)(f.lst.ListProducts(ctx, vendorActor, listings.ProductFilter{})); l.Total != 4 {
				t.Fatalf("vendor sees %d products", l.Total)
			}
			other := partnerkit.Actor{AccountID: f.reseller.ID, UserID: "UR-reseller", Role: partnerkit.RoleAdmin}
			_, err := f.lst.ListProducts(ctx, other, listings.ProductFilter{VendorID: f.vendor.ID})
			wantCode(t, err, partnerkit.CodeNotFound)
			_, err = f.lst.GetProduct(ctx, other, got.Items[0].ID)
			wantCode(t, err, partnerkit.CodeNotFound)
		}},

		{name: "ListingNeedsActiveDistributionContract", needs: forListings, fn: func(t *testing.T, h Harness) {
			f := newListingsFixture(t, h)
			p := f.product(t, "Cloud Backup")
			in := listings.ListingInput{ProductID: p.ID, MarketplaceID: f.marketplace.ID}
			_, err := f.lst.CreateListing(ctx, f.admin, in)
			wantField(t, err, partnerkit.CodeConflict, "marketplace_id")
			want := fmt.Sprintf("vendor %q has no active distribution contract on marketplace %q", f.vendor.Name, f.marketplace.Name)
			if msg := partnerkit.ErrorMessage(err); !strings.Contains(msg, want) {
				t.Fatalf("message %q, want %q", msg, want)
			}
			// A pending or signed contract is not enough.
			c := must[*contracts.Contract](t)(f.con.Create(ctx, f.admin, contracts.CreateInput{PartnerID: f.vendor.ID,
				AgreementID: f.distribution.ID, MarketplaceID: f.marketplace.ID}))
			must[*contracts.Contract](t)(f.con.Sign(ctx, f.admin, c.ID))
			_, err = f.lst.CreateListing(ctx, f.admin, in)
			wantField(t, err, partnerkit.CodeConflict, "marketplace_id")
			must[*contracts.Contract](t)(f.con.Activate(ctx, f.admin, c.ID))

			before := f.listingsCount(t)
			l := must[*listings.Listing](t)(f.lst.CreateListing(ctx, f.admin, in))
			if l.Status != listings.StatusListed || l.VendorID != f.vendor.ID || !partnerkit.HasPrefix(l.ID, partnerkit.PrefixListing) {
				t.Fatalf("listing %+v", l)
			}
			if got := f.listingsCount(t); got != before+1 {
				t.Fatalf("directory listings = %d, want %d", got, before+1)
			}
			_, err = f.lst.CreateListing(ctx, f.admin, in)
			wantField(t, err, partnerkit.CodeConflict, "marketplace_id")

			_, err = f.lst.CreateListing(ctx, f.admin, listings.ListingInput{ProductID: p.ID, MarketplaceID: "MP-none"})
			wantField(t, err, partnerkit.CodeInvalid, "marketplace_id")
			_, err = f.lst.CreateListing(ctx, f.admin, listings.ListingInput{ProductID: "PRD-none", MarketplaceID: f.marketplace.ID})
			wantField(t, err, partnerkit.CodeInvalid, "product_id")

			// A listed product cannot be deleted; removing the listing frees it.
			err = f.lst.DeleteProduct(ctx, f.admin, p.ID)
			wantCode(t, err, partnerkit.CodeConflict)
			list := must[partnerkit.List[listings.Listing]](t)(f.lst.ListListings(ctx, f.admin, listings.ListingFilter{ProductID: p.ID}))
			if list.Total != 1 || list.Items[0].ID != l.ID {
				t.Fatalf("listings %+v", list)
			}
			noErr(t, f.lst.RemoveListing(ctx, f.admin, l.ID))
			wantCode(t, f.lst.RemoveListing(ctx, f.admin, l.ID), partnerkit.CodeNotFound)
			if got := f.listingsCount(t); got != before {
				t.Fatalf("directory listings after removal = %d, want %d", got, before)
			}
			noErr(t, f.lst.DeleteProduct(ctx, f.admin, p.ID))
			_, err = f.lst.GetProduct(ctx, f.admin, p.ID)
			wantCode(t, err, partnerkit.CodeNotFound)
		}},

		{name: "DirectoryCountsListings", needs: forListings, fn: func(t *testing.T, h Harness) {
			f := newListingsFixture(t, h)
			f.activeDistribution(t, f.marketplace)
			azure := must[*contracts.Marketplace](t)(f.con.CreateMarketplace(ctx, f.admin, contracts.MarketplaceInput{Name: "Azure Marketplace", Currency: "USD", External: true}))
			f.activeDistribution(t, azure)
			if got := f.listingsCount(t); got != 0 {
				t.Fatalf("listings = %d before any", got)
			}
			for i, mp := range []*contracts.Marketplace{f.marketplace, azure} {
				for _, name := range []string{"One", "Two"} {
					p := f.product(t, fmt.Sprintf("%s %d", name, i))
					must[*listings.Listing](t)(f.lst.CreateListing(ctx, f.admin, listings.ListingInput{ProductID: p.ID, MarketplaceID: mp.ID}))
				}
			}
			if got := f.listingsCount(t); got != 4 {
				t.Fatalf("listings = %d, want 4", got)
			}
			byMP := must[partnerkit.List[listings.Listing]](t)(f.lst.ListListings(ctx, f.admin, listings.ListingFilter{VendorID: f.vendor.ID, MarketplaceID: azure.ID}))
			if byMP.Total != 2 {
				t.Fatalf("azure listings = %d", byMP.Total)
			}
		}},

		{name: "ListingRollsBackWithTransaction", needs: forListings, fn: func(t *testing.T, h Harness) {
			f := newListingsFixture(t, h)
			f.activeDistribution(t, f.marketplace)
			p := f.product(t, "Cloud Backup")
			boom := fmt.Errorf("boom")
			err := f.stores.Listings.InTx(ctx, func(ctx context.Context) error {
				must[*listings.Listing](t)(f.lst.CreateListing(ctx, f.admin, listings.ListingInput{ProductID: p.ID, MarketplaceID: f.marketplace.ID}))
				return boom
			})
			if err != boom {
				t.Fatalf("err %v", err)
			}
			if got := f.listingsCount(t); got != 0 {
				t.Fatalf("rolled-back listing counted: %d", got)
			}
		}},

		{name: "VendorWithProductsIsNotDeleted", needs: forListings, fn: func(t *testing.T, h Harness) {
			f := newListingsFixture(t, h)
			p := f.product(t, "Cloud Backup")
			err := f.svc.DeletePartner(ctx, f.admin, f.vendor.ID)
			wantCode(t, err, partnerkit.CodeConflict)
			if msg := partnerkit.ErrorMessage(err); !strings.Contains(msg, "1 products") {
				t.Fatalf("message %q does not name the products", msg)
			}
			noErr(t, f.lst.DeleteProduct(ctx, f.admin, p.ID))
			noErr(t, f.svc.DeletePartner(ctx, f.admin, f.vendor.ID))
		}},

		{name: "OfferPlans", needs: forListings, fn: func(t *testing.T, h Harness) {
			f := newListingsFixture(t, h)
			p := f.product(t, "Cloud Backup")
			set := must[*listings.OfferPlanSet](t)(f.lst.OfferPlans(ctx, f.admin, p.ID, "contoso"))
			if len(set.Plans) != 2 || set.Plans[0].PricingModel != listings.PricingPerUser || set.Plans[1].PricingModel != listings.PricingFlatRate ||
				set.LandingPageURL != "https://cloudblue.connect.com/portal/contoso/"+p.ID+"/start" {
				t.Fatalf("set %+v", set)
			}
			_, err := f.lst.OfferPlans(ctx, f.admin, p.ID, "")
			wantField(t, err, partnerkit.CodeInvalid, "tenant_id")
		}},

		{name: "ViewerCannotWrite", needs: forListings, fn: func(t *testing.T, h Harness) {
			f := newListingsFixture(t, h)
			viewer := f.admin
			viewer.Role = partnerkit.RoleViewer
			_, err := f.lst.CreateProduct(ctx, viewer, listings.ProductInput{VendorID: f.vendor.ID, Name: "P",
				Items: []listings.ItemInput{{Name: "S", Type: listings.ItemReservation, Unit: "u"}}})
			wantCode(t, err, partnerkit.CodeForbidden)
		}},
	}}
}
