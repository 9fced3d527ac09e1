// Package mail is Partnerkit's outbox: it takes the messages services
// queue (partnerkit.MailQueue) inside the transactions of their changes,
// sends them from a job, retries while the mail server refuses
// temporarily, and tells what was sent to whom about an object.
//
// QueueMail checks a message (a known kind, one plain address, the data
// fields its kind requires and no others: see Kinds), stores it in the
// outbox in the caller's transaction and schedules its send job in that
// same transaction: a message exists, and is sent, exactly when its change
// commits. A message with a DedupeKey that the outbox holds already is
// dropped (a unique key: the at-least-once event handlers queue their mail
// with one). Send renders the message — plain text and HTML from the
// templates embedded in this package, absolute links built from the
// server's public URL (PARTNERKIT_PUBLIC_URL) and the "_path" data fields,
// a subject per kind — and hands it to a Sender (mail/smtpsender over
// SMTP, mail/dirsender into .eml files). The outcome is recorded on the
// message: sent, refused (the server refused the address or the message
// for good: an SMTP 5xx answer), or, after a temporary failure, queued
// again on RetrySchedule (about a day) and failed once it is used up.
// Once a message is sent, refused or failed its data are erased: the
// links in it carry tokens (activation, password reset) that must not stay
// in the database. Status says what was sent about an object (the
// "sent to / sent at / refused" of an invitation).
//
// Nothing in this package logs a message's body, data or links; a Message
// formats (fmt, log/slog) as its ID and kind only.
//
// Events become mail through Notifier (contract awaiting signature, a new
// agreement version to sign, deal decisions, usage thresholds, a disabled
// webhook endpoint), which package wiring subscribes to the services'
// events.Bus.
//
// The package holds the rules only: the store (mail/memstore,
// mail/bunstore), the senders and the job engine that runs the sends
// (package jobs; LocalScheduler on the memory stores) are adapters behind
// the ports of ports.go. It imports the kernel and the standard library
// only, so every domain may import it (for MessageStatus).
package mail

import (
	"log/slog"
	"maps"
	"time"
)

// Status is where a message is.
type Status string

// Message statuses.
const (
	// StatusQueued: a send is scheduled (the first, or a retry).
	StatusQueued Status = "queued"
	// StatusSent: the mail server accepted the message.
	StatusSent Status = "sent"
	// StatusRefused: the mail server refused the address or the message
	// for good (an SMTP 5xx answer to RCPT TO or DATA).
	StatusRefused Status = "refused"
	// StatusFailed: every attempt of RetrySchedule failed temporarily, or
	// the message could not be rendered.
	StatusFailed Status = "failed"
)

// Statuses lists every message status.
func Statuses() []Status { return []Status{StatusQueued, StatusSent, StatusRefused, StatusFailed} }

// Final reports whether a status is an outcome (sent, refused, failed).
func (s Status) Final() bool { return s == StatusSent || s == StatusRefused || s == StatusFailed }

// OutboxMessage is one message of the outbox.
type OutboxMessage struct {
	// ID is the opaque message ID ("ML-…").
	ID string `json:"id"`
	// Kind is the message's kind (partnerkit.MailPartnerInvitation, …).
	Kind string `json:"kind"`
	// To is the recipient's address.
	To string `json:"to"`
	// AccountID is the account the message belongs to ("" when none).
	AccountID string `json:"account_id"`
	// Ref is the ID of the object the message is about ("" when none).
	Ref string `json:"ref"`
	// DedupeKey makes the message unique when set.
	DedupeKey string `json:"dedupe_key,omitempty"`
	// Data are the templates' fields; nil once the message is sent,
	// refused or failed.
	Data map[string]string `json:"-"`
	// Status is where the message is.
	Status Status `json:"status"`
	// Attempts counts the sends tried so far.
	Attempts int `json:"attempts"`
	// LastError says why the last send failed ("" after a success).
	LastError string `json:"last_error,omitempty"`
	// NextAttemptAt is when the next send is due (queued only).
	NextAttemptAt *time.Time `json:"next_attempt_at,omitempty"`
	// SentAt is when the mail server accepted the message.
	SentAt *time.Time `json:"sent_at,omitempty"`
	// CreatedAt and UpdatedAt are the message's times.
	CreatedAt time.Time `json:"created_at"`
	UpdatedAt time.Time `json:"updated_at"`
}

// Copy returns a copy of m that shares no memory with it.
func (m OutboxMessage) Copy() OutboxMessage {
	m.Data = maps.Clone(m.Data)
	m.NextAttemptAt = timeCopy(m.NextAttemptAt)
	m.SentAt = timeCopy(m.SentAt)
	return m
}

func timeCopy(t *time.Time) *time.Time {
	if t == nil {
		return nil
	}
	c := *t
	return &c
}

// MessageStatus is what was sent to whom about an object: the answer of
// Status, shown beside an invitation ("sent to … at …", "refused").
type MessageStatus struct {
	// ID is the message's ID.
	ID string `json:"id"`
	// Kind is the message's kind.
	Kind string `json:"kind"`
	// To is the recipient's address.
	To string `json:"to"`
	// Status is where the message is.
	Status Status `json:"status"`
	// Attempts counts the sends tried so far.
	Attempts int `json:"attempts"`
	// LastError says why the last send failed, or why the message was
	// refused ("550 5.1.1 mailbox unavailable").
	LastError string `json:"last_error,omitempty"`
	// QueuedAt is when the message was queued; SentAt when the mail
	// server accepted it; UpdatedAt when its status last changed.
	QueuedAt  time.Time  `json:"queued_at"`
	SentAt    *time.Time `json:"sent_at,omitempty"`
	UpdatedAt time.Time  `json:"updated_at"`
}

func statusOf(m *OutboxMessage) MessageStatus {
	return MessageStatus{ID: m.ID, Kind: m.Kind, To: m.To, Status: m.Status, Attempts: m.Attempts, LastError: m.LastError,
		QueuedAt: m.CreatedAt, SentAt: timeCopy(m.SentAt), UpdatedAt: m.UpdatedAt}
}

// Message is a rendered message, as a Sender sends it. Its bodies hold
// links with tokens: it formats (fmt's %v and %+v, log/slog) as its ID and
// kind only, so that logging one by mistake leaks nothing.
type Message struct {
	// ID is the outbox message's ID (senders use it in the Message-ID
	// header and file names).
	ID string
	// Kind is the message's kind.
	Kind string
	// To is the recipient's address.
	To string
	// Subject is the subject line.
	Subject string
	// Text and HTML are the two bodies of one multipart/alternative
	// message.
	Text, HTML string
}

// String implements fmt.Stringer without the bodies.
func (m Message) String() string { return "mail message " + m.ID + " (" + m.Kind + ")" }

// GoString implements fmt.GoStringer without the bodies.
func (m Message) GoString() string { return m.String() }

// LogValue implements slog.LogValuer without the bodies.
func (m Message) LogValue() slog.Value {
	return slog.GroupValue(slog.String("id", m.ID), slog.String("kind", m.Kind))
}

// Limits of messages.
const (
	// PrefixMessage is the prefix of message IDs.
	PrefixMessage = "ML"
	// MaxAddressLength is the longest recipient address (RFC 5321).
	MaxAddressLength = 254
	// MaxFieldLength is the longest data field, in characters.
	MaxFieldLength = 2000
	// MaxKeyLength is the longest DedupeKey or Ref, in bytes.
	MaxKeyLength = 256
	// MaxErrorLength is the longest LastError kept, in bytes.
	MaxErrorLength = 1000
	// SendTimeout bounds one send (connection, TLS, the SMTP dialogue).
	SendTimeout = 60 * time.Second
)
