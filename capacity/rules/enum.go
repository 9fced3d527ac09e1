package rules

import "github.com/partnerkit/partnerkit"

// BillingModels lists the billing models.
func BillingModels() []BillingModel { return []BillingModel{BillingReserved, BillingPayPerUse} }

// StorageStatuses lists the storage account statuses.
func StorageStatuses() []StorageStatus {
	return []StorageStatus{StorageActive, StorageDeletionScheduled}
}

// Enum lists the billing models (partnerkit.Enum).
func (m BillingModel) Enum() []string { return partnerkit.EnumStrings(BillingModels()) }

// Enum lists the storage account statuses (partnerkit.Enum).
func (s StorageStatus) Enum() []string { return partnerkit.EnumStrings(StorageStatuses()) }

// Enum lists the deal statuses (partnerkit.Enum).
func (s DealStatus) Enum() []string { return partnerkit.EnumStrings(DealStatuses()) }
