package partnerkit

import "context"

// Role is what a member or API key may do inside an account.
type Role string

// Roles, strongest first.
const (
	// RoleAdmin may do everything, including managing team members and API keys.
	RoleAdmin Role = "admin"
	// RoleStaff runs day-to-day operations but manages no users.
	RoleStaff Role = "staff"
	// RoleViewer reads only (it may still view usage and export CSV).
	RoleViewer Role = "viewer"
)

// Roles lists the valid roles, strongest first.
func Roles() []Role { return []Role{RoleAdmin, RoleStaff, RoleViewer} }

// Valid reports whether r is a known role.
func (r Role) Valid() bool {
	for _, v := range Roles() {
		if r == v {
			return true
		}
	}
	return false
}

// CanWrite reports whether r may change data (admin or staff).
func (r Role) CanWrite() bool { return r == RoleAdmin || r == RoleStaff }

// CanManageUsers reports whether r may manage team members and API keys.
func (r Role) CanManageUsers() bool { return r == RoleAdmin }

// Actor is who performs an operation: a signed-in user or an API key, acting
// inside one account with one role. Services take it explicitly and enforce
// roles and tenancy with it, so every transport gets the same rules.
type Actor struct {
	// AccountID is the account the actor acts in.
	AccountID string
	// UserID is the signed-in user, empty for an API key.
	UserID string
	// APIKeyID is the API key used, empty for a user.
	APIKeyID string
	// Role is the actor's role in AccountID.
	Role Role
	// System marks the scheduled rules (expiry, renewal, purges, usage
	// alerts): they act in every account, and the audit trail names
	// "system" as the actor.
	System bool
}

// SystemActor is the actor of the scheduled rules.
var SystemActor = Actor{System: true, Role: RoleAdmin}

// PrincipalSystem is the principal the audit trail names for SystemActor.
const PrincipalSystem = "system"

// Principal names who acted, for audit trails: the user ID, else the API key ID.
func (a Actor) Principal() string {
	if a.System {
		return PrincipalSystem
	}
	if a.UserID != "" {
		return a.UserID
	}
	return a.APIKeyID
}

// RequireWrite returns a forbidden error unless the actor may change data.
func (a Actor) RequireWrite() error {
	if !a.Role.CanWrite() {
		return Errorf(CodeForbidden, "role %q may not make changes", a.Role)
	}
	return nil
}

// RequireAdmin returns a forbidden error unless the actor is an admin.
func (a Actor) RequireAdmin() error {
	if !a.Role.CanManageUsers() {
		return Errorf(CodeForbidden, "only an admin may do this; role is %q", a.Role)
	}
	return nil
}

// RequireWriter returns unauthorized without an account and forbidden
// unless the actor may change data: the check before every write.
func (a Actor) RequireWriter() error {
	if err := a.RequireAccount(); err != nil {
		return err
	}
	return a.RequireWrite()
}

// RequireAccount returns an unauthorized error when the actor names no
// account, or names it (or its user or key) with an ID that breaks the text
// rule (CheckID): no store looks such an actor up.
func (a Actor) RequireAccount() error {
	if a.AccountID == "" || !a.Role.Valid() {
		return Errorf(CodeUnauthorized, "no account or role: sign in first")
	}
	for _, id := range []string{a.AccountID, a.UserID, a.APIKeyID} {
		if CheckID("actor", id) != nil {
			return Errorf(CodeUnauthorized, "the actor's IDs are not valid: sign in first")
		}
	}
	return nil
}

// Tenancy decides which accounts an actor may see. partners.Service
// implements it; other domains use it without importing partners.
type Tenancy interface {
	// CheckVisible returns nil when the actor may see accountID (its own
	// account or one it manages, directly or further down), and a not_found
	// error otherwise.
	CheckVisible(ctx context.Context, actor Actor, accountID string) error
}
