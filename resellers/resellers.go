// Package resellers is the Reseller Store: a catalog of cloud services that
// providers (vendors, distributors) offer to the resellers they hold an
// active contract with, the resellers' clients (end customers),
// subscriptions ordered for those clients and their lifecycle (order, stop,
// activate, renew, change resource amounts), the charges billed to the
// reseller — never to the client — and cost and consumption analytics.
//
// Billing rules, fixed here once:
//
//   - Prices are decimals (never floats). A subscription keeps the plan's
//     unit prices of the time it was ordered; later catalog edits apply to
//     new orders only.
//   - Ordering charges each resource for the whole first period: unit price
//     × amount. During a trial the charges are zero-priced.
//   - Renewing charges each resource for the next period at its (new)
//     amount; decreases scheduled for renewal take effect first.
//   - An increase is charged for the rest of the current period only:
//     unit price × added amount × remaining days / period days (the
//     fraction rounded to 6 places, the amount to 2).
//   - A decrease never refunds and records no charge: it applies at once,
//     or, when the plan says DecreaseAtRenewal, is scheduled and applied at
//     the next renewal.
package resellers

import (
	"slices"
	"time"

	"github.com/partnerkit/partnerkit/resellers/rules"
	"github.com/shopspring/decimal"
)

// ID prefixes of the Reseller Store's entities.
const (
	PrefixService      = "SVC"
	PrefixPlan         = "PLN"
	PrefixClient       = "CLI"
	PrefixSubscription = "SUB"
	PrefixCharge       = "CHG"
	PrefixEvent        = "SEV"
)

// The vocabulary and pure rules of the domain live in resellers/rules,
// which the WebAssembly PWA imports without validator; these names
// re-export it.

// BillingPeriod is how long one paid period of a plan lasts.
type BillingPeriod = rules.BillingPeriod

// Billing periods (see rules.BillingPeriod).
const (
	Monthly = rules.Monthly
	Annual  = rules.Annual
)

// CatalogService is a cloud service of the catalog.
type CatalogService struct {
	// ID is the opaque service ID ("SVC-…").
	ID string `json:"id"`
	// ProviderID is the vendor or distributor account that offers the service.
	ProviderID string `json:"provider_id"`
	// Name is the service's name.
	Name string `json:"name"`
	// Description is free text.
	Description string `json:"description"`
	// Currency is the three-letter ISO 4217 code of the plans' unit
	// prices and of the charges they make ("USD").
	Currency string `json:"currency"`
	// Plans are the ways to buy the service; at least one.
	Plans []Plan `json:"plans"`
	// CreatedAt and UpdatedAt are in UTC.
	CreatedAt time.Time `json:"created_at"`
	UpdatedAt time.Time `json:"updated_at"`
	// Version increases on every change (optimistic locking).
	Version int `json:"version"`
}

// DefaultCurrency is the currency of a service created without one.
const DefaultCurrency = rules.DefaultCurrency

// Plan returns the service's plan with the given ID.
func (s *CatalogService) Plan(id string) (*Plan, bool) {
	i := slices.IndexFunc(s.Plans, func(p Plan) bool { return p.ID == id })
	if i < 0 {
		return nil, false
	}
	return &s.Plans[i], true
}

// Plan is one way to buy a service: a billing period and priced resources.
type Plan struct {
	// ID is the opaque plan ID ("PLN-…").
	ID string `json:"id"`
	// Name is the plan's name.
	Name string `json:"name"`
	// BillingPeriod is monthly or annual.
	BillingPeriod BillingPeriod `json:"billing_period"`
	// TrialDays is the length of a free trial; 0 means none.
	TrialDays int `json:"trial_days"`
	// DecreaseAtRenewal makes resource decreases take effect at the next
	// renewal instead of at once.
	DecreaseAtRenewal bool `json:"decrease_at_renewal"`
	// AutoRenew makes subscriptions ordered on the plan renew for the next
	// period at their period end instead of expiring (copied to each
	// subscription at order time, where the reseller may change it).
	AutoRenew bool `json:"auto_renew"`
	// Resources are the plan's priced resources; at least one.
	Resources []PlanResource `json:"resources"`
}

// Resource returns the plan's resource with the given name.
func (p *Plan) Resource(name string) (*PlanResource, bool) {
	i := slices.IndexFunc(p.Resources, func(r PlanResource) bool { return r.Name == name })
	if i < 0 {
		return nil, false
	}
	return &p.Resources[i], true
}

// PlanResource is one resource of a plan, priced per unit and period.
type PlanResource struct {
	// Name names the resource ("mailboxes"); unique within the plan.
	Name string `json:"name"`
	// Unit is what one unit is ("user", "GB").
	Unit string `json:"unit"`
	// UnitPrice is the price of one unit for one billing period.
	UnitPrice decimal.Decimal `json:"unit_price"`
	// Min is the smallest amount that may be ordered (0 or more).
	Min decimal.Decimal `json:"min"`
	// Max is the largest amount that may be ordered; 0 means no limit.
	Max decimal.Decimal `json:"max"`
}

// ClientStatus is where a client is in its life.
type ClientStatus = rules.ClientStatus

// Client statuses (see rules.ClientStatus).
const (
	ClientActive  = rules.ClientActive
	ClientOnHold  = rules.ClientOnHold
	ClientDeleted = rules.ClientDeleted
)

// Client is a customer of a reseller, for whom it orders subscriptions.
type Client struct {
	// ID is the opaque client ID ("CLI-…").
	ID string `json:"id"`
	// PartnerID is the reseller account the client belongs to.
	PartnerID string `json:"partner_id"`
	// Name is the client's name.
	Name string `json:"name"`
	// Email is the client's contact email, lower-case; may be empty.
	Email string `json:"email"`
	// Status is active, on_hold or deleted.
	Status ClientStatus `json:"status"`
	// CreatedAt and UpdatedAt are in UTC.
	CreatedAt time.Time `json:"created_at"`
	UpdatedAt time.Time `json:"updated_at"`
	// Version increases on every change (optimistic locking).
	Version int `json:"version"`
}

// Status is where a subscription is in its life.
type Status = rules.Status

// Subscription statuses (see rules.Status).
const (
	// StatusActive is a running subscription.
	StatusActive = rules.StatusActive
	// StatusStopped is a subscription a manager stopped; Activate resumes it.
	StatusStopped = rules.StatusStopped
	// StatusExpired is a subscription whose period ended without renewal;
	// Renew revives it.
	StatusExpired = rules.StatusExpired
)

// Amount is an amount of one resource of a subscription.
type Amount struct {
	// Name names the plan resource.
	Name string `json:"name"`
	// Unit is the resource's unit.
	Unit string `json:"unit"`
	// Amount is how many units.
	Amount decimal.Decimal `json:"amount"`
	// UnitPrice is the unit price the subscription was ordered at.
	UnitPrice decimal.Decimal `json:"unit_price"`
}

// Subscription is a service plan ordered by a reseller for one client.
type Subscription struct {
	// ID is the opaque subscription ID ("SUB-…").
	ID string `json:"id"`
	// PartnerID is the reseller that ordered it and is billed.
	PartnerID string `json:"partner_id"`
	// ClientID is the client it was ordered for.
	ClientID string `json:"client_id"`
	// ServiceID, PlanID and ProviderID name what was ordered from whom.
	ServiceID  string `json:"service_id"`
	PlanID     string `json:"plan_id"`
	ProviderID string `json:"provider_id"`
	// ServiceName and PlanName are copied at order time, for lists.
	ServiceName string `json:"service_name"`
	PlanName    string `json:"plan_name"`
	// Currency is the service's ISO 4217 code at order time: its unit
	// prices' and its charges' ("USD").
	Currency string `json:"currency"`
	// BillingPeriod is the plan's billing period.
	BillingPeriod BillingPeriod `json:"billing_period"`
	// DecreaseAtRenewal is the plan's rule for decreases.
	DecreaseAtRenewal bool `json:"decrease_at_renewal"`
	// AutoRenew renews the subscription for the next period at its period
	// end (see Service.RunPeriodEnds); off, it expires then. Copied from
	// the plan at order time; the reseller changes it with
	// Service.UpdateSubscription.
	AutoRenew bool `json:"auto_renew"`
	// Status is active, stopped or expired.
	Status Status `json:"status"`
	// Resources are the current amounts.
	Resources []Amount `json:"resources"`
	// Scheduled are decreases that take effect at the next renewal.
	Scheduled []Amount `json:"scheduled,omitempty"`
	// TrialEndsAt is the end of the free trial, if the plan has one.
	TrialEndsAt *time.Time `json:"trial_ends_at,omitempty"`
	// PeriodStart and PeriodEnd bound the current (paid or trial) period.
	PeriodStart time.Time `json:"period_start"`
	PeriodEnd   time.Time `json:"period_end"`
	// CreatedAt and UpdatedAt are in UTC.
	CreatedAt time.Time `json:"created_at"`
	UpdatedAt time.Time `json:"updated_at"`
	// Version increases on every change (optimistic locking).
	Version int `json:"version"`
}

// InTrial reports whether t falls within the subscription's trial.
func (s *Subscription) InTrial(t time.Time) bool {
	return s.TrialEndsAt != nil && t.Before(*s.TrialEndsAt)
}

// EventType names what happened to a subscription.
type EventType = rules.EventType

// Subscription event types (see rules.EventType).
const (
	EventOrdered           = rules.EventOrdered
	EventStopped           = rules.EventStopped
	EventActivated         = rules.EventActivated
	EventRenewed           = rules.EventRenewed
	EventExpired           = rules.EventExpired
	EventResourcesChanged  = rules.EventResourcesChanged
	EventDecreaseScheduled = rules.EventDecreaseScheduled
)

// Event is one entry of a subscription's status history.
type Event struct {
	// ID is the opaque event ID ("SEV-…").
	ID string `json:"id"`
	// SubscriptionID is the subscription.
	SubscriptionID string `json:"subscription_id"`
	// PartnerID is the subscription's reseller.
	PartnerID string `json:"partner_id"`
	// Seq numbers the subscription's events from 1, in order.
	Seq int `json:"seq"`
	// Type says what happened.
	Type EventType `json:"type"`
	// From is the status before (empty on order); To the status after.
	From Status `json:"from,omitempty"`
	To   Status `json:"to"`
	// Resources are the amounts in effect after the event.
	Resources []Amount `json:"resources"`
	// Actor is the user or API key that acted ("system" for the
	// scheduled period-end rule).
	Actor string `json:"actor"`
	// At is when it happened (UTC).
	At time.Time `json:"at"`
}

// ChargeKind says why a charge was billed.
type ChargeKind = rules.ChargeKind

// Charge kinds (see rules.ChargeKind).
const (
	ChargeOrder    = rules.ChargeOrder
	ChargeRenewal  = rules.ChargeRenewal
	ChargeIncrease = rules.ChargeIncrease
)

// Charge is one line billed to a reseller for one resource of a
// subscription: Amount = UnitPrice × Quantity × Fraction, rounded to 2
// places.
type Charge struct {
	// ID is the opaque charge ID ("CHG-…").
	ID string `json:"id"`
	// PartnerID is the reseller billed.
	PartnerID string `json:"partner_id"`
	// ClientID, SubscriptionID and ServiceID say what the charge is for.
	ClientID       string `json:"client_id"`
	SubscriptionID string `json:"subscription_id"`
	ServiceID      string `json:"service_id"`
	// Kind is order, renewal or increase.
	Kind ChargeKind `json:"kind"`
	// Resource and Unit name the resource charged.
	Resource string `json:"resource"`
	Unit     string `json:"unit"`
	// Quantity is how many units are charged.
	Quantity decimal.Decimal `json:"quantity"`
	// UnitPrice is the price of a unit for a whole period (0 in a trial).
	UnitPrice decimal.Decimal `json:"unit_price"`
	// Fraction is the share of the period charged (1, or less for an increase).
	Fraction decimal.Decimal `json:"fraction"`
	// Amount is what the reseller pays, in Currency.
	Amount decimal.Decimal `json:"amount"`
	// Currency is the ISO 4217 code of UnitPrice and Amount: the
	// subscription's.
	Currency string `json:"currency"`
	// PeriodStart and PeriodEnd bound the period charged.
	PeriodStart time.Time `json:"period_start"`
	PeriodEnd   time.Time `json:"period_end"`
	// Description is a line for an invoice.
	Description string `json:"description"`
	// CreatedAt is when the charge was billed (UTC).
	CreatedAt time.Time `json:"created_at"`
}
