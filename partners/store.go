package partners

import (
	"context"
	"time"

	"github.com/partnerkit/partnerkit"
)

// Store persists accounts, users and memberships. It only stores: IDs,
// timestamps, validation, tenancy and every other rule live in Service, so
// each implementation stays simple and they cannot disagree on rules.
//
// Every implementation must pass storetest.RunPartnersTests. Errors are
// *partnerkit.Error values with these codes:
//   - not_found when a looked-up row does not exist;
//   - conflict naming the field ("external_id", "email") when a unique value
//     is taken, and conflict when an optimistic version check fails;
//   - internal for anything else.
//
// # Concurrency
//
// Every rule of Service that reads, then writes holds under concurrent
// calls from many processes sharing one database, by one of these
// guarantees (the memory store serialises its transactions and so keeps
// them all; SQLite runs write transactions one at a time, BEGIN IMMEDIATE;
// PostgreSQL, under READ COMMITTED, needs each of them):
//   - email uniqueness: a unique index on users.email; CreateUser returns
//     conflict on "email" for the loser of a race.
//   - external-ID uniqueness per manager: a partial unique index; CreateAccount
//     and UpdateAccount return conflict on "external_id".
//   - one root account (Bootstrap): a unique index over the accounts without
//     a manager; CreateAccount returns conflict for a second root.
//   - an account keeps an admin (ChangeRole, RemoveMember): LockAccount
//     holds the account's row (SELECT … FOR NO KEY UPDATE) before the admins
//     are counted, so team changes of one account run one after another.
//   - a partner with dependents is not deleted (DeletePartner): foreign keys
//     from every dependent row to accounts; a dependent inserted during the
//     deletion makes DeleteAccount (or the insert) fail with conflict.
//   - If-Match on a partner (partnerkit.IfVersion; PATCH, suspend,
//     reactivate, DELETE): the service checks the version it loaded in its
//     transaction, and UpdateAccount's UPDATE … WHERE version = ? holds it
//     to the commit, so of two changes conditioned on one version the later
//     finds another version and fails with precondition_failed
//     (partnerkit.StaleVersion); DeletePartner takes LockAccount first.
//   - the directory's totals (Directory without a search): every change of
//     an account adds to its manager's count of its type and status in its
//     own transaction by one atomic upsert (INSERT … ON CONFLICT DO UPDATE
//     SET n = n + excluded.n), never a read then a write; on PostgreSQL
//     into one of several rows at random, so concurrent creates under one
//     manager do not queue on one row's lock (a total sums the rows).
//   - sign-in failure counts and lockouts: CountLoginAttempt is one atomic
//     upsert (INSERT … ON CONFLICT DO UPDATE SET failures = failures + 1 …
//     RETURNING), and the attempt is counted before the password is checked,
//     so no more than MaxLoginFailures checks run per window, however many
//     arrive at once.
//   - single use of a team invitation: UseTeamInvitation is a conditional
//     UPDATE … WHERE used_at IS NULL, claimed before anything is created;
//     resending and revoking it (RenewTeamInvitation, RevokeTeamInvitation)
//     are conditional UPDATEs on it being still pending.
//   - single use of a password reset link: UsePasswordReset is one
//     conditional UPDATE … SET used_at = ? WHERE token_hash = ? AND used_at
//     IS NULL AND expires_at > ?, run before anything else of the reset:
//     of concurrent uses exactly one changes the password.
//   - single use of a sign-in challenge and its count of wrong codes:
//     UseSignInChallenge is a conditional UPDATE … WHERE used_at IS NULL
//     AND failures < ?; FailSignInChallenge is UPDATE … SET failures =
//     failures + 1 … RETURNING failures.
//   - a TOTP code accepted once: UseTOTPStep is a conditional UPDATE … SET
//     last_step = ? WHERE last_step < ?, so a code (its time step) replayed,
//     however many times at once, is accepted once.
//   - single use of a recovery code: UseRecoveryCode is a conditional
//     UPDATE … WHERE used_at IS NULL.
//   - one set of recovery codes (RegenerateRecoveryCodes):
//     RenewRecoveryCodes first takes the user's two_factor row with a
//     conditional UPDATE … WHERE enabled_at IS NOT NULL, which holds it
//     until the transaction ends, so concurrent renewals (and a
//     DisableTwoFactor) run one after another: the ten codes of one
//     renewal remain, and none of a user whose two-factor sign-in is off.
//   - one secret per user: PendTwoFactor is an upsert conditional on
//     enabled_at IS NULL, EnableTwoFactor an UPDATE … WHERE enabled_at IS
//     NULL, so an enrolment never replaces an enabled secret.
type Store interface {
	partnerkit.Transactor
	// AppendAudit stores an audit event of any domain.
	partnerkit.AuditLog
	// Sessions, API keys and sign-in failures.
	AuthStore
	// Password resets, sign-in challenges, two-factor sign-in, account
	// security settings, devices, team invitation lists.
	SecurityStore

	// CreateAccount inserts a. Returns conflict on "external_id" when the
	// manager already has a partner with that non-empty external ID.
	CreateAccount(ctx context.Context, a *Account) error
	// CreateAccounts inserts every account of a batch (one multi-row
	// statement on SQL): all or none. Returns conflict on "external_id"
	// when a manager already uses one of their external IDs.
	CreateAccounts(ctx context.Context, as []*Account) error
	// ExternalIDsTaken returns which of ids the manager's partners use already.
	ExternalIDsTaken(ctx context.Context, managerID string, ids []string) ([]string, error)
	// AppendAudits stores a batch of audit events (one statement on SQL).
	AppendAudits(ctx context.Context, es []*partnerkit.AuditEvent) error
	// GetAccount returns the account with the given ID, or not_found.
	GetAccount(ctx context.Context, id string) (*Account, error)
	// LockAccount returns the account with the given ID and, inside a
	// transaction, holds its row against other LockAccount calls until the
	// transaction ends (SELECT … FOR NO KEY UPDATE on PostgreSQL; SQLite and
	// the memory store serialise write transactions already). Returns
	// not_found.
	LockAccount(ctx context.Context, id string) (*Account, error)
	// AccountsByID returns the accounts among ids that exist, in no order.
	AccountsByID(ctx context.Context, ids []string) ([]Account, error)
	// UpdateAccount writes every field of a if the stored version equals
	// a.Version, then sets a.Version to the next version. Returns not_found,
	// conflict on a version mismatch (partnerkit.StaleVersion:
	// precondition_failed under If-Match), or conflict on "external_id".
	UpdateAccount(ctx context.Context, a *Account) error
	// Dependents counts, by kind, what still refers to an account: its own
	// partners (KindPartners) and every kind that other domains' stores on
	// the same database registered (each counts its own rows). Kinds with
	// none may be left out.
	Dependents(ctx context.Context, accountID string) (map[string]int, error)
	// DeleteAccount removes an account and its memberships, or not_found.
	DeleteAccount(ctx context.Context, id string) error
	// CountAccounts returns how many accounts exist in all.
	CountAccounts(ctx context.Context) (int, error)
	// RootAccount returns the account without a manager (Bootstrap's), or
	// not_found.
	RootAccount(ctx context.Context) (*Account, error)
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

	// AuditTrail returns one page of the audit events of an entity, in the
	// order of q.Sort (AuditOrder.Resolve: by time, ties by ID), and how many
	// there are in all.
	AuditTrail(ctx context.Context, q AuditQuery) ([]partnerkit.AuditEvent, int, error)
	// Events returns one page of the audit events (domain events) that q
	// selects, in the order of q.Sort (EventOrder.Resolve: by time, newest
	// first by default, ties by ID in the same direction), and how many it
	// selects in all: the activity feed.
	Events(ctx context.Context, q EventQuery) ([]partnerkit.AuditEvent, int, error)
	// AuditEventsByID returns the audit events among ids that exist, in no
	// particular order (the job engine loads the events it fans out).
	AuditEventsByID(ctx context.Context, ids []string) ([]partnerkit.AuditEvent, error)
}

// AuditQuery selects a page of an entity's audit trail for a Store.
type AuditQuery struct {
	// EntityID is the entity.
	EntityID string
	// VisibleTo keeps the events whose account is this account or one it
	// manages (its tenancy); empty keeps every event.
	VisibleTo string
	// Sort is at or -at; the store resolves anything else with AuditOrder.
	Sort partnerkit.Sort
	// Limit and Offset select the page; Limit 0 means no limit.
	Limit, Offset int
}

// EventOrder is how the events feed sorts: by time, newest first by default.
var EventOrder = partnerkit.Order{Fields: []string{"at"}, Default: "-at"}

// EventQuery selects a page of the events feed for a Store. Every filter
// that is set must hold.
type EventQuery struct {
	// VisibleTo keeps the events whose account is this account or one it
	// manages (its tenancy, as AuditQuery's); empty keeps every event.
	VisibleTo string
	// Types keeps the events whose type (the audit action,
	// "partner.created") is one of these; empty keeps every type.
	Types []string
	// Since keeps the events at or after it; zero is unbounded.
	Since time.Time
	// Until keeps the events before it; zero is unbounded.
	Until time.Time
	// EntityType keeps the events of one kind of entity ("partner");
	// empty keeps every kind.
	EntityType string
	// Sort is -at or at; the store resolves anything else with EventOrder.
	Sort partnerkit.Sort
	// Limit and Offset select the page; Limit 0 means no limit.
	Limit, Offset int
}
