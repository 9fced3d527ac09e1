package contracts

import (
	"context"

	"github.com/partnerkit/partnerkit"
	"github.com/partnerkit/partnerkit/agreements"
	"github.com/partnerkit/partnerkit/partners"
)

// Partners is what the contracts domain asks of the partners domain; a
// *partners.Service provides it.
type Partners interface {
	partnerkit.Tenancy
	// GetPartner returns an account the actor may see.
	GetPartner(ctx context.Context, actor partnerkit.Actor, id string) (*partners.Account, error)
	// CreatePartner creates a partner managed by the actor's account (the wizard's first step).
	CreatePartner(ctx context.Context, actor partnerkit.Actor, in partners.CreatePartnerInput) (*partners.Account, error)
	// GrantTeamAccess makes users of the actor's team members of a new partner.
	GrantTeamAccess(ctx context.Context, actor partnerkit.Actor, accountID string, userIDs []string, all bool) ([]partners.Membership, error)
	// ActivateInvited turns an invited account into an active one with its first admin.
	ActivateInvited(ctx context.Context, accountID string, in partners.ActivateAccountInput) (*partners.Account, *partners.User, error)
	// LookupAccount returns an account with no tenancy check (for the holder of an invitation link).
	LookupAccount(ctx context.Context, id string) (*partners.Account, error)
	// AccountsByID returns the accounts among ids that exist, with no tenancy check (the names of a
	// list of contracts the actor may see).
	AccountsByID(ctx context.Context, ids []string) ([]partners.Account, error)
}

// Agreements is what the contracts domain asks of the agreements domain; an
// *agreements.Service provides it.
type Agreements interface {
	// Get returns an agreement the actor may see.
	Get(ctx context.Context, actor partnerkit.Actor, id string) (*agreements.Agreement, error)
	// List lists agreements the actor may see.
	List(ctx context.Context, actor partnerkit.Actor, f agreements.ListFilter) (partnerkit.List[agreements.Agreement], error)
	// Create creates an agreement of the actor's account (the wizard's second step).
	Create(ctx context.Context, actor partnerkit.Actor, in agreements.CreateInput) (*agreements.Agreement, error)
	// Lookup, LookupVersion and VersionDocument read with no tenancy check,
	// for a contract's partner and an invitation link's holder.
	Lookup(ctx context.Context, id string) (*agreements.Agreement, error)
	LookupVersion(ctx context.Context, id string, n int) (*agreements.Version, error)
	VersionDocument(ctx context.Context, id string, n int) (*agreements.Version, []byte, error)
}
