package capacity

import (
	"context"
	"time"

	"github.com/partnerkit/partnerkit"
)

// Store persists capacity data. It only stores and aggregates; the rules
// live in Service. Every implementation must pass storetest.
// Errors: not_found for missing rows; conflict on "name" for a duplicate
// storage account name; conflict on a stale Version; internal otherwise.
type Store interface {
	partnerkit.Transactor

	// PutTerms inserts or replaces a contract's terms.
	PutTerms(ctx context.Context, t *Terms) error
	// GetTerms returns a contract's terms, or not_found.
	GetTerms(ctx context.Context, contractID string) (*Terms, error)
	// LockTerms returns a contract's terms and, inside a transaction, holds
	// the contract against concurrent allocation changes until it ends (a
	// row lock on PostgreSQL; SQLite and memory serialize write
	// transactions already).
	LockTerms(ctx context.Context, contractID string) (*Terms, error)
	// ListTerms returns the terms of the given contracts that have terms.
	ListTerms(ctx context.Context, contractIDs []string) ([]Terms, error)

	// GetAllocation returns a partner's allocation, or not_found.
	GetAllocation(ctx context.Context, partnerID string) (*Allocation, error)
	// ContractAllocations returns a contract's allocations by partner ID.
	ContractAllocations(ctx context.Context, contractID string) ([]Allocation, error)
	// PutAllocation inserts or replaces a partner's allocation.
	PutAllocation(ctx context.Context, a *Allocation) error
	// AppendAllocationChange records an allocation in the history.
	AppendAllocationChange(ctx context.Context, c *AllocationChange) error
	// AllocationHistory returns the history of the given partners, oldest first.
	AllocationHistory(ctx context.Context, partnerIDs []string) ([]AllocationChange, error)

	// CreateStorageAccount inserts a.
	CreateStorageAccount(ctx context.Context, a *StorageAccount) error
	// StorageAccountsByID returns the accounts among ids that exist.
	StorageAccountsByID(ctx context.Context, ids []string) ([]StorageAccount, error)
	// GetStorageAccount returns an account, or not_found.
	GetStorageAccount(ctx context.Context, id string) (*StorageAccount, error)
	// UpdateStorageAccount writes a if the stored version equals a.Version,
	// then increments a.Version.
	UpdateStorageAccount(ctx context.Context, a *StorageAccount) error
	// ListStorageAccounts returns one page of the accounts q selects, by
	// name, and how many it selects.
	ListStorageAccounts(ctx context.Context, q StorageQuery) ([]StorageAccount, int, error)
	// PurgeStorageAccounts removes accounts scheduled for deletion at or
	// before the given time, with their usage, and returns their IDs.
	PurgeStorageAccounts(ctx context.Context, dueBy time.Time) ([]string, error)

	// InsertSamples stores samples, skipping any whose (account, timestamp)
	// is stored already, and returns how many it stored.
	InsertSamples(ctx context.Context, samples []Sample) (int, error)
	// AddAccountDaily merges the figures of new samples into the account
	// rollups of their days (peak: the larger; sums and counts: added),
	// creating rollups that do not exist yet.
	AddAccountDaily(ctx context.Context, rows []AccountDaily) error
	// RecomputeAccountDaily rebuilds the rollups of the given account days
	// (StorageAccountID, PartnerID and Day are read) from the raw samples.
	RecomputeAccountDaily(ctx context.Context, keys []AccountDaily) error
	// SumAccountDaily sums the account rollups of the given partner days:
	// the peaks, the averages and the newest timestamp.
	SumAccountDaily(ctx context.Context, keys []PartnerDay) ([]PartnerDaily, error)
	// PutPartnerDaily inserts or replaces partner rollups.
	PutPartnerDaily(ctx context.Context, rows []PartnerDaily) error
	// PartnerDaily returns the partner rollups q selects, by day then partner.
	PartnerDaily(ctx context.Context, q DailyQuery) ([]PartnerDaily, error)

	// CreateDeal inserts d.
	CreateDeal(ctx context.Context, d *Deal) error
	// GetDeal returns a deal, or not_found.
	GetDeal(ctx context.Context, id string) (*Deal, error)
	// UpdateDeal writes d if the stored version equals d.Version, then
	// increments d.Version.
	UpdateDeal(ctx context.Context, d *Deal) error
	// ListDeals returns one page of the deals q selects, newest first, and
	// how many it selects.
	ListDeals(ctx context.Context, q DealQuery) ([]Deal, int, error)
}

// AccountDay names one storage account's day.
type AccountDay struct {
	StorageAccountID string
	Day              Day
}

// PartnerDay names one partner's day.
type PartnerDay struct {
	PartnerID string
	Day       Day
}

// StorageQuery selects storage accounts.
type StorageQuery struct {
	// PartnerID keeps one partner's accounts.
	PartnerID string
	// Status keeps one status; empty keeps all.
	Status StorageStatus
	// NameContains keeps names whose lower-case form contains it.
	NameContains string
	// Limit and Offset select the page; Limit 0 means no limit.
	Limit, Offset int
}

// DailyQuery selects partner rollups.
type DailyQuery struct {
	// PartnerIDs keeps these partners; ContractID keeps one contract's.
	PartnerIDs []string
	ContractID string
	// From and To bound the days, both included.
	From, To Day
}

// DealQuery selects deals.
type DealQuery struct {
	// AccountID keeps deals this account registered or decides.
	AccountID string
	// PartnerID keeps one partner's deals.
	PartnerID string
	// Status keeps one status; empty keeps all.
	Status DealStatus
	// Limit and Offset select the page; Limit 0 means no limit.
	Limit, Offset int
}
