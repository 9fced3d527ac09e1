// Package memstore is the in-memory listings.Store. Build it on the same DB
// as the partners and contracts memstores: it registers there the listings
// count the partner directory shows, and the products that keep a vendor
// from being deleted.
package memstore

import (
	"context"
	"slices"

	"github.com/partnerkit/partnerkit"
	"github.com/partnerkit/partnerkit/internal/memdb"
	"github.com/partnerkit/partnerkit/listings"
)

// Store is an in-memory listings.Store.
type Store struct {
	db       *memdb.DB
	products *memdb.Table[string, listings.Product]
	listings *memdb.Table[string, listings.Listing]
}

var _ listings.Store = (*Store)(nil)

// New returns a Store on db (a nil db gets one of its own) and registers
// its counts there.
func New(db *memdb.DB) *Store {
	if db == nil {
		db = memdb.New()
	}
	s := &Store{db: db,
		products: memdb.NewTable[string, listings.Product](),
		listings: memdb.NewTable[string, listings.Listing](),
	}
	db.RegisterDirectoryCount(listings.CountListings, func(vendorID string) int {
		return s.listings.CountWhere(func(l listings.Listing) bool { return l.VendorID == vendorID })
	})
	db.RegisterDependent(listings.KindProducts, func(vendorID string) int {
		return s.products.CountWhere(func(p listings.Product) bool { return p.VendorID == vendorID })
	})
	return s
}

// InTx implements partnerkit.Transactor.
func (s *Store) InTx(ctx context.Context, fn func(ctx context.Context) error) error {
	return s.db.InTx(ctx, fn)
}

// stored returns a copy of p that shares no memory with the caller.
func stored(p *listings.Product) listings.Product {
	c := *p
	c.Items = slices.Clone(p.Items)
	return c
}

// CreateProduct implements listings.Store.
func (s *Store) CreateProduct(ctx context.Context, p *listings.Product) error {
	return s.db.Update(ctx, func(t *memdb.Tx) error {
		if _, dup := s.products.Get(p.ID); dup {
			return partnerkit.Errorf(partnerkit.CodeConflict, "product %s exists", p.ID)
		}
		s.products.Put(t, p.ID, stored(p))
		return nil
	})
}

// GetProduct implements listings.Store.
func (s *Store) GetProduct(ctx context.Context, id string) (*listings.Product, error) {
	p, err := memdb.Get(ctx, s.db, s.products, "product", id)
	if err != nil {
		return nil, err
	}
	c := stored(p)
	return &c, nil
}

// UpdateProduct implements listings.Store.
func (s *Store) UpdateProduct(ctx context.Context, p *listings.Product) error {
	return s.db.Update(ctx, func(t *memdb.Tx) error {
		old, err := memdb.CheckVersion(s.products, "product", p.ID, p.Version, productVersion)
		if err != nil {
			return err
		}
		next := stored(p)
		next.VendorID, next.CreatedAt = old.VendorID, old.CreatedAt
		next.Version++
		s.products.Put(t, p.ID, next)
		p.Version = next.Version
		return nil
	})
}

func productVersion(p listings.Product) int { return p.Version }

// DeleteProduct implements listings.Store.
func (s *Store) DeleteProduct(ctx context.Context, id string) error {
	return s.db.Update(ctx, func(t *memdb.Tx) error {
		if _, ok := s.products.Get(id); !ok {
			return partnerkit.NotFound("product", id)
		}
		s.products.Delete(t, id)
		return nil
	})
}

// ListProducts implements listings.Store.
func (s *Store) ListProducts(ctx context.Context, q listings.ProductQuery) ([]listings.Product, int, error) {
	var match []listings.Product
	err := s.db.View(ctx, func() error {
		for p := range s.products.Values() {
			if p.VendorID == q.VendorID {
				match = append(match, stored(&p))
			}
		}
		return nil
	})
	memdb.SortBy(match, listings.ProductOrder.Resolve(q.Sort), memdb.Keys[listings.Product]{
		"name":       func(a, b listings.Product) int { return memdb.Lower(a.Name, b.Name) },
		"created_at": func(a, b listings.Product) int { return a.CreatedAt.Compare(b.CreatedAt) },
	}, func(p listings.Product) string { return p.ID })
	return memdb.Page(match, q.Limit, q.Offset), len(match), err
}

// CreateListing implements listings.Store.
func (s *Store) CreateListing(ctx context.Context, l *listings.Listing) error {
	return s.db.Update(ctx, func(t *memdb.Tx) error {
		for other := range s.listings.Values() {
			if other.ProductID == l.ProductID && other.MarketplaceID == l.MarketplaceID {
				return partnerkit.ConflictField("marketplace_id", "the product is already listed on this marketplace")
			}
		}
		s.listings.Put(t, l.ID, *l)
		return nil
	})
}

// GetListing implements listings.Store.
func (s *Store) GetListing(ctx context.Context, id string) (*listings.Listing, error) {
	return memdb.Get(ctx, s.db, s.listings, "listing", id)
}

// DeleteListing implements listings.Store.
func (s *Store) DeleteListing(ctx context.Context, id string) error {
	return s.db.Update(ctx, func(t *memdb.Tx) error {
		if _, ok := s.listings.Get(id); !ok {
			return partnerkit.NotFound("listing", id)
		}
		s.listings.Delete(t, id)
		return nil
	})
}

// ListListings implements listings.Store.
func (s *Store) ListListings(ctx context.Context, q listings.ListingQuery) ([]listings.Listing, int, error) {
	var match []listings.Listing
	err := s.db.View(ctx, func() error {
		for l := range s.listings.Values() {
			if (q.VendorID == "" || l.VendorID == q.VendorID) &&
				(q.ProductID == "" || l.ProductID == q.ProductID) &&
				(q.MarketplaceID == "" || l.MarketplaceID == q.MarketplaceID) {
				match = append(match, l)
			}
		}
		return nil
	})
	memdb.SortBy(match, listings.ListingOrder.Resolve(q.Sort), memdb.Keys[listings.Listing]{
		"created_at": func(a, b listings.Listing) int { return a.CreatedAt.Compare(b.CreatedAt) },
	}, func(l listings.Listing) string { return l.ID })
	return memdb.Page(match, q.Limit, q.Offset), len(match), err
}

// Database implements partnerkit.Located: stores of one transaction must
// share it.
func (s *Store) Database() any { return s.db }
