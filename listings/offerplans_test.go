package listings_test

import (
	"fmt"
	"strings"
	"testing"

	"github.com/partnerkit/partnerkit"
	"github.com/partnerkit/partnerkit/listings"
	"github.com/shopspring/decimal"
)

func item(pos int, name string, typ listings.ItemType, price string) listings.Item {
	return listings.Item{Position: pos, Name: name, Type: typ, Unit: "unit", Price: decimal.RequireFromString(price)}
}

// planShape is a plan reduced to what the rules decide.
func planShape(p listings.OfferPlan) string {
	var dims []string
	for _, d := range p.Dimensions {
		dims = append(dims, fmt.Sprintf("%s=%s", d.Name, d.Price))
	}
	return fmt.Sprintf("%s %s %v [%s]", p.PricingModel, p.Name, p.ItemPositions, strings.Join(dims, ","))
}

func TestOfferPlans(t *testing.T) {
	const R, P = listings.ItemReservation, listings.ItemPayAsYouGo
	cases := []struct {
		name  string
		items []listings.Item
		want  []string
	}{
		{"OneReservationIsOnePerUserPlan", []listings.Item{item(1, "Seat", R, "10")},
			[]string{"per_user Seat [1] []"}},
		{"SeveralReservationsArePerUserPlansByItem",
			[]listings.Item{item(1, "Basic", R, "5"), item(2, "Pro", R, "12.5"), item(3, "Ultimate", R, "20")},
			[]string{"per_user Basic [1] []", "per_user Pro [2] []", "per_user Ultimate [3] []"}},
		{"OnePayAsYouGoIsFlatRateWithoutDimensions", []listings.Item{item(1, "Storage", P, "0.02")},
			[]string{"flat_rate Backup [1] []"}},
		{"SeveralPayAsYouGoAreOneFlatRateWithDimensionByItem",
			[]listings.Item{item(1, "Storage", P, "0.02"), item(2, "Egress", P, "0.01")},
			[]string{"flat_rate Backup [1 2] [Storage=0.02,Egress=0.01]"}},
		{"BothTypesGetBothSets",
			[]listings.Item{item(1, "Storage", P, "0.02"), item(2, "Seat", R, "10"), item(3, "Egress", P, "0.01"), item(4, "Admin", R, "15")},
			[]string{"per_user Seat [2] []", "per_user Admin [4] []", "flat_rate Backup [1 3] [Storage=0.02,Egress=0.01]"}},
		{"OneOfEachType", []listings.Item{item(1, "Seat", R, "10"), item(2, "Storage", P, "0.02")},
			[]string{"per_user Seat [1] []", "flat_rate Backup [2] []"}},
	}
	for _, c := range cases {
		t.Run(c.name, func(t *testing.T) {
			p := listings.Product{ID: "PRD-1", Name: "Backup", Items: c.items}
			set, err := listings.OfferPlans(p, "contoso.onmicrosoft.com")
			if err != nil {
				t.Fatal(err)
			}
			var got []string
			for _, pl := range set.Plans {
				got = append(got, planShape(pl))
				if pl.PricingLabel != pl.PricingModel.Label() {
					t.Errorf("plan %s: label %q", pl.ID, pl.PricingLabel)
				}
				if len(pl.Dimensions) == 0 && len(pl.ItemPositions) != 1 {
					t.Errorf("plan %s without dimensions sells %v", pl.ID, pl.ItemPositions)
				}
			}
			if strings.Join(got, "\n") != strings.Join(c.want, "\n") {
				t.Fatalf("plans:\n%s\nwant:\n%s", strings.Join(got, "\n"), strings.Join(c.want, "\n"))
			}
			if want := "https://cloudblue.connect.com/portal/contoso.onmicrosoft.com/PRD-1/start"; set.LandingPageURL != want {
				t.Errorf("landing page %q, want %q", set.LandingPageURL, want)
			}
			if want := "https://cloudblue.connect.com/portal/contoso.onmicrosoft.com/PRD-1/notification"; set.WebhookURL != want {
				t.Errorf("webhook %q, want %q", set.WebhookURL, want)
			}
		})
	}
}

func TestOfferPlansErrors(t *testing.T) {
	ok := []listings.Item{item(1, "Seat", listings.ItemReservation, "1")}
	cases := []struct {
		name, tenant string
		items        []listings.Item
		field        string
	}{
		{"TenantRequired", "", ok, "tenant_id"},
		{"TenantWithSlash", "a/b", ok, "tenant_id"},
		{"TenantWithSpace", "a b", ok, "tenant_id"},
		{"TenantDotDot", "..", ok, "tenant_id"},
		{"TenantTooLong", strings.Repeat("a", 101), ok, "tenant_id"},
		{"NoItems", "t", nil, "items"},
		{"UnknownType", "t", []listings.Item{item(1, "X", "monthly", "1")}, "items[0].type"},
	}
	for _, c := range cases {
		t.Run(c.name, func(t *testing.T) {
			_, err := listings.OfferPlans(listings.Product{ID: "PRD-1", Name: "P", Items: c.items}, c.tenant)
			if partnerkit.ErrorCode(err) != partnerkit.CodeInvalid {
				t.Fatalf("err %v, want invalid", err)
			}
			if _, ok := partnerkit.ErrorFields(err)[c.field]; !ok {
				t.Fatalf("fields %v, want %s", partnerkit.ErrorFields(err), c.field)
			}
		})
	}
	for _, tenant := range []string{"72f988bf-86f1-41af-91ab-2d7cd011db47", "contoso.onmicrosoft.com", "a_b~c"} {
		if err := listings.CheckTenantID(tenant); err != nil {
			t.Errorf("CheckTenantID(%q) = %v", tenant, err)
		}
	}
}

func ExampleOfferPlans() {
	p := listings.Product{ID: "PRD-42", Name: "Cloud Backup", Items: []listings.Item{
		{Position: 1, Name: "Seat", Type: listings.ItemReservation, Unit: "user", Price: decimal.RequireFromString("9.99")},
		{Position: 2, Name: "Storage", Type: listings.ItemPayAsYouGo, Unit: "GB", Price: decimal.RequireFromString("0.02")},
		{Position: 3, Name: "Egress", Type: listings.ItemPayAsYouGo, Unit: "GB", Price: decimal.RequireFromString("0.01")},
	}}
	set, err := listings.OfferPlans(p, "contoso")
	if err != nil {
		panic(err)
	}
	for _, plan := range set.Plans {
		fmt.Printf("%s plan %q\n", plan.PricingLabel, plan.Name)
		for _, d := range plan.Dimensions {
			fmt.Printf("  dimension %s: %s per %s\n", d.Name, d.Price, d.Unit)
		}
	}
	fmt.Println(set.LandingPageURL)
	fmt.Println(set.WebhookURL)
	// Output:
	// Per User plan "Seat"
	// Flat rate plan "Cloud Backup"
	//   dimension Storage: 0.02 per GB
	//   dimension Egress: 0.01 per GB
	// https://cloudblue.connect.com/portal/contoso/PRD-42/start
	// https://cloudblue.connect.com/portal/contoso/PRD-42/notification
}
