package ui

import (
	"reflect"
	"strings"
	"testing"

	"github.com/partnerkit/partnerkit"
	"github.com/partnerkit/partnerkit/app/client"
)

// An edited service goes back to the API as it came, plan IDs and version
// kept; blank limits become 0.
func TestServiceDraftRoundTrip(t *testing.T) {
	svc := client.CatalogService{ID: "SVC-1", Name: "Cloud Mail", Description: "Mail", Version: 3, Plans: []client.CatalogPlan{
		{ID: "PLN-1", Name: "Business", BillingPeriod: "monthly", TrialDays: 30, DecreaseAtRenewal: true, AutoRenew: true,
			Resources: []client.CatalogPlanResource{{Name: "mailboxes", Unit: "user", UnitPrice: "4.5", Min: "1", Max: "100"}}},
	}}
	d := draftOf(svc)
	if d.plans[0].trialDays != "30" || d.id != "SVC-1" {
		t.Fatalf("draft = %+v", d)
	}
	in, err := d.input()
	if err != nil {
		t.Fatal(err)
	}
	want := client.NewCatalogService{Name: svc.Name, Description: svc.Description, Plans: svc.Plans, Version: 3}
	if !reflect.DeepEqual(in, want) {
		t.Fatalf("input = %+v\nwant %+v", in, want)
	}
	d.plans[0].resources[0].Min, d.plans[0].resources[0].Max = " ", ""
	in, err = d.input()
	if err != nil || in.Plans[0].Resources[0].Min != "0" || in.Plans[0].Resources[0].Max != "0" {
		t.Fatalf("blank limits: %+v, %v", in.Plans[0].Resources[0], err)
	}
}

// The form applies the server's catalog rules (resellers/rules) and names
// each problem as the API names its field: text that is not a number,
// negative limits, a trial too long, blank names, names counted in
// characters.
func TestServiceDraftFieldErrors(t *testing.T) {
	d := &serviceDraft{name: strings.Repeat("é", 200), plans: []planDraft{newPlanDraft(), newPlanDraft(), newPlanDraft()}}
	d.plans[0].trialDays = "two weeks"
	d.plans[1].name = "Business"
	d.plans[1].resources[0] = client.CatalogPlanResource{Name: "GB", Unit: "GB", UnitPrice: "4,50", Min: "-1", Max: "abc"}
	d.plans[2].name, d.plans[2].trialDays = strings.Repeat("é", 201), "400"
	d.plans[2].resources[0] = client.CatalogPlanResource{Name: "mailboxes", Unit: "user", UnitPrice: "1e1", Min: "5", Max: "2"}
	_, err := d.input()
	got := partnerkit.ErrorFields(err)
	want := map[string]string{
		"plans[0].name":                    "is required",
		"plans[0].trial_days":              "must be a whole number of days",
		"plans[0].resources[0].name":       "is required",
		"plans[0].resources[0].unit":       "is required",
		"plans[0].resources[0].unit_price": "is required",
		"plans[1].resources[0].unit_price": "must be a decimal number like 4.50",
		"plans[1].resources[0].min":        "must not be negative",
		"plans[1].resources[0].max":        "must be a decimal number like 4.50",
		"plans[2].name":                    "must be at most 200 characters",
		"plans[2].trial_days":              "must be between 0 and 366",
		"plans[2].resources[0].max":        "must not be below min (0 means no limit)",
	}
	if !reflect.DeepEqual(got, want) {
		t.Fatalf("fields = %v\nwant %v", got, want)
	}
}
