// Package wiring builds every Partnerkit service on one set of stores, in
// the one place that knows how the domains depend on each other: each
// service gets only the small interfaces it asks for (contracts.Partners,
// capacity.Contracts, …), every service records its audit events in the
// partners store, and the stores must share one database so that the
// operations spanning domains (the Create Partner wizard, activation,
// allocations) are atomic.
//
// The server, the tests, the benchmarks and the examples all build their
// services here; app/server adds the SQL and in-memory store sets:
//
//	svc, err := wiring.New(wiring.Stores{Partners: p, Agreements: a, Contracts: c}, wiring.Options{})
//
// It imports only the domain packages, so a store of your own can be wired
// (and run through the conformance kit, package storetest) without any
// database code.
package wiring

import (
	"cmp"
	"errors"
	"fmt"
	"time"

	"github.com/partnerkit/partnerkit"
	"github.com/partnerkit/partnerkit/agreements"
	"github.com/partnerkit/partnerkit/capacity"
	"github.com/partnerkit/partnerkit/contracts"
	"github.com/partnerkit/partnerkit/events"
	"github.com/partnerkit/partnerkit/listings"
	"github.com/partnerkit/partnerkit/mail"
	"github.com/partnerkit/partnerkit/partners"
	"github.com/partnerkit/partnerkit/resellers"
	"github.com/partnerkit/partnerkit/webhooks"
)

// Stores is one store of every domain, all on one database. Partners is
// required; a nil store leaves its service (and the ones that need it)
// unbuilt: agreements needs partners, contracts needs agreements, and
// capacity, listings and resellers need contracts.
type Stores struct {
	Partners   partners.Store
	Agreements agreements.Store
	Contracts  contracts.Store
	Capacity   capacity.Store
	Listings   listings.Store
	Resellers  resellers.Store
	// Webhooks stores webhook endpoints and deliveries; it needs nothing
	// but Partners.
	Webhooks webhooks.Store
	// Mail is the mail outbox; it needs nothing but Partners. Without it
	// no service sends mail.
	Mail mail.Store
}

// Options tune the services.
type Options struct {
	// Clock stamps every change; nil is the system clock.
	Clock partnerkit.Clock
	// Hasher hashes passwords; the zero value is partners.DefaultPasswordHasher.
	Hasher partners.PasswordHasher
	// PasswordSlots bounds the password hashes that run at once, and
	// PasswordWait how long a check waits for a free one; zero means
	// partners.DefaultPasswordSlots and partners.DefaultPasswordWait.
	PasswordSlots int
	PasswordWait  time.Duration
	// Publisher receives every event inside its change's transaction (see
	// partnerkit.EventPublisher): the job engine (package jobs) on SQL
	// stores, an events.Dispatcher on the memory stores. Nil records the
	// audit trail only.
	Publisher partnerkit.EventPublisher
	// Webhooks are options of the webhooks service (its sender,
	// scheduler, resolver, private-address setting, retry schedule).
	Webhooks []webhooks.Option
	// Mail configures the mail service (its sender, public URL,
	// scheduler): see MailOptions.
	Mail MailOptions
	// SecretKey, 32 bytes, seals the two-factor (TOTP) secrets at rest
	// (partners.WithSecretKey); nil stores them as they are. The server
	// reads it from PARTNERKIT_SECRET_KEY or a key file next to a SQLite
	// database.
	SecretKey []byte
}

// Services is every service, built on one set of stores.
type Services struct {
	Partners   *partners.Service
	Agreements *agreements.Service
	Contracts  *contracts.Service
	Capacity   *capacity.Service
	Listings   *listings.Service
	// Resellers is the Reseller Store (catalog, clients, subscriptions).
	Resellers *resellers.Service
	// Webhooks manages webhook endpoints and runs their deliveries.
	Webhooks *webhooks.Service
	// Mail is the mail outbox (nil without Stores.Mail): the services
	// queue their mail on it, the Notifier turns events into mail, and
	// the job engine (or MailScheduler) runs its sends.
	Mail *mail.Service
	// Events holds the in-process subscriptions to domain events
	// (Subscribe): on the memory stores they run after each commit, before
	// the call returns; on SQL stores package jobs runs them.
	Events *events.Bus
	// WebhookScheduler runs webhook attempts in process on the memory
	// stores (nil on SQL stores, where the job engine does); its Idle
	// waits for them.
	WebhookScheduler *events.Scheduler
	// MailScheduler runs the sends of mail in process on the memory
	// stores (nil on SQL stores, where the job engine does); its Idle
	// waits for them.
	MailScheduler *mail.LocalScheduler
	// Stores are the stores the services were built on.
	Stores Stores
}

// ErrTwoDatabases is returned (wrapped) by New when stores live on
// different databases: operations that span domains could not be atomic.
var ErrTwoDatabases = errors.New("wiring: the stores are on different databases")

// New builds the services of every store given. It returns an error when
// Partners is nil, when a store lacks the one it depends on, or when two
// stores say they live on different databases (see partnerkit.Located).
func New(st Stores, o Options) (*Services, error) {
	if st.Partners == nil {
		return nil, errors.New("wiring: a partners store is required")
	}
	if err := sameDatabase(st); err != nil {
		return nil, err
	}
	switch {
	case st.Contracts != nil && st.Agreements == nil:
		return nil, errors.New("wiring: the contracts store needs an agreements store")
	case st.Contracts == nil && (st.Capacity != nil || st.Listings != nil || st.Resellers != nil):
		return nil, errors.New("wiring: the capacity, listings and resellers stores need a contracts store")
	}
	hasher := o.Hasher
	if hasher == (partners.PasswordHasher{}) {
		hasher = partners.DefaultPasswordHasher
	}
	popts := []partners.Option{partners.WithClock(o.Clock), partners.WithPasswordHasher(hasher)}
	if o.SecretKey != nil {
		if len(o.SecretKey) != 32 {
			return nil, fmt.Errorf("wiring: the secret key is %d bytes, want 32", len(o.SecretKey))
		}
		popts = append(popts, partners.WithSecretKey(o.SecretKey))
	}
	if o.PasswordSlots > 0 || o.PasswordWait > 0 {
		popts = append(popts, partners.WithPasswordSlots(cmp.Or(o.PasswordSlots, partners.DefaultPasswordSlots(hasher)),
			cmp.Or(o.PasswordWait, partners.DefaultPasswordWait)))
	}
	// Every domain's audit events go to the partners store, and each is
	// published, in its transaction, as a domain event: to o.Publisher, or
	// on the memory stores to an in-process dispatcher.
	bus := &events.Bus{}
	publisher := o.Publisher
	var dispatcher *events.Dispatcher
	var scheduler *events.Scheduler
	if tx, ok := afterCommitter(st.Partners); ok && publisher == nil {
		dispatcher = events.NewDispatcher(tx, bus)
		publisher = dispatcher
		scheduler = events.NewScheduler(tx, o.Clock)
	}
	audit := partnerkit.PublishingLog{Log: st.Partners, Publisher: publisher}
	popts = append(popts, partners.WithAuditLog(audit))
	mailSvc, mailScheduler, err := newMail(st, o)
	if err != nil {
		return nil, err
	}
	var copts []contracts.Option
	if mailSvc != nil {
		popts = append(popts, partners.WithMailQueue(mailSvc), partners.WithMailStatus(partnersMailStatus{mailSvc}))
		copts = append(copts, contracts.WithMailQueue(mailSvc), contracts.WithMailStatuses(mailSvc))
	}
	s := &Services{Stores: st, Partners: partners.NewService(st.Partners, popts...), Events: bus,
		Mail: mailSvc, MailScheduler: mailScheduler}
	if st.Agreements != nil {
		s.Agreements = agreements.NewService(st.Agreements, s.Partners, audit, agreements.WithClock(o.Clock))
	}
	if st.Contracts != nil {
		s.Contracts = contracts.NewService(st.Contracts, s.Partners, s.Agreements, audit,
			append([]contracts.Option{contracts.WithClock(o.Clock)}, copts...)...)
	}
	if st.Capacity != nil {
		s.Capacity = capacity.NewService(st.Capacity, s.Partners, s.Contracts, audit, capacity.WithClock(o.Clock))
	}
	if st.Listings != nil {
		s.Listings = listings.NewService(st.Listings, s.Partners, s.Contracts, audit, listings.WithClock(o.Clock))
	}
	if st.Resellers != nil {
		s.Resellers = resellers.NewService(st.Resellers, s.Partners, s.Contracts, audit, resellers.WithClock(o.Clock))
	}
	if st.Webhooks != nil {
		wopts := []webhooks.Option{webhooks.WithClock(o.Clock)}
		if scheduler != nil {
			wopts = append(wopts, webhooks.WithScheduler(scheduler))
		}
		s.Webhooks = webhooks.NewService(st.Webhooks, s.Partners, audit, append(wopts, o.Webhooks...)...)
		if dispatcher != nil {
			dispatcher.SetFanOut(s.Webhooks)
			scheduler.SetAttempter(s.Webhooks)
			s.WebhookScheduler = scheduler
		}
	}
	if s.Mail != nil {
		n := mail.NewNotifier(s.Mail, mailDirectory{s})
		bus.Subscribe(n.EventTypes(), n.Handle)
	}
	return s, nil
}

// afterCommitter returns the memory stores' engine, which runs functions
// after its commits.
func afterCommitter(p partners.Store) (events.AfterCommitter, bool) {
	l, ok := p.(partnerkit.Located)
	if !ok {
		return nil, false
	}
	tx, ok := l.Database().(events.AfterCommitter)
	return tx, ok
}

// Close stops the in-process webhook attempts and mail sends of the
// memory stores and waits for the running ones; the services stay usable.
func (s *Services) Close() {
	if s.WebhookScheduler != nil {
		s.WebhookScheduler.Close()
	}
	if s.MailScheduler != nil {
		s.MailScheduler.Close()
	}
}

// MustNew is New that panics on error, for programs and tests whose stores
// are known to fit.
func MustNew(st Stores, o Options) *Services {
	s, err := New(st, o)
	if err != nil {
		panic(err)
	}
	return s
}

// sameDatabase checks that every store that tells its database tells the
// same one.
func sameDatabase(st Stores) error {
	var first any
	var firstName string
	for _, s := range []struct {
		name  string
		store any
	}{{"partners", st.Partners}, {"agreements", st.Agreements}, {"contracts", st.Contracts},
		{"capacity", st.Capacity}, {"listings", st.Listings}, {"resellers", st.Resellers}, {"webhooks", st.Webhooks},
		{"mail", st.Mail}} {
		l, ok := s.store.(partnerkit.Located)
		if !ok || s.store == nil {
			continue
		}
		db := l.Database()
		if first == nil {
			first, firstName = db, s.name
			continue
		}
		if db != first {
			return fmt.Errorf("%w: the %s and %s stores (build every store on one memory DB or one *bun.DB, "+
				"or the Create Partner wizard and other cross-domain changes are not atomic)", ErrTwoDatabases, firstName, s.name)
		}
	}
	return nil
}
