//go:build !js

package e2e_test

import (
	"context"
	"os"
	"strings"
	"testing"

	"github.com/chromedp/chromedp"
	"github.com/partnerkit/partnerkit"
	"github.com/partnerkit/partnerkit/agreements"
	"github.com/partnerkit/partnerkit/contracts"
	"github.com/partnerkit/partnerkit/partners"
)

// productsSite is the real server with a distributor (mick@mighty.example)
// that manages a vendor with an active distribution contract on "Azure
// Marketplace" and none on "AppSource".
type productsSite struct {
	url, azureID, appSourceID string
}

func newProductsSite(t *testing.T) *productsSite {
	t.Helper()
	ctx := context.Background()
	w := newWorld(t, "Impossible Cloud")
	svc, provider, check := w.svc, w.provider, w.check
	_, distActor := w.partnerWithAdmin(provider, partners.TypeDistributor, "Mighty Mick's LLC", "mick@mighty.example", "Mick")
	vendor, err := svc.Partners.CreatePartner(ctx, distActor, partners.CreatePartnerInput{Type: partners.TypeVendor, Name: "Contoso Software"})
	check(err)
	azure, err := svc.Contracts.CreateMarketplace(ctx, distActor, contracts.MarketplaceInput{Name: "Azure Marketplace", Currency: "USD", External: true})
	check(err)
	appSource, err := svc.Contracts.CreateMarketplace(ctx, distActor, contracts.MarketplaceInput{Name: "AppSource", Currency: "USD", External: true})
	check(err)
	agr, err := svc.Agreements.Create(ctx, distActor, agreements.CreateInput{Type: agreements.TypeDistribution, Name: "Distribution"})
	check(err)
	c, err := svc.Contracts.Create(ctx, distActor, contracts.CreateInput{PartnerID: vendor.ID, AgreementID: agr.ID, MarketplaceID: azure.ID})
	check(err)
	_, err = svc.Contracts.Sign(ctx, distActor, c.ID)
	check(err)
	_, err = svc.Contracts.Activate(ctx, distActor, c.ID)
	check(err)
	srv := w.serve()
	return &productsSite{url: srv.URL, azureID: azure.ID, appSourceID: appSource.ID}
}

// TestBrowserProducts is seed 002 in a real browser: create a product with
// one reservation and two pay-as-you-go items, fail to list it where the
// vendor has no active distribution contract, list it where it has one,
// and see its offer plans: one Per User plan, one flat-rate plan with two
// dimensions, and the landing page and webhook addresses.
func TestBrowserProducts(t *testing.T) {
	if os.Getenv("PARTNERKIT_E2E") == "" {
		t.Skip("set PARTNERKIT_E2E=1 (make test-e2e) to run the browser tests")
	}
	s := newProductsSite(t)
	shot := newShots(t)
	b := browser(t)

	var productID, nameAfter, listingErr, plans, landing, webhook, dimensions, productRow string
	err := shot.run(b, "products",
		load(s.url+"/signin"),
		waitFor("#signin-form"),
		typeIn("#email", "mick@mighty.example"),
		typeIn("#password", "Sup3r-secret"),
		click("#signin"),
		waitFor("tr.partner-row"),
		load(s.url+"/products"),
		waitFor("#no-products"), // the empty state, before the first product
		waitFor("#product-form"),

		typeIn("#product-name", "Cloud Backup"),
		typeIn("#product-currency", "eur"),
		typeIn("#item-name-0", "Seat"),
		typeIn("#item-unit-0", "user"),
		typeIn("#item-price-0", "9.99"),
		click("#add-item"),
		waitFor("#item-name-1"),
		typeIn("#item-name-1", "Storage"),
		choose("#item-type-1", "pay_as_you_go"),
		typeIn("#item-unit-1", "GB"),
		typeIn("#item-price-1", "0.02"),
		click("#add-item"),
		waitFor("#item-name-2"),
		typeIn("#item-name-2", "Egress"),
		choose("#item-type-2", "pay_as_you_go"),
		typeIn("#item-unit-2", "GB"),
		typeIn("#item-price-2", "0.01"),
		shot.take("products-01-form"),
		click("#create-product"),
		waitFor("tr.product-row"),
		into(&productID, chromedp.Evaluate[string](`document.querySelector('tr.product-row').dataset.id`)),
		textOf(&nameAfter, "#product-name"),
		textOf(&productRow, "tr.product-row"),

		choose("#listing-marketplace", s.appSourceID),
		click("tr.product-row .list-product"),
		waitFor("#listing-error"),
		textOf(&listingErr, "#listing-error"),
		shot.take("products-02-no-contract"),
		choose("#listing-marketplace", s.azureID),
		click("tr.product-row .list-product"),
		waitFor("tr.product-row .badge.listing"),

		click("tr.product-row .show-plans"),
		waitFor("#tenant-id"),
		typeIn("#tenant-id", "contoso.onmicrosoft.com"),
		click("#show-offer-plans"),
		waitFor("#offer-plans"),
		textOf(&plans, "#plans"),
		textOf(&landing, "#landing-page-url"),
		textOf(&webhook, "#webhook-url"),
		into(&dimensions, chromedp.Evaluate[string](`String(document.querySelectorAll('#plans li.dimension').length)`)),
		shot.take("products-03-offer-plans"),
	)
	if err != nil {
		t.Fatal(err)
	}
	if !partnerkit.HasPrefix(productID, partnerkit.PrefixProduct) {
		t.Fatalf("product ID %q", productID)
	}
	if nameAfter != "" {
		t.Errorf("the form still shows %q after creating the product", nameAfter)
	}
	if !strings.Contains(productRow, "EUR 9.99 per user") || !strings.Contains(productRow, "EUR 0.02 per GB") {
		t.Errorf("the product's row %q does not show its prices in euros", productRow)
	}
	if !strings.Contains(listingErr, `vendor "Contoso Software" has no active distribution contract on marketplace "AppSource"`) {
		t.Errorf("listing error %q", listingErr)
	}
	for _, want := range []string{"Per User", "Seat", "Flat rate", "Cloud Backup", "Storage: EUR 0.02 per GB", "Egress: EUR 0.01 per GB"} {
		if !strings.Contains(plans, want) {
			t.Errorf("plans %q lack %q", plans, want)
		}
	}
	if strings.Count(plans, "Per User") != 1 || strings.Count(plans, "Flat rate") != 1 || dimensions != "2" {
		t.Errorf("plans %q with %s dimensions, want one Per User and one flat-rate plan with 2", plans, dimensions)
	}
	base := "https://cloudblue.connect.com/portal/contoso.onmicrosoft.com/" + productID
	if landing != base+"/start" || webhook != base+"/notification" {
		t.Errorf("landing page %q, webhook %q", landing, webhook)
	}
}
