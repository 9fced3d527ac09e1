package listings

import (
	"fmt"
	"net/url"
	"regexp"

	"github.com/partnerkit/partnerkit"
	"github.com/shopspring/decimal"
)

// PricingModel is how a Microsoft commercial marketplace plan is priced.
type PricingModel string

// Pricing models of a SaaS offer plan.
const (
	// PricingPerUser charges per user (seat): the plan of a reservation item.
	PricingPerUser PricingModel = "per_user"
	// PricingFlatRate charges a flat rate, with optional metered dimensions:
	// the plan of the pay-as-you-go items.
	PricingFlatRate PricingModel = "flat_rate"
)

// Label is the model's name as the marketplace shows it ("Per User", "Flat rate").
func (m PricingModel) Label() string {
	switch m {
	case PricingPerUser:
		return "Per User"
	case PricingFlatRate:
		return "Flat rate"
	}
	return string(m)
}

// PortalBase is the start of the landing page and webhook addresses.
const PortalBase = "https://cloudblue.connect.com/portal/"

// Dimension is a metered dimension of a flat-rate plan: one pay-as-you-go item.
type Dimension struct {
	// ID identifies the dimension within its plan ("dimension-2": item 2).
	ID string `json:"id"`
	// ItemPosition is the item's position in the product.
	ItemPosition int `json:"item_position"`
	// Name is the item's name.
	Name string `json:"name"`
	// Unit is what the dimension counts.
	Unit string `json:"unit"`
	// Price is the price of one unit.
	Price decimal.Decimal `json:"price"`
}

// OfferPlan is one plan of the SaaS offer.
type OfferPlan struct {
	// ID identifies the plan within the offer ("per-user-1", "flat-rate").
	ID string `json:"id"`
	// Name is the plan's name: the item's for a per-user plan, the
	// product's for the flat-rate plan.
	Name string `json:"name"`
	// PricingModel is per_user or flat_rate.
	PricingModel PricingModel `json:"pricing_model"`
	// PricingLabel is the pricing model as the marketplace shows it.
	PricingLabel string `json:"pricing_label"`
	// ItemPositions are the positions of the product items the plan sells.
	ItemPositions []int `json:"item_positions"`
	// Unit and Price are the single item's of a plan without dimensions.
	Unit  string          `json:"unit,omitempty"`
	Price decimal.Decimal `json:"price"`
	// Dimensions are the metered dimensions of a flat-rate plan of several
	// pay-as-you-go items, one per item; empty otherwise.
	Dimensions []Dimension `json:"dimensions"`
}

// OfferPlanSet is how a product is offered on Microsoft's commercial
// marketplace for one tenant: its plans and technical configuration.
type OfferPlanSet struct {
	// ProductID is the product.
	ProductID string `json:"product_id"`
	// TenantID is the Microsoft (Azure AD) tenant.
	TenantID string `json:"tenant_id"`
	// LandingPageURL is the offer's landing page.
	LandingPageURL string `json:"landing_page_url"`
	// WebhookURL receives the marketplace's notifications.
	WebhookURL string `json:"webhook_url"`
	// Currency is the ISO 4217 code of the plans' prices: the product's.
	Currency string `json:"currency"`
	// Plans are the offer's plans: per-user plans first, by item position,
	// then the flat-rate plan.
	Plans []OfferPlan `json:"plans"`
}

var tenantIDPattern = regexp.MustCompile(`^[A-Za-z0-9._~-]{1,100}$`)

// CheckTenantID returns an invalid error naming "tenant_id" unless id is 1
// to 100 URL-path-safe characters (letters, digits, ".", "_", "~", "-"), as
// a tenant ID or domain is.
func CheckTenantID(id string) error {
	switch {
	case id == "":
		return partnerkit.FieldError("tenant_id", "is required")
	case !tenantIDPattern.MatchString(id) || id == "." || id == "..":
		return partnerkit.FieldError("tenant_id", "must be 1 to 100 letters, digits, '.', '_', '~' or '-'")
	}
	return nil
}

// LandingPageURL returns the landing page of a product for a tenant:
// https://cloudblue.connect.com/portal/[tenant_id]/[connect_product_id]/start.
func LandingPageURL(tenantID, productID string) string {
	return PortalBase + url.PathEscape(tenantID) + "/" + url.PathEscape(productID) + "/start"
}

// WebhookURL returns the webhook of a product for a tenant:
// https://cloudblue.connect.com/portal/[tenant_id]/[connect_product_id]/notification.
func WebhookURL(tenantID, productID string) string {
	return PortalBase + url.PathEscape(tenantID) + "/" + url.PathEscape(productID) + "/notification"
}

// OfferPlans models product p as a Microsoft commercial marketplace offer
// for a tenant, by the rules of the Connect integration:
//
//   - 1 reservation item: one "Per User" plan;
//   - more than 1 reservation item: one "Per User" plan per item;
//   - 1 pay-as-you-go item: one "flat rate" plan without dimensions;
//   - more than 1 pay-as-you-go item: one "flat rate" plan with one
//     dimension per item.
//
// A product with items of both types gets both sets of plans. Returns
// invalid naming "tenant_id" for a bad tenant ID, and "items" for a product
// without items.
func OfferPlans(p Product, tenantID string) (OfferPlanSet, error) {
	if err := CheckTenantID(tenantID); err != nil {
		return OfferPlanSet{}, err
	}
	if len(p.Items) == 0 {
		return OfferPlanSet{}, partnerkit.FieldError("items", "a product needs at least one item")
	}
	set := OfferPlanSet{ProductID: p.ID, TenantID: tenantID, Currency: p.Currency,
		LandingPageURL: LandingPageURL(tenantID, p.ID), WebhookURL: WebhookURL(tenantID, p.ID), Plans: []OfferPlan{}}
	var payg []Item
	for _, it := range p.Items {
		switch it.Type {
		case ItemReservation:
			set.Plans = append(set.Plans, OfferPlan{ID: fmt.Sprintf("per-user-%d", it.Position), Name: it.Name,
				PricingModel: PricingPerUser, PricingLabel: PricingPerUser.Label(), ItemPositions: []int{it.Position},
				Unit: it.Unit, Price: it.Price, Dimensions: []Dimension{}})
		case ItemPayAsYouGo:
			payg = append(payg, it)
		default:
			return OfferPlanSet{}, partnerkit.FieldError(fmt.Sprintf("items[%d].type", it.Position-1), "must be reservation or pay_as_you_go")
		}
	}
	switch len(payg) {
	case 0:
	case 1:
		it := payg[0]
		set.Plans = append(set.Plans, OfferPlan{ID: "flat-rate", Name: p.Name, PricingModel: PricingFlatRate,
			PricingLabel: PricingFlatRate.Label(), ItemPositions: []int{it.Position}, Unit: it.Unit, Price: it.Price,
			Dimensions: []Dimension{}})
	default:
		plan := OfferPlan{ID: "flat-rate", Name: p.Name, PricingModel: PricingFlatRate, PricingLabel: PricingFlatRate.Label(),
			Price: decimal.Zero, Dimensions: make([]Dimension, 0, len(payg))}
		for _, it := range payg {
			plan.ItemPositions = append(plan.ItemPositions, it.Position)
			plan.Dimensions = append(plan.Dimensions, Dimension{ID: fmt.Sprintf("dimension-%d", it.Position),
				ItemPosition: it.Position, Name: it.Name, Unit: it.Unit, Price: it.Price})
		}
		set.Plans = append(set.Plans, plan)
	}
	return set, nil
}
