package rules

import "github.com/partnerkit/partnerkit"

// WizardActions lists what the Create Partner wizard may do with the new partner.
func WizardActions() []Action { return []Action{ActionCreateAccount, ActionInvite} }

// EventTypes lists the types of a contract's history events.
func EventTypes() []EventType {
	return []EventType{EventCreated, EventSigned, EventActivated, EventRejected, EventTerminated, EventResigned}
}

// Enum lists the contract statuses (partnerkit.Enum).
func (s Status) Enum() []string { return partnerkit.EnumStrings(Statuses()) }

// Enum lists the invitation statuses (partnerkit.Enum).
func (s InvitationStatus) Enum() []string { return partnerkit.EnumStrings(InvitationStatuses()) }

// Enum lists the contract event types (partnerkit.Enum).
func (t EventType) Enum() []string { return partnerkit.EnumStrings(EventTypes()) }

// Enum lists the wizard's actions (partnerkit.Enum).
func (a Action) Enum() []string { return partnerkit.EnumStrings(WizardActions()) }
