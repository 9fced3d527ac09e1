// Package listings is a vendor's catalog on marketplaces: products with
// their items, listings of a product on a marketplace where the vendor has
// an active distribution contract, and the offer plans a product becomes on
// Microsoft's commercial marketplace.
//
// It imports the partners, agreements and contracts domains and no storage
// code.
package listings

import (
	"time"

	"github.com/partnerkit/partnerkit/listings/rules"
	"github.com/shopspring/decimal"
)

// The vocabulary and pure rules of the domain live in listings/rules,
// which the WebAssembly PWA imports without validator; these names
// re-export it.

// ItemType is how an item is sold.
type ItemType = rules.ItemType

// Item types (see rules.ItemType).
const (
	ItemReservation = rules.ItemReservation
	ItemPayAsYouGo  = rules.ItemPayAsYouGo
)

// ItemTypes lists every item type.
func ItemTypes() []ItemType { return rules.ItemTypes() }

// Item is one thing a product sells.
type Item struct {
	// Position is the item's place in the product, from 1.
	Position int `json:"position"`
	// Name is unique within the product (case-insensitive).
	Name string `json:"name"`
	// MPN is the manufacturer part number (SKU), optional.
	MPN string `json:"mpn,omitempty"`
	// Type is reservation or pay_as_you_go.
	Type ItemType `json:"type"`
	// Unit is what one is counted in ("user", "GB").
	Unit string `json:"unit"`
	// Price is the price of one unit.
	Price decimal.Decimal `json:"price"`
}

// Product is a vendor's product with its items.
type Product struct {
	// ID is the opaque product ID ("PRD-…").
	ID string `json:"id"`
	// VendorID is the vendor account that owns the product.
	VendorID string `json:"vendor_id"`
	// Name is 1 to 100 characters.
	Name string `json:"name"`
	// Description is free text.
	Description string `json:"description"`
	// Currency is the three-letter ISO 4217 code of the items' prices
	// ("USD").
	Currency string `json:"currency"`
	// Items are the product's items, by position; at least one.
	Items []Item `json:"items"`
	// CreatedAt and UpdatedAt are in UTC.
	CreatedAt time.Time `json:"created_at"`
	UpdatedAt time.Time `json:"updated_at"`
	// Version increases on every change (optimistic locking).
	Version int `json:"version"`
}

// DefaultCurrency is the currency of a product created without one.
const DefaultCurrency = "USD"

// Status is the state of a listing.
type Status = rules.Status

// Listing statuses (see rules.Status).
const (
	// StatusListed is a product offered on the marketplace.
	StatusListed = rules.StatusListed
)

// Listing is a vendor's product on a marketplace.
type Listing struct {
	// ID is the opaque listing ID ("LST-…").
	ID string `json:"id"`
	// VendorID is the product's vendor.
	VendorID string `json:"vendor_id"`
	// ProductID is the listed product.
	ProductID string `json:"product_id"`
	// MarketplaceID is the marketplace the product is listed on.
	MarketplaceID string `json:"marketplace_id"`
	// Status is the listing's status.
	Status Status `json:"status"`
	// CreatedAt is when the product was listed (UTC).
	CreatedAt time.Time `json:"created_at"`
}
