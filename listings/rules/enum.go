package rules

import "github.com/partnerkit/partnerkit"

// Statuses lists the listing statuses.
func Statuses() []Status { return []Status{StatusListed} }

// Enum lists the item types (partnerkit.Enum).
func (t ItemType) Enum() []string { return partnerkit.EnumStrings(ItemTypes()) }

// Enum lists the listing statuses (partnerkit.Enum).
func (s Status) Enum() []string { return partnerkit.EnumStrings(Statuses()) }
