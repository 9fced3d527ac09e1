package resellers

import (
	"context"
	"time"

	"github.com/partnerkit/partnerkit"
)

// Store persists the Reseller Store. It only stores; the rules live in
// Service. Every implementation must pass storetest. Errors: not_found for
// missing rows; conflict on a stale Version; internal otherwise.
//
// # Concurrency
//
// Every rule of Service that reads, then writes holds under concurrent
// calls from many processes sharing one database (the memory store
// serialises its transactions, SQLite its write transactions; PostgreSQL,
// under READ COMMITTED, relies on these guarantees):
//   - subscription status moves (stop, activate, renew, resource changes,
//     expiry, settings) and client, catalog service changes: optimistic
//     versions — UpdateSubscription, UpdateClient and UpdateService write
//     WHERE version = ?, so of concurrent moves from one state one wins and
//     the others get conflict and roll back their charges and events.
//     Under If-Match (partnerkit.IfVersion) the service checks the version
//     it loaded first, and the same WHERE version = ? holds it to the
//     commit: of moves conditioned on one version, one wins and the others
//     get precondition_failed (partnerkit.StaleVersion).
//   - the scheduled period-end rule (Service.RunPeriodEnds), run by several
//     instances at once: each renewal or expiry of one period is such a
//     move, read inside its transaction and written WHERE version = ?, so
//     each period is renewed (and billed) or expired once; a run that loses
//     the version skips the subscription. DueSubscriptions only proposes
//     candidates; the move re-reads the subscription.
//   - a deleted client has no active subscription: deleting a client,
//     ordering for an existing client, activating and renewing a
//     subscription all read the client with LockClient (SELECT … FOR UPDATE
//     on PostgreSQL), so they run one after another per client; locks on a
//     client are always taken before locks on its subscriptions.
//   - history order: a unique index on (subscription, seq).
type Store interface {
	partnerkit.Transactor

	// CreateService inserts s.
	CreateService(ctx context.Context, s *CatalogService) error
	// GetService returns a catalog service, or not_found.
	GetService(ctx context.Context, id string) (*CatalogService, error)
	// UpdateService writes s if the stored version equals s.Version, then
	// increments s.Version.
	UpdateService(ctx context.Context, s *CatalogService) error
	// ListServices returns one page of the services q selects, by name
	// then ID, and how many it selects.
	ListServices(ctx context.Context, q ServiceQuery) ([]CatalogService, int, error)

	// CreateClient inserts c.
	CreateClient(ctx context.Context, c *Client) error
	// GetClient returns a client, or not_found.
	GetClient(ctx context.Context, id string) (*Client, error)
	// LockClient returns a client and, inside a transaction, holds it
	// against other LockClient calls until the transaction ends
	// (SELECT … FOR UPDATE on PostgreSQL). Returns not_found.
	LockClient(ctx context.Context, id string) (*Client, error)
	// UpdateClient writes c if the stored version equals c.Version, then
	// increments c.Version.
	UpdateClient(ctx context.Context, c *Client) error
	// ListClients returns one page of the clients q selects, by name then
	// ID, and how many it selects.
	ListClients(ctx context.Context, q ClientQuery) ([]Client, int, error)

	// CreateSubscription inserts s.
	CreateSubscription(ctx context.Context, s *Subscription) error
	// GetSubscription returns a subscription, or not_found.
	GetSubscription(ctx context.Context, id string) (*Subscription, error)
	// UpdateSubscription writes s if the stored version equals s.Version,
	// then increments s.Version.
	UpdateSubscription(ctx context.Context, s *Subscription) error
	// ListSubscriptions returns one page of the subscriptions q selects,
	// newest first, and how many it selects.
	ListSubscriptions(ctx context.Context, q SubscriptionQuery) ([]Subscription, int, error)
	// DueSubscriptions returns the active subscriptions of every account
	// whose period ends at or before q.EndsBy, by period end then ID,
	// after the keyset (q.AfterEnd, q.AfterID) when q.AfterID is set.
	DueSubscriptions(ctx context.Context, q DueQuery) ([]Subscription, error)

	// AppendEvent stores a subscription event.
	AppendEvent(ctx context.Context, e *Event) error
	// Events returns the events q selects, oldest first (by time, then Seq,
	// then ID).
	Events(ctx context.Context, q EventQuery) ([]Event, error)

	// AppendCharge stores a charge.
	AppendCharge(ctx context.Context, c *Charge) error
	// ListCharges returns one page of the charges q selects, oldest first
	// (by time, then ID), and how many it selects.
	ListCharges(ctx context.Context, q ChargeQuery) ([]Charge, int, error)
}

// ServiceQuery selects catalog services.
type ServiceQuery struct {
	// ProviderIDs keeps the services of these providers; empty keeps none.
	ProviderIDs []string
	// Sort orders the page (ServiceOrder.Resolve: by name by default).
	Sort partnerkit.Sort
	// Limit and Offset select the page; Limit 0 means no limit.
	Limit, Offset int
}

// Sort orders of the lists, each the default of its list when Sort is empty.
var (
	// ServiceOrder sorts catalog services: by name (the default) or creation time.
	ServiceOrder = partnerkit.Order{Fields: []string{"name", "created_at"}, Default: "name"}
	// ClientOrder sorts clients: by name (the default) or creation time.
	ClientOrder = partnerkit.Order{Fields: []string{"name", "created_at"}, Default: "name"}
	// SubscriptionOrder sorts subscriptions: by creation time, newest first by default.
	SubscriptionOrder = partnerkit.Order{Fields: []string{"created_at"}, Default: "-created_at"}
	// ChargeListOrder sorts charges: by billing time, oldest first by
	// default; charges billed at one time (a renewal catching up on
	// several periods) by the period they bill.
	ChargeListOrder = partnerkit.Order{Fields: []string{"created_at"}, Default: "created_at"}
)

// ClientQuery selects clients.
type ClientQuery struct {
	// PartnerID keeps one reseller's clients (required).
	PartnerID string
	// Status keeps one status; empty keeps all.
	Status ClientStatus
	// NameContains keeps names whose lower-case form contains it.
	NameContains string
	// Sort orders the page (ClientOrder.Resolve).
	Sort partnerkit.Sort
	// Limit and Offset select the page; Limit 0 means no limit.
	Limit, Offset int
}

// SubscriptionQuery selects subscriptions.
type SubscriptionQuery struct {
	// PartnerID keeps one reseller's subscriptions (required).
	PartnerID string
	// ClientID and ServiceID keep one client's or one service's.
	ClientID, ServiceID string
	// Status keeps one status; empty keeps all.
	Status Status
	// EndsBy keeps subscriptions whose period ends at or before it.
	EndsBy time.Time
	// Sort orders the page (SubscriptionOrder.Resolve).
	Sort partnerkit.Sort
	// Limit and Offset select the page; Limit 0 means no limit.
	Limit, Offset int
}

// EventQuery selects subscription events.
type EventQuery struct {
	// PartnerID keeps one reseller's events.
	PartnerID string
	// SubscriptionID keeps one subscription's events.
	SubscriptionID string
	// Before keeps events strictly before it; zero keeps all.
	Before time.Time
}

// ChargeQuery selects charges.
type ChargeQuery struct {
	// PartnerID keeps one reseller's charges (required).
	PartnerID string
	// SubscriptionID and ClientID keep one subscription's or client's.
	SubscriptionID, ClientID string
	// From and To bound CreatedAt: From included, To excluded; zero is open.
	From, To time.Time
	// Sort orders the page (ChargeListOrder.Resolve).
	Sort partnerkit.Sort
	// Limit and Offset select the page; Limit 0 means no limit.
	Limit, Offset int
}

// The kinds of Reseller Store rows that keep an account from being deleted
// (its stores register them; see partners.Store.Dependents).
const (
	KindCatalogServices = "catalog services"
	KindClients         = "clients"
	KindSubscriptions   = "subscriptions"
)
