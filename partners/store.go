package partners

import (
	"context"

	"github.com/partnerkit/partnerkit"
)

// Store persists accounts, users and memberships. It only stores: IDs,
// timestamps, validation, tenancy and every other rule live in Service, so
// each implementation stays simple and they cannot disagree on rules.
//
// Every implementation must pass storetest.Partners. Errors are
// *partnerkit.Error values with these codes:
//   - not_found when a looked-up row does not exist;
//   - conflict naming the field ("external_id", "email") when a unique value
//     is taken, and conflict when an optimistic version check fails;
//   - internal for anything else.
type Store interface {
	partnerkit.Transactor
	// AppendAudit stores an audit event of any domain.
	partnerkit.AuditLog
	// Sessions, API keys and sign-in failures.
	AuthStore

	// CreateAccount inserts a. Returns conflict on "external_id" when the
	// manager already has a partner with that non-empty external ID.
	CreateAccount(ctx context.Context, a *Account) error
	// GetAccount returns the account with the given ID, or not_found.
	GetAccount(ctx context.Context, id string) (*Account, error)
	// AccountsByID returns the accounts among ids that exist, in no order.
	AccountsByID(ctx context.Context, ids []string) ([]Account, error)
	// UpdateAccount writes every field of a if the stored version equals
	// a.Version, then sets a.Version to the next version. Returns not_found,
	// conflict on a version mismatch, or conflict on "external_id".
	UpdateAccount(ctx context.Context, a *Account) error
	// Dependents counts, by kind, what still refers to an account: its
	// partners, contracts, storage accounts, allocations, deals and usage
	// history. Kinds with none may be left out.
	Dependents(ctx context.Context, accountID string) (map[string]int, error)
	// DeleteAccount removes an account and its memberships, or not_found.
	DeleteAccount(ctx context.Context, id string) error
	// CountAccounts returns how many accounts exist in all.
	CountAccounts(ctx context.Context) (int, error)
	// Directory returns one page of the partners that q selects with their
	// counts, and the number of all partners it selects.
	Directory(ctx context.Context, q DirectoryQuery) ([]DirectoryEntry, int, error)

	// CreateUser inserts u. Returns conflict on "email" when it is taken.
	CreateUser(ctx context.Context, u *User) error
	// GetUser returns the user with the given ID, or not_found.
	GetUser(ctx context.Context, id string) (*User, error)
	// GetUserByEmail returns the user with the given normalized email, or not_found.
	GetUserByEmail(ctx context.Context, email string) (*User, error)

	// CreateMembership inserts m. Returns conflict on "user_id" when the user
	// is already a member of the account.
	CreateMembership(ctx context.Context, m *Membership) error
	// UpdateMembership writes a membership's role, or not_found.
	UpdateMembership(ctx context.Context, m *Membership) error
	// DeleteMembership removes a membership, or not_found.
	DeleteMembership(ctx context.Context, userID, accountID string) error
	// UserMemberships returns the memberships of a user, oldest first.
	UserMemberships(ctx context.Context, userID string) ([]Membership, error)
	// AccountMembers returns the members of an account with their users,
	// oldest membership first.
	AccountMembers(ctx context.Context, accountID string) ([]Member, error)

	// AuditTrail returns one page of the audit events of an entity, oldest
	// first, and how many there are in all.
	AuditTrail(ctx context.Context, entityID string, limit, offset int) ([]partnerkit.AuditEvent, int, error)
}
