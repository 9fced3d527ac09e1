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
	"encoding/json"
	"maps"
	"reflect"
	"slices"
	"strconv"
	"strings"
	"time"

	"github.com/partnerkit/partnerkit"
	"github.com/partnerkit/partnerkit/partners/rules"
)

// The vocabulary and pure rules of the domain live in partners/rules, which
// the WebAssembly PWA imports without validator; these names re-export it.

// AccountType is the kind of organization an account is.
type AccountType = rules.AccountType

// Account types.
const (
	TypeProvider    = rules.TypeProvider
	TypeDistributor = rules.TypeDistributor
	TypeVendor      = rules.TypeVendor
	TypeReseller    = rules.TypeReseller
	TypeCustomer    = rules.TypeCustomer
)

// AccountTypes lists every account type.
func AccountTypes() []AccountType { return rules.AccountTypes() }

// Status is where an account is in its life.
type Status = rules.Status

// Account statuses (see rules.Status).
const (
	StatusInvited    = rules.StatusInvited
	StatusActive     = rules.StatusActive
	StatusSuspended  = rules.StatusSuspended
	StatusTerminated = rules.StatusTerminated
)

// Statuses lists every account status.
func Statuses() []Status { return rules.Statuses() }

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

// Counts are the directory's figures of one partner, by name. The partners
// domain names none of them: each later domain's store contributes its own
// when it is built (contracts: "signed_contracts", "agreements"; listings:
// "listings"), and a figure no store contributes is absent.
type Counts map[string]int

// DirectoryEntry is one row of the partner directory. In JSON the counts
// sit beside the account's fields ({"id": …, "signed_contracts": 2}).
type DirectoryEntry struct {
	Account
	// Counts are the partner's figures.
	Counts Counts `json:"-"`
}

// MarshalJSON writes the account's fields and then the counts, in name order.
func (e DirectoryEntry) MarshalJSON() ([]byte, error) {
	b, err := appendAccountJSON(make([]byte, 0, 512), &e.Account)
	if err != nil || len(e.Counts) == 0 {
		return b, err
	}
	b = b[:len(b)-1]    // drop the closing brace
	var names [8]string // (the few counts, without allocating)
	sorted := slices.AppendSeq(names[:0], maps.Keys(e.Counts))
	slices.Sort(sorted)
	for _, name := range sorted {
		b = append(b, ',')
		b = appendJSONString(b, name)
		b = append(b, ':')
		b = strconv.AppendInt(b, int64(e.Counts[name]), 10)
	}
	return append(b, '}'), nil
}

// UnmarshalJSON reads what MarshalJSON writes: the account's fields, and
// every other field whose value is a whole number as a count.
func (e *DirectoryEntry) UnmarshalJSON(data []byte) error {
	if err := json.Unmarshal(data, &e.Account); err != nil {
		return err
	}
	var fields map[string]json.RawMessage
	if err := json.Unmarshal(data, &fields); err != nil {
		return err
	}
	e.Counts = Counts{}
	for name, raw := range fields {
		if accountFields[name] {
			continue
		}
		if n, err := strconv.Atoi(string(raw)); err == nil {
			e.Counts[name] = n
		}
	}
	return nil
}

// accountFields are the JSON names of Account's fields.
var accountFields = func() map[string]bool {
	names := map[string]bool{}
	t := reflect.TypeOf(Account{})
	for i := range t.NumField() {
		if name, _, _ := strings.Cut(t.Field(i).Tag.Get("json"), ","); name != "" && name != "-" {
			names[name] = true
		}
	}
	return names
}()

// Sort orders the directory (see partnerkit.Sort).
type Sort = rules.Sort

// Directory sort orders. Ties are broken by ID, so pages never overlap.
const (
	SortName          = rules.SortName
	SortNameDesc      = rules.SortNameDesc
	SortCreatedAt     = rules.SortCreatedAt
	SortCreatedAtDesc = rules.SortCreatedAtDesc
)

// DirectoryOrder is how the directory sorts: by name (the default) or
// creation time, either way up.
var DirectoryOrder = rules.DirectoryOrder

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
	// SkipTotal spares the store the total: it returns -1 instead.
	SkipTotal bool
}
