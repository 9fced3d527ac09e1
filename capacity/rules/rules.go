// Package rules is the vocabulary and the pure rules of the capacity domain
// — billing models, storage account and deal statuses with their moves,
// terabytes and money (parsing, limits, places), the limits of a deal's
// fields — in code the WebAssembly PWA imports as it is. The capacity
// service and the PWA call the same functions: a TB figure the form
// accepts is one the server accepts.
//
// It imports only the standard library, the root kernel, contracts/rules
// (currency codes) and github.com/shopspring/decimal — no validator, no
// database, no HTTP (enforced by .ci/check-deps). The capacity package
// re-exports every name, so the domain's API and JSON are unchanged.
package rules

import (
	"fmt"
	"slices"
	"strconv"
	"strings"
	"time"
	"unicode"

	"github.com/partnerkit/partnerkit"
	contractrules "github.com/partnerkit/partnerkit/contracts/rules"
	"github.com/shopspring/decimal"
)

// BillingModel is how a capacity contract bills.
type BillingModel string

// Billing models.
const (
	// BillingReserved: partners get allocations within a reservation; usage
	// above a partner's allocation is excess, billed at the excess price.
	BillingReserved BillingModel = "reserved"
	// BillingPayPerUse: partners are billed on actual usage at the price per
	// TB; an allocation of 0 is valid.
	BillingPayPerUse BillingModel = "pay_per_use"
)

// Valid reports whether m is a known billing model.
func (m BillingModel) Valid() bool { return slices.Contains(BillingModels(), m) }

// Units and limits.
const (
	// BytesPerTB is 10^12: capacity uses decimal units.
	BytesPerTB = 1_000_000_000_000
	// TBPlaces is the most decimal places a TB figure may have (1 MB).
	TBPlaces = 6
	// MoneyPlaces is the most decimal places a price or value may have.
	MoneyPlaces = 4
	// DealThresholdTB is the allocation size above which the partner must
	// first register a deal of at least that size and have it approved.
	DealThresholdTB = 100
	// DeletionGrace is how long a deleted storage account waits before removal.
	DeletionGrace = 30 * 24 * time.Hour
)

// BytesToTB converts bytes to decimal terabytes.
func BytesToTB(b int64) decimal.Decimal { return decimal.New(b, -12) }

// TBToBytes converts terabytes to bytes, rounding down to whole bytes.
func TBToBytes(tb decimal.Decimal) int64 { return tb.Shift(12).IntPart() }

// maxTB is the largest TB figure: 1,000,000,000 TB.
var maxTB = decimal.New(1, 9)

// CheckTB returns an invalid error naming field unless tb is not negative
// (and positive unless zeroOK) with at most 6 decimal places.
func CheckTB(field string, tb decimal.Decimal, zeroOK bool) error {
	switch {
	case tb.IsNegative():
		return partnerkit.FieldError(field, "must not be negative")
	case tb.IsZero() && !zeroOK:
		return partnerkit.FieldError(field, "must be more than 0")
	case !tb.Equal(tb.Truncate(TBPlaces)):
		return partnerkit.FieldError(field, fmt.Sprintf("must have at most %d decimal places (1 MB)", TBPlaces))
	case tb.GreaterThan(maxTB):
		return partnerkit.FieldError(field, "must be at most 1,000,000,000 TB")
	}
	return nil
}

// ParseTB parses a decimal TB figure from text as the API's JSON decoding
// reads it (decimal.NewFromString, spaces trimmed), naming field on error,
// and checks it with CheckTB (zero allowed).
func ParseTB(field, s string) (decimal.Decimal, error) {
	d, err := decimal.NewFromString(strings.TrimSpace(s))
	if err != nil {
		return d, partnerkit.FieldError(field, "must be a decimal number of terabytes such as 12.5")
	}
	return d, CheckTB(field, d, true)
}

// MaxMoney is the largest price or value a field takes: far above any real
// one, and within what every store holds (PostgreSQL NUMERIC(38,12)).
var MaxMoney = decimal.New(1, 12)

// CheckMoney returns an invalid error naming field unless m is not negative,
// at most MaxMoney, with at most 4 decimal places.
func CheckMoney(field string, m decimal.Decimal) error {
	switch {
	case m.IsNegative():
		return partnerkit.FieldError(field, "must not be negative")
	case m.GreaterThan(MaxMoney):
		return partnerkit.FieldError(field, "must be at most 1000000000000")
	case !m.Equal(m.Truncate(MoneyPlaces)):
		return partnerkit.FieldError(field, fmt.Sprintf("must have at most %d decimal places", MoneyPlaces))
	}
	return nil
}

// ParseMoney parses a price or value from text as the API's JSON decoding
// reads it, naming field on error, and checks it with CheckMoney.
func ParseMoney(field, s string) (decimal.Decimal, error) {
	d, err := decimal.NewFromString(strings.TrimSpace(s))
	if err != nil {
		return d, partnerkit.FieldError(field, "must be a decimal number such as 1250.50")
	}
	return d, CheckMoney(field, d)
}

// Usage threshold alerts: a contract's terms name the percentages of an
// allocation at which a partner's usage raises an alert.
const (
	// MinAlertThreshold and MaxAlertThreshold bound one threshold, in
	// percent of the allocation (above 100: usage beyond the allocation).
	MinAlertThreshold = 1
	MaxAlertThreshold = 1000
	// MaxAlertThresholds is the most thresholds a contract has.
	MaxAlertThresholds = 10
)

// DefaultAlertThresholds are the thresholds of terms that name none: 80,
// 90 and 100 % of an allocation.
func DefaultAlertThresholds() []int { return []int{80, 90, 100} }

// CheckAlertThresholds returns nil or an invalid error naming
// "alert_thresholds" (too many) or "alert_thresholds[i]" (out of 1..1000,
// or not above the one before it: the list is strictly increasing). An
// empty list is valid: no alerts.
func CheckAlertThresholds(ts []int) error {
	const field = "alert_thresholds"
	if len(ts) > MaxAlertThresholds {
		return partnerkit.FieldError(field, fmt.Sprintf("must be at most %d thresholds", MaxAlertThresholds))
	}
	fields := map[string]string{}
	for i, t := range ts {
		f := fmt.Sprintf("%s[%d]", field, i)
		switch {
		case t < MinAlertThreshold || t > MaxAlertThreshold:
			fields[f] = fmt.Sprintf("must be a percentage from %d to %d", MinAlertThreshold, MaxAlertThreshold)
		case i > 0 && t <= ts[i-1]:
			fields[f] = fmt.Sprintf("must be more than the threshold before it (%d): list them in increasing order", ts[i-1])
		}
	}
	return partnerkit.FieldErrors(fields)
}

// ParseAlertThresholds parses thresholds typed in a form ("80, 90, 100";
// commas or spaces, an optional % after each) and checks them with
// CheckAlertThresholds. Blank text is no thresholds.
func ParseAlertThresholds(s string) ([]int, error) {
	parts := strings.FieldsFunc(s, func(r rune) bool { return r == ',' || r == ';' || r == '%' || unicode.IsSpace(r) })
	out := make([]int, 0, len(parts))
	for i, p := range parts {
		n, err := strconv.Atoi(p)
		if err != nil {
			return nil, partnerkit.FieldError(fmt.Sprintf("alert_thresholds[%d]", i), "must be a whole percentage such as 80")
		}
		out = append(out, n)
	}
	return out, CheckAlertThresholds(out)
}

// FormatAlertThresholds writes thresholds as a form shows them ("80, 90, 100").
func FormatAlertThresholds(ts []int) string {
	parts := make([]string, len(ts))
	for i, t := range ts {
		parts[i] = strconv.Itoa(t)
	}
	return strings.Join(parts, ", ")
}

// StorageStatus is where a storage account is in its life.
type StorageStatus string

// Storage account statuses.
const (
	StorageActive StorageStatus = "active"
	// StorageDeletionScheduled: deleted, removed at DeleteAt unless cancelled.
	StorageDeletionScheduled StorageStatus = "deletion_scheduled"
)

// Valid reports whether s is a known storage account status.
func (s StorageStatus) Valid() bool { return slices.Contains(StorageStatuses(), s) }

// CanDelete reports whether a storage account in status s may be scheduled
// for deletion: it is not already.
func (s StorageStatus) CanDelete() bool { return s != StorageDeletionScheduled }

// CanCancelDeletion reports whether a storage account in status s has a
// deletion to cancel.
func (s StorageStatus) CanCancelDeletion() bool { return s == StorageDeletionScheduled }

// DealStatus is where a deal registration is.
type DealStatus string

// Deal statuses: submitted → approved or rejected; approved → won or lost.
const (
	DealSubmitted DealStatus = "submitted"
	DealApproved  DealStatus = "approved"
	DealRejected  DealStatus = "rejected"
	DealWon       DealStatus = "won"
	DealLost      DealStatus = "lost"
)

// DealStatuses lists every deal status, in the order of a deal's life.
func DealStatuses() []DealStatus {
	return []DealStatus{DealSubmitted, DealApproved, DealRejected, DealWon, DealLost}
}

// Valid reports whether s is a known deal status.
func (s DealStatus) Valid() bool { return slices.Contains(DealStatuses(), s) }

// DealMove is a decision on a deal, named as the API's path names it
// (POST /deals/{id}/approve).
type DealMove string

// Deal moves.
const (
	DealApprove DealMove = "approve"
	DealReject  DealMove = "reject"
	DealWin     DealMove = "won"
	DealLose    DealMove = "lost"
)

// dealMoves lists the legal moves of a deal by status, in button order.
var dealMoves = map[DealStatus][]DealMove{
	DealSubmitted: {DealApprove, DealReject},
	DealApproved:  {DealWin, DealLose},
}

// Target is the status move m leads to.
func (m DealMove) Target() DealStatus {
	return map[DealMove]DealStatus{DealApprove: DealApproved, DealReject: DealRejected, DealWin: DealWon, DealLose: DealLost}[m]
}

// Deciding reports whether m is the manager's decision (approve or reject),
// which only the deciding account — the partner's manager — makes; either
// side closes an approved deal won or lost.
func (m DealMove) Deciding() bool { return m == DealApprove || m == DealReject }

// CanMoveDeal reports whether a deal in status from may become to.
func CanMoveDeal(from, to DealStatus) bool {
	return slices.ContainsFunc(dealMoves[from], func(m DealMove) bool { return m.Target() == to })
}

// DealMoves lists the moves an actor may make on a deal in status s, in
// button order; deciding says whether the actor acts in the deciding account.
func DealMoves(s DealStatus, deciding bool) []DealMove {
	var out []DealMove
	for _, m := range dealMoves[s] {
		if deciding || !m.Deciding() {
			out = append(out, m)
		}
	}
	return out
}

// Limits of a deal's fields, in characters.
const (
	MaxCustomerNameLength = 200
	MaxDealNoteLength     = 2000
	MaxDealReasonLength   = 2000
)

// CheckDeal checks a deal registration's fields that need no store or
// clock — the customer, the figures (at least one; a value needs a
// currency), the close date's shape (not whether it is past), the note —
// and returns nil or an invalid error naming them as the API does
// ("expected_tb"). A nil figure is absent.
func CheckDeal(customerName string, expectedTB, expectedValue *decimal.Decimal, currency, closeDate, note string) error {
	fields := map[string]string{}
	if p := partnerkit.TextFieldProblem(strings.TrimSpace(customerName), true, false, MaxCustomerNameLength); p != "" {
		fields["customer_name"] = p
	}
	if p := partnerkit.TextFieldProblem(strings.TrimSpace(note), false, true, MaxDealNoteLength); p != "" {
		fields["note"] = p
	}
	if expectedTB == nil && expectedValue == nil {
		fields["expected_tb"] = "give the expected capacity or the expected value"
	}
	if expectedTB != nil {
		addFields(fields, CheckTB("expected_tb", *expectedTB, false))
	}
	if expectedValue != nil {
		addFields(fields, CheckMoney("expected_value", *expectedValue))
		addFields(fields, contractrules.CheckCurrency("currency", currency))
	}
	if strings.TrimSpace(closeDate) == "" {
		fields["close_date"] = partnerkit.ProblemRequired
	} else if _, err := time.Parse(time.DateOnly, closeDate); err != nil {
		fields["close_date"] = CloseDateProblem
	}
	return partnerkit.FieldErrors(fields)
}

// ParseOptional parses an optional decimal figure typed in a form: nil
// when s is blank, an invalid error naming field when it is not a number
// as the API's JSON decoding reads numbers (decimal.NewFromString).
func ParseOptional(field, s string) (*decimal.Decimal, error) {
	s = strings.TrimSpace(s)
	if s == "" {
		return nil, nil
	}
	d, err := decimal.NewFromString(s)
	if err != nil {
		return nil, partnerkit.FieldError(field, "must be a decimal number such as 12.5")
	}
	return &d, nil
}

// CloseDateProblem is the problem of a close date that is not a date.
const CloseDateProblem = "must be a date like 2026-12-31"

// ReasonProblem returns what is wrong with the reason of a decision that
// moves a deal to status to (multi-line, at most MaxDealReasonLength
// characters; required to reject), or "".
func ReasonProblem(to DealStatus, reason string) string {
	if to == DealRejected && partnerkit.IsBlank(reason) {
		return "is required to reject a deal"
	}
	return partnerkit.TextFieldProblem(strings.TrimSpace(reason), false, true, MaxDealReasonLength)
}

// addFields copies an invalid error's fields into fields, first one wins.
func addFields(fields map[string]string, err error) {
	for k, v := range partnerkit.ErrorFields(err) {
		if _, dup := fields[k]; !dup {
			fields[k] = v
		}
	}
}
