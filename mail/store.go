package mail

import (
	"context"

	"github.com/partnerkit/partnerkit"
)

// Store persists the outbox. It only stores: the rules live in Service.
// Every implementation must pass storetest.RunMailTests. Its InTx joins the
// transaction the context carries when it is one of the same database (a
// message is queued in the transaction of its change: build the store on
// the database of the other domains' stores). Errors are
// *partnerkit.Error values: not_found for a missing message, conflict for
// a failed condition, internal for anything else.
//
// # Concurrency
//
// Sends run from a job engine on several server instances, and a job or
// an event handler may run twice (at-least-once); every rule holds by one
// of these:
//   - one message per DedupeKey (an event handled twice, or on two
//     instances at once, queues its mail once): a unique key on
//     dedupe_key (messages without one have none and never clash);
//     CreateMessage inserts nothing and reports false when the key
//     exists, also while the transaction that inserted it has not
//     committed yet (it waits for that transaction, then reports false if
//     it committed), never an error.
//   - each attempt recorded once (a send job run twice): RecordAttempt is
//     a conditional UPDATE … WHERE status = 'queued' AND attempts = n-1;
//     the loser gets conflict and records nothing.
type Store interface {
	partnerkit.Transactor

	// CreateMessage inserts m, unless m.DedupeKey is set and a message
	// with that key exists: then it inserts nothing and reports false.
	// Returns conflict for an ID that exists.
	CreateMessage(ctx context.Context, m *OutboxMessage) (bool, error)
	// GetMessage returns a message, or not_found.
	GetMessage(ctx context.Context, id string) (*OutboxMessage, error)
	// RecordAttempt writes m's status, attempts, last error, next attempt
	// time, sent time, update time and data (nil erases them) if the
	// stored message is queued with m.Attempts-1 attempts. Returns
	// conflict when it is not (the attempt was recorded by someone else),
	// not_found.
	RecordAttempt(ctx context.Context, m *OutboxMessage) error
	// MessagesByRefs returns the messages about any of refs (non-empty
	// IDs, at most partnerkit.MaxLimit), newest first (ties by ID,
	// descending).
	MessagesByRefs(ctx context.Context, refs []string) ([]OutboxMessage, error)
}
