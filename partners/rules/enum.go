package rules

import "github.com/partnerkit/partnerkit"

// Enum lists the account types (partnerkit.Enum).
func (t AccountType) Enum() []string { return partnerkit.EnumStrings(AccountTypes()) }

// Enum lists the account statuses (partnerkit.Enum).
func (s Status) Enum() []string { return partnerkit.EnumStrings(Statuses()) }
