package rules

import "github.com/partnerkit/partnerkit"

// ClientStatuses lists the client statuses.
func ClientStatuses() []ClientStatus {
	return []ClientStatus{ClientActive, ClientOnHold, ClientDeleted}
}

// Statuses lists the subscription statuses.
func Statuses() []Status { return []Status{StatusActive, StatusStopped, StatusExpired} }

// EventTypes lists the types of a subscription's history events.
func EventTypes() []EventType {
	return []EventType{EventOrdered, EventStopped, EventActivated, EventRenewed, EventExpired,
		EventResourcesChanged, EventDecreaseScheduled}
}

// ChargeKinds lists the kinds of charge lines.
func ChargeKinds() []ChargeKind { return []ChargeKind{ChargeOrder, ChargeRenewal, ChargeIncrease} }

// Enum lists the billing periods (partnerkit.Enum).
func (p BillingPeriod) Enum() []string { return partnerkit.EnumStrings(BillingPeriods()) }

// Enum lists the client statuses (partnerkit.Enum).
func (s ClientStatus) Enum() []string { return partnerkit.EnumStrings(ClientStatuses()) }

// Enum lists the subscription statuses (partnerkit.Enum).
func (s Status) Enum() []string { return partnerkit.EnumStrings(Statuses()) }

// Enum lists the subscription event types (partnerkit.Enum).
func (t EventType) Enum() []string { return partnerkit.EnumStrings(EventTypes()) }

// Enum lists the charge kinds (partnerkit.Enum).
func (k ChargeKind) Enum() []string { return partnerkit.EnumStrings(ChargeKinds()) }
