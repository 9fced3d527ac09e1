//go:build !js

package e2e_test

import (
	"context"
	"log/slog"
	"net/http/httptest"
	"os"
	"path/filepath"
	"strings"
	"testing"

	"github.com/partnerkit/partnerkit"
	"github.com/partnerkit/partnerkit/agreements"
	"github.com/partnerkit/partnerkit/app/server"
	"github.com/partnerkit/partnerkit/contracts"
	"github.com/partnerkit/partnerkit/internal/sqldb"
	"github.com/partnerkit/partnerkit/partners"
	"github.com/partnerkit/partnerkit/resellers"
	"github.com/partnerkit/partnerkit/storetest"
	"github.com/shopspring/decimal"
)

// newResellerSite is the real server with a provider that offers a
// "Cloud Mail" service in the Reseller Store catalog and a reseller that
// holds an active contract with it; the reseller's manager signs in as
// manager@reseller.example.
func newResellerSite(t *testing.T) string {
	t.Helper()
	ctx := context.Background()
	web := os.DirFS(filepath.Join("..", "cmd", "partnerkit", "web"))
	if _, err := os.Stat(filepath.Join("..", "cmd", "partnerkit", "web", "app.wasm")); err != nil {
		t.Fatal("app.wasm is not built: run `make test-e2e` (or `make wasm` first)")
	}
	db, err := sqldb.Open(ctx, filepath.Join(t.TempDir(), "e2e.db"))
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() { db.Close() })
	svc := server.SQL(db, server.Options{Hasher: storetest.CheapHasher})
	svc.Logger = slog.New(slog.DiscardHandler)
	check := func(err error) {
		t.Helper()
		if err != nil {
			t.Fatal(err)
		}
	}
	root, rootUser, err := svc.Partners.Bootstrap(ctx, partners.BootstrapInput{AccountName: "ActivePlatform",
		AdminEmail: "ops@provider.example", AdminPassword: "Sup3r-secret"})
	check(err)
	provider := partnerkit.Actor{AccountID: root.ID, UserID: rootUser.ID, Role: partnerkit.RoleAdmin}
	res, err := svc.Partners.CreatePartner(ctx, provider, partners.CreatePartnerInput{Type: partners.TypeReseller, Name: "Cloud Reseller"})
	check(err)
	_, err = svc.Partners.CreateUser(ctx, provider, partners.CreateUserInput{AccountID: res.ID, Email: "manager@reseller.example",
		FullName: "Manager", Password: "Sup3r-secret", Role: partnerkit.RoleAdmin})
	check(err)
	agr, err := svc.Agreements.Create(ctx, provider, agreements.CreateInput{Type: agreements.TypeService, Name: "Reseller Store"})
	check(err)
	c, err := svc.Contracts.Create(ctx, provider, contracts.CreateInput{PartnerID: res.ID, AgreementID: agr.ID})
	check(err)
	_, err = svc.Contracts.Sign(ctx, provider, c.ID)
	check(err)
	_, err = svc.Contracts.Activate(ctx, provider, c.ID)
	check(err)
	_, err = svc.Resellers.CreateService(ctx, provider, resellers.ServiceInput{Name: "Cloud Mail", Description: "Business mail",
		Plans: []resellers.PlanInput{{Name: "Business", BillingPeriod: resellers.Monthly, Resources: []resellers.PlanResource{
			{Name: "mailboxes", Unit: "user", UnitPrice: decimal.RequireFromString("4.50"), Min: decimal.NewFromInt(1), Max: decimal.NewFromInt(100)},
		}}}})
	check(err)
	srv := httptest.NewServer(server.Handler(svc, db, web))
	t.Cleanup(srv.Close)
	return srv.URL
}

// TestBrowserResellers orders a subscription for a new client in the
// browser and finds the client and its cost in Analytics.
func TestBrowserResellers(t *testing.T) {
	if os.Getenv("PARTNERKIT_E2E") == "" {
		t.Skip("set PARTNERKIT_E2E=1 (make test-e2e) to run the browser tests")
	}
	url := newResellerSite(t)
	shot := newShots(t)
	b := browser(t)
	var chart, table, status string
	err := shot.run(b, "resellers",
		load(url+"/signin"),
		waitFor("#signin-form"),
		typeIn("#email", "manager@reseller.example"),
		typeIn("#password", "Sup3r-secret"),
		click("#signin"),
		waitFor("tr.partner-row, main"),
		load(url+"/catalog"),
		waitFor(".catalog-service"),
		shot.take("resellers-01-catalog"),
		click(".catalog-service a.button"),
		waitFor("#order-new-client"),
		typeIn("#order-new-client", "Globex Corp"),
		eval(`(() => { const e = document.querySelector('#order-amount-0'); e.value = ''; e.dispatchEvent(new Event('input', {bubbles: true})); return true })()`),
		typeIn("#order-amount-0", "12"),
		shot.take("resellers-02-order"),
		click("#order-submit"),
		waitFor("tr.subscription-row"),
		until(`document.querySelector('tr.subscription-row').innerText.includes('Globex Corp')`),
		textOf(&status, "tr.subscription-row .status"),
		shot.take("resellers-03-subscriptions"),
		load(url+"/analytics"),
		waitFor("#analytics-table"),
		until(`document.querySelector('#analytics-table').innerText.includes('Globex Corp')`),
		textOf(&table, "#analytics-table"),
		textOf(&chart, "#analytics-chart"),
		waitFor("#analytics-csv"),
		shot.take("resellers-04-analytics"),
	)
	if err != nil {
		t.Fatal(err)
	}
	if status != "active" {
		t.Errorf("status = %q, want active", status)
	}
	// 12 mailboxes × 4.50 = 54 this month.
	if !strings.Contains(table, "Globex Corp") || !strings.Contains(table, "54") || !strings.Contains(chart, "54") {
		t.Errorf("analytics table %q, chart %q: want Globex Corp costing 54", table, chart)
	}
}
