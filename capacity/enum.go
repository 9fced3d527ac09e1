package capacity

import "github.com/partnerkit/partnerkit"

// Granularities lists the report granularities.
func Granularities() []Granularity { return []Granularity{ByDay, ByMonth} }

// Enum lists the report granularities (partnerkit.Enum).
func (g Granularity) Enum() []string { return partnerkit.EnumStrings(Granularities()) }
