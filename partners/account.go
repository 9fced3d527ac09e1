// Package partners holds the accounts of a channel — providers,
// distributors, vendors, resellers and customers — with their contacts,
// users, memberships and roles, the partner directory, and the tenancy rule
// that an actor sees only its own account and the accounts it manages.
//
// The package holds types, validation and business rules and a storage
// interface (Store). It imports no database, HTTP or UI code: pick a store
// from partners/memstore (in memory) or partners/bunstore (SQLite and
// PostgreSQL through Bun).
package partners

import (
	"slices"
	"strings"
	"time"

	"github.com/partnerkit/partnerkit"
)

// AccountType is the kind of organization an account is.
type AccountType string

// Account types.
const (
	TypeProvider    AccountType = "provider"
	TypeDistributor AccountType = "distributor"
	TypeVendor      AccountType = "vendor"
	TypeReseller    AccountType = "reseller"
	TypeCustomer    AccountType = "customer"
)

// AccountTypes lists every account type.
func AccountTypes() []AccountType {
	return []AccountType{TypeProvider, TypeDistributor, TypeVendor, TypeReseller, TypeCustomer}
}

// Valid reports whether t is a known account type.
func (t AccountType) Valid() bool { return slices.Contains(AccountTypes(), t) }

// managedTypes says which types of partner an account of a given type may
// create and manage.
var managedTypes = map[AccountType][]AccountType{
	TypeProvider:    {TypeDistributor, TypeVendor, TypeReseller},
	TypeDistributor: {TypeVendor, TypeReseller},
	TypeReseller:    {TypeCustomer},
}

// CanManage reports whether an account of type t may create partners of type p.
func (t AccountType) CanManage(p AccountType) bool { return slices.Contains(managedTypes[t], p) }

// ManagedTypes lists the partner types an account of type t may create.
func (t AccountType) ManagedTypes() []AccountType { return slices.Clone(managedTypes[t]) }

// Status is where an account is in its life.
type Status string

// Account statuses.
const (
	// StatusInvited: created with an invitation link that is not yet used.
	StatusInvited Status = "invited"
	// StatusActive: signed up and working.
	StatusActive Status = "active"
	// StatusSuspended: temporarily blocked by its manager; can be reactivated.
	StatusSuspended Status = "suspended"
	// StatusTerminated: the partnership has ended; final.
	StatusTerminated Status = "terminated"
)

// Statuses lists every account status.
func Statuses() []Status {
	return []Status{StatusInvited, StatusActive, StatusSuspended, StatusTerminated}
}

// Valid reports whether s is a known status.
func (s Status) Valid() bool { return slices.Contains(Statuses(), s) }

// Contact is a person to reach at a partner.
type Contact struct {
	// Name is the contact's full name.
	Name string `json:"name" validate:"max=100"`
	// Email is the contact's email address.
	Email string `json:"email" validate:"omitempty,email,max=254"`
	// Phone is the contact's phone number, free form.
	Phone string `json:"phone" validate:"max=32"`
}

// Account is an organization: the provider at the root of a tree, or a
// partner managed by the account that created or invited it.
type Account struct {
	// ID is the opaque account ID ("PA-…").
	ID string `json:"id"`
	// Type is the kind of organization.
	Type AccountType `json:"type"`
	// Name is the display name shown in the directory.
	Name string `json:"name"`
	// LegalName is the legal company name with its entity type ("Champions Corp").
	LegalName string `json:"legal_name,omitempty"`
	// ExternalID is the manager's own ID for this partner; unique per manager.
	ExternalID string `json:"external_id,omitempty"`
	// Status is the account's status.
	Status Status `json:"status"`
	// ManagerID is the managing account; empty for a root account.
	ManagerID string `json:"manager_id,omitempty"`
	// Path lists the IDs from the root account down to this one, as
	// "/PA-root/PA-manager/PA-self/". It makes tenancy checks one lookup.
	Path string `json:"-"`
	// BusinessContact is who to reach for business matters.
	BusinessContact Contact `json:"business_contact"`
	// TechnicalContact is who to reach for technical matters.
	TechnicalContact Contact `json:"technical_contact"`
	// CreatedAt is when the account was created (UTC).
	CreatedAt time.Time `json:"created_at"`
	// UpdatedAt is when the account last changed (UTC).
	UpdatedAt time.Time `json:"updated_at"`
	// Version increases by one on every change (optimistic locking).
	Version int `json:"version"`
}

// SearchName returns the normalized form of a name that directory search
// and sorting use, so every store orders and matches names the same way.
func SearchName(name string) string { return strings.ToLower(strings.TrimSpace(name)) }

// VisibleTo reports whether the account is accountID itself or managed by it,
// directly or further down the tree.
func (a *Account) VisibleTo(accountID string) bool {
	return accountID != "" && (a.ID == accountID || strings.Contains(a.Path, "/"+accountID+"/"))
}

// Counts are the directory's figures for one partner.
type Counts struct {
	// SignedContracts counts the partner's contracts that are signed or active.
	SignedContracts int `json:"signed_contracts"`
	// Agreements counts the distinct agreements the partner has contracts for.
	Agreements int `json:"agreements"`
	// Listings counts the partner's product listings.
	Listings int `json:"listings"`
}

// DirectoryEntry is one row of the partner directory.
type DirectoryEntry struct {
	Account
	Counts
}

// Sort orders the directory (see partnerkit.Sort).
type Sort = partnerkit.Sort

// Directory sort orders. Ties are broken by ID, so pages never overlap.
const (
	SortName          Sort = "name"
	SortNameDesc      Sort = "-name"
	SortCreatedAt     Sort = "created_at"
	SortCreatedAtDesc Sort = "-created_at"
)

// DirectoryOrder is how the directory sorts: by name (the default) or
// creation time, either way up.
var DirectoryOrder = partnerkit.Order{Fields: []string{"name", "created_at"}, Default: SortName}

// AuditOrder is how an audit trail sorts: by time, oldest first by default.
var AuditOrder = partnerkit.Order{Fields: []string{"at"}, Default: "at"}

// Sorts lists the directory sort orders.
func Sorts() []Sort { return DirectoryOrder.Sorts() }

// DirectoryQuery is what a Store is asked for: the service has already
// resolved tenancy and validated every field.
type DirectoryQuery struct {
	// ManagerID selects the partners managed directly by this account.
	ManagerID string
	// NameContains keeps partners whose SearchName contains it (already normalized); empty keeps all.
	NameContains string
	// Type keeps one type; empty keeps all.
	Type AccountType
	// Status keeps one status; empty keeps all.
	Status Status
	// Sort is the order; empty means SortName.
	Sort Sort
	// Limit and Offset select the page.
	Limit, Offset int
}
