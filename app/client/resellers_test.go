//go:build !js

package client_test

import (
	"context"
	"log/slog"
	"net/http/httptest"
	"path/filepath"
	"strings"
	"testing"

	"github.com/partnerkit/partnerkit"
	"github.com/partnerkit/partnerkit/agreements"
	"github.com/partnerkit/partnerkit/app/api"
	"github.com/partnerkit/partnerkit/app/client"
	"github.com/partnerkit/partnerkit/app/client/nethttp"
	"github.com/partnerkit/partnerkit/app/server"
	"github.com/partnerkit/partnerkit/contracts"
	"github.com/partnerkit/partnerkit/internal/sqldb"
	"github.com/partnerkit/partnerkit/partners"
	"github.com/partnerkit/partnerkit/storetest"
)

// TestResellerStoreThroughClient offers a service as a provider, then as
// its reseller orders, changes, stops and analyses a subscription with the
// typed client against the real API on SQLite.
func TestResellerStoreThroughClient(t *testing.T) {
	ctx := context.Background()
	db, err := sqldb.Open(ctx, filepath.Join(t.TempDir(), "client.db"))
	if err != nil {
		t.Fatal(err)
	}
	defer db.Close()
	cfg := server.SQL(db, server.Options{Hasher: storetest.CheapHasher})
	cfg.Logger = slog.New(slog.DiscardHandler)
	check := func(err error) {
		t.Helper()
		if err != nil {
			t.Fatal(err)
		}
	}
	root, rootUser, err := cfg.Partners.Bootstrap(ctx, partners.BootstrapInput{AccountName: "Provider",
		AdminEmail: "ops@provider.example", AdminPassword: "Sup3r-secret"})
	check(err)
	provider := partnerkit.Actor{AccountID: root.ID, UserID: rootUser.ID, Role: partnerkit.RoleAdmin}
	res, err := cfg.Partners.CreatePartner(ctx, provider, partners.CreatePartnerInput{Type: partners.TypeReseller, Name: "Reseller"})
	check(err)
	_, err = cfg.Partners.CreateUser(ctx, provider, partners.CreateUserInput{AccountID: res.ID, Email: "m@reseller.example",
		FullName: "M", Password: "Sup3r-secret", Role: partnerkit.RoleAdmin})
	check(err)
	agr, err := cfg.Agreements.Create(ctx, provider, agreements.CreateInput{Type: agreements.TypeService, Name: "Store"})
	check(err)
	c, err := cfg.Contracts.Create(ctx, provider, contracts.CreateInput{PartnerID: res.ID, AgreementID: agr.ID})
	check(err)
	_, err = cfg.Contracts.Sign(ctx, provider, c.ID)
	check(err)
	_, err = cfg.Contracts.Activate(ctx, provider, c.ID)
	check(err)
	srv := httptest.NewServer(api.New(cfg))
	defer srv.Close()

	ops := client.New(srv.URL, nethttp.New())
	_, err = ops.SignIn(ctx, "ops@provider.example", "Sup3r-secret")
	check(err)
	_, err = ops.CreateCatalogService(ctx, client.NewCatalogService{Name: "Backup", Plans: []client.CatalogPlan{{Name: "Std",
		BillingPeriod: "monthly", DecreaseAtRenewal: true, Resources: []client.CatalogPlanResource{{Name: "storage", Unit: "GB", UnitPrice: "-1", Min: "0", Max: "0"}}}}})
	if partnerkit.ErrorFields(err)["plans[0].resources[0].unit_price"] == "" {
		t.Fatalf("negative price: %v", err)
	}
	svc, err := ops.CreateCatalogService(ctx, client.NewCatalogService{Name: "Backup", Plans: []client.CatalogPlan{{Name: "Std",
		BillingPeriod: "monthly", DecreaseAtRenewal: true, Resources: []client.CatalogPlanResource{{Name: "storage", Unit: "GB", UnitPrice: "0.02", Min: "10", Max: "0"}}}}})
	check(err)
	got, err := ops.CatalogService(ctx, svc.ID)
	check(err)
	edit := client.NewCatalogService{Name: got.Name, Description: "Off-site backup", Plans: got.Plans, Version: got.Version}
	edit.Plans[0].TrialDays = 400
	_, err = ops.UpdateCatalogService(ctx, svc.ID, edit)
	if partnerkit.ErrorFields(err)["plans[0].trial_days"] == "" {
		t.Fatalf("long trial: %v", err)
	}
	edit.Plans[0].TrialDays = 0
	upd, err := ops.UpdateCatalogService(ctx, svc.ID, edit)
	check(err)
	if upd.Description != "Off-site backup" || upd.Version != 2 || upd.Plans[0].ID != svc.Plans[0].ID {
		t.Fatalf("updated = %+v", upd)
	}
	_, err = ops.UpdateCatalogService(ctx, svc.ID, edit) // stale version
	if partnerkit.ErrorCode(err) != partnerkit.CodeConflict || partnerkit.ErrorFields(err)["version"] == "" {
		t.Fatalf("stale update: %v", err)
	}

	m := client.New(srv.URL, nethttp.New())
	_, err = m.SignIn(ctx, "m@reseller.example", "Sup3r-secret")
	check(err)
	cat, err := m.Catalog(ctx, client.Page{})
	check(err)
	if cat.Total != 1 || cat.Items[0].Plans[0].Resources[0].UnitPrice != "0.02" {
		t.Fatalf("catalog = %+v", cat)
	}
	sub, err := m.OrderSubscription(ctx, client.Order{NewClient: &client.NewResellerClient{Name: "Initech"}, ServiceID: svc.ID,
		PlanID: svc.Plans[0].ID, Resources: []client.AmountInput{{Name: "storage", Amount: "500"}}})
	check(err)
	sub, err = m.ChangeSubscriptionResources(ctx, sub.ID, []client.AmountInput{{Name: "storage", Amount: "100"}})
	check(err)
	if sub.Resources[0].Amount != "500" || len(sub.Scheduled) != 1 || sub.Scheduled[0].Amount != "100" {
		t.Fatalf("decrease at renewal: %+v", sub)
	}
	_, err = m.MoveSubscription(ctx, sub.ID, "stop")
	check(err)
	_, err = m.MoveSubscription(ctx, sub.ID, "stop")
	if partnerkit.ErrorCode(err) != partnerkit.CodeConflict || partnerkit.ErrorFields(err)["status"] == "" {
		t.Fatalf("stop twice: %v", err)
	}
	h, err := m.SubscriptionHistory(ctx, sub.ID)
	check(err)
	if h.Total != 3 || h.Items[2].From != "active" || h.Items[2].To != "stopped" {
		t.Fatalf("history = %+v", h)
	}
	charges, err := m.Charges(ctx, sub.ID, client.Page{})
	check(err)
	if charges.Total != 1 || charges.Items[0].Amount != "10" {
		t.Fatalf("charges = %+v", charges)
	}
	a, err := m.Analytics(ctx, client.AnalyticsQuery{By: "service"})
	check(err)
	if len(a.Rows) != 1 || a.Rows[0].Name != "Backup" || a.Total != "10" {
		t.Fatalf("analytics = %+v", a)
	}
	csv, err := m.AnalyticsCSV(ctx, client.AnalyticsQuery{})
	check(err)
	if !strings.Contains(string(csv), "Initech") {
		t.Fatalf("csv = %s", csv)
	}
	ccsv, err := m.ChargesCSV(ctx, client.ChargeQuery{SubscriptionID: sub.ID})
	check(err)
	if !strings.HasPrefix(string(ccsv), "id,partner_id,") || !strings.Contains(string(ccsv), ","+sub.ID+",") ||
		!strings.Contains(string(ccsv), ",10.00,") {
		t.Fatalf("charges csv = %s", ccsv)
	}
	if u := client.ChargesCSVURL(client.ChargeQuery{From: "2026-01-01"}); u != "/api/v1/charges.csv?from=2026-01-01" {
		t.Fatalf("charges csv url = %s", u)
	}
	clients, err := m.ResellerClients(ctx, "init", "", client.Page{})
	check(err)
	if clients.Total != 1 {
		t.Fatalf("clients = %+v", clients)
	}
	cl, err := m.SetResellerClientStatus(ctx, clients.Items[0].ID, "on_hold")
	check(err)
	if cl.Status != "on_hold" {
		t.Fatalf("client = %+v", cl)
	}
}
