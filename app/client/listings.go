package client

import (
	"context"
	"net/url"
	"time"

	listingrules "github.com/partnerkit/partnerkit/listings/rules"
)

// ProductItem is one item of a product; Price is a decimal string.
type ProductItem struct {
	_        noCompare
	Position int    `json:"position,omitempty"`
	Name     string `json:"name"`
	MPN      string `json:"mpn,omitempty"`
	// Type is reservation or pay_as_you_go.
	Type  listingrules.ItemType `json:"type"`
	Unit  string                `json:"unit"`
	Price string                `json:"price"`
}

// Product is a vendor's product with its items.
type Product struct {
	_           noCompare
	ID          string        `json:"id"`
	VendorID    string        `json:"vendor_id"`
	Name        string        `json:"name"`
	Description string        `json:"description"`
	Currency    string        `json:"currency"`
	Items       []ProductItem `json:"items"`
	CreatedAt   time.Time     `json:"created_at"`
	UpdatedAt   time.Time     `json:"updated_at"`
	Version     int           `json:"version"`
}

// NewProduct describes a product to create; an empty VendorID means the
// caller's account.
type NewProduct struct {
	_           noCompare
	VendorID    string        `json:"vendor_id,omitempty"`
	Name        string        `json:"name"`
	Description string        `json:"description,omitempty"`
	Currency    string        `json:"currency,omitempty"`
	Items       []ProductItem `json:"items"`
}

// ProductChanges changes some fields of a product; nil fields stay.
type ProductChanges struct {
	_           noCompare
	Name        *string        `json:"name,omitempty"`
	Description *string        `json:"description,omitempty"`
	Currency    *string        `json:"currency,omitempty"`
	Items       *[]ProductItem `json:"items,omitempty"`
	Version     int            `json:"version,omitempty"`
}

// Listing is a product listed on a marketplace.
type Listing struct {
	_             noCompare
	ID            string              `json:"id"`
	VendorID      string              `json:"vendor_id"`
	ProductID     string              `json:"product_id"`
	MarketplaceID string              `json:"marketplace_id"`
	Status        listingrules.Status `json:"status"`
	CreatedAt     time.Time           `json:"created_at"`
}

// PlanDimension is a metered dimension of a flat-rate plan.
type PlanDimension struct {
	_            noCompare
	ID           string `json:"id"`
	ItemPosition int    `json:"item_position"`
	Name         string `json:"name"`
	Unit         string `json:"unit"`
	Price        string `json:"price"`
}

// OfferPlan is one plan of a Microsoft commercial marketplace offer.
type OfferPlan struct {
	_             noCompare
	ID            string          `json:"id"`
	Name          string          `json:"name"`
	PricingModel  string          `json:"pricing_model"`
	PricingLabel  string          `json:"pricing_label"`
	ItemPositions []int           `json:"item_positions"`
	Unit          string          `json:"unit,omitempty"`
	Price         string          `json:"price"`
	Dimensions    []PlanDimension `json:"dimensions"`
}

// OfferPlanSet is a product's offer for one tenant: plans, landing page and webhook.
type OfferPlanSet struct {
	_              noCompare
	ProductID      string      `json:"product_id"`
	TenantID       string      `json:"tenant_id"`
	LandingPageURL string      `json:"landing_page_url"`
	WebhookURL     string      `json:"webhook_url"`
	Currency       string      `json:"currency"`
	Plans          []OfferPlan `json:"plans"`
}

// Products returns one page of a vendor's products; an empty vendorID
// means the caller's account.
func (c *Client) Products(ctx context.Context, vendorID string, p Page) (*List[Product], error) {
	v := url.Values{}
	if vendorID != "" {
		v.Set("vendor_id", vendorID)
	}
	var l List[Product]
	err := c.call(ctx, "GET", "/products", p.query(v), nil, &l)
	return &l, err
}

// Product returns a product.
func (c *Client) Product(ctx context.Context, id string) (*Product, error) {
	var p Product
	err := c.call(ctx, "GET", "/products/"+url.PathEscape(id), nil, nil, &p)
	return &p, err
}

// CreateProduct creates a product with its items.
func (c *Client) CreateProduct(ctx context.Context, in NewProduct) (*Product, error) {
	var p Product
	err := c.call(ctx, "POST", "/products", nil, in, &p)
	return &p, err
}

// UpdateProduct changes a product.
func (c *Client) UpdateProduct(ctx context.Context, id string, in ProductChanges) (*Product, error) {
	var p Product
	err := c.call(ctx, "PATCH", "/products/"+url.PathEscape(id), nil, in, &p)
	return &p, err
}

// DeleteProduct deletes a product that is not listed.
func (c *Client) DeleteProduct(ctx context.Context, id string) error {
	return c.call(ctx, "DELETE", "/products/"+url.PathEscape(id), nil, nil, nil)
}

// OfferPlans returns a product's offer plans for a tenant.
func (c *Client) OfferPlans(ctx context.Context, productID, tenantID string) (*OfferPlanSet, error) {
	var s OfferPlanSet
	err := c.call(ctx, "GET", "/products/"+url.PathEscape(productID)+"/offer-plans", url.Values{"tenant_id": {tenantID}}, nil, &s)
	return &s, err
}

// ListingQuery selects listings.
type ListingQuery struct {
	_                                  noCompare
	VendorID, ProductID, MarketplaceID string
	Page
}

// Listings returns one page of listings.
func (c *Client) Listings(ctx context.Context, q ListingQuery) (*List[Listing], error) {
	v := url.Values{}
	for k, s := range map[string]string{"vendor_id": q.VendorID, "product_id": q.ProductID, "marketplace_id": q.MarketplaceID} {
		if s != "" {
			v.Set(k, s)
		}
	}
	var l List[Listing]
	err := c.call(ctx, "GET", "/listings", q.Page.query(v), nil, &l)
	return &l, err
}

// CreateListing lists a product on a marketplace.
func (c *Client) CreateListing(ctx context.Context, productID, marketplaceID string) (*Listing, error) {
	var l Listing
	err := c.call(ctx, "POST", "/listings", nil, map[string]string{"product_id": productID, "marketplace_id": marketplaceID}, &l)
	return &l, err
}

// RemoveListing takes a product off a marketplace.
func (c *Client) RemoveListing(ctx context.Context, id string) error {
	return c.call(ctx, "DELETE", "/listings/"+url.PathEscape(id), nil, nil, nil)
}
