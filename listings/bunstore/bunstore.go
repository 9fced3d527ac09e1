// Package bunstore is the SQL listings.Store on Bun (SQLite and
// PostgreSQL). Open the database with partners/bunstore.Open, which migrates
// every domain's tables.
package bunstore

import (
	"context"
	"fmt"
	"strings"
	"time"

	"github.com/partnerkit/partnerkit"
	"github.com/partnerkit/partnerkit/internal/sqldb"
	"github.com/partnerkit/partnerkit/listings"
	"github.com/shopspring/decimal"
	"github.com/uptrace/bun"
)

// Store is a listings.Store on a Bun database.
type Store struct{ db *bun.DB }

var _ listings.Store = (*Store)(nil)

// New returns a Store on a migrated db. It refuses a database the stores
// cannot work on (see partners/bunstore.New).
func New(db *bun.DB) (*Store, error) {
	if err := sqldb.Check(context.Background(), db); err != nil {
		return nil, fmt.Errorf("listings/bunstore: %w", err)
	}
	// The directory's figure and the deletion blocker this domain owns.
	sqldb.RegisterDirectoryCount(db, sqldb.AccountCount{Name: listings.CountListings,
		SQL: `(SELECT count(*) FROM listings AS l WHERE l.vendor_id = {account})`})
	sqldb.RegisterDependent(db, sqldb.AccountCount{Name: listings.KindProducts,
		SQL: `(SELECT count(*) FROM products WHERE vendor_id = {account})`})
	return &Store{db: db}, nil
}

// InTx implements partnerkit.Transactor.
func (s *Store) InTx(ctx context.Context, fn func(ctx context.Context) error) error {
	return sqldb.InTx(ctx, s.db, fn)
}

func (s *Store) conn(ctx context.Context) bun.IDB { return sqldb.Conn(ctx, s.db) }

type productRow struct {
	bun.BaseModel `bun:"table:products,alias:p"`

	ID          string `bun:"id,pk"`
	VendorID    string
	Name        string
	SearchName  string
	Description string
	Currency    string
	CreatedAt   time.Time
	UpdatedAt   time.Time
	Version     int
}

type itemRow struct {
	bun.BaseModel `bun:"table:product_items,alias:pi"`

	ProductID string `bun:"product_id,pk"`
	Position  int    `bun:"position,pk"`
	Name      string
	MPN       string `bun:"mpn"`
	Type      string
	Unit      string
	Price     decimal.Decimal `bun:"price"`
}

func toProductRow(p *listings.Product) *productRow {
	return &productRow{ID: p.ID, VendorID: p.VendorID, Name: p.Name, SearchName: strings.ToLower(p.Name),
		Description: p.Description, Currency: p.Currency, CreatedAt: p.CreatedAt, UpdatedAt: p.UpdatedAt, Version: p.Version}
}

func (r *productRow) toDomain(items []listings.Item) listings.Product {
	if items == nil {
		items = []listings.Item{}
	}
	return listings.Product{ID: r.ID, VendorID: r.VendorID, Name: r.Name, Description: r.Description,
		Currency: r.Currency, Items: items,
		CreatedAt: r.CreatedAt.UTC(), UpdatedAt: r.UpdatedAt.UTC(), Version: r.Version}
}

func (r *itemRow) toDomain() listings.Item {
	return listings.Item{Position: r.Position, Name: r.Name, MPN: r.MPN, Type: listings.ItemType(r.Type), Unit: r.Unit, Price: r.Price}
}

// insertItems writes p's items.
func (s *Store) insertItems(ctx context.Context, p *listings.Product) error {
	if len(p.Items) == 0 {
		return nil
	}
	rows := make([]itemRow, len(p.Items))
	for i, it := range p.Items {
		rows[i] = itemRow{ProductID: p.ID, Position: it.Position, Name: it.Name, MPN: it.MPN, Type: string(it.Type),
			Unit: it.Unit, Price: it.Price}
	}
	_, err := s.conn(ctx).NewInsert().Model(&rows).Exec(ctx)
	return err
}

// items returns the items of the given products by product ID, by position.
func (s *Store) items(ctx context.Context, ids []string) (map[string][]listings.Item, error) {
	out := map[string][]listings.Item{}
	if len(ids) == 0 {
		return out, nil
	}
	var rows []itemRow
	err := s.conn(ctx).NewSelect().Model(&rows).Where("pi.product_id IN (?)", bun.List(ids)).
		OrderExpr("pi.product_id ASC, pi.position ASC").Scan(ctx)
	if err != nil && !sqldb.IsNoRows(err) {
		return nil, err
	}
	for i := range rows {
		out[rows[i].ProductID] = append(out[rows[i].ProductID], rows[i].toDomain())
	}
	return out, nil
}

// CreateProduct implements listings.Store.
func (s *Store) CreateProduct(ctx context.Context, p *listings.Product) error {
	const op = "bunstore.CreateProduct"
	return s.InTx(ctx, func(ctx context.Context) error {
		if _, err := s.conn(ctx).NewInsert().Model(toProductRow(p)).Exec(ctx); err != nil {
			return sqldb.Internal(op, err)
		}
		return sqldb.Internal(op, s.insertItems(ctx, p))
	})
}

// GetProduct implements listings.Store.
func (s *Store) GetProduct(ctx context.Context, id string) (*listings.Product, error) {
	const op = "bunstore.GetProduct"
	var r productRow
	err := s.conn(ctx).NewSelect().Model(&r).Where("p.id = ?", id).Scan(ctx)
	if sqldb.IsNoRows(err) {
		return nil, partnerkit.NotFound("product", id)
	}
	if err != nil {
		return nil, sqldb.Internal(op, err)
	}
	items, err := s.items(ctx, []string{id})
	if err != nil {
		return nil, sqldb.Internal(op, err)
	}
	p := r.toDomain(items[id])
	return &p, nil
}

// UpdateProduct implements listings.Store.
func (s *Store) UpdateProduct(ctx context.Context, p *listings.Product) error {
	const op = "bunstore.UpdateProduct"
	err := s.InTx(ctx, func(ctx context.Context) error {
		res, err := s.conn(ctx).NewUpdate().Model(toProductRow(p)).
			ExcludeColumn("id", "vendor_id", "created_at", "version").
			Set("version = version + 1").WherePK().Where("version = ?", p.Version).Exec(ctx)
		if err := sqldb.CheckVersioned(ctx, op, res, err, "product", p.ID, func() error {
			_, err := s.GetProduct(ctx, p.ID)
			return err
		}); err != nil {
			return err
		}
		if _, err := s.conn(ctx).NewDelete().Model((*itemRow)(nil)).Where("product_id = ?", p.ID).Exec(ctx); err != nil {
			return sqldb.Internal(op, err)
		}
		return sqldb.Internal(op, s.insertItems(ctx, p))
	})
	if err != nil {
		return err
	}
	p.Version++
	return nil
}

// DeleteProduct implements listings.Store.
func (s *Store) DeleteProduct(ctx context.Context, id string) error {
	const op = "bunstore.DeleteProduct"
	return s.InTx(ctx, func(ctx context.Context) error {
		if _, err := s.conn(ctx).NewDelete().Model((*itemRow)(nil)).Where("product_id = ?", id).Exec(ctx); err != nil {
			return sqldb.Internal(op, err)
		}
		res, err := s.conn(ctx).NewDelete().Model((*productRow)(nil)).Where("id = ?", id).Exec(ctx)
		if sqldb.ForeignKeyViolation(err) {
			return partnerkit.Errorf(partnerkit.CodeConflict, "product %s is still listed and cannot be deleted", id)
		}
		if err != nil {
			return sqldb.Internal(op, err)
		}
		if n, _ := res.RowsAffected(); n == 0 {
			return partnerkit.NotFound("product", id)
		}
		return nil
	})
}

// ListProducts implements listings.Store.
func (s *Store) ListProducts(ctx context.Context, q listings.ProductQuery) ([]listings.Product, int, error) {
	const op = "bunstore.ListProducts"
	var rows []productRow
	sel := s.conn(ctx).NewSelect().Model(&rows).Where("p.vendor_id = ?", q.VendorID).
		OrderExpr(sqldb.OrderBy(listings.ProductOrder.Resolve(q.Sort),
			map[string]string{"name": "p.search_name", "created_at": "p.created_at"}, "p.id"))
	total, err := sqldb.Page(sel, q.Limit, q.Offset).ScanAndCount(ctx)
	if err != nil && !sqldb.IsNoRows(err) {
		return nil, 0, sqldb.Internal(op, err)
	}
	ids := make([]string, len(rows))
	for i := range rows {
		ids[i] = rows[i].ID
	}
	items, err := s.items(ctx, ids)
	if err != nil {
		return nil, 0, sqldb.Internal(op, err)
	}
	out := make([]listings.Product, len(rows))
	for i := range rows {
		out[i] = rows[i].toDomain(items[rows[i].ID])
	}
	return out, int(total), nil
}

type listingRow struct {
	bun.BaseModel `bun:"table:listings,alias:l"`

	ID            string `bun:"id,pk"`
	VendorID      string
	ProductID     string
	MarketplaceID string
	Status        string
	CreatedAt     time.Time
}

func (r *listingRow) toDomain() listings.Listing {
	return listings.Listing{ID: r.ID, VendorID: r.VendorID, ProductID: r.ProductID, MarketplaceID: r.MarketplaceID,
		Status: listings.Status(r.Status), CreatedAt: r.CreatedAt.UTC()}
}

// CreateListing implements listings.Store.
func (s *Store) CreateListing(ctx context.Context, l *listings.Listing) error {
	r := &listingRow{ID: l.ID, VendorID: l.VendorID, ProductID: l.ProductID, MarketplaceID: l.MarketplaceID,
		Status: string(l.Status), CreatedAt: l.CreatedAt}
	_, err := s.conn(ctx).NewInsert().Model(r).Exec(ctx)
	if _, dup := sqldb.UniqueViolation(err); dup {
		return partnerkit.ConflictField("marketplace_id", "the product is already listed on this marketplace")
	}
	return sqldb.Internal("bunstore.CreateListing", err)
}

// GetListing implements listings.Store.
func (s *Store) GetListing(ctx context.Context, id string) (*listings.Listing, error) {
	var r listingRow
	err := s.conn(ctx).NewSelect().Model(&r).Where("l.id = ?", id).Scan(ctx)
	if sqldb.IsNoRows(err) {
		return nil, partnerkit.NotFound("listing", id)
	}
	if err != nil {
		return nil, sqldb.Internal("bunstore.GetListing", err)
	}
	l := r.toDomain()
	return &l, nil
}

// DeleteListing implements listings.Store.
func (s *Store) DeleteListing(ctx context.Context, id string) error {
	res, err := s.conn(ctx).NewDelete().Model((*listingRow)(nil)).Where("id = ?", id).Exec(ctx)
	if err != nil {
		return sqldb.Internal("bunstore.DeleteListing", err)
	}
	if n, _ := res.RowsAffected(); n == 0 {
		return partnerkit.NotFound("listing", id)
	}
	return nil
}

// ListListings implements listings.Store.
func (s *Store) ListListings(ctx context.Context, q listings.ListingQuery) ([]listings.Listing, int, error) {
	var rows []listingRow
	sel := s.conn(ctx).NewSelect().Model(&rows)
	for col, v := range map[string]string{"l.vendor_id": q.VendorID, "l.product_id": q.ProductID,
		"l.marketplace_id": q.MarketplaceID} {
		if v != "" {
			sel = sel.Where("? = ?", bun.Ident(col), v)
		}
	}
	sel = sel.OrderExpr(sqldb.OrderBy(listings.ListingOrder.Resolve(q.Sort), map[string]string{"created_at": "l.created_at"}, "l.id"))
	total, err := sqldb.Page(sel, q.Limit, q.Offset).ScanAndCount(ctx)
	if err != nil && !sqldb.IsNoRows(err) {
		return nil, 0, sqldb.Internal("bunstore.ListListings", err)
	}
	out := make([]listings.Listing, len(rows))
	for i := range rows {
		out[i] = rows[i].toDomain()
	}
	return out, int(total), nil
}

// Database implements partnerkit.Located: stores of one transaction must
// share it.
func (s *Store) Database() any { return s.db }
