package listings

import "github.com/partnerkit/partnerkit"

// PricingModels lists the pricing models of offer plans.
func PricingModels() []PricingModel { return []PricingModel{PricingPerUser, PricingFlatRate} }

// Enum lists the pricing models (partnerkit.Enum).
func (m PricingModel) Enum() []string { return partnerkit.EnumStrings(PricingModels()) }
