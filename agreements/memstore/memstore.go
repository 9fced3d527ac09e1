// Package memstore is the in-memory agreements.Store. Build it on the same
// DB as the other domains' memstores (partners/memstore.NewDB) so that
// multi-domain operations are atomic.
package memstore

import (
	"context"
	"fmt"
	"slices"
	"strings"

	"github.com/partnerkit/partnerkit"
	"github.com/partnerkit/partnerkit/agreements"
	"github.com/partnerkit/partnerkit/internal/memdb"
)

// CountContractsOnVersion is the count a contracts memstore registers: how
// many contracts are bound to "<agreement ID>@<version>".
const CountContractsOnVersion = "contracts_on_version"

// VersionKey is the key of CountContractsOnVersion.
func VersionKey(agreementID string, n int) string { return fmt.Sprintf("%s@%d", agreementID, n) }

func ownerKey(ownerID string, t agreements.Type) string { return ownerID + "\x00" + string(t) }

// Store is an in-memory agreements.Store.
type Store struct {
	db         *memdb.DB
	agreements *memdb.Table[string, agreements.Agreement]
	byOwner    *memdb.Table[string, []string]           // owner ID → agreement IDs
	versions   *memdb.Table[string, agreements.Version] // VersionKey → version
	documents  *memdb.Table[string, []byte]             // VersionKey → content
}

var _ agreements.Store = (*Store)(nil)

// New returns a Store on db (a nil db gets one of its own).
func New(db *memdb.DB) *Store {
	if db == nil {
		db = memdb.New()
	}
	return &Store{db: db, agreements: memdb.NewTable[string, agreements.Agreement](),
		byOwner:  memdb.NewTable[string, []string](),
		versions: memdb.NewTable[string, agreements.Version](), documents: memdb.NewTable[string, []byte]()}
}

// InTx implements partnerkit.Transactor.
func (s *Store) InTx(ctx context.Context, fn func(ctx context.Context) error) error {
	return s.db.InTx(ctx, fn)
}

// CreateAgreement implements agreements.Store.
func (s *Store) CreateAgreement(ctx context.Context, a *agreements.Agreement) error {
	return s.db.Update(ctx, func(t *memdb.Tx) error {
		s.agreements.Put(t, a.ID, *a)
		key := ownerKey(a.OwnerID, a.Type)
		ids, _ := s.byOwner.Get(key)
		// Appending in place is undo-safe: the index only grows, and the
		// old slice header still sees exactly its own elements.
		s.byOwner.Put(t, key, append(ids, a.ID))
		return nil
	})
}

// GetAgreement implements agreements.Store.
func (s *Store) GetAgreement(ctx context.Context, id string) (*agreements.Agreement, error) {
	return memdb.Get(ctx, s.db, s.agreements, "agreement", id)
}

// UpdateAgreement implements agreements.Store.
func (s *Store) UpdateAgreement(ctx context.Context, a *agreements.Agreement) error {
	return s.db.Update(ctx, func(t *memdb.Tx) error {
		if _, err := memdb.CheckVersion(s.agreements, "agreement", a.ID, a.Version,
			func(a agreements.Agreement) int { return a.Version }); err != nil {
			return err
		}
		next := *a
		next.Version++
		s.agreements.Put(t, a.ID, next)
		a.Version = next.Version
		return nil
	})
}

// ListAgreements implements agreements.Store.
func (s *Store) ListAgreements(ctx context.Context, q agreements.Query) ([]agreements.Agreement, int, error) {
	var match []agreements.Agreement
	err := s.db.View(ctx, func() error {
		types := agreements.Types()
		if q.Type != "" {
			types = []agreements.Type{q.Type}
		}
		var ids []string
		for _, typ := range types {
			more, _ := s.byOwner.Get(ownerKey(q.OwnerID, typ))
			ids = append(ids, more...)
		}
		for _, id := range ids {
			a, _ := s.agreements.Get(id)
			if strings.Contains(strings.ToLower(a.Name), q.NameContains) {
				match = append(match, a)
			}
		}
		return nil
	})
	memdb.SortBy(match, agreements.ListOrder.Resolve(q.Sort), memdb.Keys[agreements.Agreement]{
		"name":       func(a, b agreements.Agreement) int { return memdb.Lower(a.Name, b.Name) },
		"created_at": func(a, b agreements.Agreement) int { return a.CreatedAt.Compare(b.CreatedAt) },
	}, func(a agreements.Agreement) string { return a.ID })
	return memdb.Page(match, q.Limit, q.Offset), len(match), err
}

// CreateVersion implements agreements.Store.
func (s *Store) CreateVersion(ctx context.Context, v *agreements.Version, content []byte) error {
	return s.db.Update(ctx, func(t *memdb.Tx) error {
		key := VersionKey(v.AgreementID, v.Number)
		if _, dup := s.versions.Get(key); dup {
			return partnerkit.Errorf(partnerkit.CodeConflict, "agreement %s already has version %d", v.AgreementID, v.Number)
		}
		s.versions.Put(t, key, *v)
		if content != nil {
			s.documents.Put(t, key, slices.Clone(content))
		}
		return nil
	})
}

// GetVersion implements agreements.Store.
func (s *Store) GetVersion(ctx context.Context, agreementID string, n int) (*agreements.Version, error) {
	var out *agreements.Version
	err := s.db.View(ctx, func() error {
		v, ok := s.versions.Get(VersionKey(agreementID, n))
		if !ok {
			return partnerkit.Errorf(partnerkit.CodeNotFound, "agreement %s has no version %d", agreementID, n)
		}
		out = &v
		return nil
	})
	return out, err
}

// ListVersions implements agreements.Store.
func (s *Store) ListVersions(ctx context.Context, agreementID string) ([]agreements.Version, error) {
	var out []agreements.Version
	err := s.db.View(ctx, func() error {
		for v := range s.versions.Values() {
			if v.AgreementID == agreementID {
				out = append(out, v)
			}
		}
		return nil
	})
	slices.SortFunc(out, func(a, b agreements.Version) int { return a.Number - b.Number })
	return out, err
}

// DocumentContent implements agreements.Store.
func (s *Store) DocumentContent(ctx context.Context, agreementID string, n int) ([]byte, error) {
	var out []byte
	err := s.db.View(ctx, func() error {
		c, ok := s.documents.Get(VersionKey(agreementID, n))
		if !ok {
			return partnerkit.Errorf(partnerkit.CodeNotFound, "agreement %s version %d has no file", agreementID, n)
		}
		out = slices.Clone(c)
		return nil
	})
	return out, err
}

// DeleteVersion implements agreements.Store.
func (s *Store) DeleteVersion(ctx context.Context, agreementID string, n int) error {
	return s.db.Update(ctx, func(t *memdb.Tx) error {
		key := VersionKey(agreementID, n)
		if _, ok := s.versions.Get(key); !ok {
			return partnerkit.Errorf(partnerkit.CodeNotFound, "agreement %s has no version %d", agreementID, n)
		}
		if s.db.Count(CountContractsOnVersion, key) > 0 {
			return partnerkit.Errorf(partnerkit.CodeConflict, "version %d of agreement %s is bound to contracts and cannot be deleted", n, agreementID)
		}
		s.versions.Delete(t, key)
		s.documents.Delete(t, key)
		return nil
	})
}

// Database implements partnerkit.Located: stores of one transaction must
// share it.
func (s *Store) Database() any { return s.db }
