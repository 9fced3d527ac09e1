package listings

import (
	"context"

	"github.com/partnerkit/partnerkit"
)

// Store persists products with their items, and listings. It only stores;
// the rules live in Service. Every implementation must pass storetest.
// Errors: not_found for missing rows; conflict on "marketplace_id" for a
// second listing of a product on one marketplace; conflict on a stale
// Version; internal otherwise.
//
// # Concurrency
//
// Every rule of Service that reads, then writes holds under concurrent
// calls from many processes sharing one database (the memory store
// serialises its transactions, SQLite its write transactions; PostgreSQL,
// under READ COMMITTED, relies on these guarantees):
//   - a product is listed once per marketplace: a unique index over
//     (product_id, marketplace_id); CreateListing returns conflict.
//   - a listed product is not deleted: the listings' foreign key to products
//     (a listing made during the deletion is a conflict for one of them).
//   - product changes: optimistic versions (UpdateProduct writes WHERE
//     version = ?). Under If-Match (partnerkit.IfVersion) the service checks
//     the version it loaded, and the same WHERE version = ? holds it to the
//     commit (the later of two changes conditioned on one version gets
//     precondition_failed, partnerkit.StaleVersion); DeleteProduct under
//     If-Match follows an unchanged UpdateProduct, which locks the row.
type Store interface {
	partnerkit.Transactor

	// CreateProduct inserts p with its items.
	CreateProduct(ctx context.Context, p *Product) error
	// GetProduct returns a product with its items by position, or not_found.
	GetProduct(ctx context.Context, id string) (*Product, error)
	// UpdateProduct writes p and replaces its items if the stored version
	// equals p.Version, then increments p.Version.
	UpdateProduct(ctx context.Context, p *Product) error
	// DeleteProduct removes a product and its items, or returns not_found.
	DeleteProduct(ctx context.Context, id string) error
	// ListProducts returns one page of a vendor's products by name (then
	// ID), and how many the vendor has in all.
	ListProducts(ctx context.Context, q ProductQuery) ([]Product, int, error)

	// CreateListing inserts l.
	CreateListing(ctx context.Context, l *Listing) error
	// GetListing returns a listing or not_found.
	GetListing(ctx context.Context, id string) (*Listing, error)
	// DeleteListing removes a listing, or returns not_found.
	DeleteListing(ctx context.Context, id string) error
	// ListListings returns one page of the listings q selects, newest
	// first, and how many it selects in all.
	ListListings(ctx context.Context, q ListingQuery) ([]Listing, int, error)
}

// ProductQuery selects products for a Store.
type ProductQuery struct {
	// VendorID keeps one vendor's products (required).
	VendorID string
	// Sort orders the page (ProductOrder.Resolve: by name by default).
	Sort partnerkit.Sort
	// Limit and Offset select the page; Limit 0 means no limit.
	Limit, Offset int
}

// ProductOrder is how products sort: by name (the default) or creation time.
var ProductOrder = partnerkit.Order{Fields: []string{"name", "created_at"}, Default: "name"}

// ListingOrder is how listings sort: by creation time, newest first by default.
var ListingOrder = partnerkit.Order{Fields: []string{"created_at"}, Default: "-created_at"}

// ListingQuery selects listings for a Store.
type ListingQuery struct {
	// VendorID keeps one vendor's listings.
	VendorID string
	// ProductID keeps one product's listings.
	ProductID string
	// MarketplaceID keeps one marketplace's listings.
	MarketplaceID string
	// Sort orders the page (ListingOrder.Resolve: newest first by default).
	Sort partnerkit.Sort
	// Limit and Offset select the page; Limit 0 means no limit.
	Limit, Offset int
}

// The figures the listings domain contributes about an account (its stores
// register them; see partners.Counts, partners.Store.Dependents).
const (
	// CountListings counts a vendor's product listings (a directory figure).
	CountListings = "listings"
	// KindProducts counts a vendor's products (they block its deletion).
	KindProducts = "products"
)
