// Package rules is the vocabulary and the pure rules of the partners domain
// — account types and which of them a manager may create, account statuses
// and their moves, the limits of a partner's fields, the password policy,
// the directory's sort orders — in code the WebAssembly PWA imports as it
// is. The partners service and the PWA call the same functions, so the
// form and the server cannot disagree.
//
// It imports only the standard library and the root kernel: no validator,
// no database, no HTTP (enforced by .ci/check-deps). The partners package
// re-exports every name (partners.AccountType is rules.AccountType), so
// the domain's API and JSON are unchanged.
package rules

import (
	"fmt"
	"slices"
	"strings"

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

// Label is the type's name for people ("Distributor").
func (t AccountType) Label() string { return label(string(t)) }

// managedTypes says which types of partner an account of a given type may
// create and manage, in the order forms offer them.
var managedTypes = map[AccountType][]AccountType{
	TypeProvider:    {TypeDistributor, TypeVendor, TypeReseller},
	TypeDistributor: {TypeVendor, TypeReseller},
	TypeReseller:    {TypeCustomer},
}

// CanManage reports whether an account of type t may create partners of type p.
func (t AccountType) CanManage(p AccountType) bool { return slices.Contains(managedTypes[t], p) }

// ManagedTypes lists the partner types an account of type t may create.
func (t AccountType) ManagedTypes() []AccountType { return slices.Clone(managedTypes[t]) }

// PartnerTypes lists the types a partner may have — those some manager may
// create, in the order forms offer them (a provider is a root, never a
// partner): the directory's type filter.
func PartnerTypes() []AccountType {
	var out []AccountType
	for _, m := range AccountTypes() {
		for _, t := range managedTypes[m] {
			if !slices.Contains(out, t) {
				out = append(out, t)
			}
		}
	}
	return out
}

// ManagedTypesProblem is the problem a manager of type t meets when it
// creates a partner of a type it may not.
func ManagedTypesProblem(t AccountType) string {
	types := t.ManagedTypes()
	if len(types) == 0 {
		return fmt.Sprintf("a %s account cannot create partners", t)
	}
	return fmt.Sprintf("a %s may create partners of type: %s", t, Join(types))
}

// TypeProblem returns the problem of an account type that is not a known
// one, or "".
func TypeProblem(t AccountType) string {
	if !t.Valid() {
		return "must be one of: " + Join(AccountTypes())
	}
	return ""
}

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

// Statuses lists every account status, in the order of an account's life.
func Statuses() []Status {
	return []Status{StatusInvited, StatusActive, StatusSuspended, StatusTerminated}
}

// Valid reports whether s is a known status.
func (s Status) Valid() bool { return slices.Contains(Statuses(), s) }

// Label is the status's name for people ("Suspended").
func (s Status) Label() string { return label(string(s)) }

// NewStatusProblem returns the problem of the status of a new partner
// unless it is active or invited, or "".
func NewStatusProblem(s Status) string {
	if s != StatusActive && s != StatusInvited {
		return "a new partner must be active or invited"
	}
	return ""
}

// Move is a status change a manager makes to a partner it manages.
type Move string

// Partner moves.
const (
	// MoveSuspend suspends an active partner.
	MoveSuspend Move = "suspend"
	// MoveReactivate makes a suspended partner active again.
	MoveReactivate Move = "reactivate"
)

// moves are the legal status changes: from, to.
var moves = map[Move][2]Status{
	MoveSuspend:    {StatusActive, StatusSuspended},
	MoveReactivate: {StatusSuspended, StatusActive},
}

// From is the status a move starts from.
func (m Move) From() Status { return moves[m][0] }

// To is the status a move leads to.
func (m Move) To() Status { return moves[m][1] }

// Moves lists the moves a partner in status s allows.
func Moves(s Status) []Move {
	var out []Move
	for _, m := range []Move{MoveSuspend, MoveReactivate} {
		if m.From() == s {
			out = append(out, m)
		}
	}
	return out
}

// Limits of a partner's and a user's fields, in characters (runes).
const (
	MaxNameLength       = 100
	MaxLegalNameLength  = 200
	MaxExternalIDLength = 64
	MaxFullNameLength   = 100
)

// FullNameProblem returns what is wrong with a new user's full name
// (required, at most MaxFullNameLength characters, trimmed), or "".
func FullNameProblem(name string) string {
	return partnerkit.TextFieldProblem(strings.TrimSpace(name), true, false, MaxFullNameLength)
}

// NameProblem returns what is wrong with a partner's display name (after
// trimming spaces, as it is stored): the text rule, required, at most
// MaxNameLength characters; "" when it is fine.
func NameProblem(name string) string {
	return partnerkit.TextFieldProblem(strings.TrimSpace(name), true, false, MaxNameLength)
}

// ExternalIDProblem returns what is wrong with a partner's external ID
// (optional, at most MaxExternalIDLength characters), or "".
func ExternalIDProblem(id string) string {
	return partnerkit.TextFieldProblem(strings.TrimSpace(id), false, false, MaxExternalIDLength)
}

// entityTypes are the legal-entity suffixes a legal company name may end
// with (compared without dots and case).
var entityTypes = []string{
	"inc", "incorporated", "corp", "corporation", "co", "company", "llc", "llp", "lp", "ltd", "limited",
	"plc", "pty ltd", "pte ltd", "gmbh", "gmbh & co kg", "ag", "kg", "ug", "ohg", "ev", "sa", "sas", "sarl",
	"sl", "srl", "spa", "bv", "nv", "ab", "as", "asa", "aps", "oy", "oyj", "kk", "sp z oo", "sro", "kft",
	"zrt", "doo", "ad", "ooo", "pvt ltd", "private limited", "bhd", "sdn bhd", "cooperative", "foundation",
}

// CheckLegalName returns an invalid error naming "legal_name" unless name is
// at most MaxLegalNameLength characters and ends with a legal entity type ("Champions Corp",
// "Mighty Mick's LLC", "Beispiel GmbH").
func CheckLegalName(name string) error {
	name = strings.TrimSpace(name)
	if p := partnerkit.TextFieldProblem(name, true, false, MaxLegalNameLength); p != "" {
		return partnerkit.FieldError("legal_name", p)
	}
	norm := strings.ToLower(strings.ReplaceAll(strings.ReplaceAll(name, ".", ""), ",", " "))
	norm = strings.Join(strings.Fields(norm), " ")
	for _, et := range entityTypes {
		if strings.HasSuffix(norm, " "+et) {
			return nil
		}
	}
	return partnerkit.FieldError("legal_name", "must end with the legal entity type, such as Inc., Corp, LLC, Ltd or GmbH")
}

// CheckNewPartner checks the fields of a new partner that need no store —
// the name and the external ID — and returns nil or an invalid error whose
// fields are named under prefix ("partner." in the wizard, "" for POST
// /partners). The type and the manager's right to create it are checked
// with CanManage.
func CheckNewPartner(prefix, name, externalID string) error {
	fields := map[string]string{}
	if p := NameProblem(name); p != "" {
		fields[prefix+"name"] = p
	}
	if p := ExternalIDProblem(externalID); p != "" {
		fields[prefix+"external_id"] = p
	}
	return partnerkit.FieldErrors(fields)
}

// Password policy, in characters.
const (
	MinPasswordLength = 8
	MaxPasswordLength = 128
)

// CheckPasswordPolicy returns an invalid error naming "password" unless pw
// has 8 to 128 characters and at least 3 of the 4 classes: lower case,
// upper case, digit, symbol (PasswordProblem without a common list).
func CheckPasswordPolicy(pw string) error { return CheckPassword("password", pw, nil) }

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

// Join lists values separated by commas ("vendor, reseller").
func Join[T ~string](vs []T) string {
	s := make([]string, len(vs))
	for i, v := range vs {
		s[i] = string(v)
	}
	return strings.Join(s, ", ")
}

// label turns a value into a name for people: "pay_as_you_go" is
// "Pay as you go".
func label(v string) string {
	v = strings.ReplaceAll(v, "_", " ")
	if v == "" {
		return v
	}
	return strings.ToUpper(v[:1]) + v[1:]
}
