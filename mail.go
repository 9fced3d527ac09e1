package partnerkit

import (
	"context"
	"time"
)

// MailQueue queues e-mail. Services call it inside the transaction of the
// change that causes the message (an invitation, a password reset), so a
// message is queued exactly when its change commits: the mail package's
// outbox stores it in that transaction and a job sends it, retried while
// the SMTP server refuses temporarily. A nil MailQueue sends nothing.
type MailQueue interface {
	QueueMail(ctx context.Context, m Mail) error
}

// Mail is one message to queue: what kind it is, to whom, and the fields
// its templates need. The mail package renders it (plain text and HTML)
// when it is sent.
type Mail struct {
	// Kind names the message and its templates (MailPartnerInvitation, …).
	Kind string `json:"kind"`
	// To is the recipient's address.
	To string `json:"to"`
	// AccountID is the account the message belongs to (its sender side:
	// the inviting account, the user's account).
	AccountID string `json:"account_id"`
	// Ref is the ID of the object the message is about (an invitation),
	// so its delivery status can be shown beside it.
	Ref string `json:"ref,omitempty"`
	// Data are the templates' fields. A field whose name ends in "_path"
	// is a path of the PWA ("/activate/<token>"), made an absolute link
	// with the server's public URL when the message is rendered. mail.Kinds
	// lists each kind's required and optional fields; the outbox refuses
	// a message without the first or with any other (invalid, naming
	// "data.<field>"), and erases the data once the message is sent.
	Data map[string]string `json:"data,omitempty"`
	// DedupeKey, when set, makes the message unique: a second one queued
	// with the same key is dropped (at-least-once event handlers queue
	// mail without sending it twice).
	DedupeKey string `json:"dedupe_key,omitempty"`
}

// The kinds of mail.
const (
	MailPartnerInvitation = "partner_invitation"
	MailTeamInvitation    = "team_invitation"
	MailPasswordReset     = "password_reset"
	MailPasswordChanged   = "password_changed"
	MailNewSignIn         = "new_sign_in"
	MailContractToSign    = "contract_to_sign"
	MailAgreementToResign = "agreement_to_resign"
	MailDealDecided       = "deal_decided"
	MailUsageThreshold    = "usage_threshold"
	MailWebhookDisabled   = "webhook_disabled"
	MailTwoFactorChanged  = "two_factor_changed"
)

// MailKinds lists every kind of mail.
var MailKinds = []string{
	MailPartnerInvitation, MailTeamInvitation, MailPasswordReset, MailPasswordChanged, MailNewSignIn,
	MailContractToSign, MailAgreementToResign, MailDealDecided, MailUsageThreshold, MailWebhookDisabled,
	MailTwoFactorChanged,
}

// MailDelivery is what became of the last message about an object.
type MailDelivery struct {
	// To is the recipient.
	To string `json:"to"`
	// Status is queued, sent, failed (given up after retries) or refused
	// (the recipient's server refused the address).
	Status string `json:"status"`
	// QueuedAt is when the message was queued; SentAt when the server
	// accepted it.
	QueuedAt time.Time  `json:"queued_at"`
	SentAt   *time.Time `json:"sent_at,omitempty"`
	// Error is the last failure, as the mail server answered it.
	Error string `json:"error,omitempty"`
}

// MailStatuses tells what became of the mail about objects: for each ref
// (Mail.Ref) with mail, its last message. The mail package implements it.
type MailStatuses interface {
	LastMail(ctx context.Context, refs []string) (map[string]MailDelivery, error)
}
