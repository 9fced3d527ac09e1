package resellers

import "github.com/partnerkit/partnerkit"

// GroupBys lists the groupings of analytics.
func GroupBys() []GroupBy { return []GroupBy{ByClient, ByService} }

// Granularities lists the analytics granularities.
func Granularities() []Granularity { return []Granularity{ByMonth, ByDay} }

// Enum lists the groupings of analytics (partnerkit.Enum).
func (b GroupBy) Enum() []string { return partnerkit.EnumStrings(GroupBys()) }

// Enum lists the analytics granularities (partnerkit.Enum).
func (g Granularity) Enum() []string { return partnerkit.EnumStrings(Granularities()) }
