// Package memstore is the in-memory resellers.Store. Build it on the same DB
// as the partners and contracts memstores.
package memstore

import (
	"cmp"
	"context"
	"slices"
	"strings"

	"github.com/partnerkit/partnerkit/internal/memdb"
	"github.com/partnerkit/partnerkit/resellers"
)

// Store is an in-memory resellers.Store.
type Store struct {
	db            *memdb.DB
	services      *memdb.Table[string, resellers.CatalogService]
	clients       *memdb.Table[string, resellers.Client]
	subscriptions *memdb.Table[string, resellers.Subscription]
	events        *memdb.Table[string, []resellers.Event] // subscription ID → events
	charges       *memdb.Table[string, resellers.Charge]
}

var _ resellers.Store = (*Store)(nil)

// New returns a Store on db (a nil db gets one of its own).
func New(db *memdb.DB) *Store {
	if db == nil {
		db = memdb.New()
	}
	s := &Store{db: db,
		services:      memdb.NewTable[string, resellers.CatalogService](),
		clients:       memdb.NewTable[string, resellers.Client](),
		subscriptions: memdb.NewTable[string, resellers.Subscription](),
		events:        memdb.NewTable[string, []resellers.Event](),
		charges:       memdb.NewTable[string, resellers.Charge](),
	}
	// What a partner still has blocks its deletion, as the SQL foreign keys do.
	db.RegisterDependent(resellers.KindCatalogServices, func(accountID string) int {
		return s.services.CountWhere(func(v resellers.CatalogService) bool { return v.ProviderID == accountID })
	})
	db.RegisterDependent(resellers.KindClients, func(accountID string) int {
		return s.clients.CountWhere(func(v resellers.Client) bool { return v.PartnerID == accountID })
	})
	db.RegisterDependent(resellers.KindSubscriptions, func(accountID string) int {
		return s.subscriptions.CountWhere(func(v resellers.Subscription) bool {
			return v.PartnerID == accountID || v.ProviderID == accountID
		})
	})
	return s
}

// InTx implements partnerkit.Transactor.
func (s *Store) InTx(ctx context.Context, fn func(ctx context.Context) error) error {
	return s.db.InTx(ctx, fn)
}

// copyService deep-copies the plans so that no caller shares stored slices.
func copyService(v resellers.CatalogService) resellers.CatalogService {
	v.Plans = slices.Clone(v.Plans)
	for i := range v.Plans {
		v.Plans[i].Resources = slices.Clone(v.Plans[i].Resources)
	}
	return v
}

func copySubscription(v resellers.Subscription) resellers.Subscription {
	v.Resources, v.Scheduled = slices.Clone(v.Resources), slices.Clone(v.Scheduled)
	if v.TrialEndsAt != nil {
		t := *v.TrialEndsAt
		v.TrialEndsAt = &t
	}
	return v
}

func versionOf[V interface {
	resellers.CatalogService | resellers.Client | resellers.Subscription
}](v V) int {
	switch x := any(v).(type) {
	case resellers.CatalogService:
		return x.Version
	case resellers.Client:
		return x.Version
	case resellers.Subscription:
		return x.Version
	}
	return 0
}

// CreateService implements resellers.Store.
func (s *Store) CreateService(ctx context.Context, v *resellers.CatalogService) error {
	return s.db.Update(ctx, func(tx *memdb.Tx) error { s.services.Put(tx, v.ID, copyService(*v)); return nil })
}

// GetService implements resellers.Store.
func (s *Store) GetService(ctx context.Context, id string) (*resellers.CatalogService, error) {
	v, err := memdb.Get(ctx, s.db, s.services, "catalog service", id)
	if err != nil {
		return nil, err
	}
	c := copyService(*v)
	return &c, nil
}

// UpdateService implements resellers.Store.
func (s *Store) UpdateService(ctx context.Context, v *resellers.CatalogService) error {
	return s.db.Update(ctx, func(tx *memdb.Tx) error {
		if _, err := memdb.CheckVersion(s.services, "catalog service", v.ID, v.Version, versionOf); err != nil {
			return err
		}
		next := copyService(*v)
		next.Version++
		s.services.Put(tx, v.ID, next)
		v.Version = next.Version
		return nil
	})
}

// ListServices implements resellers.Store.
func (s *Store) ListServices(ctx context.Context, q resellers.ServiceQuery) ([]resellers.CatalogService, int, error) {
	var match []resellers.CatalogService
	err := s.db.View(ctx, func() error {
		for v := range s.services.Values() {
			if slices.Contains(q.ProviderIDs, v.ProviderID) {
				match = append(match, copyService(v))
			}
		}
		return nil
	})
	memdb.SortBy(match, resellers.ServiceOrder.Resolve(q.Sort), memdb.Keys[resellers.CatalogService]{
		"name":       func(a, b resellers.CatalogService) int { return cmp.Compare(a.Name, b.Name) },
		"created_at": func(a, b resellers.CatalogService) int { return a.CreatedAt.Compare(b.CreatedAt) },
	}, func(v resellers.CatalogService) string { return v.ID })
	return memdb.Page(match, q.Limit, q.Offset), len(match), err
}

// CreateClient implements resellers.Store.
func (s *Store) CreateClient(ctx context.Context, c *resellers.Client) error {
	return s.db.Update(ctx, func(tx *memdb.Tx) error { s.clients.Put(tx, c.ID, *c); return nil })
}

// GetClient implements resellers.Store.
func (s *Store) GetClient(ctx context.Context, id string) (*resellers.Client, error) {
	return memdb.Get(ctx, s.db, s.clients, "client", id)
}

// LockClient implements resellers.Store: the memory DB serializes write
// transactions already.
func (s *Store) LockClient(ctx context.Context, id string) (*resellers.Client, error) {
	return s.GetClient(ctx, id)
}

// UpdateClient implements resellers.Store.
func (s *Store) UpdateClient(ctx context.Context, c *resellers.Client) error {
	return s.db.Update(ctx, func(tx *memdb.Tx) error {
		if _, err := memdb.CheckVersion(s.clients, "client", c.ID, c.Version, versionOf); err != nil {
			return err
		}
		next := *c
		next.Version++
		s.clients.Put(tx, c.ID, next)
		c.Version = next.Version
		return nil
	})
}

// ListClients implements resellers.Store.
func (s *Store) ListClients(ctx context.Context, q resellers.ClientQuery) ([]resellers.Client, int, error) {
	var match []resellers.Client
	err := s.db.View(ctx, func() error {
		for c := range s.clients.Values() {
			if c.PartnerID == q.PartnerID && (q.Status == "" || c.Status == q.Status) &&
				(q.NameContains == "" || strings.Contains(strings.ToLower(c.Name), q.NameContains)) {
				match = append(match, c)
			}
		}
		return nil
	})
	memdb.SortBy(match, resellers.ClientOrder.Resolve(q.Sort), memdb.Keys[resellers.Client]{
		"name":       func(a, b resellers.Client) int { return cmp.Compare(a.Name, b.Name) },
		"created_at": func(a, b resellers.Client) int { return a.CreatedAt.Compare(b.CreatedAt) },
	}, func(c resellers.Client) string { return c.ID })
	return memdb.Page(match, q.Limit, q.Offset), len(match), err
}

// CreateSubscription implements resellers.Store.
func (s *Store) CreateSubscription(ctx context.Context, v *resellers.Subscription) error {
	return s.db.Update(ctx, func(tx *memdb.Tx) error { s.subscriptions.Put(tx, v.ID, copySubscription(*v)); return nil })
}

// GetSubscription implements resellers.Store.
func (s *Store) GetSubscription(ctx context.Context, id string) (*resellers.Subscription, error) {
	v, err := memdb.Get(ctx, s.db, s.subscriptions, "subscription", id)
	if err != nil {
		return nil, err
	}
	c := copySubscription(*v)
	return &c, nil
}

// UpdateSubscription implements resellers.Store.
func (s *Store) UpdateSubscription(ctx context.Context, v *resellers.Subscription) error {
	return s.db.Update(ctx, func(tx *memdb.Tx) error {
		if _, err := memdb.CheckVersion(s.subscriptions, "subscription", v.ID, v.Version, versionOf); err != nil {
			return err
		}
		next := copySubscription(*v)
		next.Version++
		s.subscriptions.Put(tx, v.ID, next)
		v.Version = next.Version
		return nil
	})
}

// ListSubscriptions implements resellers.Store.
func (s *Store) ListSubscriptions(ctx context.Context, q resellers.SubscriptionQuery) ([]resellers.Subscription, int, error) {
	var match []resellers.Subscription
	err := s.db.View(ctx, func() error {
		for v := range s.subscriptions.Values() {
			if v.PartnerID == q.PartnerID && (q.ClientID == "" || v.ClientID == q.ClientID) &&
				(q.ServiceID == "" || v.ServiceID == q.ServiceID) && (q.Status == "" || v.Status == q.Status) &&
				(q.EndsBy.IsZero() || !v.PeriodEnd.After(q.EndsBy)) {
				match = append(match, copySubscription(v))
			}
		}
		return nil
	})
	memdb.SortBy(match, resellers.SubscriptionOrder.Resolve(q.Sort), memdb.Keys[resellers.Subscription]{
		"created_at": func(a, b resellers.Subscription) int { return a.CreatedAt.Compare(b.CreatedAt) },
	}, func(v resellers.Subscription) string { return v.ID })
	return memdb.Page(match, q.Limit, q.Offset), len(match), err
}

// DueSubscriptions implements resellers.Store.
func (s *Store) DueSubscriptions(ctx context.Context, q resellers.DueQuery) ([]resellers.Subscription, error) {
	var match []resellers.Subscription
	err := s.db.View(ctx, func() error {
		for v := range s.subscriptions.Values() {
			if v.Status != resellers.StatusActive || v.PeriodEnd.After(q.EndsBy) {
				continue
			}
			if q.AfterID != "" && cmp.Or(v.PeriodEnd.Compare(q.AfterEnd), cmp.Compare(v.ID, q.AfterID)) <= 0 {
				continue
			}
			match = append(match, copySubscription(v))
		}
		return nil
	})
	slices.SortFunc(match, func(a, b resellers.Subscription) int {
		return cmp.Or(a.PeriodEnd.Compare(b.PeriodEnd), cmp.Compare(a.ID, b.ID))
	})
	return memdb.Page(match, q.Limit, 0), err
}

func eventOrder(a, b resellers.Event) int {
	return cmp.Or(a.At.Compare(b.At), cmp.Compare(a.Seq, b.Seq), cmp.Compare(a.ID, b.ID))
}

// AppendEvent implements resellers.Store.
func (s *Store) AppendEvent(ctx context.Context, e *resellers.Event) error {
	v := *e
	v.Resources = slices.Clone(e.Resources)
	return s.db.Update(ctx, func(tx *memdb.Tx) error {
		memdb.InsertOrdered(tx, s.events, e.SubscriptionID, v, eventOrder)
		return nil
	})
}

// Events implements resellers.Store.
func (s *Store) Events(ctx context.Context, q resellers.EventQuery) ([]resellers.Event, error) {
	var out []resellers.Event
	err := s.db.View(ctx, func() error {
		add := func(evs []resellers.Event) {
			for _, e := range evs {
				if (q.PartnerID == "" || e.PartnerID == q.PartnerID) && (q.Before.IsZero() || e.At.Before(q.Before)) {
					e.Resources = slices.Clone(e.Resources)
					out = append(out, e)
				}
			}
		}
		if q.SubscriptionID != "" {
			evs, _ := s.events.Get(q.SubscriptionID)
			add(evs)
			return nil
		}
		for evs := range s.events.Values() {
			add(evs)
		}
		return nil
	})
	slices.SortFunc(out, eventOrder)
	return out, err
}

// AppendCharge implements resellers.Store.
func (s *Store) AppendCharge(ctx context.Context, c *resellers.Charge) error {
	return s.db.Update(ctx, func(tx *memdb.Tx) error { s.charges.Put(tx, c.ID, *c); return nil })
}

// ListCharges implements resellers.Store.
func (s *Store) ListCharges(ctx context.Context, q resellers.ChargeQuery) ([]resellers.Charge, int, error) {
	var match []resellers.Charge
	err := s.db.View(ctx, func() error {
		for c := range s.charges.Values() {
			if c.PartnerID == q.PartnerID && (q.SubscriptionID == "" || c.SubscriptionID == q.SubscriptionID) &&
				(q.ClientID == "" || c.ClientID == q.ClientID) &&
				(q.From.IsZero() || !c.CreatedAt.Before(q.From)) && (q.To.IsZero() || c.CreatedAt.Before(q.To)) {
				match = append(match, c)
			}
		}
		return nil
	})
	memdb.SortBy(match, resellers.ChargeListOrder.Resolve(q.Sort), memdb.Keys[resellers.Charge]{
		"created_at": func(a, b resellers.Charge) int {
			return cmp.Or(a.CreatedAt.Compare(b.CreatedAt), a.PeriodStart.Compare(b.PeriodStart))
		},
	}, func(c resellers.Charge) string { return c.ID })
	return memdb.Page(match, q.Limit, q.Offset), len(match), err
}

// Database implements partnerkit.Located: stores of one transaction must
// share it.
func (s *Store) Database() any { return s.db }
