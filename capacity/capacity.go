// Package capacity shares storage capacity through the channel (seed 004):
// capacity terms on contracts (reserved terabytes, billing model, prices),
// allocations of a contract to partners that never exceed a reservation,
// transfers between contracts, storage accounts of a channel partner's
// customers with quotas, usage samples rolled up per day, reports with
// excess fees, the per-contract overview, and deal registration.
//
// Capacity is decimal terabytes (1 TB = 10^12 bytes, at most 6 decimal
// places); usage is int64 bytes; money is decimal. The package imports the
// contracts and partners domains and no storage code.
package capacity

import (
	"time"

	"github.com/partnerkit/partnerkit/capacity/rules"
	"github.com/shopspring/decimal"
)

// The vocabulary and pure rules of the domain live in capacity/rules,
// which the WebAssembly PWA imports without validator; these names
// re-export it.

// BillingModel is how a capacity contract bills.
type BillingModel = rules.BillingModel

// Billing models (see rules.BillingModel).
const (
	BillingReserved  = rules.BillingReserved
	BillingPayPerUse = rules.BillingPayPerUse
)

// Units.
const (
	// BytesPerTB is 10^12: capacity uses decimal units.
	BytesPerTB = rules.BytesPerTB
	// TBPlaces is the most decimal places a TB figure may have (1 MB).
	TBPlaces = rules.TBPlaces
	// DealThresholdTB is the allocation size above which the partner must
	// first register a deal of at least that size and have it approved.
	DealThresholdTB = rules.DealThresholdTB
	// DeletionGrace is how long a deleted storage account waits before removal.
	DeletionGrace = rules.DeletionGrace
	// SecondsPerDay is the length of a usage day (UTC).
	SecondsPerDay = 86_400
)

// BytesToTB converts bytes to decimal terabytes.
func BytesToTB(b int64) decimal.Decimal { return rules.BytesToTB(b) }

// TBToBytes converts terabytes to bytes, rounding down to whole bytes.
func TBToBytes(tb decimal.Decimal) int64 { return rules.TBToBytes(tb) }

// Terms are the capacity terms of a contract.
type Terms struct {
	// ContractID is the capacity contract.
	ContractID string `json:"contract_id"`
	// ReservedTB is the reserved capacity.
	ReservedTB decimal.Decimal `json:"reserved_tb"`
	// BillingModel is reserved or pay_per_use.
	BillingModel BillingModel `json:"billing_model"`
	// PricePerTB is the price of one TB for one month.
	PricePerTB decimal.Decimal `json:"price_per_tb"`
	// ExcessPricePerTB is the price of one TB-month of excess: above an
	// allocation or above the reservation (AllocationExcess, ReservationExcess).
	ExcessPricePerTB decimal.Decimal `json:"excess_price_per_tb"`
	// Currency is an ISO 4217 code.
	Currency string `json:"currency"`
	// AlertThresholds are the percentages of a partner's allocation at
	// which its usage raises a "usage.threshold_crossed" event, once per
	// threshold per month (Service.CheckUsageThresholds), strictly
	// increasing; empty raises none.
	AlertThresholds []int `json:"alert_thresholds"`
	// UpdatedAt is when the terms last changed (UTC).
	UpdatedAt time.Time `json:"updated_at"`
}

// Allocation is a partner's share of one capacity contract.
type Allocation struct {
	// PartnerID is the partner.
	PartnerID string `json:"partner_id"`
	// ContractID is the capacity contract it draws from.
	ContractID string `json:"contract_id"`
	// AllocatedTB is the share.
	AllocatedTB decimal.Decimal `json:"allocated_tb"`
	// AllowOverdraft lets the partner's storage quotas exceed the allocation.
	AllowOverdraft bool `json:"allow_overdraft"`
	// PayPerUse labels a partner on a pay-per-use contract (derived).
	PayPerUse bool `json:"pay_per_use"`
	// CreatedAt and UpdatedAt are in UTC.
	CreatedAt time.Time `json:"created_at"`
	UpdatedAt time.Time `json:"updated_at"`
}

// AllocationChange is one entry of a partner's allocation history, so each
// day's usage is compared with the allocation of that day.
type AllocationChange struct {
	// ID is the opaque entry ID.
	ID string `json:"id"`
	// PartnerID and ContractID name the allocation.
	PartnerID  string `json:"partner_id"`
	ContractID string `json:"contract_id"`
	// AllocatedTB is the allocation from EffectiveAt on.
	AllocatedTB decimal.Decimal `json:"allocated_tb"`
	// EffectiveAt is when it took effect (UTC).
	EffectiveAt time.Time `json:"effective_at"`
}

// StorageStatus is where a storage account is in its life.
type StorageStatus = rules.StorageStatus

// Storage account statuses (see rules.StorageStatus).
const (
	StorageActive = rules.StorageActive
	// StorageDeletionScheduled: deleted, removed at DeleteAt unless cancelled.
	StorageDeletionScheduled = rules.StorageDeletionScheduled
)

// StorageAccount is a channel partner's customer's storage account.
type StorageAccount struct {
	// ID is the opaque ID ("SA-…").
	ID string `json:"id"`
	// PartnerID is the channel partner that owns it.
	PartnerID string `json:"partner_id"`
	// Name is unique per partner (case-insensitive).
	Name string `json:"name"`
	// QuotaTB is drawn from the partner's allocation.
	QuotaTB decimal.Decimal `json:"quota_tb"`
	// Status is active or deletion_scheduled.
	Status StorageStatus `json:"status"`
	// DeleteAt is when a scheduled deletion happens.
	DeleteAt *time.Time `json:"delete_at,omitempty"`
	// CreatedAt and UpdatedAt are in UTC.
	CreatedAt time.Time `json:"created_at"`
	UpdatedAt time.Time `json:"updated_at"`
	// Version increases on every change.
	Version int `json:"version"`
}

// Sample is one usage measurement: bytes stored by an account at a time.
type Sample struct {
	// StorageAccountID is the measured account.
	StorageAccountID string `json:"storage_account_id"`
	// Timestamp is when it was measured (UTC, whole seconds).
	Timestamp time.Time `json:"timestamp"`
	// Bytes is how much was stored.
	Bytes int64 `json:"bytes"`
}

// Day is a UTC calendar day counted from 1970-01-01.
type Day int

// DayOf returns the day t falls on.
func DayOf(t time.Time) Day { return Day(t.UTC().Unix() / SecondsPerDay) }

// Time returns the day's first instant.
func (d Day) Time() time.Time { return time.Unix(int64(d)*SecondsPerDay, 0).UTC() }

// String formats the day as 2006-01-02.
func (d Day) String() string { return d.Time().Format(time.DateOnly) }

// AccountDaily is a storage account's usage of one day, or (to add to a
// rollup) the usage of some new samples of that day.
type AccountDaily struct {
	StorageAccountID string `json:"storage_account_id"`
	PartnerID        string `json:"partner_id"`
	Day              Day    `json:"day"`
	PeakBytes        int64  `json:"peak_bytes"`
	// SumBytes adds up the samples' bytes; Samples counts them.
	SumBytes int64 `json:"sum_bytes"`
	Samples  int   `json:"samples"`
	// LastTimestamp is the newest sample of the day (Unix seconds).
	LastTimestamp int64 `json:"last_timestamp"`
}

// AvgBytes is the day's average of the account's samples.
func (d AccountDaily) AvgBytes() int64 {
	if d.Samples == 0 {
		return 0
	}
	return d.SumBytes / int64(d.Samples)
}

// Add merges more samples of the same day into d.
func (d *AccountDaily) Add(o AccountDaily) {
	d.PeakBytes = max(d.PeakBytes, o.PeakBytes)
	d.SumBytes += o.SumBytes
	d.Samples += o.Samples
	d.LastTimestamp = max(d.LastTimestamp, o.LastTimestamp)
}

// PartnerDaily is a partner's usage of one day: the sum of its accounts'
// peaks and averages, with the allocation of that day.
type PartnerDaily struct {
	PartnerID     string          `json:"partner_id"`
	Day           Day             `json:"day"`
	ContractID    string          `json:"contract_id"`
	PeakBytes     int64           `json:"peak_bytes"`
	AvgBytes      int64           `json:"avg_bytes"`
	AllocatedTB   decimal.Decimal `json:"allocated_tb"`
	LastTimestamp int64           `json:"last_timestamp"`
}

// DealStatus is where a deal registration is.
type DealStatus = rules.DealStatus

// Deal statuses: submitted → approved or rejected; approved → won or lost.
const (
	DealSubmitted = rules.DealSubmitted
	DealApproved  = rules.DealApproved
	DealRejected  = rules.DealRejected
	DealWon       = rules.DealWon
	DealLost      = rules.DealLost
)

// DealStatuses lists every deal status.
func DealStatuses() []DealStatus { return rules.DealStatuses() }

// Deal is an opportunity a partner registers with its distributor.
type Deal struct {
	// ID is the opaque ID ("DL-…").
	ID string `json:"id"`
	// PartnerID registered it; OwnerID (the partner's manager) decides.
	PartnerID string `json:"partner_id"`
	OwnerID   string `json:"owner_id"`
	// CustomerName is the end customer.
	CustomerName string `json:"customer_name"`
	// ExpectedTB and ExpectedValue size the deal; at least one is set.
	ExpectedTB    decimal.NullDecimal `json:"expected_tb"`
	ExpectedValue decimal.NullDecimal `json:"expected_value"`
	// Currency is the currency of ExpectedValue.
	Currency string `json:"currency,omitempty"`
	// CloseDate is the expected close date (YYYY-MM-DD).
	CloseDate string `json:"close_date"`
	// Note is free text from the partner.
	Note string `json:"note,omitempty"`
	// Status is the deal's status.
	Status DealStatus `json:"status"`
	// Reason explains a decision (required to reject).
	Reason string `json:"reason,omitempty"`
	// DecidedBy and DecidedAt record the approval or rejection.
	DecidedBy string     `json:"decided_by,omitempty"`
	DecidedAt *time.Time `json:"decided_at,omitempty"`
	// CreatedBy, CreatedAt and UpdatedAt record who registered it and when.
	CreatedBy string    `json:"created_by"`
	CreatedAt time.Time `json:"created_at"`
	UpdatedAt time.Time `json:"updated_at"`
	// Version increases on every change.
	Version int `json:"version"`
}

// DefaultAlertThresholds are the thresholds of terms that name none: 80,
// 90 and 100 % of an allocation.
func DefaultAlertThresholds() []int { return rules.DefaultAlertThresholds() }

// UsageAlert is one threshold of an allocation that a partner's usage
// reached in a month (UTC): the object of a "usage.threshold_crossed"
// event, recorded once per partner, contract, month and threshold.
type UsageAlert struct {
	// PartnerID is the partner; ContractID the contract it draws from.
	PartnerID  string `json:"partner_id"`
	ContractID string `json:"contract_id"`
	// Threshold is the percentage of the allocation reached.
	Threshold int `json:"threshold"`
	// UsedTB is the usage that reached it (the partner's latest daily
	// average, as the overview shows it); AllocatedTB the allocation.
	UsedTB      decimal.Decimal `json:"used_tb"`
	AllocatedTB decimal.Decimal `json:"allocated_tb"`
	// Month is the month of the alert ("2006-01", UTC).
	Month string `json:"month"`
}

// AllocationUsage is an allocation with its partner's latest usage on its
// contract, and the contract's alert thresholds: what the threshold check
// reads for every allocation in one query.
type AllocationUsage struct {
	// PartnerID and ContractID name the allocation; AllocatedTB is its size.
	PartnerID   string
	ContractID  string
	AllocatedTB decimal.Decimal
	// AlertThresholds are the contract's (Terms.AlertThresholds).
	AlertThresholds []int
	// Day is the partner's latest rollup on the contract, AvgBytes its
	// daily average.
	Day      Day
	AvgBytes int64
}

// CheckTB returns an invalid error naming field unless tb is not negative
// (and positive unless zeroOK) with at most 6 decimal places.
func CheckTB(field string, tb decimal.Decimal, zeroOK bool) error {
	return rules.CheckTB(field, tb, zeroOK)
}

// ParseTB parses a decimal TB figure from text, naming field on error.
func ParseTB(field, s string) (decimal.Decimal, error) { return rules.ParseTB(field, s) }

// MaxMoney is the largest price or value a field takes: far above any real
// one, and within what every store holds (PostgreSQL NUMERIC(38,12)).
var MaxMoney = rules.MaxMoney

// checkMoney returns an invalid error naming field unless m is not negative,
// at most MaxMoney, with at most 4 decimal places.
func checkMoney(field string, m decimal.Decimal) error { return rules.CheckMoney(field, m) }
