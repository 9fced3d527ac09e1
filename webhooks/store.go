package webhooks

import (
	"context"
	"time"

	"github.com/partnerkit/partnerkit"
)

// Store persists endpoints, their secrets, deliveries and attempts. It only
// stores: the rules live in Service. Every implementation must pass
// storetest.RunWebhooksTests. Errors are *partnerkit.Error values: not_found
// for a missing row, conflict for a failed version check, internal for
// anything else.
//
// # Concurrency
//
// Deliveries run from a job engine on several server instances, and a job
// may run twice (at-least-once); every rule holds by one of these:
//   - one delivery per endpoint and event (a fan-out run twice, or on two
//     instances, creates each once): a unique key on (endpoint_id,
//     event_id); CreateDeliveries skips the pairs that exist and returns
//     only the deliveries it inserted, whose first attempts the caller
//     schedules.
//   - each attempt number recorded once (an attempt job run twice, a
//     manual redelivery racing a retry): RecordAttempt is a conditional
//     UPDATE … WHERE attempts = n-1; the loser gets conflict and records
//     nothing.
//   - an endpoint disabled once, with one webhook.disabled event:
//     DisableEndpoint is a conditional UPDATE … WHERE enabled and reports
//     whether it changed the row.
//   - endpoint edits: optimistic version (UpdateEndpoint … WHERE version).
//     Under If-Match (partnerkit.IfVersion) the service checks the version
//     it loaded, and the same WHERE version holds it to the commit (the
//     later of two changes conditioned on one version gets
//     precondition_failed, partnerkit.StaleVersion); DeleteEndpoint under
//     If-Match follows an unchanged UpdateEndpoint, which locks the row.
//   - at most MaxEndpoints per account: CreateEndpoint runs after
//     LockAccountEndpoints, which holds the account's endpoint list (on
//     PostgreSQL the account's row, FOR NO KEY UPDATE) until the
//     transaction ends.
type Store interface {
	partnerkit.Transactor

	// LockAccountEndpoints holds the account's endpoint list against
	// other LockAccountEndpoints calls until the transaction ends and
	// returns how many endpoints it has.
	LockAccountEndpoints(ctx context.Context, accountID string) (int, error)
	// CreateEndpoint inserts e with its first secret.
	CreateEndpoint(ctx context.Context, e *Endpoint, secret *Secret) error
	// GetEndpoint returns an endpoint, or not_found.
	GetEndpoint(ctx context.Context, id string) (*Endpoint, error)
	// ListEndpoints returns one page of an account's endpoints, oldest
	// first (ties by ID), and how many it has.
	ListEndpoints(ctx context.Context, q EndpointQuery) ([]Endpoint, int, error)
	// UpdateEndpoint writes every field of e if the stored version equals
	// e.Version, then sets e.Version to the next version. Returns not_found
	// or conflict.
	UpdateEndpoint(ctx context.Context, e *Endpoint) error
	// DisableEndpoint disables an enabled endpoint with reason at a time,
	// incrementing its version; it reports false (and changes nothing)
	// when the endpoint is already disabled. Returns not_found.
	DisableEndpoint(ctx context.Context, id, reason string, at time.Time) (bool, error)
	// DeleteEndpoint removes an endpoint with its secrets, deliveries and
	// attempts. Returns not_found.
	DeleteEndpoint(ctx context.Context, id string) error
	// MatchingEndpoints returns the enabled endpoints of the given accounts
	// that receive eventType (their types empty or containing it), oldest
	// first; an empty eventType returns every enabled endpoint of the
	// accounts.
	MatchingEndpoints(ctx context.Context, accountIDs []string, eventType string) ([]Endpoint, error)
	// AnyEnabledEndpoint reports whether any account has an enabled
	// endpoint: FanOut looks no further when none has (most changes of a
	// deployment without webhooks). A read of one row; it takes no lock:
	// an endpoint enabled by a transaction that commits after it gets the
	// events from its creation on, which FanOut checks anyway.
	AnyEnabledEndpoint(ctx context.Context) (bool, error)

	// AddSecret stores a new secret of an endpoint.
	AddSecret(ctx context.Context, s *Secret) error
	// ExpireSecrets sets the expiry of the endpoint's secrets that have
	// none, or a later one, to at.
	ExpireSecrets(ctx context.Context, endpointID string, at time.Time) error
	// LiveSecrets returns the endpoint's secrets unexpired at now, newest
	// first.
	LiveSecrets(ctx context.Context, endpointID string, now time.Time) ([]Secret, error)

	// CreateDeliveries inserts the deliveries whose (endpoint, event) pair
	// has none yet, and returns those it inserted.
	CreateDeliveries(ctx context.Context, ds []*Delivery) ([]*Delivery, error)
	// GetDelivery returns a delivery, or not_found.
	GetDelivery(ctx context.Context, id string) (*Delivery, error)
	// GetDeliveries returns the deliveries of ids that exist, by ID, in
	// one read (the attempts of a job). It only reads: what AttemptAll
	// writes after it holds under concurrency by RecordAttempt's primary
	// key (delivery, number), as for GetDelivery (conformance subtest
	// ConcurrentAttemptRecordedOnce); the fan-out's inserts by the unique
	// (endpoint, event) key (ConcurrentFanOutOnce).
	GetDeliveries(ctx context.Context, ids []string) (map[string]*Delivery, error)
	// ListDeliveries returns one page of an endpoint's deliveries in the
	// order of q.Sort (DeliveryOrder.Resolve: newest first by default, ties
	// by ID), and how many match.
	ListDeliveries(ctx context.Context, q DeliveryQuery) ([]Delivery, int, error)
	// RecordAttempt stores attempt a and writes d's status, attempts (now
	// a.Number), last status code and error, next attempt time and update
	// time, if the stored delivery has a.Number-1 attempts. Returns
	// conflict when it has another count (the attempt was recorded by
	// someone else), not_found.
	RecordAttempt(ctx context.Context, d *Delivery, a *Attempt) error
	// RecordAttempts records several attempts, in order, as RecordAttempt
	// records one (a job's first attempts: the engine's hot path), all or
	// none, and reports for each whether it was recorded: false when its
	// delivery had another count (recorded by someone else) or is gone.
	// It holds under concurrency as RecordAttempt does, by the same
	// conditional UPDATE of each delivery (conformance subtest
	// ConcurrentAttemptsRecordedOnce).
	RecordAttempts(ctx context.Context, rs []AttemptRecord) ([]bool, error)
	// UpdateDelivery writes d's status, last error, next attempt time and
	// update time (not its attempts). Returns not_found.
	UpdateDelivery(ctx context.Context, d *Delivery) error
	// Attempts returns a delivery's attempts, oldest first.
	Attempts(ctx context.Context, deliveryID string) ([]Attempt, error)
}

// AttemptRecord is an attempt to record and its delivery as the attempt
// leaves it (RecordAttempts).
type AttemptRecord struct {
	Delivery *Delivery
	Attempt  *Attempt
}

// EndpointQuery selects a page of an account's endpoints.
type EndpointQuery struct {
	AccountID     string
	Limit, Offset int
}

// DeliveryQuery selects a page of an endpoint's deliveries.
type DeliveryQuery struct {
	EndpointID string
	// Status keeps one status; empty keeps all.
	Status DeliveryStatus
	// EventID keeps one event's deliveries; empty keeps all.
	EventID string
	// Sort is created_at or -created_at; the store resolves anything else
	// with DeliveryOrder.
	Sort          partnerkit.Sort
	Limit, Offset int
}

// DeliveryOrder is how a delivery log sorts: newest first by default.
var DeliveryOrder = partnerkit.Order{Fields: []string{"created_at"}, Default: "-created_at"}

// EndpointOrder is how the endpoint list sorts: oldest first by default.
var EndpointOrder = partnerkit.Order{Fields: []string{"created_at", "url"}, Default: "created_at"}
