// Package contracts binds partners to agreement versions: contracts and their
// lifecycle (pending → signed → active → terminated, or rejected),
// marketplaces and distribution contracts, and onboarding — the Create
// Partner wizard and invitation activation, which span the partners,
// agreements and contracts domains in one transaction.
//
// It imports the partners and agreements domains and no storage code.
package contracts

import (
	"time"

	"github.com/partnerkit/partnerkit"

	"github.com/partnerkit/partnerkit/agreements"
	"github.com/partnerkit/partnerkit/contracts/rules"
)

// The vocabulary and pure rules of the domain live in contracts/rules,
// which the WebAssembly PWA imports without validator; these names
// re-export it.

// Status is where a contract is in its life.
type Status = rules.Status

// Contract statuses (see rules.Status).
const (
	StatusPending    = rules.StatusPending
	StatusSigned     = rules.StatusSigned
	StatusActive     = rules.StatusActive
	StatusRejected   = rules.StatusRejected
	StatusTerminated = rules.StatusTerminated
)

// Statuses lists every contract status.
func Statuses() []Status { return rules.Statuses() }

// Contract binds one partner to one agreement version and, for
// distribution, one marketplace.
type Contract struct {
	// ID is the opaque contract ID ("CTR-…").
	ID string `json:"id"`
	// OwnerID is the account that offers the agreement (the partner's manager).
	OwnerID string `json:"owner_id"`
	// PartnerID is the partner bound by the contract.
	PartnerID string `json:"partner_id"`
	// AgreementID is the agreement.
	AgreementID string `json:"agreement_id"`
	// AgreementVersion is the version the contract is bound to.
	AgreementVersion int `json:"agreement_version"`
	// Type is the agreement's type.
	Type agreements.Type `json:"type"`
	// MarketplaceID is the marketplace of a distribution contract.
	MarketplaceID string `json:"marketplace_id,omitempty"`
	// Status is the contract's status.
	Status Status `json:"status"`
	// CreatedAt, UpdatedAt, SignedAt, ActivatedAt and TerminatedAt are in UTC.
	CreatedAt    time.Time  `json:"created_at"`
	UpdatedAt    time.Time  `json:"updated_at"`
	SignedAt     *time.Time `json:"signed_at,omitempty"`
	ActivatedAt  *time.Time `json:"activated_at,omitempty"`
	TerminatedAt *time.Time `json:"terminated_at,omitempty"`
	// Version increases on every change (optimistic locking).
	Version int `json:"version"`

	// LatestAgreementVersion is the agreement's current version (derived).
	LatestAgreementVersion int `json:"latest_agreement_version"`
	// UpdatePending says a newer agreement version awaits the partner's
	// signature (derived: open contract on an older version).
	UpdatePending bool `json:"update_pending"`
	// PartnerName, AgreementName and MarketplaceName (a distribution
	// contract's) are the names of what the IDs above point to (derived),
	// so that a list of contracts reads without a request per row.
	PartnerName     string `json:"partner_name,omitempty"`
	AgreementName   string `json:"agreement_name,omitempty"`
	MarketplaceName string `json:"marketplace_name,omitempty"`
}

// EventType names what happened to a contract.
type EventType = rules.EventType

// Contract event types (see rules.EventType).
const (
	EventCreated    = rules.EventCreated
	EventSigned     = rules.EventSigned
	EventActivated  = rules.EventActivated
	EventRejected   = rules.EventRejected
	EventTerminated = rules.EventTerminated
	// EventResigned: the partner signed a newer agreement version.
	EventResigned = rules.EventResigned
)

// Event records one change of a contract: who, when, and how.
type Event struct {
	// ID is the opaque event ID.
	ID string `json:"id"`
	// ContractID is the contract.
	ContractID string `json:"contract_id"`
	// Type is what happened.
	Type EventType `json:"type"`
	// FromStatus is the status before ("" on creation).
	FromStatus Status `json:"from_status,omitempty"`
	// ToStatus is the status after.
	ToStatus Status `json:"to_status"`
	// AgreementVersion is the version bound after the event.
	AgreementVersion int `json:"agreement_version"`
	// Actor is the principal who acted.
	Actor string `json:"actor"`
	// At is when (UTC).
	At time.Time `json:"at"`
}

// Marketplace is a place where vendors' products are sold, owned by an account.
type Marketplace struct {
	// ID is the opaque marketplace ID ("MP-…").
	ID string `json:"id"`
	// OwnerID is the account that runs the marketplace.
	OwnerID string `json:"owner_id"`
	// Name is unique per owner (case-insensitive).
	Name string `json:"name"`
	// Currency is an ISO 4217 code ("USD").
	Currency string `json:"currency"`
	// External marks a marketplace of another company (AppSource, Azure Marketplace).
	External bool `json:"external"`
	// CreatedAt is when it was created (UTC).
	CreatedAt time.Time `json:"created_at"`
}

// InvitationStatus is where an invitation is in its life.
type InvitationStatus = rules.InvitationStatus

// Invitation statuses (see rules.InvitationStatus).
const (
	// InvitationPending: unused and not expired yet.
	InvitationPending = rules.InvitationPending
	// InvitationActivated: the invited company activated with it.
	InvitationActivated = rules.InvitationActivated
	// InvitationRevoked: its issuer revoked it before it was used.
	InvitationRevoked = rules.InvitationRevoked
	// InvitationExpired: unused past its expiry (Service.ExpireInvitations
	// marks it).
	InvitationExpired = rules.InvitationExpired
)

// Invitation lets an invited company review its agreement and activate its
// account once, before it expires. Only the token's hash is stored.
type Invitation struct {
	// ID is the opaque invitation ID ("INV-…").
	ID string `json:"id"`
	// TokenHash is the hex SHA-256 of the token.
	TokenHash string `json:"-"`
	// OwnerID is the inviting account.
	OwnerID string `json:"owner_id"`
	// PartnerID is the invited account.
	PartnerID string `json:"partner_id"`
	// ContractID is the contract the invitation signs and activates.
	ContractID string `json:"contract_id"`
	// CreatedBy is who generated it.
	CreatedBy string `json:"created_by"`
	// CreatedAt and ExpiresAt are in UTC.
	CreatedAt time.Time `json:"created_at"`
	ExpiresAt time.Time `json:"expires_at"`
	// UsedAt is when it was used; nil while unused.
	UsedAt *time.Time `json:"used_at,omitempty"`
	// UsedBy is the email that activated with it.
	UsedBy string `json:"used_by,omitempty"`
	// Status is pending, activated, expired or revoked.
	Status InvitationStatus `json:"status"`
	// SentTo is the address the invitation was e-mailed to; empty when it
	// was only handed out as a link.
	SentTo string `json:"sent_to,omitempty"`
	// SentAt is when the link was last issued (created or sent again).
	SentAt time.Time `json:"sent_at"`
	// Sends counts how many times a link was issued (1, then one more per
	// resend).
	Sends int `json:"sends"`
	// RevokedAt and RevokedBy say when and by whom it was revoked.
	RevokedAt *time.Time `json:"revoked_at,omitempty"`
	RevokedBy string     `json:"revoked_by,omitempty"`
	// Mail is what became of the last invitation e-mail (queued, sent,
	// failed, refused by the recipient's server); absent when none was
	// sent or the server keeps no mail log.
	Mail *partnerkit.MailDelivery `json:"mail,omitempty"`
}
