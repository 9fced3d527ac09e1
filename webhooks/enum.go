package webhooks

import "github.com/partnerkit/partnerkit"

// Enum lists the delivery statuses (partnerkit.Enum).
func (s DeliveryStatus) Enum() []string { return partnerkit.EnumStrings(DeliveryStatuses()) }
