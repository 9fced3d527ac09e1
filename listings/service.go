package listings

import (
	"cmp"
	"context"
	"fmt"
	"strings"

	"github.com/partnerkit/partnerkit"
	contractrules "github.com/partnerkit/partnerkit/contracts/rules"
	"github.com/partnerkit/partnerkit/internal/validate"
	"github.com/partnerkit/partnerkit/listings/rules"
	"github.com/partnerkit/partnerkit/partners"
	"github.com/shopspring/decimal"
)

// Service is the listings API for Go programs: products, listings and
// offer plans.
//
// Build its store on the same database as the partners and contracts
// stores (one memstore DB, or one *bun.DB) so that its checks and writes are
// atomic.
type Service struct {
	store     Store
	partners  Partners
	contracts Contracts
	audit     partnerkit.Auditor
	clock     partnerkit.Clock
}

// Option configures a Service.
type Option func(*Service)

// WithClock sets the clock used for timestamps.
func WithClock(c partnerkit.Clock) Option { return func(s *Service) { s.clock = c } }

// NewService returns a Service over store that asks the partners and
// contracts domains only for what it uses (Partners for tenancy, Contracts
// for marketplaces and distribution contracts) and records audit events in
// audit. wiring.New builds it with the others.
func NewService(store Store, p Partners, c Contracts, audit partnerkit.AuditLog, opts ...Option) *Service {
	s := &Service{store: store, partners: p, contracts: c}
	for _, o := range opts {
		o(s)
	}
	s.audit = partnerkit.Auditor{Log: audit, Clock: s.clock}
	return s
}

// Limits of a product (see listings/rules).
const (
	// MaxItems is the most items a product may have.
	MaxItems = rules.MaxItems
)

// maxPrice is the largest item price: far above any real one, and within
// what every store holds (PostgreSQL NUMERIC(38,12)).
var maxPrice = decimal.New(1, 12)

// ItemInput describes one item of a product.
type ItemInput struct {
	// Name is 1 to 100 characters, unique within the product (case-insensitive).
	Name string `json:"name"`
	// MPN is the manufacturer part number (SKU), optional, at most 100 characters.
	MPN string `json:"mpn"`
	// Type is reservation or pay_as_you_go.
	Type ItemType `json:"type"`
	// Unit is what one is counted in, 1 to 50 characters ("user", "GB").
	Unit string `json:"unit"`
	// Price is the price of one unit: not negative, at most 4 decimal places.
	Price decimal.Decimal `json:"price"`
}

// ProductInput describes a new product.
type ProductInput struct {
	// VendorID is the vendor account that owns the product: the actor's own
	// account (when empty) or a vendor it manages.
	VendorID string `json:"vendor_id"`
	// Name is 1 to 100 characters.
	Name string `json:"name" validate:"required,max=100"`
	// Description is at most 10,000 characters.
	Description string `json:"description" validate:"max=10000" text:"multiline"`
	// Currency is the items' prices' ISO 4217 code; empty is
	// DefaultCurrency.
	Currency string `json:"currency,omitempty"`
	// Items are the product's items; at least one (rules.ItemProblems).
	Items []ItemInput `json:"items"`
}

// checkCurrency normalizes a product's currency and names the field when
// it is not a code.
func checkCurrency(code *string) error {
	if code == nil {
		return nil
	}
	if *code = contractrules.NormalizeCurrency(*code); *code != "" && !contractrules.ValidCurrency(*code) {
		return partnerkit.FieldError("currency", contractrules.CurrencyProblem)
	}
	return nil
}

// checkItems trims and validates items and returns them with their
// positions; problems name the field ("items[1].type").
func checkItems(in []ItemInput) ([]Item, error) {
	switch {
	case len(in) == 0:
		return nil, partnerkit.FieldError("items", "a product needs at least one item")
	case len(in) > MaxItems:
		return nil, partnerkit.FieldError("items", fmt.Sprintf("a product has at most %d items", MaxItems))
	}
	fields := map[string]string{}
	names := map[string]int{}
	out := make([]Item, len(in))
	for i, it := range in {
		f := func(name string) string { return fmt.Sprintf("items[%d].%s", i, name) }
		it.Name, it.MPN, it.Unit = strings.TrimSpace(it.Name), strings.TrimSpace(it.MPN), strings.TrimSpace(it.Unit)
		for name, p := range rules.ItemProblems(it.Name, it.MPN, it.Type, it.Unit) {
			fields[f(name)] = p
		}
		if key := strings.ToLower(it.Name); fields[f("name")] == "" {
			if j, dup := names[key]; dup {
				fields[f("name")] = fmt.Sprintf("is already the name of items[%d]: item names are unique in a product", j)
			} else {
				names[key] = i
			}
		}
		switch {
		case it.Price.IsNegative():
			fields[f("price")] = "must not be negative"
		case it.Price.GreaterThan(maxPrice):
			fields[f("price")] = "must be at most 1000000000000"
		case !it.Price.Equal(it.Price.Truncate(4)):
			fields[f("price")] = "must have at most 4 decimal places"
		}
		out[i] = Item{Position: i + 1, Name: it.Name, MPN: it.MPN, Type: it.Type, Unit: it.Unit, Price: it.Price}
	}
	if err := validate.Fields(fields); err != nil {
		return nil, err
	}
	return out, nil
}

// vendor loads the vendor account id for the actor: its own account or
// one it manages, of type vendor; anything else is an invalid vendor_id.
func (s *Service) vendor(ctx context.Context, actor partnerkit.Actor, id string) (*partners.Account, error) {
	a, err := s.partners.GetPartner(ctx, actor, id)
	if partnerkit.ErrorCode(err) == partnerkit.CodeNotFound {
		return nil, partnerkit.FieldError("vendor_id", "is not your account or a partner of your account")
	}
	if err != nil {
		return nil, err
	}
	if a.Type != partners.TypeVendor {
		return nil, partnerkit.FieldError("vendor_id", fmt.Sprintf("%q is a %s, not a vendor: only vendors have products", a.Name, a.Type))
	}
	return a, nil
}

// CreateProduct creates a product of a vendor the actor may see.
//
// Returns invalid naming each bad field ("name", "vendor_id", "items",
// "items[1].type", ...), forbidden for a viewer.
func (s *Service) CreateProduct(ctx context.Context, actor partnerkit.Actor, in ProductInput) (*Product, error) {
	const op = "listings.CreateProduct"
	if err := actor.RequireWriter(); err != nil {
		return nil, partnerkit.WithOp(op, err)
	}
	in.Name, in.Description = strings.TrimSpace(in.Name), strings.TrimSpace(in.Description)
	items, itemsErr := checkItems(in.Items)
	if err := validate.All(validate.Struct(in), itemsErr, checkCurrency(&in.Currency)); err != nil {
		return nil, partnerkit.WithOp(op, err)
	}
	var p *Product
	err := s.store.InTx(ctx, func(ctx context.Context) error {
		v, err := s.vendor(ctx, actor, cmp.Or(in.VendorID, actor.AccountID))
		if err != nil {
			return err
		}
		now := s.clock.Now()
		p = &Product{ID: partnerkit.NewID(partnerkit.PrefixProduct), VendorID: v.ID, Name: in.Name,
			Description: in.Description, Currency: cmp.Or(in.Currency, DefaultCurrency), Items: items,
			CreatedAt: now, UpdatedAt: now, Version: 1}
		if err := s.store.CreateProduct(ctx, p); err != nil {
			return err
		}
		return s.audit.Record(ctx, actor, p.VendorID, "product.created", "product", p.ID, nil, p)
	})
	if err != nil {
		return nil, partnerkit.WithOp(op, err)
	}
	return p, nil
}

// visibleProduct loads a product whose vendor the actor may see; any other
// is not_found.
func (s *Service) visibleProduct(ctx context.Context, actor partnerkit.Actor, id string) (*Product, error) {
	if err := actor.RequireAccount(); err != nil {
		return nil, err
	}
	if err := partnerkit.CheckID("id", id); err != nil {
		return nil, err
	}
	p, err := s.store.GetProduct(ctx, id)
	if err != nil {
		return nil, err
	}
	if err := s.partners.CheckVisible(ctx, actor, p.VendorID); err != nil {
		return nil, partnerkit.NotFound("product", id)
	}
	return p, nil
}

// GetProduct returns a product the actor may see (its vendor is the
// actor's account or one it manages). Others are not_found.
func (s *Service) GetProduct(ctx context.Context, actor partnerkit.Actor, id string) (*Product, error) {
	if err := partnerkit.CheckID("id", id); err != nil {
		return nil, partnerkit.WithOp("listings.GetProduct", err)
	}
	p, err := s.visibleProduct(ctx, actor, id)
	return p, partnerkit.WithOp("listings.GetProduct", err)
}

// UpdateProductInput changes some fields of a product; nil fields stay.
type UpdateProductInput struct {
	// Name renames the product.
	Name *string `json:"name" validate:"omitnil,required,max=100"`
	// Description replaces the description.
	Description *string `json:"description" validate:"omitnil,max=10000" text:"multiline"`
	// Currency changes the items' prices' ISO 4217 code.
	Currency *string `json:"currency"`
	// Items replaces every item; at least one.
	Items *[]ItemInput `json:"items"`
	// Version, when not zero, must equal the stored version (optimistic locking).
	Version int `json:"version"`
}

// UpdateProduct changes a product the actor may see.
//
// Returns not_found outside the actor's tenancy, forbidden for a viewer,
// invalid naming each bad field, conflict on a stale Version.
func (s *Service) UpdateProduct(ctx context.Context, actor partnerkit.Actor, id string, in UpdateProductInput) (*Product, error) {
	const op = "listings.UpdateProduct"
	if err := partnerkit.CheckID("id", id); err != nil {
		return nil, partnerkit.WithOp(op, err)
	}
	if err := actor.RequireWriter(); err != nil {
		return nil, partnerkit.WithOp(op, err)
	}
	for _, p := range []*string{in.Name, in.Description} {
		if p != nil {
			*p = strings.TrimSpace(*p)
		}
	}
	var items []Item
	var itemsErr error
	if in.Items != nil {
		items, itemsErr = checkItems(*in.Items)
	}
	currencyErr := checkCurrency(in.Currency)
	if currencyErr == nil && in.Currency != nil && *in.Currency == "" {
		currencyErr = partnerkit.FieldError("currency", contractrules.CurrencyProblem)
	}
	if err := validate.All(validate.Struct(in), itemsErr, currencyErr); err != nil {
		return nil, partnerkit.WithOp(op, err)
	}
	var out *Product
	err := s.store.InTx(ctx, func(ctx context.Context) error {
		p, err := s.visibleProduct(ctx, actor, id)
		if err != nil {
			return err
		}
		if err := partnerkit.CheckIfVersion(ctx, "product", p.ID, p.Version); err != nil {
			return err // If-Match: UpdateProduct's version check holds it to the commit
		}
		if in.Version != 0 && in.Version != p.Version {
			return partnerkit.Errorf(partnerkit.CodeConflict, "product %s was changed by someone else: reload it", id)
		}
		before := *p
		if in.Name != nil {
			p.Name = *in.Name
		}
		if in.Description != nil {
			p.Description = *in.Description
		}
		if in.Items != nil {
			p.Items = items
		}
		if in.Currency != nil {
			p.Currency = *in.Currency
		}
		p.UpdatedAt = s.clock.Now()
		if err := s.store.UpdateProduct(ctx, p); err != nil {
			return err
		}
		out = p
		return s.audit.Record(ctx, actor, p.VendorID, "product.updated", "product", p.ID, &before, p)
	})
	if err != nil {
		return nil, partnerkit.WithOp(op, err)
	}
	return out, nil
}

// DeleteProduct removes a product the actor may see. A listed product
// cannot be deleted: the conflict says so (remove its listings first).
func (s *Service) DeleteProduct(ctx context.Context, actor partnerkit.Actor, id string) error {
	const op = "listings.DeleteProduct"
	if err := partnerkit.CheckID("id", id); err != nil {
		return partnerkit.WithOp(op, err)
	}
	if err := actor.RequireWriter(); err != nil {
		return partnerkit.WithOp(op, err)
	}
	err := s.store.InTx(ctx, func(ctx context.Context) error {
		p, err := s.visibleProduct(ctx, actor, id)
		if err != nil {
			return err
		}
		if partnerkit.HasIfVersion(ctx, p.ID) {
			// If-Match: check it, and hold it to the removal with an unchanged
			// conditional update (UPDATE … WHERE version = ? locks the row).
			if err := partnerkit.CheckIfVersion(ctx, "product", p.ID, p.Version); err != nil {
				return err
			}
			if err := s.store.UpdateProduct(ctx, new(*p)); err != nil {
				return err
			}
		}
		_, n, err := s.store.ListListings(ctx, ListingQuery{ProductID: p.ID, Limit: 1})
		if err != nil {
			return err
		}
		if n > 0 {
			return partnerkit.Errorf(partnerkit.CodeConflict,
				"product %q is listed on %d marketplace(s): remove its listings first", p.Name, n)
		}
		if err := s.store.DeleteProduct(ctx, p.ID); err != nil {
			return err
		}
		return s.audit.Record(ctx, actor, p.VendorID, "product.deleted", "product", p.ID, p, nil)
	})
	return partnerkit.WithOp(op, err)
}

// ProductFilter selects products.
type ProductFilter struct {
	// VendorID lists this visible vendor's products; empty means the
	// actor's account.
	VendorID string `json:"vendor_id"`
	// Sort is one of ProductOrder's; empty means by name.
	Sort partnerkit.Sort `json:"sort"`
	partnerkit.Page
}

// ListProducts returns one page of a vendor's products, by name unless
// f.Sort says otherwise, and the total.
//
// Returns not_found for a vendor outside the actor's tenancy, invalid
// naming "vendor_id", "sort", "limit" or "offset".
func (s *Service) ListProducts(ctx context.Context, actor partnerkit.Actor, f ProductFilter) (partnerkit.List[Product], error) {
	const op = "listings.ListProducts"
	var out partnerkit.List[Product]
	if err := actor.RequireAccount(); err != nil {
		return out, partnerkit.WithOp(op, err)
	}
	page, pageErr := f.Page.Normalize()
	sort, sortErr := ProductOrder.Check(f.Sort)
	if err := validate.All(validate.Struct(f), pageErr, sortErr); err != nil {
		return out, partnerkit.WithOp(op, err)
	}
	vendor := cmp.Or(f.VendorID, actor.AccountID)
	if err := s.partners.CheckVisible(ctx, actor, vendor); err != nil {
		return out, partnerkit.WithOp(op, err)
	}
	items, total, err := s.store.ListProducts(ctx, ProductQuery{VendorID: vendor, Sort: sort, Limit: page.Limit, Offset: page.Offset})
	if err != nil {
		return out, partnerkit.WithOp(op, err)
	}
	if items == nil {
		items = []Product{}
	}
	return partnerkit.List[Product]{Items: items, Total: total}, nil
}

// ListingInput lists a product on a marketplace.
type ListingInput struct {
	// ProductID is a product the actor may see.
	ProductID string `json:"product_id" validate:"required"`
	// MarketplaceID is a marketplace where the product's vendor has an
	// active distribution contract.
	MarketplaceID string `json:"marketplace_id" validate:"required"`
}

// CreateListing lists a product on a marketplace. The product's vendor must
// have an active distribution contract on that marketplace; otherwise, and
// when the product is listed there already, it returns a conflict on
// "marketplace_id" saying so. Returns invalid naming "product_id" for a
// product the actor may not see and "marketplace_id" for an unknown
// marketplace.
func (s *Service) CreateListing(ctx context.Context, actor partnerkit.Actor, in ListingInput) (*Listing, error) {
	const op = "listings.CreateListing"
	if err := actor.RequireWriter(); err != nil {
		return nil, partnerkit.WithOp(op, err)
	}
	in.ProductID, in.MarketplaceID = strings.TrimSpace(in.ProductID), strings.TrimSpace(in.MarketplaceID)
	if err := validate.Struct(in); err != nil {
		return nil, partnerkit.WithOp(op, err)
	}
	var l *Listing
	err := s.store.InTx(ctx, func(ctx context.Context) error {
		p, err := s.visibleProduct(ctx, actor, in.ProductID)
		if partnerkit.ErrorCode(err) == partnerkit.CodeNotFound {
			return partnerkit.FieldError("product_id", "is not a product of your account or of a partner of your account")
		}
		if err != nil {
			return err
		}
		vendor, err := s.partners.GetPartner(ctx, actor, p.VendorID)
		if err != nil {
			return err
		}
		mp, err := s.contracts.LookupMarketplace(ctx, in.MarketplaceID)
		if partnerkit.ErrorCode(err) == partnerkit.CodeNotFound {
			return partnerkit.FieldError("marketplace_id", fmt.Sprintf("marketplace %q does not exist", in.MarketplaceID))
		}
		if err != nil {
			return err
		}
		active, err := s.activeDistribution(ctx, vendor.ID, mp.ID)
		if err != nil {
			return err
		}
		if !active {
			return partnerkit.ConflictField("marketplace_id",
				fmt.Sprintf("vendor %q has no active distribution contract on marketplace %q", vendor.Name, mp.Name))
		}
		l = &Listing{ID: partnerkit.NewID(partnerkit.PrefixListing), VendorID: vendor.ID, ProductID: p.ID,
			MarketplaceID: mp.ID, Status: StatusListed, CreatedAt: s.clock.Now()}
		if err := s.store.CreateListing(ctx, l); err != nil {
			if partnerkit.ErrorCode(err) == partnerkit.CodeConflict {
				return partnerkit.ConflictField("marketplace_id",
					fmt.Sprintf("product %q is already listed on marketplace %q", p.Name, mp.Name))
			}
			return err
		}
		return s.audit.Record(ctx, actor, l.VendorID, "listing.created", "listing", l.ID, nil, l)
	})
	if err != nil {
		return nil, partnerkit.WithOp(op, err)
	}
	return l, nil
}

// activeDistribution reports whether a vendor has an active distribution
// contract on a marketplace.
func (s *Service) activeDistribution(ctx context.Context, vendorID, marketplaceID string) (bool, error) {
	return s.contracts.HasActiveDistribution(ctx, vendorID, marketplaceID)
}

// RemoveListing takes a product off a marketplace: the listing is deleted.
// A listing the actor may not see is not_found.
func (s *Service) RemoveListing(ctx context.Context, actor partnerkit.Actor, id string) error {
	const op = "listings.RemoveListing"
	if err := partnerkit.CheckID("id", id); err != nil {
		return partnerkit.WithOp(op, err)
	}
	if err := actor.RequireWriter(); err != nil {
		return partnerkit.WithOp(op, err)
	}
	err := s.store.InTx(ctx, func(ctx context.Context) error {
		l, err := s.store.GetListing(ctx, id)
		if err != nil {
			return err
		}
		if err := s.partners.CheckVisible(ctx, actor, l.VendorID); err != nil {
			return partnerkit.NotFound("listing", id)
		}
		if err := s.store.DeleteListing(ctx, id); err != nil {
			return err
		}
		return s.audit.Record(ctx, actor, l.VendorID, "listing.removed", "listing", l.ID, l, nil)
	})
	return partnerkit.WithOp(op, err)
}

// ListingFilter selects listings.
type ListingFilter struct {
	// VendorID lists this visible vendor's listings; empty means the
	// actor's account (unless ProductID is set).
	VendorID string `json:"vendor_id"`
	// ProductID keeps one visible product's listings.
	ProductID string `json:"product_id"`
	// MarketplaceID keeps one marketplace's listings.
	MarketplaceID string `json:"marketplace_id"`
	// Sort is one of ListingOrder's; empty means newest first.
	Sort partnerkit.Sort `json:"sort"`
	partnerkit.Page
}

// ListListings returns one page of listings, newest first, and the total.
//
// Returns not_found for a vendor or product outside the actor's tenancy,
// invalid naming "limit" or "offset".
func (s *Service) ListListings(ctx context.Context, actor partnerkit.Actor, f ListingFilter) (partnerkit.List[Listing], error) {
	const op = "listings.ListListings"
	var out partnerkit.List[Listing]
	if err := actor.RequireAccount(); err != nil {
		return out, partnerkit.WithOp(op, err)
	}
	page, pageErr := f.Page.Normalize()
	sort, sortErr := ListingOrder.Check(f.Sort)
	if err := validate.All(validate.Struct(f), pageErr, sortErr); err != nil {
		return out, partnerkit.WithOp(op, err)
	}
	q := ListingQuery{VendorID: f.VendorID, ProductID: f.ProductID, MarketplaceID: f.MarketplaceID,
		Sort: sort, Limit: page.Limit, Offset: page.Offset}
	if f.ProductID != "" {
		p, err := s.visibleProduct(ctx, actor, f.ProductID)
		if err != nil {
			return out, partnerkit.WithOp(op, err)
		}
		if f.VendorID != "" && f.VendorID != p.VendorID {
			return partnerkit.List[Listing]{Items: []Listing{}}, nil
		}
	} else {
		q.VendorID = cmp.Or(f.VendorID, actor.AccountID)
	}
	if q.VendorID != "" {
		if err := s.partners.CheckVisible(ctx, actor, q.VendorID); err != nil {
			return out, partnerkit.WithOp(op, err)
		}
	}
	if f.MarketplaceID != "" { // a filter's ID must be one the actor may see
		if _, err := s.contracts.Marketplace(ctx, actor, f.MarketplaceID); err != nil {
			return out, partnerkit.WithOp(op, err)
		}
	}
	items, total, err := s.store.ListListings(ctx, q)
	if err != nil {
		return out, partnerkit.WithOp(op, err)
	}
	if items == nil {
		items = []Listing{}
	}
	return partnerkit.List[Listing]{Items: items, Total: total}, nil
}

// OfferPlans models a product the actor may see as a Microsoft commercial
// marketplace offer for a tenant (see the package function OfferPlans).
//
// Returns not_found outside the actor's tenancy and invalid naming
// "tenant_id" for a bad tenant ID.
func (s *Service) OfferPlans(ctx context.Context, actor partnerkit.Actor, productID, tenantID string) (*OfferPlanSet, error) {
	const op = "listings.OfferPlans"
	if err := validate.All(partnerkit.CheckID("id", productID), partnerkit.CheckText("tenant_id", tenantID, false)); err != nil {
		return nil, partnerkit.WithOp(op, err)
	}
	p, err := s.visibleProduct(ctx, actor, productID)
	if err != nil {
		return nil, partnerkit.WithOp(op, err)
	}
	set, err := OfferPlans(*p, strings.TrimSpace(tenantID))
	if err != nil {
		return nil, partnerkit.WithOp(op, err)
	}
	return &set, nil
}
