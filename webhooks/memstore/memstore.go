// Package memstore is the in-memory webhooks.Store: the same behaviour as
// the SQL store (both pass storetest.RunWebhooksTests). Build it on the same
// DB as the partners memstore, so that an endpoint change and its audit
// event are one transaction; it registers there the endpoints that keep an
// account from being deleted.
//
// The DB runs one writing transaction at a time, which keeps every rule of
// the webhooks.Store's Concurrency section by itself: each conditional
// write below checks its condition and writes under that one lock.
package memstore

import (
	"context"
	"slices"
	"strings"
	"time"

	"github.com/partnerkit/partnerkit"
	"github.com/partnerkit/partnerkit/internal/memdb"
	"github.com/partnerkit/partnerkit/webhooks"
)

// kindEndpoints is the dependents kind (partners.Store.Dependents) of an
// account's webhook endpoints; webhooks/bunstore registers the same.
const kindEndpoints = "webhook endpoints"

// Store is an in-memory webhooks.Store.
type Store struct {
	db         *memdb.DB
	endpoints  *memdb.Table[string, webhooks.Endpoint]
	secrets    *memdb.Table[string, []webhooks.Secret] // endpoint ID → secrets, oldest first
	deliveries *memdb.Table[string, webhooks.Delivery]
	pairs      *memdb.Table[string, string]             // endpoint ID + "\x00" + event ID → delivery ID
	byEndpoint *memdb.Table[string, []string]           // endpoint ID → delivery IDs
	attempts   *memdb.Table[string, []webhooks.Attempt] // delivery ID → attempts, oldest first
}

var _ webhooks.Store = (*Store)(nil)

// New returns a Store on db (a nil db gets one of its own) and registers
// there the endpoints that keep an account from being deleted.
func New(db *memdb.DB) *Store {
	if db == nil {
		db = memdb.New()
	}
	s := &Store{db: db,
		endpoints:  memdb.NewTable[string, webhooks.Endpoint](),
		secrets:    memdb.NewTable[string, []webhooks.Secret](),
		deliveries: memdb.NewTable[string, webhooks.Delivery](),
		pairs:      memdb.NewTable[string, string](),
		byEndpoint: memdb.NewTable[string, []string](),
		attempts:   memdb.NewTable[string, []webhooks.Attempt](),
	}
	db.RegisterDependent(kindEndpoints, func(accountID string) int {
		return s.endpoints.CountWhere(func(e webhooks.Endpoint) bool { return e.AccountID == accountID })
	})
	return s
}

// InTx implements partnerkit.Transactor.
func (s *Store) InTx(ctx context.Context, fn func(ctx context.Context) error) error {
	return s.db.InTx(ctx, fn)
}

// Database implements partnerkit.Located: stores of one transaction must
// share it.
func (s *Store) Database() any { return s.db }

func pairKey(endpointID, eventID string) string { return endpointID + "\x00" + eventID }

// endpointCopy returns a copy of e that shares no memory with it.
func endpointCopy(e webhooks.Endpoint) webhooks.Endpoint {
	e.EventTypes = slices.Clone(e.EventTypes)
	if e.EventTypes == nil {
		e.EventTypes = []string{}
	}
	return e
}

func deliveryCopy(d webhooks.Delivery) webhooks.Delivery {
	d.Payload = slices.Clone(d.Payload)
	d.NextAttemptAt = timeCopy(d.NextAttemptAt)
	return d
}

func secretCopy(x webhooks.Secret) webhooks.Secret {
	x.ExpiresAt = timeCopy(x.ExpiresAt)
	return x
}

func timeCopy(t *time.Time) *time.Time {
	if t == nil {
		return nil
	}
	c := *t
	return &c
}

func compareEndpoints(a, b webhooks.Endpoint) int {
	if c := a.CreatedAt.Compare(b.CreatedAt); c != 0 {
		return c
	}
	return strings.Compare(a.ID, b.ID)
}

// LockAccountEndpoints implements webhooks.Store: the engine's lock, held
// by the caller's transaction, keeps every other writer out already.
func (s *Store) LockAccountEndpoints(ctx context.Context, accountID string) (int, error) {
	n := 0
	err := s.db.View(ctx, func() error {
		n = s.endpoints.CountWhere(func(e webhooks.Endpoint) bool { return e.AccountID == accountID })
		return nil
	})
	return n, err
}

// CreateEndpoint implements webhooks.Store.
func (s *Store) CreateEndpoint(ctx context.Context, e *webhooks.Endpoint, secret *webhooks.Secret) error {
	return s.db.Update(ctx, func(t *memdb.Tx) error {
		if _, dup := s.endpoints.Get(e.ID); dup {
			return partnerkit.Errorf(partnerkit.CodeConflict, "webhook endpoint %s exists", e.ID)
		}
		s.endpoints.Put(t, e.ID, endpointCopy(*e))
		if secret != nil {
			x := secretCopy(*secret)
			x.EndpointID = e.ID
			s.secrets.Put(t, e.ID, []webhooks.Secret{x})
		}
		return nil
	})
}

// GetEndpoint implements webhooks.Store.
func (s *Store) GetEndpoint(ctx context.Context, id string) (*webhooks.Endpoint, error) {
	e, err := memdb.Get(ctx, s.db, s.endpoints, "webhook endpoint", id)
	if err != nil {
		return nil, err
	}
	c := endpointCopy(*e)
	return &c, nil
}

// ListEndpoints implements webhooks.Store.
func (s *Store) ListEndpoints(ctx context.Context, q webhooks.EndpointQuery) ([]webhooks.Endpoint, int, error) {
	var match []webhooks.Endpoint
	err := s.db.View(ctx, func() error {
		for e := range s.endpoints.Values() {
			if e.AccountID == q.AccountID {
				match = append(match, endpointCopy(e))
			}
		}
		return nil
	})
	slices.SortFunc(match, compareEndpoints)
	return memdb.Page(match, q.Limit, q.Offset), len(match), err
}

func endpointVersion(e webhooks.Endpoint) int { return e.Version }

// UpdateEndpoint implements webhooks.Store.
func (s *Store) UpdateEndpoint(ctx context.Context, e *webhooks.Endpoint) error {
	return s.db.Update(ctx, func(t *memdb.Tx) error {
		old, err := memdb.CheckVersion(s.endpoints, "webhook endpoint", e.ID, e.Version, endpointVersion)
		if err != nil {
			return err
		}
		next := endpointCopy(*e)
		next.AccountID, next.CreatedAt = old.AccountID, old.CreatedAt
		next.Version++
		s.endpoints.Put(t, e.ID, next)
		e.Version = next.Version
		return nil
	})
}

// DisableEndpoint implements webhooks.Store.
func (s *Store) DisableEndpoint(ctx context.Context, id, reason string, at time.Time) (bool, error) {
	changed := false
	err := s.db.Update(ctx, func(t *memdb.Tx) error {
		e, ok := s.endpoints.Get(id)
		if !ok {
			return partnerkit.NotFound("webhook endpoint", id)
		}
		if !e.Enabled {
			return nil
		}
		e = endpointCopy(e)
		e.Enabled, e.DisabledReason, e.UpdatedAt = false, reason, at
		e.Version++
		s.endpoints.Put(t, id, e)
		changed = true
		return nil
	})
	return changed, err
}

// DeleteEndpoint implements webhooks.Store: the endpoint goes with its
// secrets, deliveries and their attempts (the SQL store's ON DELETE
// CASCADE).
func (s *Store) DeleteEndpoint(ctx context.Context, id string) error {
	return s.db.Update(ctx, func(t *memdb.Tx) error {
		if _, ok := s.endpoints.Get(id); !ok {
			return partnerkit.NotFound("webhook endpoint", id)
		}
		ids, _ := s.byEndpoint.Get(id)
		for _, did := range ids {
			if d, ok := s.deliveries.Get(did); ok {
				s.pairs.Delete(t, pairKey(d.EndpointID, d.EventID))
			}
			s.deliveries.Delete(t, did)
			s.attempts.Delete(t, did)
		}
		s.byEndpoint.Delete(t, id)
		s.secrets.Delete(t, id)
		s.endpoints.Delete(t, id)
		return nil
	})
}

// MatchingEndpoints implements webhooks.Store, oldest endpoint first.
func (s *Store) MatchingEndpoints(ctx context.Context, accountIDs []string, eventType string) ([]webhooks.Endpoint, error) {
	var out []webhooks.Endpoint
	err := s.db.View(ctx, func() error {
		for e := range s.endpoints.Values() {
			if e.Enabled && slices.Contains(accountIDs, e.AccountID) && (eventType == "" || e.Receives(eventType)) {
				out = append(out, endpointCopy(e))
			}
		}
		return nil
	})
	slices.SortFunc(out, compareEndpoints)
	return out, err
}

// AnyEnabledEndpoint implements webhooks.Store.
func (s *Store) AnyEnabledEndpoint(ctx context.Context) (bool, error) {
	found := false
	err := s.db.View(ctx, func() error {
		for e := range s.endpoints.Values() {
			if e.Enabled {
				found = true
				break
			}
		}
		return nil
	})
	return found, err
}

// AddSecret implements webhooks.Store.
func (s *Store) AddSecret(ctx context.Context, x *webhooks.Secret) error {
	return s.db.Update(ctx, func(t *memdb.Tx) error {
		if _, ok := s.endpoints.Get(x.EndpointID); !ok {
			// The SQL store's foreign key: the endpoint was deleted.
			return partnerkit.Errorf(partnerkit.CodeConflict, "webhook endpoint %s is gone", x.EndpointID)
		}
		list, _ := s.secrets.Get(x.EndpointID)
		for _, old := range list {
			if old.Value == x.Value {
				return partnerkit.Errorf(partnerkit.CodeConflict, "the endpoint has this secret already")
			}
		}
		s.secrets.Put(t, x.EndpointID, append(slices.Clone(list), secretCopy(*x)))
		return nil
	})
}

// ExpireSecrets implements webhooks.Store.
func (s *Store) ExpireSecrets(ctx context.Context, endpointID string, at time.Time) error {
	return s.db.Update(ctx, func(t *memdb.Tx) error {
		list, ok := s.secrets.Get(endpointID)
		if !ok {
			return nil
		}
		next := make([]webhooks.Secret, len(list))
		for i, x := range list {
			next[i] = secretCopy(x)
			if x.ExpiresAt == nil || x.ExpiresAt.After(at) {
				e := at
				next[i].ExpiresAt = &e
			}
		}
		s.secrets.Put(t, endpointID, next)
		return nil
	})
}

// LiveSecrets implements webhooks.Store: newest first, ties by value
// (descending), as the SQL store.
func (s *Store) LiveSecrets(ctx context.Context, endpointID string, now time.Time) ([]webhooks.Secret, error) {
	var out []webhooks.Secret
	err := s.db.View(ctx, func() error {
		list, _ := s.secrets.Get(endpointID)
		for _, x := range list {
			if x.ExpiresAt == nil || x.ExpiresAt.After(now) {
				out = append(out, secretCopy(x))
			}
		}
		return nil
	})
	slices.SortFunc(out, func(a, b webhooks.Secret) int {
		if c := b.CreatedAt.Compare(a.CreatedAt); c != 0 {
			return c
		}
		return strings.Compare(b.Value, a.Value)
	})
	return out, err
}

// CreateDeliveries implements webhooks.Store.
func (s *Store) CreateDeliveries(ctx context.Context, ds []*webhooks.Delivery) ([]*webhooks.Delivery, error) {
	var out []*webhooks.Delivery
	err := s.db.Update(ctx, func(t *memdb.Tx) error {
		out = out[:0]
		for _, d := range ds {
			if _, ok := s.endpoints.Get(d.EndpointID); !ok {
				// The SQL store's foreign key: the endpoint was deleted.
				return partnerkit.Errorf(partnerkit.CodeConflict, "webhook endpoint %s is gone", d.EndpointID)
			}
			key := pairKey(d.EndpointID, d.EventID)
			if _, dup := s.pairs.Get(key); dup {
				continue
			}
			if _, dup := s.deliveries.Get(d.ID); dup {
				return partnerkit.Errorf(partnerkit.CodeConflict, "webhook delivery %s exists", d.ID)
			}
			s.deliveries.Put(t, d.ID, deliveryCopy(*d))
			s.pairs.Put(t, key, d.ID)
			ids, _ := s.byEndpoint.Get(d.EndpointID)
			s.byEndpoint.Put(t, d.EndpointID, append(slices.Clone(ids), d.ID))
			out = append(out, d)
		}
		return nil
	})
	if err != nil {
		return nil, err
	}
	return out, nil
}

// GetDelivery implements webhooks.Store.
func (s *Store) GetDelivery(ctx context.Context, id string) (*webhooks.Delivery, error) {
	d, err := memdb.Get(ctx, s.db, s.deliveries, "webhook delivery", id)
	if err != nil {
		return nil, err
	}
	c := deliveryCopy(*d)
	return &c, nil
}

// GetDeliveries implements webhooks.Store.
func (s *Store) GetDeliveries(ctx context.Context, ids []string) (map[string]*webhooks.Delivery, error) {
	out := make(map[string]*webhooks.Delivery, len(ids))
	err := s.db.View(ctx, func() error {
		for _, id := range ids {
			if d, ok := s.deliveries.Get(id); ok {
				c := deliveryCopy(d)
				out[id] = &c
			}
		}
		return nil
	})
	return out, err
}

// ListDeliveries implements webhooks.Store.
func (s *Store) ListDeliveries(ctx context.Context, q webhooks.DeliveryQuery) ([]webhooks.Delivery, int, error) {
	var match []webhooks.Delivery
	err := s.db.View(ctx, func() error {
		ids, _ := s.byEndpoint.Get(q.EndpointID)
		for _, id := range ids {
			d, ok := s.deliveries.Get(id)
			if ok && (q.Status == "" || d.Status == q.Status) && (q.EventID == "" || d.EventID == q.EventID) {
				match = append(match, deliveryCopy(d))
			}
		}
		return nil
	})
	slices.SortFunc(match, func(a, b webhooks.Delivery) int {
		if c := b.CreatedAt.Compare(a.CreatedAt); c != 0 {
			return c
		}
		return strings.Compare(b.ID, a.ID)
	})
	return memdb.Page(match, q.Limit, q.Offset), len(match), err
}

// RecordAttempt implements webhooks.Store: the count is compared and the
// attempt written under the engine's lock.
func (s *Store) RecordAttempt(ctx context.Context, d *webhooks.Delivery, a *webhooks.Attempt) error {
	return s.db.Update(ctx, func(t *memdb.Tx) error { return s.record(t, d, a) })
}

// RecordAttempts implements webhooks.Store: RecordAttempt's check and
// write for each, under one hold of the engine's lock.
func (s *Store) RecordAttempts(ctx context.Context, rs []webhooks.AttemptRecord) ([]bool, error) {
	ok := make([]bool, len(rs))
	err := s.db.Update(ctx, func(t *memdb.Tx) error {
		for i, r := range rs {
			switch err := s.record(t, r.Delivery, r.Attempt); partnerkit.ErrorCode(err) {
			case "":
				ok[i] = true
			case partnerkit.CodeConflict, partnerkit.CodeNotFound:
			default:
				return err
			}
		}
		return nil
	})
	if err != nil {
		return nil, err
	}
	return ok, nil
}

// record stores attempt a of d if d has a.Number-1 attempts.
func (s *Store) record(t *memdb.Tx, d *webhooks.Delivery, a *webhooks.Attempt) error {
	old, ok := s.deliveries.Get(d.ID)
	if !ok {
		return partnerkit.NotFound("webhook delivery", d.ID)
	}
	if old.Attempts != a.Number-1 {
		return partnerkit.Errorf(partnerkit.CodeConflict,
			"webhook delivery %s has %d attempts: attempt %d was recorded by someone else", d.ID, old.Attempts, a.Number)
	}
	next := deliveryCopy(old)
	next.Status, next.Attempts, next.LastStatusCode, next.LastError = d.Status, a.Number, d.LastStatusCode, d.LastError
	next.NextAttemptAt, next.UpdatedAt = timeCopy(d.NextAttemptAt), d.UpdatedAt
	s.deliveries.Put(t, d.ID, next)
	list, _ := s.attempts.Get(d.ID)
	x := *a
	x.DeliveryID = d.ID
	s.attempts.Put(t, d.ID, append(slices.Clone(list), x))
	return nil
}

// UpdateDelivery implements webhooks.Store.
func (s *Store) UpdateDelivery(ctx context.Context, d *webhooks.Delivery) error {
	return s.db.Update(ctx, func(t *memdb.Tx) error {
		old, ok := s.deliveries.Get(d.ID)
		if !ok {
			return partnerkit.NotFound("webhook delivery", d.ID)
		}
		next := deliveryCopy(old)
		next.Status, next.LastError, next.NextAttemptAt, next.UpdatedAt = d.Status, d.LastError, timeCopy(d.NextAttemptAt), d.UpdatedAt
		s.deliveries.Put(t, d.ID, next)
		return nil
	})
}

// Attempts implements webhooks.Store.
func (s *Store) Attempts(ctx context.Context, deliveryID string) ([]webhooks.Attempt, error) {
	var out []webhooks.Attempt
	err := s.db.View(ctx, func() error {
		list, _ := s.attempts.Get(deliveryID)
		out = slices.Clone(list)
		return nil
	})
	return out, err
}
