package contracts

import (
	"context"
	"time"

	"github.com/partnerkit/partnerkit"
)

// Store persists marketplaces, contracts, their events and invitations. It
// only stores; the rules live in Service. Every implementation must pass
// storetest. Errors: not_found for missing rows; conflict on "name" for a
// duplicate marketplace name; conflict on "marketplace_id" when a partner
// already has an open contract on that marketplace; conflict on a stale
// Version; gone when an invitation was used already; internal otherwise.
//
// # Concurrency
//
// Every rule of Service that reads, then writes holds under concurrent
// calls from many processes sharing one database (the memory store
// serialises its transactions, SQLite its write transactions; PostgreSQL,
// under READ COMMITTED, relies on these guarantees):
//   - one open distribution contract per vendor and marketplace: a partial
//     unique index over (partner_id, marketplace_id) of pending, signed and
//     active contracts; CreateContract returns conflict on "marketplace_id".
//   - contract state moves (sign, activate, reject, terminate, re-sign):
//     optimistic versions, UpdateContract writes WHERE version = ?, so of
//     concurrent moves from one state one wins and the others get conflict.
//     Under If-Match (partnerkit.IfVersion) the service checks the version
//     it loaded first, and the same WHERE version = ? holds it to the
//     commit: of moves conditioned on one version, one wins and the others
//     get precondition_failed (partnerkit.StaleVersion).
//   - an invitation is used once, and only with its current link:
//     UseInvitation is a conditional UPDATE … WHERE status = 'pending' AND
//     token_hash = <the hash of the link used>, claimed before the account
//     and user are made.
//   - an invitation expires once, and never after it was used: the
//     scheduled expiry (Service.ExpireInvitations, run by several instances
//     at once) moves each invitation with ExpireInvitation, a conditional
//     UPDATE … WHERE status = 'pending' AND expires_at <= ?; of concurrent
//     moves (two expiries, or an expiry and an activation) one changes the
//     row and the others get gone, so one event is recorded per
//     invitation. DueInvitations only proposes candidates.
//   - revoking and sending again move an invitation with conditional
//     updates too: RevokeInvitation … WHERE status = 'pending',
//     ReissueInvitation … WHERE status IN ('pending', 'expired') AND
//     token_hash = <the hash the caller read>; so of a revocation, a
//     resend and an activation racing, one wins and the others get gone
//     (or conflict, for a resend that lost to another resend), and a link
//     replaced by a resend never activates.
//   - marketplace names: a unique index per owner.
//   - a contract is bound to a version that exists, and a partner it binds
//     is not deleted under it: foreign keys (a concurrent violation is a
//     conflict).
type Store interface {
	partnerkit.Transactor

	// CreateMarketplace inserts m.
	CreateMarketplace(ctx context.Context, m *Marketplace) error
	// GetMarketplace returns a marketplace or not_found.
	GetMarketplace(ctx context.Context, id string) (*Marketplace, error)
	// ListMarketplaces returns an owner's marketplaces by name.
	ListMarketplaces(ctx context.Context, ownerID string) ([]Marketplace, error)

	// CreateContract inserts c.
	CreateContract(ctx context.Context, c *Contract) error
	// GetContract returns a contract (derived fields unset) or not_found.
	GetContract(ctx context.Context, id string) (*Contract, error)
	// UpdateContract writes c if the stored version equals c.Version, then
	// increments c.Version. Returns not_found, or conflict on another
	// version (partnerkit.StaleVersion: precondition_failed under If-Match).
	UpdateContract(ctx context.Context, c *Contract) error
	// ListContracts returns one page of the contracts q selects, newest
	// first, and how many it selects in all.
	ListContracts(ctx context.Context, q Query) ([]Contract, int, error)

	// AppendEvent stores a contract event.
	AppendEvent(ctx context.Context, e *Event) error
	// Events returns a contract's events, oldest first.
	Events(ctx context.Context, contractID string) ([]Event, error)

	// CreateInvitation inserts inv.
	CreateInvitation(ctx context.Context, inv *Invitation) error
	// InvitationByTokenHash returns the invitation with that token hash, or not_found.
	InvitationByTokenHash(ctx context.Context, hash string) (*Invitation, error)
	// UseInvitation marks a pending invitation whose token hash is still
	// tokenHash activated at at by the activating email. Of concurrent
	// calls exactly one succeeds; the others get gone (as does a call on an
	// invitation that expired or was revoked), and a call with a link a
	// resend replaced gets not_found.
	UseInvitation(ctx context.Context, id, tokenHash string, at time.Time, usedBy string) error
	// DueInvitations returns the pending invitations whose expiry is at or
	// before dueBy, by expiry then ID, at most limit of them (0: all).
	DueInvitations(ctx context.Context, dueBy time.Time, limit int) ([]Invitation, error)
	// ExpireInvitation marks a pending invitation whose expiry is at or
	// before at as expired. Of concurrent calls (and UseInvitation) exactly
	// one succeeds; on an invitation that is not pending, or not due, it
	// returns gone; not_found when there is none.
	ExpireInvitation(ctx context.Context, id string, at time.Time) error
	// InvitationByID returns an invitation, or not_found.
	InvitationByID(ctx context.Context, id string) (*Invitation, error)
	// RevokeInvitation marks a pending invitation revoked at at by by; on
	// one that is not pending it returns gone, not_found when there is none.
	RevokeInvitation(ctx context.Context, id string, at time.Time, by string) error
	// ReissueInvitation gives a pending or expired invitation whose token
	// hash is still oldHash a new token hash and expiry, makes it pending,
	// sets SentTo and SentAt to sentTo and at and counts the send. It
	// returns gone when the invitation was activated or revoked, conflict
	// when its token changed meanwhile, not_found when there is none.
	ReissueInvitation(ctx context.Context, id, oldHash, newHash string, expiresAt time.Time, sentTo string, at time.Time) error
	// ListInvitations returns one page of the invitations q selects, in
	// q.Sort's order (ties by ID), and how many it selects.
	ListInvitations(ctx context.Context, q InvitationQuery) ([]Invitation, int, error)
}

// InvitationQuery selects invitations for a Store.
type InvitationQuery struct {
	// OwnerID keeps the invitations this account generated.
	OwnerID string
	// PartnerID keeps one invited partner's invitations.
	PartnerID string
	// Status keeps one status; empty keeps all.
	Status InvitationStatus
	// Sort orders the page (InvitationOrder.Resolve: newest first by default).
	Sort partnerkit.Sort
	// Limit and Offset select the page; Limit 0 means no limit.
	Limit, Offset int
}

// InvitationOrder is how invitations sort: by creation time, newest first
// by default, or by expiry.
var InvitationOrder = partnerkit.Order{Fields: []string{"created_at", "expires_at"}, Default: "-created_at"}

// Query selects contracts for a Store.
type Query struct {
	// AccountID keeps contracts this account owns or is the partner of.
	AccountID string
	// PartnerID keeps one partner's contracts.
	PartnerID string
	// AgreementID keeps one agreement's contracts.
	AgreementID string
	// MarketplaceID keeps one marketplace's contracts.
	MarketplaceID string
	// Status keeps one status; empty keeps all.
	Status Status
	// OpenOnly keeps pending, signed and active contracts.
	OpenOnly bool
	// Sort orders the page (ListOrder.Resolve: newest first by default).
	Sort partnerkit.Sort
	// Limit and Offset select the page; Limit 0 means no limit.
	Limit, Offset int
}

// ListOrder is how contracts sort: by creation time, newest first by default.
var ListOrder = partnerkit.Order{Fields: []string{"created_at"}, Default: "-created_at"}

// The figures the contracts domain contributes about an account: the
// partner directory's counts and what keeps an account from being deleted
// (its stores register them; see partners.Counts, partners.Store.Dependents).
const (
	// CountSignedContracts counts a partner's signed or active contracts.
	CountSignedContracts = "signed_contracts"
	// CountAgreements counts the distinct agreements a partner has
	// contracts for (rejected ones aside).
	CountAgreements = "agreements"
	// KindContracts counts the contracts an account owns or is the partner of.
	KindContracts = "contracts"
)
