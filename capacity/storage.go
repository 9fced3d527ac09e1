package capacity

import (
	"cmp"
	"context"
	"fmt"
	"strings"
	"time"

	"github.com/partnerkit/partnerkit"
	"github.com/partnerkit/partnerkit/internal/validate"
	"github.com/shopspring/decimal"
)

// PrefixStorageAccount is the ID prefix of storage accounts.
const PrefixStorageAccount = "SA"

// StorageAccountInput describes a new storage account.
type StorageAccountInput struct {
	// PartnerID is the channel partner; empty means the actor's account.
	PartnerID string `json:"partner_id"`
	// Name is 1 to 100 characters, unique per partner.
	Name string `json:"name" validate:"required,max=100"`
	// QuotaTB is drawn from the partner's allocation.
	QuotaTB decimal.Decimal `json:"quota_tb"`
}

// CreateStorageAccount creates a storage account for a partner the actor
// may see (its own account or one it manages). The partner needs an
// allocation; quotas add up to at most the allocation unless the partner
// may overdraw or is pay-per-use.
func (s *Service) CreateStorageAccount(ctx context.Context, actor partnerkit.Actor, in StorageAccountInput) (*StorageAccount, error) {
	const op = "capacity.CreateStorageAccount"
	if err := actor.RequireWriter(); err != nil {
		return nil, partnerkit.WithOp(op, err)
	}
	in.Name = strings.TrimSpace(in.Name)
	in.PartnerID = cmp.Or(in.PartnerID, actor.AccountID)
	if err := validate.All(validate.Struct(in), CheckTB("quota_tb", in.QuotaTB, false)); err != nil {
		return nil, partnerkit.WithOp(op, err)
	}
	var out *StorageAccount
	err := s.store.InTx(ctx, func(ctx context.Context) error {
		if err := s.partners.CheckVisible(ctx, actor, in.PartnerID); err != nil {
			return err
		}
		now := s.clock.Now()
		a := &StorageAccount{ID: partnerkit.NewID(PrefixStorageAccount), PartnerID: in.PartnerID, Name: in.Name,
			QuotaTB: in.QuotaTB, Status: StorageActive, CreatedAt: now, UpdatedAt: now, Version: 1}
		if err := s.checkQuota(ctx, a.PartnerID, a.ID, a.QuotaTB); err != nil {
			return err
		}
		if err := s.store.CreateStorageAccount(ctx, a); err != nil {
			return err
		}
		out = a
		return s.audit.Record(ctx, actor, a.PartnerID, "storage_account.created", "storage_account", a.ID, nil, a)
	})
	if err != nil {
		return nil, partnerkit.WithOp(op, err)
	}
	return out, nil
}

// quotaTB sums a partner's storage quotas, leaving out one account.
func (s *Service) quotaTB(ctx context.Context, partnerID, except string) (decimal.Decimal, error) {
	accounts, _, err := s.store.ListStorageAccounts(ctx, StorageQuery{PartnerID: partnerID})
	sum := decimal.Zero
	for _, a := range accounts {
		if a.ID != except {
			sum = sum.Add(a.QuotaTB)
		}
	}
	return sum, err
}

// checkQuota locks the partner's allocation and checks that quota fits in
// it beside the partner's other accounts (see Store: quotas).
func (s *Service) checkQuota(ctx context.Context, partnerID, accountID string, quota decimal.Decimal) error {
	alloc, err := s.store.LockAllocation(ctx, partnerID)
	if partnerkit.ErrorCode(err) == partnerkit.CodeNotFound {
		return partnerkit.FieldError("partner_id", "has no capacity allocation yet")
	}
	if err != nil {
		return err
	}
	terms, err := s.store.GetTerms(ctx, alloc.ContractID)
	if err != nil {
		return err
	}
	if terms.BillingModel == BillingPayPerUse || alloc.AllowOverdraft {
		return nil
	}
	others, err := s.quotaTB(ctx, partnerID, accountID)
	if err != nil {
		return err
	}
	if total := others.Add(quota); total.GreaterThan(alloc.AllocatedTB) {
		return partnerkit.ConflictField("quota_tb", fmt.Sprintf(
			"would bring the partner's quotas to %s TB, above its %s TB allocation: at most %s TB is free",
			total, alloc.AllocatedTB, alloc.AllocatedTB.Sub(others)))
	}
	return nil
}

// StorageAccount returns a storage account of a partner the actor may see.
func (s *Service) StorageAccount(ctx context.Context, actor partnerkit.Actor, id string) (*StorageAccount, error) {
	if err := partnerkit.CheckID("id", id); err != nil {
		return nil, partnerkit.WithOp("capacity.StorageAccount", err)
	}
	a, err := s.visibleStorage(ctx, actor, id)
	return a, partnerkit.WithOp("capacity.StorageAccount", err)
}

func (s *Service) visibleStorage(ctx context.Context, actor partnerkit.Actor, id string) (*StorageAccount, error) {
	if err := actor.RequireAccount(); err != nil {
		return nil, err
	}
	a, err := s.store.GetStorageAccount(ctx, id)
	if err != nil {
		return nil, err
	}
	if s.partners.CheckVisible(ctx, actor, a.PartnerID) != nil {
		return nil, partnerkit.NotFound("storage account", id)
	}
	return a, nil
}

// StorageFilter selects storage accounts.
type StorageFilter struct {
	// PartnerID lists a visible partner's accounts; empty means the actor's.
	PartnerID string `json:"partner_id"`
	// Status keeps active or deletion_scheduled accounts.
	Status StorageStatus `json:"status"`
	// Q searches names.
	Q string `json:"q" validate:"max=100"`
	// Sort is one of StorageOrder's; empty means by name.
	Sort partnerkit.Sort `json:"sort"`
	partnerkit.Page
}

// StorageAccounts lists one page of a partner's storage accounts by name.
func (s *Service) StorageAccounts(ctx context.Context, actor partnerkit.Actor, f StorageFilter) (partnerkit.List[StorageAccount], error) {
	const op = "capacity.StorageAccounts"
	var out partnerkit.List[StorageAccount]
	if err := actor.RequireAccount(); err != nil {
		return out, partnerkit.WithOp(op, err)
	}
	page, pageErr := f.Page.Normalize()
	var statusErr error
	if f.Status != "" && !f.Status.Valid() {
		statusErr = partnerkit.FieldError("status", "must be active or deletion_scheduled")
	}
	sort, sortErr := StorageOrder.Check(f.Sort)
	if err := validate.All(validate.Struct(f), pageErr, sortErr, statusErr); err != nil {
		return out, partnerkit.WithOp(op, err)
	}
	partner := cmp.Or(f.PartnerID, actor.AccountID)
	if err := s.partners.CheckVisible(ctx, actor, partner); err != nil {
		return out, partnerkit.WithOp(op, err)
	}
	items, total, err := s.store.ListStorageAccounts(ctx, StorageQuery{PartnerID: partner, Status: f.Status,
		NameContains: strings.ToLower(strings.TrimSpace(f.Q)), Sort: sort, Limit: page.Limit, Offset: page.Offset})
	if err != nil {
		return out, partnerkit.WithOp(op, err)
	}
	if items == nil {
		items = []StorageAccount{}
	}
	return partnerkit.List[StorageAccount]{Items: items, Total: total}, nil
}

// StorageAccountUpdate changes a storage account; nil fields stay.
type StorageAccountUpdate struct {
	// Name renames it.
	Name *string `json:"name" validate:"omitnil,required,max=100"`
	// QuotaTB changes its quota.
	QuotaTB *decimal.Decimal `json:"quota_tb"`
	// Version, when not zero, must equal the stored version.
	Version int `json:"version"`
}

// UpdateStorageAccount renames an account or changes its quota.
func (s *Service) UpdateStorageAccount(ctx context.Context, actor partnerkit.Actor, id string, in StorageAccountUpdate) (*StorageAccount, error) {
	const op = "capacity.UpdateStorageAccount"
	if err := partnerkit.CheckID("id", id); err != nil {
		return nil, partnerkit.WithOp(op, err)
	}
	if in.Name != nil {
		*in.Name = strings.TrimSpace(*in.Name)
	}
	var quotaErr error
	if in.QuotaTB != nil {
		quotaErr = CheckTB("quota_tb", *in.QuotaTB, false)
	}
	if err := validate.All(validate.Struct(in), quotaErr); err != nil {
		return nil, partnerkit.WithOp(op, err)
	}
	a, err := s.changeStorage(ctx, actor, id, in.Version, "storage_account.updated", func(ctx context.Context, a *StorageAccount, _ time.Time) error {
		if in.Name != nil {
			a.Name = *in.Name
		}
		if in.QuotaTB != nil && !in.QuotaTB.Equal(a.QuotaTB) {
			if err := s.checkQuota(ctx, a.PartnerID, a.ID, *in.QuotaTB); err != nil {
				return err
			}
			a.QuotaTB = *in.QuotaTB
		}
		return nil
	})
	return a, partnerkit.WithOp(op, err)
}

// DeleteStorageAccount schedules an account's removal in 30 days; until
// then CancelDeletion restores it.
func (s *Service) DeleteStorageAccount(ctx context.Context, actor partnerkit.Actor, id string) (*StorageAccount, error) {
	a, err := s.changeStorage(ctx, actor, id, 0, "storage_account.deletion_scheduled", func(_ context.Context, a *StorageAccount, now time.Time) error {
		if !a.Status.CanDelete() {
			return partnerkit.Errorf(partnerkit.CodeConflict, "storage account %s is already scheduled for deletion on %s",
				a.ID, a.DeleteAt.Format("2 January 2006"))
		}
		at := now.Add(DeletionGrace)
		a.Status, a.DeleteAt = StorageDeletionScheduled, &at
		return nil
	})
	return a, partnerkit.WithOp("capacity.DeleteStorageAccount", err)
}

// CancelDeletion keeps an account scheduled for deletion.
func (s *Service) CancelDeletion(ctx context.Context, actor partnerkit.Actor, id string) (*StorageAccount, error) {
	a, err := s.changeStorage(ctx, actor, id, 0, "storage_account.deletion_cancelled", func(_ context.Context, a *StorageAccount, _ time.Time) error {
		if !a.Status.CanCancelDeletion() {
			return partnerkit.Errorf(partnerkit.CodeConflict, "storage account %s is not scheduled for deletion", a.ID)
		}
		a.Status, a.DeleteAt = StorageActive, nil
		return nil
	})
	return a, partnerkit.WithOp("capacity.CancelDeletion", err)
}

// changeStorage loads a visible account in a transaction, lets edit change
// it, stores it and records action.
func (s *Service) changeStorage(ctx context.Context, actor partnerkit.Actor, id string, version int, action string,
	edit func(ctx context.Context, a *StorageAccount, now time.Time) error) (*StorageAccount, error) {
	if err := partnerkit.CheckID("id", id); err != nil {
		return nil, err
	}
	if err := actor.RequireWriter(); err != nil {
		return nil, err
	}
	var out *StorageAccount
	err := s.store.InTx(ctx, func(ctx context.Context) error {
		a, err := s.visibleStorage(ctx, actor, id)
		if err != nil {
			return err
		}
		if err := partnerkit.CheckIfVersion(ctx, "storage account", a.ID, a.Version); err != nil {
			return err // If-Match: UpdateStorageAccount's version check holds it to the commit
		}
		if version != 0 && version != a.Version {
			return partnerkit.Errorf(partnerkit.CodeConflict, "storage account %s changed since version %d (now %d)", id, version, a.Version)
		}
		before := *a
		now := s.clock.Now()
		if err := edit(ctx, a, now); err != nil {
			return err
		}
		a.UpdatedAt = now
		if err := s.store.UpdateStorageAccount(ctx, a); err != nil {
			return err
		}
		out = a
		return s.audit.Record(ctx, actor, a.PartnerID, action, "storage_account", a.ID, &before, a)
	})
	return out, err
}

// PurgeDeletedStorageAccounts is the scheduled purge: it removes, with
// their usage, the accounts whose scheduled deletion is due by now (the
// service clock), recording a "storage_account.purged" event per account
// in the partner's account (actor partnerkit.SystemActor) in the purge's
// transaction, and returns the removed IDs. It is idempotent and safe to
// run from several instances at once: each account is purged, and its
// event recorded, once (see Store).
func (s *Service) PurgeDeletedStorageAccounts(ctx context.Context) ([]string, error) {
	var ids []string
	err := s.store.InTx(ctx, func(ctx context.Context) error {
		ids = nil
		purged, err := s.store.PurgeStorageAccounts(ctx, s.clock.Now())
		if err != nil {
			return err
		}
		for _, a := range purged {
			ids = append(ids, a.ID)
			if err := s.audit.Record(ctx, partnerkit.SystemActor, a.PartnerID, "storage_account.purged", "storage_account", a.ID, &a, nil); err != nil {
				return err
			}
		}
		return nil
	})
	if err != nil {
		return nil, partnerkit.WithOp("capacity.PurgeDeletedStorageAccounts", err)
	}
	return ids, nil
}
