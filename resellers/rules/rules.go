// Package rules is the vocabulary and the pure rules of the Reseller Store
// — billing periods, client and subscription statuses with their moves,
// event and charge kinds, the limits of catalog and client input, decimal
// prices and amounts — in code the WebAssembly PWA imports as it is. The
// resellers service and the PWA call the same functions: the buttons a
// subscription or a client shows are the moves the server accepts.
//
// It imports only the standard library, the root kernel and
// github.com/shopspring/decimal (enforced by .ci/check-deps). The resellers
// package re-exports every name, so the domain's API and JSON are
// unchanged.
package rules

import (
	"fmt"
	"slices"
	"strings"
	"time"

	"github.com/partnerkit/partnerkit"
	"github.com/shopspring/decimal"
)

// BillingPeriod is how long one paid period of a plan lasts.
type BillingPeriod string

// Billing periods.
const (
	Monthly BillingPeriod = "monthly"
	Annual  BillingPeriod = "annual"
)

// BillingPeriods lists every billing period, in the order forms offer them.
func BillingPeriods() []BillingPeriod { return []BillingPeriod{Monthly, Annual} }

// Valid reports whether p is a known billing period.
func (p BillingPeriod) Valid() bool { return slices.Contains(BillingPeriods(), p) }

// Label is the period's name for people ("Annual").
func (p BillingPeriod) Label() string {
	if p == "" {
		return ""
	}
	return strings.ToUpper(string(p[:1])) + string(p[1:])
}

// After returns the end of a period of p starting at t.
func (p BillingPeriod) After(t time.Time) time.Time {
	if p == Annual {
		return t.AddDate(1, 0, 0)
	}
	return t.AddDate(0, 1, 0)
}

// ClientStatus is where a client is in its life.
type ClientStatus string

// Client statuses.
const (
	ClientActive  ClientStatus = "active"
	ClientOnHold  ClientStatus = "on_hold"
	ClientDeleted ClientStatus = "deleted"
)

// Valid reports whether s is a known client status.
func (s ClientStatus) Valid() bool { return slices.Contains(ClientStatuses(), s) }

// clientMoves lists the legal status changes of a client, in button order.
var clientMoves = map[ClientStatus][]ClientStatus{
	ClientActive: {ClientOnHold, ClientDeleted},
	ClientOnHold: {ClientActive, ClientDeleted},
}

// ClientMoves lists the statuses a client in status s may move to:
// active ↔ on_hold, either → deleted (final).
func ClientMoves(s ClientStatus) []ClientStatus { return slices.Clone(clientMoves[s]) }

// CanMoveClient reports whether a client in status from may become to.
func CanMoveClient(from, to ClientStatus) bool { return slices.Contains(clientMoves[from], to) }

// MoveLabel is the button text of the move to status s ("put on hold").
func (s ClientStatus) MoveLabel() string {
	return map[ClientStatus]string{ClientOnHold: "put on hold", ClientDeleted: "delete", ClientActive: "reactivate"}[s]
}

// Status is where a subscription is in its life.
type Status string

// Subscription statuses.
const (
	// StatusActive is a running subscription.
	StatusActive Status = "active"
	// StatusStopped is a subscription a manager stopped; Activate resumes it.
	StatusStopped Status = "stopped"
	// StatusExpired is a subscription whose period ended without renewal;
	// Renew revives it.
	StatusExpired Status = "expired"
)

// Valid reports whether s is a known subscription status.
func (s Status) Valid() bool { return slices.Contains(Statuses(), s) }

// CanChangeResources reports whether a subscription in status s takes new
// resource amounts: only an active one.
func (s Status) CanChangeResources() bool { return s == StatusActive }

// Move is an action on a subscription, named as the API's path names it
// (POST /subscriptions/{id}/stop).
type Move string

// Subscription moves.
const (
	// MoveStop stops an active subscription.
	MoveStop Move = "stop"
	// MoveActivate resumes a stopped subscription (whose period has not
	// ended and whose client is active).
	MoveActivate Move = "activate"
	// MoveRenew extends an active or expired subscription by one period.
	MoveRenew Move = "renew"
)

// moves lists, in button order, each move and the statuses it starts from.
var moves = []struct {
	move Move
	from []Status
}{
	{MoveStop, []Status{StatusActive}},
	{MoveRenew, []Status{StatusActive, StatusExpired}},
	{MoveActivate, []Status{StatusStopped}},
}

// CanMove reports whether a subscription in status s allows move m. The
// service checks what else a move needs (an active client, a period not
// yet ended).
func CanMove(m Move, s Status) bool {
	for _, x := range moves {
		if x.move == m {
			return slices.Contains(x.from, s)
		}
	}
	return false
}

// Moves lists the moves a subscription in status s allows, in button
// order: active → stop, renew; stopped → activate; expired → renew.
func Moves(s Status) []Move {
	var out []Move
	for _, x := range moves {
		if slices.Contains(x.from, s) {
			out = append(out, x.move)
		}
	}
	return out
}

// EventType names what happened to a subscription.
type EventType string

// Subscription event types.
const (
	EventOrdered           EventType = "ordered"
	EventStopped           EventType = "stopped"
	EventActivated         EventType = "activated"
	EventRenewed           EventType = "renewed"
	EventExpired           EventType = "expired"
	EventResourcesChanged  EventType = "resources_changed"
	EventDecreaseScheduled EventType = "decrease_scheduled"
)

// ChargeKind says why a charge was billed.
type ChargeKind string

// Charge kinds.
const (
	ChargeOrder    ChargeKind = "order"
	ChargeRenewal  ChargeKind = "renewal"
	ChargeIncrease ChargeKind = "increase"
)

// Limits of catalog and client input. Text limits count characters (runes).
const (
	MaxPlans     = 20
	MaxResources = 20
	MaxTrialDays = 366
	// DecimalPlaces is the most decimal places of a price or an amount.
	DecimalPlaces = 6

	MaxServiceNameLength  = 200
	MaxDescriptionLength  = 2000
	MaxPlanNameLength     = 200
	MaxResourceNameLength = 100
	MaxUnitLength         = 50
	MaxClientNameLength   = 200
)

// MaxPrice and MaxAmount bound a unit price and a resource amount.
var (
	MaxPrice  = decimal.New(1, 12)
	MaxAmount = decimal.New(1, 12)
)

// DecimalProblem returns what is wrong with a price or an amount — not
// negative, at most limit, at most DecimalPlaces places — or "".
func DecimalProblem(d, limit decimal.Decimal) string {
	switch {
	case d.IsNegative():
		return "must not be negative"
	case d.GreaterThan(limit):
		return "is too large"
	case d.Exponent() < -DecimalPlaces && !d.Equal(d.Round(DecimalPlaces)):
		return fmt.Sprintf("must have at most %d decimal places", DecimalPlaces)
	}
	return ""
}

// NumberProblem is the problem of a figure that is not a decimal number.
const NumberProblem = "must be a decimal number like 4.50"

// ParseDecimal reads a price or an amount typed in a form as the API's JSON
// decoding reads it (decimal.NewFromString, spaces trimmed; blank is 0) and
// returns it with its problem under DecimalProblem, or NumberProblem.
func ParseDecimal(s string, limit decimal.Decimal) (decimal.Decimal, string) {
	s = strings.TrimSpace(s)
	if s == "" {
		return decimal.Zero, ""
	}
	d, err := decimal.NewFromString(s)
	if err != nil {
		return d, NumberProblem
	}
	return d, DecimalProblem(d, limit)
}

// AmountProblem returns what is wrong with an ordered amount of a plan's
// resource whose limits are lo and hi (hi 0: no limit) in unit, or "".
func AmountProblem(amount, lo, hi decimal.Decimal, unit string) string {
	switch {
	case amount.IsNegative():
		return "must not be negative"
	case amount.LessThan(lo):
		return fmt.Sprintf("must be at least %s %s", lo, unit)
	case hi.IsPositive() && amount.GreaterThan(hi):
		return fmt.Sprintf("must be at most %s %s", hi, unit)
	case !amount.Equal(amount.Round(DecimalPlaces)):
		return fmt.Sprintf("must have at most %d decimal places", DecimalPlaces)
	}
	return ""
}

// TrialDaysProblem returns what is wrong with a plan's trial length, or "".
func TrialDaysProblem(days int) string {
	if days < 0 || days > MaxTrialDays {
		return fmt.Sprintf("must be between 0 and %d", MaxTrialDays)
	}
	return ""
}

// RangeProblem returns what is wrong with a resource's limits: a positive
// max below min (0 means no limit), or "".
func RangeProblem(lo, hi decimal.Decimal) string {
	if hi.IsPositive() && hi.LessThan(lo) {
		return "must not be below min (0 means no limit)"
	}
	return ""
}

// DescriptionProblem returns what is wrong with a service's description
// (multi-line, at most MaxDescriptionLength characters), or "".
func DescriptionProblem(s string) string {
	return partnerkit.TextFieldProblem(strings.TrimSpace(s), false, true, MaxDescriptionLength)
}

// TextProblem returns what is wrong with a single-line catalog or client text field of
// at most max characters (trimmed first, as it is stored), or "".
func TextProblem(s string, required bool, max int) string {
	return partnerkit.TextFieldProblem(strings.TrimSpace(s), required, false, max)
}

// DefaultCurrency is the currency of a catalog service created without
// one (resellers.DefaultCurrency).
const DefaultCurrency = "USD"
