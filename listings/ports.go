package listings

import (
	"context"

	"github.com/partnerkit/partnerkit"
	"github.com/partnerkit/partnerkit/contracts"
	"github.com/partnerkit/partnerkit/partners"
)

// Partners is what the listings domain asks of the partners domain; a
// *partners.Service provides it.
type Partners interface {
	partnerkit.Tenancy
	// GetPartner returns an account the actor may see.
	GetPartner(ctx context.Context, actor partnerkit.Actor, id string) (*partners.Account, error)
}

// Contracts is what the listings domain asks of the contracts domain; a
// *contracts.Service provides it.
type Contracts interface {
	// Marketplace returns a marketplace the actor may see.
	Marketplace(ctx context.Context, actor partnerkit.Actor, id string) (*contracts.Marketplace, error)
	// LookupMarketplace returns a marketplace with no tenancy check.
	LookupMarketplace(ctx context.Context, id string) (*contracts.Marketplace, error)
	// HasActiveDistribution reports whether a vendor holds an active
	// distribution contract on a marketplace.
	HasActiveDistribution(ctx context.Context, vendorID, marketplaceID string) (bool, error)
}
