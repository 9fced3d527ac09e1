package rules

import "github.com/partnerkit/partnerkit"

// Enum lists the agreement types (partnerkit.Enum).
func (t Type) Enum() []string { return partnerkit.EnumStrings(Types()) }

// Enum lists the document kinds (partnerkit.Enum).
func (k DocumentKind) Enum() []string { return partnerkit.EnumStrings(DocumentKinds()) }
