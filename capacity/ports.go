package capacity

import (
	"context"

	"github.com/partnerkit/partnerkit"
	"github.com/partnerkit/partnerkit/contracts"
	"github.com/partnerkit/partnerkit/partners"
)

// Partners is what the capacity domain asks of the partners domain; a
// *partners.Service provides it.
type Partners interface {
	partnerkit.Tenancy
	// GetPartner returns an account the actor may see.
	GetPartner(ctx context.Context, actor partnerkit.Actor, id string) (*partners.Account, error)
	// AccountsByID returns the accounts among ids, with no tenancy check
	// (usage ingestion checks each with Account.VisibleTo).
	AccountsByID(ctx context.Context, ids []string) ([]partners.Account, error)
}

// Contracts is what the capacity domain asks of the contracts domain; a
// *contracts.Service provides it.
type Contracts interface {
	// Get returns a contract the actor may see.
	Get(ctx context.Context, actor partnerkit.Actor, id string) (*contracts.Contract, error)
	// ListAll returns every contract of an account the actor may see.
	ListAll(ctx context.Context, actor partnerkit.Actor, accountID string) ([]contracts.Contract, error)
}
