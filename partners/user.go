package partners

import (
	"strings"
	"time"

	"github.com/partnerkit/partnerkit"
)

// User is a person with one login and memberships in one or more accounts.
type User struct {
	// ID is the opaque user ID ("UR-…").
	ID string `json:"id"`
	// Email is the login, stored lower case; unique.
	Email string `json:"email"`
	// FullName is the person's name.
	FullName string `json:"full_name"`
	// PasswordHash is the argon2id hash of the password; never serialized.
	PasswordHash string `json:"-"`
	// CreatedAt is when the user was created (UTC).
	CreatedAt time.Time `json:"created_at"`
	// UpdatedAt is when the user last changed (UTC).
	UpdatedAt time.Time `json:"updated_at"`
}

// NormalizeEmail trims and lower-cases an email address.
func NormalizeEmail(email string) string { return strings.ToLower(strings.TrimSpace(email)) }

// Membership makes a user a member of an account with a role.
type Membership struct {
	// UserID is the member.
	UserID string `json:"user_id"`
	// AccountID is the account.
	AccountID string `json:"account_id"`
	// Role is what the member may do in the account.
	Role partnerkit.Role `json:"role"`
	// CreatedAt is when the membership was created (UTC).
	CreatedAt time.Time `json:"created_at"`
}

// Member is a membership together with its user, as a team list shows it.
type Member struct {
	Membership
	// User is the member's user.
	User User `json:"user"`
}
