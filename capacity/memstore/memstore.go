// Package memstore is the in-memory capacity.Store. Build it on the same DB
// as the partners, agreements and contracts memstores.
package memstore

import (
	"context"
	"slices"
	"strconv"
	"strings"
	"time"

	"github.com/partnerkit/partnerkit"
	"github.com/partnerkit/partnerkit/capacity"
	"github.com/partnerkit/partnerkit/internal/memdb"
)

// Store is an in-memory capacity.Store.
type Store struct {
	db           *memdb.DB
	terms        *memdb.Table[string, capacity.Terms]
	allocations  *memdb.Table[string, capacity.Allocation]
	history      *memdb.Table[string, []capacity.AllocationChange] // partner ID → changes
	storage      *memdb.Table[string, capacity.StorageAccount]
	byPartner    *memdb.Table[string, []string]        // partner ID → storage account IDs
	samples      *memdb.Table[string, map[int64]int64] // account day → ts → bytes (a day's map is copied on write)
	accountDaily *memdb.Table[string, capacity.AccountDaily]
	partnerDaily *memdb.Table[string, capacity.PartnerDaily]
	deals        *memdb.Table[string, capacity.Deal]
	alerts       *memdb.Table[string, capacity.UsageAlert] // partner, contract, month, threshold → alert
}

var _ capacity.Store = (*Store)(nil)

// New returns a Store on db (a nil db gets one of its own).
func New(db *memdb.DB) *Store {
	if db == nil {
		db = memdb.New()
	}
	s := &Store{db: db,
		terms:        memdb.NewTable[string, capacity.Terms](),
		allocations:  memdb.NewTable[string, capacity.Allocation](),
		history:      memdb.NewTable[string, []capacity.AllocationChange](),
		storage:      memdb.NewTable[string, capacity.StorageAccount](),
		byPartner:    memdb.NewTable[string, []string](),
		samples:      memdb.NewTable[string, map[int64]int64](),
		accountDaily: memdb.NewTable[string, capacity.AccountDaily](),
		partnerDaily: memdb.NewTable[string, capacity.PartnerDaily](),
		deals:        memdb.NewTable[string, capacity.Deal](),
		alerts:       memdb.NewTable[string, capacity.UsageAlert](),
	}
	db.RegisterDependent(capacity.KindStorageAccounts, func(id string) int { return len(s.partnerAccounts(id)) })
	db.RegisterDependent(capacity.KindAllocations, func(id string) int {
		_, ok := s.allocations.Get(id)
		return map[bool]int{true: 1}[ok]
	})
	db.RegisterDependent(capacity.KindDeals, func(id string) int {
		n := 0
		for d := range s.deals.Values() {
			if d.PartnerID == id || d.OwnerID == id {
				n++
			}
		}
		return n
	})
	db.RegisterDependent(capacity.KindUsageHistory, func(id string) int {
		n := 0
		for r := range s.partnerDaily.Values() {
			if r.PartnerID == id {
				n++
			}
		}
		return n
	})
	return s
}

// InTx implements partnerkit.Transactor.
func (s *Store) InTx(ctx context.Context, fn func(ctx context.Context) error) error {
	return s.db.InTx(ctx, fn)
}

// copyTerms copies the thresholds so that no caller shares a stored slice.
func copyTerms(t capacity.Terms) capacity.Terms {
	t.AlertThresholds = slices.Clone(t.AlertThresholds)
	if t.AlertThresholds == nil {
		t.AlertThresholds = []int{}
	}
	return t
}

// PutTerms implements capacity.Store.
func (s *Store) PutTerms(ctx context.Context, t *capacity.Terms) error {
	return s.db.Update(ctx, func(tx *memdb.Tx) error { s.terms.Put(tx, t.ContractID, copyTerms(*t)); return nil })
}

// GetTerms implements capacity.Store.
func (s *Store) GetTerms(ctx context.Context, contractID string) (*capacity.Terms, error) {
	t, err := memdb.Get(ctx, s.db, s.terms, "capacity terms of contract", contractID)
	if err != nil {
		return nil, err
	}
	c := copyTerms(*t)
	return &c, nil
}

// LockTerms implements capacity.Store: the memory DB serializes write
// transactions already.
func (s *Store) LockTerms(ctx context.Context, contractID string) (*capacity.Terms, error) {
	return s.GetTerms(ctx, contractID)
}

// ListTerms implements capacity.Store.
func (s *Store) ListTerms(ctx context.Context, contractIDs []string) ([]capacity.Terms, error) {
	var out []capacity.Terms
	err := s.db.View(ctx, func() error {
		for _, id := range contractIDs {
			if t, ok := s.terms.Get(id); ok {
				out = append(out, copyTerms(t))
			}
		}
		return nil
	})
	return out, err
}

// GetAllocation implements capacity.Store.
func (s *Store) GetAllocation(ctx context.Context, partnerID string) (*capacity.Allocation, error) {
	return memdb.Get(ctx, s.db, s.allocations, "allocation of partner", partnerID)
}

// LockAllocation implements capacity.Store: the memory DB serializes write
// transactions already.
func (s *Store) LockAllocation(ctx context.Context, partnerID string) (*capacity.Allocation, error) {
	return s.GetAllocation(ctx, partnerID)
}

// LockPartnerUsage implements capacity.Store: the memory DB serializes
// write transactions already.
func (s *Store) LockPartnerUsage(ctx context.Context, partnerIDs []string) error { return nil }

// LockDeals implements capacity.Store: the memory DB serializes write
// transactions already.
func (s *Store) LockDeals(ctx context.Context, partnerID string, statuses ...capacity.DealStatus) ([]capacity.Deal, error) {
	var out []capacity.Deal
	err := s.db.View(ctx, func() error {
		for _, d := range s.deals.All() {
			if d.PartnerID == partnerID && slices.Contains(statuses, d.Status) {
				out = append(out, d)
			}
		}
		return nil
	})
	return out, err
}

// ContractAllocations implements capacity.Store.
func (s *Store) ContractAllocations(ctx context.Context, contractID string) ([]capacity.Allocation, error) {
	var out []capacity.Allocation
	err := s.db.View(ctx, func() error {
		for _, a := range s.allocations.All() {
			if a.ContractID == contractID {
				out = append(out, a)
			}
		}
		return nil
	})
	return out, err
}

// PutAllocation implements capacity.Store.
func (s *Store) PutAllocation(ctx context.Context, a *capacity.Allocation) error {
	return s.db.Update(ctx, func(tx *memdb.Tx) error {
		stored := *a
		stored.PayPerUse = false
		s.allocations.Put(tx, a.PartnerID, stored)
		return nil
	})
}

// AppendAllocationChange implements capacity.Store.
func (s *Store) AppendAllocationChange(ctx context.Context, c *capacity.AllocationChange) error {
	return s.db.Update(ctx, func(tx *memdb.Tx) error {
		memdb.InsertOrdered(tx, s.history, c.PartnerID, *c, byEffectiveAt)
		return nil
	})
}

// AllocationHistory implements capacity.Store.
func (s *Store) AllocationHistory(ctx context.Context, partnerIDs []string) ([]capacity.AllocationChange, error) {
	var out []capacity.AllocationChange
	err := s.db.View(ctx, func() error {
		for _, id := range partnerIDs {
			hs, _ := s.history.Get(id)
			out = append(out, hs...)
		}
		return nil
	})
	slices.SortStableFunc(out, byEffectiveAt)
	return out, err
}

func byEffectiveAt(a, b capacity.AllocationChange) int {
	if x := a.EffectiveAt.Compare(b.EffectiveAt); x != 0 {
		return x
	}
	return strings.Compare(a.ID, b.ID)
}

// CreateStorageAccount implements capacity.Store.
func (s *Store) CreateStorageAccount(ctx context.Context, a *capacity.StorageAccount) error {
	return s.db.Update(ctx, func(tx *memdb.Tx) error {
		if err := s.checkName(a); err != nil {
			return err
		}
		s.storage.Put(tx, a.ID, *a)
		ids, _ := s.byPartner.Get(a.PartnerID)
		s.byPartner.Put(tx, a.PartnerID, append(slices.Clone(ids), a.ID))
		return nil
	})
}

// checkName keeps names unique per partner by their lower-case form, as
// the SQL stores' unique index does.
func (s *Store) checkName(a *capacity.StorageAccount) error {
	name := strings.ToLower(strings.TrimSpace(a.Name))
	for _, other := range s.partnerAccounts(a.PartnerID) {
		if otherName := strings.ToLower(strings.TrimSpace(other.Name)); other.ID != a.ID && otherName == name {
			return partnerkit.ConflictField("name", "the partner already has a storage account of this name")
		}
	}
	return nil
}

func (s *Store) partnerAccounts(partnerID string) []capacity.StorageAccount {
	ids, _ := s.byPartner.Get(partnerID)
	out := make([]capacity.StorageAccount, 0, len(ids))
	for _, id := range ids {
		if a, ok := s.storage.Get(id); ok {
			out = append(out, a)
		}
	}
	return out
}

// StorageAccountOwners implements capacity.Store.
func (s *Store) StorageAccountOwners(ctx context.Context, ids []string) (map[string]string, error) {
	out := make(map[string]string, len(ids))
	err := s.db.View(ctx, func() error {
		for _, id := range ids {
			if a, ok := s.storage.Get(id); ok {
				out[id] = a.PartnerID
			}
		}
		return nil
	})
	return out, err
}

// GetStorageAccount implements capacity.Store.
func (s *Store) GetStorageAccount(ctx context.Context, id string) (*capacity.StorageAccount, error) {
	return memdb.Get(ctx, s.db, s.storage, "storage account", id)
}

// UpdateStorageAccount implements capacity.Store.
func (s *Store) UpdateStorageAccount(ctx context.Context, a *capacity.StorageAccount) error {
	return s.db.Update(ctx, func(tx *memdb.Tx) error {
		if _, err := memdb.CheckVersion(s.storage, "storage account", a.ID, a.Version,
			func(a capacity.StorageAccount) int { return a.Version }); err != nil {
			return err
		}
		if err := s.checkName(a); err != nil {
			return err
		}
		next := *a
		next.Version++
		s.storage.Put(tx, a.ID, next)
		a.Version = next.Version
		return nil
	})
}

// ListStorageAccounts implements capacity.Store.
func (s *Store) ListStorageAccounts(ctx context.Context, q capacity.StorageQuery) ([]capacity.StorageAccount, int, error) {
	var match []capacity.StorageAccount
	err := s.db.View(ctx, func() error {
		for _, a := range s.partnerAccounts(q.PartnerID) {
			if (q.Status == "" || a.Status == q.Status) && strings.Contains(strings.ToLower(a.Name), q.NameContains) {
				match = append(match, a)
			}
		}
		return nil
	})
	memdb.SortBy(match, capacity.StorageOrder.Resolve(q.Sort), memdb.Keys[capacity.StorageAccount]{
		"name":       func(a, b capacity.StorageAccount) int { return memdb.Lower(a.Name, b.Name) },
		"created_at": func(a, b capacity.StorageAccount) int { return a.CreatedAt.Compare(b.CreatedAt) },
	}, func(a capacity.StorageAccount) string { return a.ID })
	return memdb.Page(match, q.Limit, q.Offset), len(match), err
}

// PurgeStorageAccounts implements capacity.Store.
func (s *Store) PurgeStorageAccounts(ctx context.Context, dueBy time.Time) ([]capacity.StorageAccount, error) {
	var purged []capacity.StorageAccount
	err := s.db.Update(ctx, func(tx *memdb.Tx) error {
		for id, a := range s.storage.All() {
			if a.Status != capacity.StorageDeletionScheduled || a.DeleteAt == nil || a.DeleteAt.After(dueBy) {
				continue
			}
			purged = append(purged, a)
			s.storage.Delete(tx, id)
			for k, r := range s.accountDaily.All() {
				if r.StorageAccountID == id {
					s.accountDaily.Delete(tx, k)
				}
			}
			for k := range s.samples.All() {
				if strings.HasPrefix(k, id+"\x00") {
					s.samples.Delete(tx, k)
				}
			}
			rest, _ := s.byPartner.Get(a.PartnerID)
			s.byPartner.Put(tx, a.PartnerID, slices.DeleteFunc(slices.Clone(rest), func(x string) bool { return x == id }))
		}
		return nil
	})
	slices.SortFunc(purged, func(a, b capacity.StorageAccount) int { return strings.Compare(a.ID, b.ID) })
	return purged, err
}

// AllocationUsage implements capacity.Store.
func (s *Store) AllocationUsage(ctx context.Context, from capacity.Day) ([]capacity.AllocationUsage, error) {
	var out []capacity.AllocationUsage
	err := s.db.View(ctx, func() error {
		latest := map[string]capacity.PartnerDaily{}
		for r := range s.partnerDaily.Values() {
			a, ok := s.allocations.Get(r.PartnerID)
			if !ok || r.Day < from || r.ContractID != a.ContractID {
				continue
			}
			if prev, ok := latest[r.PartnerID]; !ok || r.Day > prev.Day {
				latest[r.PartnerID] = r
			}
		}
		for id, r := range latest {
			a, _ := s.allocations.Get(id)
			t, ok := s.terms.Get(a.ContractID)
			if !ok {
				continue
			}
			out = append(out, capacity.AllocationUsage{PartnerID: id, ContractID: a.ContractID, AllocatedTB: a.AllocatedTB,
				AlertThresholds: slices.Clone(t.AlertThresholds), Day: r.Day, AvgBytes: r.AvgBytes})
		}
		return nil
	})
	slices.SortFunc(out, func(a, b capacity.AllocationUsage) int { return strings.Compare(a.PartnerID, b.PartnerID) })
	return out, err
}

func alertID(a capacity.UsageAlert) string {
	return a.PartnerID + "\x00" + a.ContractID + "\x00" + a.Month + "\x00" + strconv.Itoa(a.Threshold)
}

// UsageAlerts implements capacity.Store.
func (s *Store) UsageAlerts(ctx context.Context, month string) ([]capacity.UsageAlert, error) {
	var out []capacity.UsageAlert
	err := s.db.View(ctx, func() error {
		for a := range s.alerts.Values() {
			if a.Month == month {
				out = append(out, a)
			}
		}
		return nil
	})
	slices.SortFunc(out, func(a, b capacity.UsageAlert) int { return strings.Compare(alertID(a), alertID(b)) })
	return out, err
}

// InsertUsageAlert implements capacity.Store.
func (s *Store) InsertUsageAlert(ctx context.Context, a *capacity.UsageAlert) (bool, error) {
	inserted := false
	err := s.db.Update(ctx, func(tx *memdb.Tx) error {
		if _, ok := s.alerts.Get(alertID(*a)); ok {
			return nil
		}
		s.alerts.Put(tx, alertID(*a), *a)
		inserted = true
		return nil
	})
	return inserted, err
}

// InsertSamples implements capacity.Store.
func (s *Store) InsertSamples(ctx context.Context, samples []capacity.Sample) (int, error) {
	n := 0
	err := s.db.Update(ctx, func(tx *memdb.Tx) error {
		touched := map[string]map[int64]int64{}
		for _, x := range samples {
			key := accountDayID(x.StorageAccountID, capacity.DayOf(x.Timestamp))
			m, ok := touched[key]
			if !ok {
				old, _ := s.samples.Get(key)
				m = make(map[int64]int64, len(old)+1)
				for k, v := range old {
					m[k] = v
				}
				touched[key] = m
			}
			ts := x.Timestamp.Unix()
			if _, dup := m[ts]; !dup {
				m[ts] = x.Bytes
				n++
			}
		}
		for key, m := range touched {
			s.samples.Put(tx, key, m)
		}
		return nil
	})
	return n, err
}

func accountDayID(id string, d capacity.Day) string { return id + "\x00" + d.String() }

func partnerDayID(partner string, d capacity.Day) string { return partner + "\x00" + d.String() }

// AddAccountDaily implements capacity.Store.
func (s *Store) AddAccountDaily(ctx context.Context, rows []capacity.AccountDaily) error {
	return s.db.Update(ctx, func(tx *memdb.Tx) error {
		for _, r := range rows {
			key := accountDayID(r.StorageAccountID, r.Day)
			if old, ok := s.accountDaily.Get(key); ok {
				old.Add(r)
				r = old
			}
			s.accountDaily.Put(tx, key, r)
		}
		return nil
	})
}

// RecomputeAccountDaily implements capacity.Store.
func (s *Store) RecomputeAccountDaily(ctx context.Context, keys []capacity.AccountDaily) error {
	return s.db.Update(ctx, func(tx *memdb.Tx) error {
		for _, k := range keys {
			key := accountDayID(k.StorageAccountID, k.Day)
			m, _ := s.samples.Get(key)
			r := capacity.AccountDaily{StorageAccountID: k.StorageAccountID, PartnerID: k.PartnerID, Day: k.Day, Samples: len(m)}
			for ts, b := range m {
				r.PeakBytes = max(r.PeakBytes, b)
				r.SumBytes += b
				r.LastTimestamp = max(r.LastTimestamp, ts)
			}
			if len(m) > 0 {
				s.accountDaily.Put(tx, key, r)
			}
		}
		return nil
	})
}

// SumAccountDaily implements capacity.Store.
func (s *Store) SumAccountDaily(ctx context.Context, keys []capacity.PartnerDay) ([]capacity.PartnerDaily, error) {
	var out []capacity.PartnerDaily
	err := s.db.View(ctx, func() error {
		for _, k := range keys {
			r := capacity.PartnerDaily{PartnerID: k.PartnerID, Day: k.Day}
			found := false
			for _, a := range s.partnerAccountsAll(k.PartnerID) {
				d, ok := s.accountDaily.Get(accountDayID(a, k.Day))
				if !ok {
					continue
				}
				found = true
				r.PeakBytes += d.PeakBytes
				r.AvgBytes += d.AvgBytes()
				r.LastTimestamp = max(r.LastTimestamp, d.LastTimestamp)
			}
			if found {
				out = append(out, r)
			}
		}
		return nil
	})
	return out, err
}

func (s *Store) partnerAccountsAll(partnerID string) []string {
	ids, _ := s.byPartner.Get(partnerID)
	return ids
}

// PutPartnerDaily implements capacity.Store.
func (s *Store) PutPartnerDaily(ctx context.Context, rows []capacity.PartnerDaily) error {
	return s.db.Update(ctx, func(tx *memdb.Tx) error {
		for _, r := range rows {
			s.partnerDaily.Put(tx, partnerDayID(r.PartnerID, r.Day), r)
		}
		return nil
	})
}

// PartnerDaily implements capacity.Store.
func (s *Store) PartnerDaily(ctx context.Context, q capacity.DailyQuery) ([]capacity.PartnerDaily, error) {
	var out []capacity.PartnerDaily
	err := s.db.View(ctx, func() error {
		if len(q.PartnerIDs) > 0 {
			for _, p := range q.PartnerIDs {
				for d := q.From; d <= q.To; d++ {
					if r, ok := s.partnerDaily.Get(partnerDayID(p, d)); ok && (q.ContractID == "" || r.ContractID == q.ContractID) {
						out = append(out, r)
					}
				}
			}
			return nil
		}
		for r := range s.partnerDaily.Values() {
			if r.ContractID == q.ContractID && r.Day >= q.From && r.Day <= q.To {
				out = append(out, r)
			}
		}
		return nil
	})
	slices.SortFunc(out, func(a, b capacity.PartnerDaily) int {
		if a.Day != b.Day {
			return int(a.Day - b.Day)
		}
		return strings.Compare(a.PartnerID, b.PartnerID)
	})
	return out, err
}

// CreateDeal implements capacity.Store.
func (s *Store) CreateDeal(ctx context.Context, d *capacity.Deal) error {
	return s.db.Update(ctx, func(tx *memdb.Tx) error { s.deals.Put(tx, d.ID, *d); return nil })
}

// GetDeal implements capacity.Store.
func (s *Store) GetDeal(ctx context.Context, id string) (*capacity.Deal, error) {
	return memdb.Get(ctx, s.db, s.deals, "deal", id)
}

// UpdateDeal implements capacity.Store.
func (s *Store) UpdateDeal(ctx context.Context, d *capacity.Deal) error {
	return s.db.Update(ctx, func(tx *memdb.Tx) error {
		if _, err := memdb.CheckVersion(s.deals, "deal", d.ID, d.Version, func(d capacity.Deal) int { return d.Version }); err != nil {
			return err
		}
		next := *d
		next.Version++
		s.deals.Put(tx, d.ID, next)
		d.Version = next.Version
		return nil
	})
}

// ListDeals implements capacity.Store.
func (s *Store) ListDeals(ctx context.Context, q capacity.DealQuery) ([]capacity.Deal, int, error) {
	var match []capacity.Deal
	err := s.db.View(ctx, func() error {
		for d := range s.deals.Values() {
			if (q.AccountID == "" || d.PartnerID == q.AccountID || d.OwnerID == q.AccountID) &&
				(q.PartnerID == "" || d.PartnerID == q.PartnerID) && (q.Status == "" || d.Status == q.Status) {
				match = append(match, d)
			}
		}
		return nil
	})
	memdb.SortBy(match, capacity.DealOrder.Resolve(q.Sort), memdb.Keys[capacity.Deal]{
		"created_at": func(a, b capacity.Deal) int { return a.CreatedAt.Compare(b.CreatedAt) },
	}, func(d capacity.Deal) string { return d.ID })
	return memdb.Page(match, q.Limit, q.Offset), len(match), err
}

// Database implements partnerkit.Located: stores of one transaction must
// share it.
func (s *Store) Database() any { return s.db }
