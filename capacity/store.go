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
//
// # Concurrency
//
// Every rule of Service that reads, then writes holds under concurrent
// calls from many processes sharing one database, by one of these
// guarantees. The memory store serialises its transactions, and SQLite its
// write transactions (BEGIN IMMEDIATE), so there the Lock methods only read;
// on PostgreSQL (READ COMMITTED) each is a row lock held to the end of the
// caller's transaction. Locks are always taken in this order — a contract's
// terms (several: by contract ID), then a partner's allocation, then usage
// rows — so no two transactions wait on each other.
//   - allocations never exceed a reserved contract's reservation, and a
//     reservation is never set below what is allocated: SetAllocation,
//     Transfer and SetTerms hold the contract's LockTerms while they sum its
//     allocations and write.
//   - storage quotas stay within the partner's allocation (unless overdraft
//     or pay-per-use), and an allocation is never lowered below the quotas:
//     quota changes and allocation changes hold LockAllocation of the
//     partner, read after the lock.
//   - an allocation above DealThresholdTB needs an approved or won deal:
//     the allocation reads the partner's deals with LockDeals (a share lock),
//     so a concurrent decision on one of them (UpdateDeal) waits until the
//     allocation commits: the allocation is ordered before the deal is lost.
//   - deal decisions and storage-account changes: optimistic versions
//     (UpdateDeal, UpdateStorageAccount write WHERE version = ?), so of
//     concurrent moves one wins and the others get conflict. Under If-Match
//     (partnerkit.IfVersion) the service checks the version it loaded
//     first, and the same WHERE version = ? holds it to the commit: of moves
//     conditioned on one version, one wins and the others get
//     precondition_failed (partnerkit.StaleVersion). Transfer, which reads
//     the partner and does not change it, checks the partner's version in
//     its transaction.
//   - a storage account is purged once: PurgeStorageAccounts is one
//     DELETE … RETURNING of the due accounts, so of concurrent purges
//     (several instances run the scheduled purge) each account is returned,
//     and its "storage_account.purged" event recorded, by one.
//   - a usage threshold is alerted once per partner, contract and month:
//     InsertUsageAlert is INSERT … ON CONFLICT DO NOTHING on that key (plus
//     the threshold), and the service records the event only when the row
//     was inserted; UsageAlerts and AllocationUsage only propose candidates.
//   - usage is idempotent: InsertSamples is INSERT … ON CONFLICT DO NOTHING
//     on (storage account, timestamp); account rollups are merged by one
//     atomic upsert (AddAccountDaily), and partner rollups, which are summed
//     from the account rollups, are rebuilt under LockPartnerUsage so that
//     concurrent batches of one partner's accounts never overwrite each
//     other's figures.
//   - a batch is checked against its accounts with a plain read
//     (StorageAccountOwners): an account purged between that read and the
//     insert is caught by the samples' foreign key, which InsertSamples
//     reports as invalid samples (never an internal error); a batch stored
//     before the purge goes with the account (ON DELETE CASCADE).
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
	// LockAllocation returns a partner's allocation and, inside a
	// transaction, holds it against other LockAllocation calls until the
	// transaction ends (SELECT … FOR UPDATE on PostgreSQL). Returns not_found.
	LockAllocation(ctx context.Context, partnerID string) (*Allocation, error)
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
	// StorageAccountOwners returns the partner of each account among ids
	// that exists, by account ID (usage ingestion's lookup: an account's
	// partner never changes).
	StorageAccountOwners(ctx context.Context, ids []string) (map[string]string, error)
	// GetStorageAccount returns an account, or not_found.
	GetStorageAccount(ctx context.Context, id string) (*StorageAccount, error)
	// UpdateStorageAccount writes a if the stored version equals a.Version,
	// then increments a.Version. Returns not_found, or conflict on another
	// version (partnerkit.StaleVersion: precondition_failed under If-Match).
	UpdateStorageAccount(ctx context.Context, a *StorageAccount) error
	// ListStorageAccounts returns one page of the accounts q selects, by
	// name, and how many it selects.
	ListStorageAccounts(ctx context.Context, q StorageQuery) ([]StorageAccount, int, error)
	// PurgeStorageAccounts removes accounts scheduled for deletion at or
	// before the given time, with their usage, and returns them as they
	// were; of concurrent calls each account is returned by one.
	PurgeStorageAccounts(ctx context.Context, dueBy time.Time) ([]StorageAccount, error)

	// LockPartnerUsage holds the usage rollups of the given partners, in ID
	// order, until the transaction ends, so that one batch at a time rolls
	// up each partner's days (a row lock on each partner's account row on
	// PostgreSQL, FOR NO KEY UPDATE). Unknown partners are skipped.
	LockPartnerUsage(ctx context.Context, partnerIDs []string) error
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

	// AllocationUsage returns every allocation that has usage on its
	// contract from day from on, each with its partner's latest rollup on
	// the contract and the contract's alert thresholds, in one query.
	AllocationUsage(ctx context.Context, from Day) ([]AllocationUsage, error)
	// UsageAlerts returns the alerts recorded for month ("2006-01").
	UsageAlerts(ctx context.Context, month string) ([]UsageAlert, error)
	// InsertUsageAlert stores a unless an alert of its partner, contract,
	// month and threshold is stored already, and reports whether it did.
	InsertUsageAlert(ctx context.Context, a *UsageAlert) (bool, error)

	// CreateDeal inserts d.
	CreateDeal(ctx context.Context, d *Deal) error
	// GetDeal returns a deal, or not_found.
	GetDeal(ctx context.Context, id string) (*Deal, error)
	// LockDeals returns a partner's deals whose status is one of statuses,
	// and holds them until the transaction ends against UpdateDeal (a share
	// lock on PostgreSQL, FOR SHARE).
	LockDeals(ctx context.Context, partnerID string, statuses ...DealStatus) ([]Deal, error)
	// UpdateDeal writes d if the stored version equals d.Version, then
	// increments d.Version. Returns not_found, or conflict on another
	// version (partnerkit.StaleVersion: precondition_failed under If-Match).
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
	// Sort orders the page (StorageOrder.Resolve: by name by default).
	Sort partnerkit.Sort
	// Limit and Offset select the page; Limit 0 means no limit.
	Limit, Offset int
}

// StorageOrder is how storage accounts sort: by name (the default) or
// creation time.
var StorageOrder = partnerkit.Order{Fields: []string{"name", "created_at"}, Default: "name"}

// DealOrder is how deals sort: by creation time, newest first by default.
var DealOrder = partnerkit.Order{Fields: []string{"created_at"}, Default: "-created_at"}

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
	// Sort orders the page (DealOrder.Resolve: newest first by default).
	Sort partnerkit.Sort
	// Limit and Offset select the page; Limit 0 means no limit.
	Limit, Offset int
}

// The kinds of capacity rows that keep an account from being deleted (its
// stores register them; see partners.Store.Dependents).
const (
	KindStorageAccounts = "storage accounts"
	KindAllocations     = "allocations"
	KindDeals           = "deals"
	KindUsageHistory    = "usage history"
)
