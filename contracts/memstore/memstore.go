// Package memstore is the in-memory contracts.Store. Build it on the same DB
// as the partners and agreements memstores: it registers there the counts
// the partner directory shows and the check that keeps a bound agreement
// version from being deleted.
package memstore

import (
	"cmp"
	"context"
	"slices"
	"strings"
	"time"

	"github.com/partnerkit/partnerkit"
	agreementsmem "github.com/partnerkit/partnerkit/agreements/memstore"
	"github.com/partnerkit/partnerkit/contracts"
	"github.com/partnerkit/partnerkit/internal/memdb"
)

// Store is an in-memory contracts.Store.
type Store struct {
	db           *memdb.DB
	marketplaces *memdb.Table[string, contracts.Marketplace]
	contracts    *memdb.Table[string, contracts.Contract]
	byPartner    *memdb.Table[string, []string] // partner ID → contract IDs
	events       *memdb.Table[string, []contracts.Event]
	invitations  *memdb.Table[string, contracts.Invitation]
	tokens       *memdb.Table[string, string] // token hash → invitation ID
}

var _ contracts.Store = (*Store)(nil)

// New returns a Store on db (a nil db gets one of its own) and registers
// its counts there.
func New(db *memdb.DB) *Store {
	if db == nil {
		db = memdb.New()
	}
	s := &Store{db: db,
		marketplaces: memdb.NewTable[string, contracts.Marketplace](),
		contracts:    memdb.NewTable[string, contracts.Contract](),
		byPartner:    memdb.NewTable[string, []string](),
		events:       memdb.NewTable[string, []contracts.Event](),
		invitations:  memdb.NewTable[string, contracts.Invitation](),
		tokens:       memdb.NewTable[string, string](),
	}
	db.RegisterDirectoryCount(contracts.CountSignedContracts, func(partnerID string) int {
		n := 0
		for _, c := range s.partnerContracts(partnerID) {
			if c.Status == contracts.StatusSigned || c.Status == contracts.StatusActive {
				n++
			}
		}
		return n
	})
	db.RegisterDirectoryCount(contracts.CountAgreements, func(partnerID string) int {
		seen := map[string]bool{}
		for _, c := range s.partnerContracts(partnerID) {
			if c.Status != contracts.StatusRejected {
				seen[c.AgreementID] = true
			}
		}
		return len(seen)
	})
	db.RegisterDependent(contracts.KindContracts, func(accountID string) int {
		n := len(s.partnerContracts(accountID))
		for c := range s.contracts.Values() {
			if c.OwnerID == accountID {
				n++
			}
		}
		return n
	})
	db.RegisterCount(agreementsmem.CountContractsOnVersion, func(key string) int {
		n := 0
		for c := range s.contracts.Values() {
			if agreementsmem.VersionKey(c.AgreementID, c.AgreementVersion) == key {
				n++
			}
		}
		return n
	})
	return s
}

func (s *Store) partnerContracts(partnerID string) []contracts.Contract {
	ids, _ := s.byPartner.Get(partnerID)
	out := make([]contracts.Contract, 0, len(ids))
	for _, id := range ids {
		c, _ := s.contracts.Get(id)
		out = append(out, c)
	}
	return out
}

// InTx implements partnerkit.Transactor.
func (s *Store) InTx(ctx context.Context, fn func(ctx context.Context) error) error {
	return s.db.InTx(ctx, fn)
}

// CreateMarketplace implements contracts.Store.
func (s *Store) CreateMarketplace(ctx context.Context, m *contracts.Marketplace) error {
	return s.db.Update(ctx, func(t *memdb.Tx) error {
		// Names compare by their lower-case form, as the SQL stores' unique
		// index on search_name does (EqualFold would fold more).
		name := strings.ToLower(m.Name)
		for other := range s.marketplaces.Values() {
			if otherName := strings.ToLower(other.Name); other.OwnerID == m.OwnerID && otherName == name {
				return partnerkit.ConflictField("name", "your account already has a marketplace of this name")
			}
		}
		s.marketplaces.Put(t, m.ID, *m)
		return nil
	})
}

// GetMarketplace implements contracts.Store.
func (s *Store) GetMarketplace(ctx context.Context, id string) (*contracts.Marketplace, error) {
	return memdb.Get(ctx, s.db, s.marketplaces, "marketplace", id)
}

// ListMarketplaces implements contracts.Store.
func (s *Store) ListMarketplaces(ctx context.Context, ownerID string) ([]contracts.Marketplace, error) {
	var out []contracts.Marketplace
	err := s.db.View(ctx, func() error {
		for m := range s.marketplaces.Values() {
			if m.OwnerID == ownerID {
				out = append(out, m)
			}
		}
		return nil
	})
	slices.SortFunc(out, func(a, b contracts.Marketplace) int {
		if c := strings.Compare(strings.ToLower(a.Name), strings.ToLower(b.Name)); c != 0 {
			return c
		}
		return strings.Compare(a.ID, b.ID)
	})
	return out, err
}

// CreateContract implements contracts.Store.
func (s *Store) CreateContract(ctx context.Context, c *contracts.Contract) error {
	return s.db.Update(ctx, func(t *memdb.Tx) error {
		if c.MarketplaceID != "" && c.Status.Open() {
			for _, other := range s.partnerContracts(c.PartnerID) {
				if other.MarketplaceID == c.MarketplaceID && other.Status.Open() {
					return partnerkit.ConflictField("marketplace_id", "the partner already has an open contract on this marketplace")
				}
			}
		}
		stored := *c
		stored.LatestAgreementVersion, stored.UpdatePending = 0, false
		s.contracts.Put(t, c.ID, stored)
		ids, _ := s.byPartner.Get(c.PartnerID)
		// Appending in place is undo-safe: the index only grows, and the
		// old slice header still sees exactly its own elements.
		s.byPartner.Put(t, c.PartnerID, append(ids, c.ID))
		return nil
	})
}

// GetContract implements contracts.Store.
func (s *Store) GetContract(ctx context.Context, id string) (*contracts.Contract, error) {
	return memdb.Get(ctx, s.db, s.contracts, "contract", id)
}

// UpdateContract implements contracts.Store.
func (s *Store) UpdateContract(ctx context.Context, c *contracts.Contract) error {
	return s.db.Update(ctx, func(t *memdb.Tx) error {
		if _, err := memdb.CheckVersion(s.contracts, "contract", c.ID, c.Version, contractVersion); err != nil {
			return err
		}
		next := *c
		next.Version++
		next.LatestAgreementVersion, next.UpdatePending = 0, false
		s.contracts.Put(t, c.ID, next)
		c.Version = next.Version
		return nil
	})
}

func contractVersion(c contracts.Contract) int { return c.Version }

// ListContracts implements contracts.Store.
func (s *Store) ListContracts(ctx context.Context, q contracts.Query) ([]contracts.Contract, int, error) {
	var match []contracts.Contract
	err := s.db.View(ctx, func() error {
		candidates := s.contracts.Values()
		if q.PartnerID != "" {
			candidates = slices.Values(s.partnerContracts(q.PartnerID))
		}
		for c := range candidates {
			if (q.AccountID == "" || c.OwnerID == q.AccountID || c.PartnerID == q.AccountID) &&
				(q.PartnerID == "" || c.PartnerID == q.PartnerID) &&
				(q.AgreementID == "" || c.AgreementID == q.AgreementID) &&
				(q.MarketplaceID == "" || c.MarketplaceID == q.MarketplaceID) &&
				(q.Status == "" || c.Status == q.Status) &&
				(!q.OpenOnly || c.Status.Open()) {
				match = append(match, c)
			}
		}
		return nil
	})
	memdb.SortBy(match, contracts.ListOrder.Resolve(q.Sort), memdb.Keys[contracts.Contract]{
		"created_at": func(a, b contracts.Contract) int { return a.CreatedAt.Compare(b.CreatedAt) },
	}, func(c contracts.Contract) string { return c.ID })
	return memdb.Page(match, q.Limit, q.Offset), len(match), err
}

// AppendEvent implements contracts.Store.
func (s *Store) AppendEvent(ctx context.Context, e *contracts.Event) error {
	return s.db.Update(ctx, func(t *memdb.Tx) error {
		memdb.InsertOrdered(t, s.events, e.ContractID, *e, func(a, b contracts.Event) int {
			if c := a.At.Compare(b.At); c != 0 {
				return c
			}
			return strings.Compare(a.ID, b.ID)
		})
		return nil
	})
}

// Events implements contracts.Store.
func (s *Store) Events(ctx context.Context, contractID string) ([]contracts.Event, error) {
	var out []contracts.Event
	err := s.db.View(ctx, func() error {
		es, _ := s.events.Get(contractID)
		out = slices.Clone(es)
		return nil
	})
	return out, err
}

// CreateInvitation implements contracts.Store.
func (s *Store) CreateInvitation(ctx context.Context, inv *contracts.Invitation) error {
	return s.db.Update(ctx, func(t *memdb.Tx) error {
		if _, dup := s.tokens.Get(inv.TokenHash); dup {
			return partnerkit.Errorf(partnerkit.CodeConflict, "invitation token collision")
		}
		v := *inv
		v.Status = cmp.Or(v.Status, contracts.InvitationPending)
		v.Sends = max(v.Sends, 1)
		if v.SentAt.IsZero() {
			v.SentAt = v.CreatedAt
		}
		v.Mail = nil
		s.invitations.Put(t, inv.ID, v)
		s.tokens.Put(t, inv.TokenHash, inv.ID)
		return nil
	})
}

// InvitationByTokenHash implements contracts.Store.
func (s *Store) InvitationByTokenHash(ctx context.Context, hash string) (*contracts.Invitation, error) {
	var out *contracts.Invitation
	err := s.db.View(ctx, func() error {
		id, ok := s.tokens.Get(hash)
		if !ok {
			return partnerkit.NotFound("invitation", "")
		}
		inv, _ := s.invitations.Get(id)
		out = &inv
		return nil
	})
	return out, err
}

// UseInvitation implements contracts.Store.
func (s *Store) UseInvitation(ctx context.Context, id, tokenHash string, at time.Time, usedBy string) error {
	return s.db.Update(ctx, func(t *memdb.Tx) error {
		inv, ok := s.invitations.Get(id)
		if !ok {
			return partnerkit.NotFound("invitation", id)
		}
		if inv.TokenHash != tokenHash && inv.Status.CanResend() {
			return partnerkit.Errorf(partnerkit.CodeNotFound, "this invitation link was replaced by a newer one: use the latest invitation")
		}
		if inv.UsedAt != nil || inv.Status != contracts.InvitationPending {
			return errNotPending(inv)
		}
		inv.UsedAt, inv.UsedBy, inv.Status = &at, usedBy, contracts.InvitationActivated
		s.invitations.Put(t, id, inv)
		return nil
	})
}

// errNotPending is the gone error of a move of an invitation that cannot move.
func errNotPending(inv contracts.Invitation) error {
	switch {
	case inv.Status == contracts.InvitationRevoked:
		return partnerkit.Errorf(partnerkit.CodeGone, "this invitation link was revoked: ask for a new one")
	case inv.Status == contracts.InvitationExpired:
		return partnerkit.Errorf(partnerkit.CodeGone, "this invitation link has expired: ask for a new one")
	case inv.UsedAt == nil && inv.Status == contracts.InvitationPending:
		return partnerkit.Errorf(partnerkit.CodeGone, "this invitation link has not expired yet")
	}
	return partnerkit.Errorf(partnerkit.CodeGone, "this invitation link has already been used: sign in instead")
}

// DueInvitations implements contracts.Store.
func (s *Store) DueInvitations(ctx context.Context, dueBy time.Time, limit int) ([]contracts.Invitation, error) {
	var out []contracts.Invitation
	err := s.db.View(ctx, func() error {
		for inv := range s.invitations.Values() {
			if inv.Status == contracts.InvitationPending && !inv.ExpiresAt.After(dueBy) {
				out = append(out, inv)
			}
		}
		return nil
	})
	slices.SortFunc(out, func(a, b contracts.Invitation) int {
		return cmp.Or(a.ExpiresAt.Compare(b.ExpiresAt), strings.Compare(a.ID, b.ID))
	})
	return memdb.Page(out, limit, 0), err
}

// ExpireInvitation implements contracts.Store.
func (s *Store) ExpireInvitation(ctx context.Context, id string, at time.Time) error {
	return s.db.Update(ctx, func(t *memdb.Tx) error {
		inv, ok := s.invitations.Get(id)
		if !ok {
			return partnerkit.NotFound("invitation", id)
		}
		if inv.UsedAt != nil || inv.Status != contracts.InvitationPending || inv.ExpiresAt.After(at) {
			return errNotPending(inv)
		}
		inv.Status = contracts.InvitationExpired
		s.invitations.Put(t, id, inv)
		return nil
	})
}

// InvitationByID implements contracts.Store.
func (s *Store) InvitationByID(ctx context.Context, id string) (*contracts.Invitation, error) {
	var out *contracts.Invitation
	err := s.db.View(ctx, func() error {
		inv, ok := s.invitations.Get(id)
		if !ok {
			return partnerkit.NotFound("invitation", id)
		}
		out = &inv
		return nil
	})
	return out, err
}

// RevokeInvitation implements contracts.Store.
func (s *Store) RevokeInvitation(ctx context.Context, id string, at time.Time, by string) error {
	return s.db.Update(ctx, func(t *memdb.Tx) error {
		inv, ok := s.invitations.Get(id)
		if !ok {
			return partnerkit.NotFound("invitation", id)
		}
		if inv.Status != contracts.InvitationPending {
			return errNotPending(inv)
		}
		inv.Status, inv.RevokedAt, inv.RevokedBy = contracts.InvitationRevoked, &at, by
		s.invitations.Put(t, id, inv)
		return nil
	})
}

// ReissueInvitation implements contracts.Store.
func (s *Store) ReissueInvitation(ctx context.Context, id, oldHash, newHash string, expiresAt time.Time, sentTo string, at time.Time) error {
	return s.db.Update(ctx, func(t *memdb.Tx) error {
		inv, ok := s.invitations.Get(id)
		if !ok {
			return partnerkit.NotFound("invitation", id)
		}
		if !inv.Status.CanResend() {
			return errNotPending(inv)
		}
		if inv.TokenHash != oldHash {
			return partnerkit.Errorf(partnerkit.CodeConflict, "this invitation was sent again meanwhile")
		}
		if _, dup := s.tokens.Get(newHash); dup {
			return partnerkit.Errorf(partnerkit.CodeConflict, "invitation token collision")
		}
		s.tokens.Delete(t, oldHash)
		s.tokens.Put(t, newHash, id)
		inv.TokenHash, inv.ExpiresAt, inv.Status = newHash, expiresAt, contracts.InvitationPending
		inv.SentTo, inv.SentAt, inv.Sends = sentTo, at, inv.Sends+1
		s.invitations.Put(t, id, inv)
		return nil
	})
}

// ListInvitations implements contracts.Store.
func (s *Store) ListInvitations(ctx context.Context, q contracts.InvitationQuery) ([]contracts.Invitation, int, error) {
	var match []contracts.Invitation
	err := s.db.View(ctx, func() error {
		for inv := range s.invitations.Values() {
			if (q.OwnerID == "" || inv.OwnerID == q.OwnerID) && (q.PartnerID == "" || inv.PartnerID == q.PartnerID) &&
				(q.Status == "" || inv.Status == q.Status) {
				match = append(match, inv)
			}
		}
		return nil
	})
	memdb.SortBy(match, contracts.InvitationOrder.Resolve(q.Sort), memdb.Keys[contracts.Invitation]{
		"created_at": func(a, b contracts.Invitation) int { return a.CreatedAt.Compare(b.CreatedAt) },
		"expires_at": func(a, b contracts.Invitation) int { return a.ExpiresAt.Compare(b.ExpiresAt) },
	}, func(inv contracts.Invitation) string { return inv.ID })
	return memdb.Page(match, q.Limit, q.Offset), len(match), err
}

// Database implements partnerkit.Located: stores of one transaction must
// share it.
func (s *Store) Database() any { return s.db }
