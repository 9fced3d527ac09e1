package mail

import (
	"context"
	"errors"
	"time"
)

// Sender sends a rendered message (mail/smtpsender over SMTP,
// mail/dirsender into .eml files). Its error is temporary — the send is
// retried on the retry schedule — unless it is marked Permanent: the
// server refused the address or the message for good (an SMTP 5xx answer
// to RCPT TO or DATA), and the message is marked refused. The error's text
// is kept on the message (LastError) and shown beside the object it is
// about: it must hold no secret (no body, no link).
type Sender interface {
	Send(ctx context.Context, m Message) error
}

// Permanent marks err as a permanent refusal (nil stays nil).
func Permanent(err error) error {
	if err == nil {
		return nil
	}
	return &permanentError{err}
}

// IsPermanent reports whether err was marked Permanent.
func IsPermanent(err error) bool {
	var p *permanentError
	return errors.As(err, &p)
}

type permanentError struct{ err error }

func (e *permanentError) Error() string { return e.err.Error() }
func (e *permanentError) Unwrap() error { return e.err }

// Scheduler runs sends. ScheduleSend is called inside the transaction that
// queues the message (or records a failed attempt) and must run the job
// (Service.Send) at or soon after job.At, at least once, only if that
// transaction commits: the job engine (package jobs) inserts a job in the
// transaction; LocalScheduler, of the memory stores, waits for the commit.
type Scheduler interface {
	ScheduleSend(ctx context.Context, job SendJob) error
}

// SendJob is one scheduled send of a message.
type SendJob struct {
	MessageID string `json:"message_id"`
	// Attempt is the attempt's number (the message's attempts so far + 1):
	// a job whose number was recorded already does nothing.
	Attempt int `json:"attempt"`
	// At is when the send is due.
	At time.Time `json:"at"`
}

// StatusReader is what other domains ask of the outbox to show what was sent
// about one of their objects; a *Service provides it.
type StatusReader interface {
	// Status returns the messages queued about ref, newest first. It
	// checks no tenancy: the caller shows them beside an object it let
	// the actor see.
	Status(ctx context.Context, ref string) ([]MessageStatus, error)
}

// Directory is what the Notifier asks of the other domains to address the
// mail of an event; package wiring provides it from the partners,
// agreements and contracts services.
type Directory interface {
	// AccountAdmins returns the addresses of an account's admins: none for
	// an account that has none yet (invited) or no longer exists.
	AccountAdmins(ctx context.Context, accountID string) ([]string, error)
	// AccountName returns an account's name, "" when it does not exist.
	AccountName(ctx context.Context, accountID string) (string, error)
	// AgreementName returns an agreement's name, "" when it does not
	// exist.
	AgreementName(ctx context.Context, agreementID string) (string, error)
	// OpenContracts returns the contracts on an agreement that its
	// partners have signed (signed or active), whose partners must sign a
	// new version.
	OpenContracts(ctx context.Context, agreementID string) ([]ContractRef, error)
}

// ContractRef names a contract and its partner.
type ContractRef struct {
	ID        string
	PartnerID string
}
