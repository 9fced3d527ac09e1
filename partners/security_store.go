package partners

import (
	"context"
	"time"
)

// PasswordReset is a forgot-password link: a 256-bit token, stored as its
// hash, that sets a new password once within PasswordResetTTL.
type PasswordReset struct {
	// TokenHash is the hex SHA-256 of the token.
	TokenHash string    `json:"-"`
	UserID    string    `json:"user_id"`
	CreatedAt time.Time `json:"created_at"`
	ExpiresAt time.Time `json:"expires_at"`
	// UsedAt is set once the link was used, or killed by another password
	// change.
	UsedAt *time.Time `json:"used_at,omitempty"`
}

// SignInChallenge is the first step of a two-factor sign-in: the password
// was right, the code is still to come. It is short-lived, used once, and
// dies after MaxChallengeFailures wrong codes.
type SignInChallenge struct {
	// TokenHash is the hex SHA-256 of the challenge token.
	TokenHash string
	UserID    string
	// AccountID is the account the session will act in.
	AccountID string
	// Address and UserAgent are the first step's, for the session.
	Address   string
	UserAgent string
	CreatedAt time.Time
	ExpiresAt time.Time
	// Failures counts the wrong codes sent with it.
	Failures int
	UsedAt   *time.Time
}

// TwoFactor is a user's TOTP (RFC 6238) setting. A secret without
// EnabledAt is an enrolment waiting for its confirmation code.
type TwoFactor struct {
	UserID string
	// Secret is the stored form of the base32 TOTP secret (see
	// WithSecretKey: sealed with AES-GCM when the service has a key).
	Secret string
	// EnabledAt is when the enrolment was confirmed; nil while pending.
	EnabledAt *time.Time
	// LastStep is the last time step (Unix time / 30 s) whose code was
	// accepted: a code of that step or an earlier one is refused.
	LastStep int64
	// MuteNewSignIn turns off the new-device sign-in mail.
	MuteNewSignIn bool
	UpdatedAt     time.Time
}

// AccountSecurity is an account's security settings.
type AccountSecurity struct {
	AccountID string `json:"account_id"`
	// RequireTwoFactor makes every member without two-factor sign-in enrol
	// at their next sign-in before they can do anything else.
	RequireTwoFactor bool `json:"require_two_factor"`
	// UpdatedAt is zero while the account has never changed its settings.
	UpdatedAt time.Time `json:"updated_at"`
}

// SecurityStore persists what passwords, sessions and two-factor sign-in
// need beyond AuthStore. Errors: not_found for missing rows, gone for a
// one-time row that was used already, conflict where said; internal
// otherwise. See Store's Concurrency section for the atomic statements.
type SecurityStore interface {
	// UserSessions returns a user's sessions, newest first.
	UserSessions(ctx context.Context, userID string) ([]Session, error)
	// DeleteUserSession removes the session with the given ID if it is
	// the user's, or returns not_found.
	DeleteUserSession(ctx context.Context, userID, id string) error
	// DeleteUserSessions removes every session of a user except the one
	// whose token hash is keep ("" keeps none) and returns how many.
	DeleteUserSessions(ctx context.Context, userID, keep string) (int, error)
	// LiftSessionRestrictions clears Restricted on every session of a user.
	LiftSessionRestrictions(ctx context.Context, userID string) error

	// UpdateUserPassword writes a user's password hash and UpdatedAt, or
	// returns not_found.
	UpdateUserPassword(ctx context.Context, userID, hash string, at time.Time) error

	// CreatePasswordReset stores a reset link.
	CreatePasswordReset(ctx context.Context, r *PasswordReset) error
	// UsePasswordReset claims the unused, unexpired link with the given
	// token hash (expiry compared with at) and returns it: one atomic
	// conditional UPDATE, so of concurrent uses exactly one succeeds; the
	// others, and a used or expired link, are gone; an unknown one is
	// not_found.
	UsePasswordReset(ctx context.Context, tokenHash string, at time.Time) (*PasswordReset, error)
	// EndPasswordResets marks every unused link of a user used.
	EndPasswordResets(ctx context.Context, userID string, at time.Time) error

	// CreateSignInChallenge stores a challenge.
	CreateSignInChallenge(ctx context.Context, c *SignInChallenge) error
	// GetSignInChallenge returns the challenge with the given token hash,
	// or not_found.
	GetSignInChallenge(ctx context.Context, tokenHash string) (*SignInChallenge, error)
	// FailSignInChallenge adds one wrong code to an unused challenge and
	// returns its count, atomically (UPDATE … SET failures = failures + 1
	// … RETURNING failures); gone when it is used, not_found when unknown.
	FailSignInChallenge(ctx context.Context, tokenHash string) (int, error)
	// UseSignInChallenge claims an unused challenge with fewer than max
	// failures: of concurrent calls one succeeds, the others are gone.
	UseSignInChallenge(ctx context.Context, tokenHash string, max int, at time.Time) error

	// GetTwoFactor returns a user's two-factor row, or not_found.
	GetTwoFactor(ctx context.Context, userID string) (*TwoFactor, error)
	// PendTwoFactor starts (or restarts) an enrolment: it stores secret as
	// the user's pending secret, unless two-factor is enabled already
	// (conflict): one upsert conditional on enabled_at being null. It
	// keeps the mail preference.
	PendTwoFactor(ctx context.Context, userID, secret string, at time.Time) error
	// SetMuteNewSignIn stores the new-device mail preference (an upsert
	// that keeps the two-factor columns).
	SetMuteNewSignIn(ctx context.Context, userID string, mute bool, at time.Time) error
	// EnableTwoFactor confirms a pending enrolment (enabled_at was null)
	// with the step of its confirmation code; conflict when none is pending.
	EnableTwoFactor(ctx context.Context, userID string, step int64, at time.Time) error
	// DisableTwoFactor clears a user's secret and recovery codes (keeping
	// the mail preference); not_found when two-factor is off.
	DisableTwoFactor(ctx context.Context, userID string, at time.Time) error
	// ResealTwoFactorSecret replaces a user's stored secret old by sealed
	// (the same secret in another stored form, see WithSecretKey): one
	// UPDATE … WHERE user_id = ? AND secret = ?, which changes nothing (and
	// is no error) when the secret changed meanwhile.
	ResealTwoFactorSecret(ctx context.Context, userID, old, sealed string) error
	// TwoFactorSecretLike returns the stored secret of one user whose
	// stored secret starts with prefix, or "" when none does.
	TwoFactorSecretLike(ctx context.Context, prefix string) (string, error)
	// UseTOTPStep records that the code of step was accepted, if step is
	// later than the last one: one conditional UPDATE (… WHERE last_step
	// < step), so a code is accepted once however many uses race. Returns
	// conflict when step is not later (a replay), not_found when the user
	// has no enabled two-factor.
	UseTOTPStep(ctx context.Context, userID string, step int64) error

	// ReplaceRecoveryCodes replaces a user's recovery codes by these hashes.
	ReplaceRecoveryCodes(ctx context.Context, userID string, hashes []string) error
	// RenewRecoveryCodes replaces every recovery code of a user whose
	// two-factor sign-in is on by these hashes, or returns not_found when
	// it is off. It first takes the user's two-factor row with a
	// conditional UPDATE (… SET updated_at = ? WHERE user_id = ? AND
	// enabled_at IS NOT NULL), which holds the row until the transaction
	// ends, then deletes the old codes and inserts the new ones: renewals
	// racing each other (or DisableTwoFactor, which updates the same row)
	// run one after another, so the codes of exactly one renewal remain —
	// never a mix, never codes of a user whose two-factor sign-in is off.
	RenewRecoveryCodes(ctx context.Context, userID string, hashes []string, at time.Time) error
	// UseRecoveryCode claims an unused recovery code of a user (a
	// conditional UPDATE … WHERE used_at IS NULL): not_found when it is
	// unknown or used.
	UseRecoveryCode(ctx context.Context, userID, hash string, at time.Time) error
	// RecoveryCodesLeft counts a user's unused recovery codes.
	RecoveryCodesLeft(ctx context.Context, userID string) (int, error)

	// GetAccountSecurity returns an account's settings; an account that
	// never set any gets the zero settings (with its AccountID), not an
	// error.
	GetAccountSecurity(ctx context.Context, accountID string) (*AccountSecurity, error)
	// PutAccountSecurity inserts or replaces an account's settings.
	PutAccountSecurity(ctx context.Context, s *AccountSecurity) error

	// RememberDevice records that a user signed in from a device (its
	// label) and reports whether it was new to them, and how many devices
	// they had before (an INSERT … ON CONFLICT DO NOTHING).
	RememberDevice(ctx context.Context, userID, device string, at time.Time) (added bool, before int, err error)

	// ListTeamInvitations returns an account's team invitations, newest first.
	ListTeamInvitations(ctx context.Context, accountID string) ([]TeamInvitation, error)
	// GetTeamInvitation returns a team invitation by ID, or not_found.
	GetTeamInvitation(ctx context.Context, id string) (*TeamInvitation, error)
	// RenewTeamInvitation gives a pending invitation (unused, not revoked)
	// a new token hash, sent time and expiry: the old link dies. Conflict
	// when it is used or revoked.
	RenewTeamInvitation(ctx context.Context, inv *TeamInvitation) error
	// RevokeTeamInvitation marks a pending invitation revoked; conflict
	// when it is used or revoked already.
	RevokeTeamInvitation(ctx context.Context, id string, at time.Time) error
}
