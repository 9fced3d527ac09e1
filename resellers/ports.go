package resellers

import (
	"context"

	"github.com/partnerkit/partnerkit"
)

// Partners is what the Reseller Store asks of the partners domain; a
// *partners.Service provides it.
type Partners interface {
	partnerkit.Tenancy
}

// Contracts is what the Reseller Store asks of the contracts domain; a
// *contracts.Service provides it.
type Contracts interface {
	// ActiveContractOwners returns the accounts that hold an active
	// contract with a partner: the providers whose catalog it buys from.
	ActiveContractOwners(ctx context.Context, partnerID string) ([]string, error)
}
