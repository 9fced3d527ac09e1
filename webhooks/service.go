package webhooks

import (
	"context"
	"encoding/json"
	"errors"
	"fmt"
	"slices"
	"strings"
	"sync"
	"time"

	"github.com/partnerkit/partnerkit"
	"github.com/partnerkit/partnerkit/internal/validate"
)

// Service manages webhook endpoints and runs their deliveries.
type Service struct {
	store        Store
	accounts     Accounts
	audit        partnerkit.Auditor
	clock        partnerkit.Clock
	sender       Sender
	scheduler    Scheduler
	resolver     Resolver
	allowPrivate bool
	schedule     []time.Duration
	timeout      time.Duration
	observer     Observer
}

// Option configures a Service.
type Option func(*Service)

// WithClock sets the clock that stamps endpoints, deliveries and attempts
// and decides when retries are due.
func WithClock(c partnerkit.Clock) Option { return func(s *Service) { s.clock = c } }

// WithSender sets how deliveries are POSTed (webhooks/httpsender).
func WithSender(x Sender) Option { return func(s *Service) { s.sender = x } }

// WithScheduler sets what runs the attempts (the job engine).
func WithScheduler(x Scheduler) Option { return func(s *Service) { s.scheduler = x } }

// WithResolver sets how endpoint hosts are resolved when an endpoint is
// saved; nil skips the resolution (the sender checks at connect time).
func WithResolver(r Resolver) Option { return func(s *Service) { s.resolver = r } }

// AllowPrivateAddresses lets endpoints use http and loopback, private and
// link-local addresses (PARTNERKIT_WEBHOOK_ALLOW_PRIVATE=1: development
// and tests only).
func AllowPrivateAddresses(allow bool) Option { return func(s *Service) { s.allowPrivate = allow } }

// WithRetrySchedule replaces RetrySchedule (tests use short delays).
func WithRetrySchedule(d []time.Duration) Option {
	return func(s *Service) { s.schedule = slices.Clone(d) }
}

// WithDeliveryTimeout replaces DeliveryTimeout, how long an endpoint has
// to answer (tests use a short one).
func WithDeliveryTimeout(d time.Duration) Option { return func(s *Service) { s.timeout = d } }

// NewService returns a Service on store, recording its audit events (and
// so publishing webhook.* events) in audit.
func NewService(store Store, accounts Accounts, audit partnerkit.AuditLog, opts ...Option) *Service {
	s := &Service{store: store, accounts: accounts, schedule: RetrySchedule, timeout: DeliveryTimeout}
	for _, o := range opts {
		o(s)
	}
	s.audit = partnerkit.Auditor{Log: audit, Clock: s.clock}
	return s
}

// SetScheduler sets the scheduler after construction (the job engine is
// built with the services it runs).
func (s *Service) SetScheduler(x Scheduler) { s.scheduler = x }

// MaxAttempts is how many attempts a delivery gets before its endpoint is
// disabled.
func (s *Service) MaxAttempts() int { return len(s.schedule) + 1 }

// AllowsPrivateAddresses reports whether the service lets endpoints reach
// private addresses (the sender must agree).
func (s *Service) AllowsPrivateAddresses() bool { return s.allowPrivate }

func requireAdmin(actor partnerkit.Actor) error {
	if err := actor.RequireAccount(); err != nil {
		return err
	}
	return actor.RequireAdmin()
}

// checkEventTypes checks a list of event types: known, unrepeated, at most
// MaxEventTypes. Problems name "event_types" or "event_types[i]".
func checkEventTypes(types []string) ([]string, error) {
	if len(types) > MaxEventTypes {
		return nil, partnerkit.FieldError("event_types", fmt.Sprintf("must list at most %d event types", MaxEventTypes))
	}
	out := make([]string, 0, len(types))
	problems := map[string]string{}
	for i, t := range types {
		t = strings.TrimSpace(t)
		field := fmt.Sprintf("event_types[%d]", i)
		switch {
		case !partnerkit.KnownEventType(t):
			problems[field] = fmt.Sprintf("%q is not an event type (GET /event-types lists them)", t)
		case slices.Contains(out, t):
			problems[field] = fmt.Sprintf("%q is listed twice", t)
		default:
			out = append(out, t)
		}
	}
	if len(problems) > 0 {
		return nil, partnerkit.FieldErrors(problems)
	}
	return out, nil
}

// CreateEndpoint registers an endpoint of the actor's account (admins) and
// returns it with its signing secret, which is shown only here.
//
// Returns invalid naming the field ("url", "description",
// "event_types[2]"), forbidden for a non-admin, conflict past
// MaxEndpoints.
func (s *Service) CreateEndpoint(ctx context.Context, actor partnerkit.Actor, in EndpointInput) (*CreatedEndpoint, error) {
	const op = "webhooks.CreateEndpoint"
	if err := requireAdmin(actor); err != nil {
		return nil, partnerkit.WithOp(op, err)
	}
	in.Description = strings.TrimSpace(in.Description)
	url, urlErr := checkURL(ctx, in.URL, s.allowPrivate, s.resolver)
	types, typesErr := checkEventTypes(in.EventTypes)
	if err := validate.All(urlErr, validate.Struct(in), typesErr, partnerkit.CheckText("description", in.Description, true)); err != nil {
		return nil, partnerkit.WithOp(op, err)
	}
	var out *CreatedEndpoint
	err := s.store.InTx(ctx, func(ctx context.Context) error {
		n, err := s.store.LockAccountEndpoints(ctx, actor.AccountID)
		if err != nil {
			return err
		}
		if n >= MaxEndpoints {
			return partnerkit.Errorf(partnerkit.CodeConflict, "an account has at most %d webhook endpoints: delete one first", MaxEndpoints)
		}
		now := s.clock.Now()
		secret := newSecret()
		e := &Endpoint{ID: partnerkit.NewID(PrefixEndpoint), AccountID: actor.AccountID, URL: url,
			Description: in.Description, EventTypes: types, Enabled: in.Enabled == nil || *in.Enabled,
			SecretHint: hint(secret), CreatedAt: now, UpdatedAt: now, Version: 1}
		if !e.Enabled {
			e.DisabledReason = DisabledManually
		}
		if err := s.store.CreateEndpoint(ctx, e, &Secret{EndpointID: e.ID, Value: secret, CreatedAt: now}); err != nil {
			return err
		}
		out = &CreatedEndpoint{Endpoint: *e, Secret: secret}
		return s.audit.Record(ctx, actor, e.AccountID, "webhook.created", "webhook", e.ID, nil, e)
	})
	if err != nil {
		return nil, partnerkit.WithOp(op, err)
	}
	return out, nil
}

// own returns an endpoint of the actor's account, or not_found.
func (s *Service) own(ctx context.Context, actor partnerkit.Actor, id string) (*Endpoint, error) {
	if err := partnerkit.CheckID("id", id); err != nil {
		return nil, err
	}
	e, err := s.store.GetEndpoint(ctx, id)
	if err != nil {
		return nil, err
	}
	if e.AccountID != actor.AccountID {
		return nil, partnerkit.NotFound("webhook endpoint", id)
	}
	return e, nil
}

// Endpoints returns one page of the actor's account's endpoints, oldest
// first (admins).
func (s *Service) Endpoints(ctx context.Context, actor partnerkit.Actor, page partnerkit.Page) (partnerkit.List[Endpoint], error) {
	const op = "webhooks.Endpoints"
	if err := requireAdmin(actor); err != nil {
		return partnerkit.List[Endpoint]{}, partnerkit.WithOp(op, err)
	}
	page, err := page.Normalize()
	if err != nil {
		return partnerkit.List[Endpoint]{}, partnerkit.WithOp(op, err)
	}
	items, total, err := s.store.ListEndpoints(ctx, EndpointQuery{AccountID: actor.AccountID, Limit: page.Limit, Offset: page.Offset})
	if err != nil {
		return partnerkit.List[Endpoint]{}, partnerkit.WithOp(op, err)
	}
	return partnerkit.List[Endpoint]{Items: nonNil(items), Total: total}, nil
}

func nonNil[T any](s []T) []T {
	if s == nil {
		return []T{}
	}
	return s
}

// Endpoint returns an endpoint of the actor's account (admins).
func (s *Service) Endpoint(ctx context.Context, actor partnerkit.Actor, id string) (*Endpoint, error) {
	const op = "webhooks.Endpoint"
	if err := requireAdmin(actor); err != nil {
		return nil, partnerkit.WithOp(op, err)
	}
	e, err := s.own(ctx, actor, id)
	return e, partnerkit.WithOp(op, err)
}

// UpdateEndpoint changes an endpoint's URL, description, event types or
// enabled flag (admins). Enabling a disabled endpoint clears its reason;
// deliveries missed while it was disabled are not sent (redeliver them
// from the log).
func (s *Service) UpdateEndpoint(ctx context.Context, actor partnerkit.Actor, id string, in EndpointPatch) (*Endpoint, error) {
	const op = "webhooks.UpdateEndpoint"
	if err := requireAdmin(actor); err != nil {
		return nil, partnerkit.WithOp(op, err)
	}
	var errs []error
	var url string
	if in.URL != nil {
		var err error
		url, err = checkURL(ctx, *in.URL, s.allowPrivate, s.resolver)
		errs = append(errs, err)
	}
	var types []string
	if in.EventTypes != nil {
		var err error
		types, err = checkEventTypes(*in.EventTypes)
		errs = append(errs, err)
	}
	if in.Description != nil {
		d := strings.TrimSpace(*in.Description)
		in.Description = &d
		errs = append(errs, partnerkit.CheckText("description", d, true))
	}
	errs = append(errs, validate.Struct(in))
	if err := validate.All(errs...); err != nil {
		return nil, partnerkit.WithOp(op, err)
	}
	var out *Endpoint
	err := s.store.InTx(ctx, func(ctx context.Context) error {
		e, err := s.own(ctx, actor, id)
		if err != nil {
			return err
		}
		if err := partnerkit.CheckIfVersion(ctx, "webhook endpoint", e.ID, e.Version); err != nil {
			return err // If-Match: UpdateEndpoint's version check holds it to the commit
		}
		if in.Version != 0 && in.Version != e.Version {
			return partnerkit.Errorf(partnerkit.CodeConflict, "webhook endpoint %s changed since version %d (now %d)", id, in.Version, e.Version)
		}
		before := *e
		if in.URL != nil {
			e.URL = url
		}
		if in.Description != nil {
			e.Description = *in.Description
		}
		if in.EventTypes != nil {
			e.EventTypes = types
		}
		if in.Enabled != nil && *in.Enabled != e.Enabled {
			e.Enabled = *in.Enabled
			e.DisabledReason = map[bool]string{true: "", false: DisabledManually}[e.Enabled]
		}
		e.UpdatedAt = s.clock.Now()
		if err := s.store.UpdateEndpoint(ctx, e); err != nil {
			return err
		}
		out = e
		return s.audit.Record(ctx, actor, e.AccountID, "webhook.updated", "webhook", e.ID, &before, e)
	})
	if err != nil {
		return nil, partnerkit.WithOp(op, err)
	}
	return out, nil
}

// DeleteEndpoint removes an endpoint with its deliveries (admins);
// pending attempts do nothing.
func (s *Service) DeleteEndpoint(ctx context.Context, actor partnerkit.Actor, id string) error {
	const op = "webhooks.DeleteEndpoint"
	if err := requireAdmin(actor); err != nil {
		return partnerkit.WithOp(op, err)
	}
	return partnerkit.WithOp(op, s.store.InTx(ctx, func(ctx context.Context) error {
		e, err := s.own(ctx, actor, id)
		if err != nil {
			return err
		}
		if partnerkit.HasIfVersion(ctx, e.ID) {
			// If-Match: check it, and hold it to the removal with an unchanged
			// conditional update (UPDATE … WHERE version = ? locks the row).
			if err := partnerkit.CheckIfVersion(ctx, "webhook endpoint", e.ID, e.Version); err != nil {
				return err
			}
			if err := s.store.UpdateEndpoint(ctx, new(*e)); err != nil {
				return err
			}
		}
		if err := s.store.DeleteEndpoint(ctx, id); err != nil {
			return err
		}
		return s.audit.Record(ctx, actor, e.AccountID, "webhook.deleted", "webhook", e.ID, e, nil)
	}))
}

// RotateSecret gives an endpoint a new signing secret (admins), shown only
// in the result; the previous secret keeps signing (a second v1 in the
// signature header) for the overlap, DefaultOverlap unless given.
func (s *Service) RotateSecret(ctx context.Context, actor partnerkit.Actor, id string, in RotateInput) (*RotatedSecret, error) {
	const op = "webhooks.RotateSecret"
	if err := requireAdmin(actor); err != nil {
		return nil, partnerkit.WithOp(op, err)
	}
	overlap := DefaultOverlap
	if in.OverlapSeconds != nil {
		if *in.OverlapSeconds < 0 || time.Duration(*in.OverlapSeconds)*time.Second > MaxOverlap {
			return nil, partnerkit.WithOp(op, partnerkit.FieldError("overlap_seconds",
				fmt.Sprintf("must be between 0 and %d seconds (7 days)", int(MaxOverlap/time.Second))))
		}
		overlap = time.Duration(*in.OverlapSeconds) * time.Second
	}
	var out *RotatedSecret
	err := s.store.InTx(ctx, func(ctx context.Context) error {
		e, err := s.own(ctx, actor, id)
		if err != nil {
			return err
		}
		if err := partnerkit.CheckIfVersion(ctx, "webhook endpoint", e.ID, e.Version); err != nil {
			return err // If-Match: UpdateEndpoint's version check holds it to the commit
		}
		before := *e
		now := s.clock.Now()
		expires := now.Add(overlap)
		secret := newSecret()
		e.SecretHint, e.UpdatedAt = hint(secret), now
		// The endpoint's row first: its conditional update takes the row
		// before the secrets refer to it, so a concurrent deletion or
		// rotation waits for this one (or this one for it) as a whole.
		if err := s.store.UpdateEndpoint(ctx, e); err != nil {
			return err
		}
		if err := s.store.ExpireSecrets(ctx, e.ID, expires); err != nil {
			return err
		}
		if err := s.store.AddSecret(ctx, &Secret{EndpointID: e.ID, Value: secret, CreatedAt: now}); err != nil {
			return err
		}
		out = &RotatedSecret{Endpoint: *e, Secret: secret, PreviousExpiresAt: expires}
		return s.audit.Record(ctx, actor, e.AccountID, "webhook.secret_rotated", "webhook", e.ID, &before, e)
	})
	if err != nil {
		return nil, partnerkit.WithOp(op, err)
	}
	return out, nil
}

// DeliveryFilter selects a page of an endpoint's delivery log.
type DeliveryFilter struct {
	Status  DeliveryStatus
	EventID string
	// Sort is created_at or -created_at (the default).
	Sort partnerkit.Sort
	partnerkit.Page
}

// Deliveries returns one page of an endpoint's delivery log, newest first
// (admins).
func (s *Service) Deliveries(ctx context.Context, actor partnerkit.Actor, endpointID string, f DeliveryFilter) (partnerkit.List[Delivery], error) {
	const op = "webhooks.Deliveries"
	fail := func(err error) (partnerkit.List[Delivery], error) {
		return partnerkit.List[Delivery]{}, partnerkit.WithOp(op, err)
	}
	if err := requireAdmin(actor); err != nil {
		return fail(err)
	}
	page, err := f.Page.Normalize()
	if err != nil {
		return fail(err)
	}
	sort, err := DeliveryOrder.Check(f.Sort)
	if err != nil {
		return fail(err)
	}
	if f.Status != "" && !slices.Contains(DeliveryStatuses(), f.Status) {
		return fail(partnerkit.FieldError("status", "must be pending, succeeded or failed"))
	}
	if f.EventID != "" {
		if err := partnerkit.CheckID("event_id", f.EventID); err != nil {
			return fail(err)
		}
	}
	if _, err := s.own(ctx, actor, endpointID); err != nil {
		return fail(err)
	}
	items, total, err := s.store.ListDeliveries(ctx, DeliveryQuery{EndpointID: endpointID, Status: f.Status, EventID: f.EventID,
		Sort: sort, Limit: page.Limit, Offset: page.Offset})
	if err != nil {
		return fail(err)
	}
	return partnerkit.List[Delivery]{Items: nonNil(items), Total: total}, nil
}

// ownDelivery returns a delivery to an endpoint of the actor's account.
func (s *Service) ownDelivery(ctx context.Context, actor partnerkit.Actor, id string) (*Delivery, error) {
	if err := partnerkit.CheckID("id", id); err != nil {
		return nil, err
	}
	d, err := s.store.GetDelivery(ctx, id)
	if err != nil {
		return nil, err
	}
	if d.AccountID != actor.AccountID {
		return nil, partnerkit.NotFound("webhook delivery", id)
	}
	return d, nil
}

// Delivery returns a delivery with its attempts (admins).
func (s *Service) Delivery(ctx context.Context, actor partnerkit.Actor, id string) (*DeliveryDetail, error) {
	const op = "webhooks.Delivery"
	if err := requireAdmin(actor); err != nil {
		return nil, partnerkit.WithOp(op, err)
	}
	d, err := s.ownDelivery(ctx, actor, id)
	if err != nil {
		return nil, partnerkit.WithOp(op, err)
	}
	attempts, err := s.store.Attempts(ctx, id)
	if err != nil {
		return nil, partnerkit.WithOp(op, err)
	}
	return &DeliveryDetail{Delivery: *d, AttemptLog: nonNil(attempts)}, nil
}

// Redeliver sends a delivery again now (admins), whatever its status; a
// pending one's retries go on from the new attempt. The endpoint must be
// enabled.
func (s *Service) Redeliver(ctx context.Context, actor partnerkit.Actor, id string) (*Delivery, error) {
	const op = "webhooks.Redeliver"
	if err := requireAdmin(actor); err != nil {
		return nil, partnerkit.WithOp(op, err)
	}
	var out *Delivery
	err := s.store.InTx(ctx, func(ctx context.Context) error {
		d, err := s.ownDelivery(ctx, actor, id)
		if err != nil {
			return err
		}
		e, err := s.store.GetEndpoint(ctx, d.EndpointID)
		if err != nil {
			return err
		}
		if !e.Enabled && !d.Test {
			return partnerkit.Errorf(partnerkit.CodeConflict, "webhook endpoint %s is disabled: enable it first", e.ID)
		}
		now := s.clock.Now()
		d.Status, d.NextAttemptAt, d.UpdatedAt = DeliveryPending, &now, now
		if err := s.store.UpdateDelivery(ctx, d); err != nil {
			return err
		}
		out = d
		return s.schedule1(ctx, AttemptJob{DeliveryID: d.ID, Number: d.Attempts + 1, At: now, Manual: true})
	})
	if err != nil {
		return nil, partnerkit.WithOp(op, err)
	}
	return out, nil
}

func (s *Service) schedule1(ctx context.Context, job AttemptJob) error {
	if s.scheduler == nil {
		return partnerkit.Errorf(partnerkit.CodeUnavailable, "webhook deliveries are not running on this server")
	}
	return s.scheduler.ScheduleAttempt(ctx, job)
}

// SendTest delivers a webhook.test event to an endpoint now (admins), even
// a disabled one; it shows in the delivery log like any other.
func (s *Service) SendTest(ctx context.Context, actor partnerkit.Actor, endpointID string) (*Delivery, error) {
	const op = "webhooks.SendTest"
	if err := requireAdmin(actor); err != nil {
		return nil, partnerkit.WithOp(op, err)
	}
	var out *Delivery
	err := s.store.InTx(ctx, func(ctx context.Context) error {
		e, err := s.own(ctx, actor, endpointID)
		if err != nil {
			return err
		}
		if err := partnerkit.CheckIfVersion(ctx, "webhook endpoint", e.ID, e.Version); err != nil {
			return err // If-Match: a test sends the endpoint as read here, and changes nothing of it
		}
		now := s.clock.Now()
		object, _ := json.Marshal(e)
		ev := partnerkit.Event{ID: partnerkit.NewID(partnerkit.PrefixEvent), Type: partnerkit.TestEventType, CreatedAt: now,
			AccountID: e.AccountID, Data: partnerkit.EventData{EntityType: "webhook", EntityID: e.ID, Actor: actor.Principal(), Object: object}}
		d, err := s.newDelivery(e, ev, now)
		if err != nil {
			return err
		}
		d.Test = true
		created, err := s.store.CreateDeliveries(ctx, []*Delivery{d})
		if err != nil {
			return err
		}
		if len(created) != 1 {
			return partnerkit.Errorf(partnerkit.CodeInternal, "the test delivery was not stored")
		}
		out = d
		return s.schedule1(ctx, AttemptJob{DeliveryID: d.ID, Number: 1, At: now, Manual: true})
	})
	if err != nil {
		return nil, partnerkit.WithOp(op, err)
	}
	return out, nil
}

func (s *Service) newDelivery(e *Endpoint, ev partnerkit.Event, now time.Time) (*Delivery, error) {
	body, err := json.Marshal(ev)
	if err != nil {
		return nil, partnerkit.Errorf(partnerkit.CodeInternal, "encode event %s: %v", ev.ID, err)
	}
	return &Delivery{ID: partnerkit.NewID(PrefixDelivery), EndpointID: e.ID, AccountID: e.AccountID,
		EventID: ev.ID, EventType: ev.Type, Status: DeliveryPending, NextAttemptAt: &now, Payload: body,
		CreatedAt: now, UpdatedAt: now}, nil
}

// deliveriesPerInsert bounds one CreateDeliveries call of a fan-out (one
// statement: its parameters stay far below SQLite's and PostgreSQL's
// limits).
const deliveriesPerInsert = 200

// FanOut turns committed events into deliveries: one per enabled endpoint
// of the event's account, or of an account above it, that receives the
// event's type and existed when the event happened, each with its first attempt scheduled now, in one
// transaction. Running it again for the same events creates nothing new.
// It returns how many deliveries it created.
func (s *Service) FanOut(ctx context.Context, events []partnerkit.AuditEvent) (int, error) {
	const op = "webhooks.FanOut"
	if found, err := s.store.AnyEnabledEndpoint(ctx); err != nil || !found {
		return 0, partnerkit.WithOp(op, err)
	}
	created := 0
	err := s.store.InTx(ctx, func(ctx context.Context) error {
		created = 0
		now := s.clock.Now()
		// The enabled endpoints of each account's path, read once: a
		// change's events share them.
		enabled := map[string][]Endpoint{}
		var ds []*Delivery
		for i := range events {
			ev := &events[i]
			endpoints, ok := enabled[ev.AccountID]
			if !ok {
				accounts, err := s.accountsAbove(ctx, ev.AccountID)
				if err != nil {
					return err
				}
				if endpoints, err = s.store.MatchingEndpoints(ctx, accounts, ""); err != nil {
					return err
				}
				enabled[ev.AccountID] = endpoints
			}
			if len(endpoints) == 0 {
				continue
			}
			e := partnerkit.EventOf(ev)
			for j := range endpoints {
				if !endpoints[j].Receives(e.Type) || endpoints[j].CreatedAt.After(e.CreatedAt) {
					continue // an endpoint gets the events from its creation on
				}
				d, err := s.newDelivery(&endpoints[j], e, now)
				if err != nil {
					return err
				}
				ds = append(ds, d)
			}
		}
		for start := 0; start < len(ds); start += deliveriesPerInsert {
			inserted, err := s.store.CreateDeliveries(ctx, ds[start:min(start+deliveriesPerInsert, len(ds))])
			if err != nil {
				return err
			}
			for _, d := range inserted {
				if err := s.schedule1(ctx, AttemptJob{DeliveryID: d.ID, Number: 1, At: now}); err != nil {
					return err
				}
			}
			created += len(inserted)
		}
		return nil
	})
	return created, partnerkit.WithOp(op, err)
}

// accountsAbove returns an account and the accounts above it (its path);
// an account deleted since its event is only itself.
func (s *Service) accountsAbove(ctx context.Context, id string) ([]string, error) {
	a, err := s.accounts.LookupAccount(ctx, id)
	if partnerkit.ErrorCode(err) == partnerkit.CodeNotFound || partnerkit.ErrorCode(err) == partnerkit.CodeInvalid {
		return []string{id}, nil
	}
	if err != nil {
		return nil, err
	}
	var out []string
	for _, p := range strings.Split(a.Path, "/") {
		if p != "" {
			out = append(out, p)
		}
	}
	if !slices.Contains(out, id) {
		out = append(out, id)
	}
	return out, nil
}

// Attempt runs one scheduled attempt: it POSTs the delivery's payload,
// signed with the endpoint's live secrets, records the attempt and its
// outcome, and schedules the next attempt after a failure — or, after the
// last one, disables the endpoint and records webhook.disabled. The POST
// happens outside any transaction. An attempt whose number was recorded
// already, or whose delivery or endpoint is gone, does nothing, so a job
// that runs twice sends at most one extra request. It returns an error
// only when the outcome could not be stored (the job engine retries it).
func (s *Service) Attempt(ctx context.Context, job AttemptJob) error {
	return s.AttemptAll(ctx, []AttemptJob{job})
}

// AttemptParallelism is how many POSTs of one AttemptAll call run at once.
const AttemptParallelism = 8

// AttemptAll runs several attempts as Attempt runs one (the job engine
// gives it the first attempts of one change's deliveries): each endpoint
// and its secrets are read once, the POSTs run concurrently (at most
// AttemptParallelism at a time), and the outcomes are recorded together
// in one transaction (Store.RecordAttempts), with what follows each. Like Attempt it skips what
// was recorded already, so running it again after a failure is safe; it
// returns an error only when an outcome could not be stored.
func (s *Service) AttemptAll(ctx context.Context, jobs []AttemptJob) error {
	const op = "webhooks.Attempt"
	runs, err := s.prepare(ctx, jobs)
	if err != nil || len(runs) == 0 {
		return partnerkit.WithOp(op, err)
	}
	sem := make(chan struct{}, AttemptParallelism)
	var wg sync.WaitGroup
	for _, r := range runs {
		wg.Add(1)
		sem <- struct{}{}
		go func() {
			defer func() { <-sem; wg.Done() }()
			r.attempt = s.send(ctx, r.endpoint, r.delivery, r.secrets, r.job, r.at)
		}()
	}
	wg.Wait()
	err = s.store.InTx(ctx, func(ctx context.Context) error {
		now := s.clock.Now()
		records := make([]AttemptRecord, len(runs))
		for i, r := range runs {
			r.settle(s, now)
			records[i] = AttemptRecord{Delivery: r.delivery, Attempt: r.attempt}
		}
		recorded, err := s.store.RecordAttempts(ctx, records)
		if err != nil {
			return err
		}
		for i, r := range runs {
			if !recorded[i] {
				continue // recorded by another run of this attempt
			}
			if err := s.followUp(ctx, r, now); err != nil {
				return err
			}
		}
		return nil
	})
	if err != nil {
		return partnerkit.WithOp(op, err)
	}
	for _, r := range runs {
		s.observe(r.delivery)
	}
	return nil
}

// attemptRun is one attempt of AttemptAll: what it sends and, once sent,
// how it went.
type attemptRun struct {
	job      AttemptJob
	delivery *Delivery
	endpoint *Endpoint
	secrets  []string
	at       time.Time
	attempt  *Attempt
	// next and disable are what follows the attempt once recorded
	// (settle): the next attempt, or disabling the failing endpoint.
	next    *AttemptJob
	disable bool
}

// prepare reads what the attempts send, each endpoint and its live
// secrets once, and leaves out the attempts that have nothing to do: their
// number was recorded, their delivery ended or is gone, or their endpoint
// is gone (an endpoint disabled since fails its pending deliveries here).
func (s *Service) prepare(ctx context.Context, jobs []AttemptJob) ([]*attemptRun, error) {
	type endpointOf struct {
		endpoint *Endpoint
		secrets  []string
	}
	endpoints := map[string]*endpointOf{}
	ids := make([]string, len(jobs))
	for i, job := range jobs {
		ids[i] = job.DeliveryID
	}
	deliveries, err := s.store.GetDeliveries(ctx, ids)
	if err != nil {
		return nil, err
	}
	var runs []*attemptRun
	seen := map[AttemptJob]bool{}
	for _, job := range jobs {
		d, ok := deliveries[job.DeliveryID]
		if !ok || seen[job] {
			continue // gone, or the same attempt twice in one job
		}
		seen[job] = true
		if runsOf(runs, d.ID) {
			// Two attempts of one delivery in one job (a redelivery and
			// its retry): each gets its own copy.
			c := *d
			d = &c
		}
		if d.Attempts >= job.Number || (d.Status != DeliveryPending && !job.Manual) {
			continue
		}
		now := s.clock.Now()
		ep, seen := endpoints[d.EndpointID]
		if !seen {
			e, err := s.store.GetEndpoint(ctx, d.EndpointID)
			if partnerkit.ErrorCode(err) == partnerkit.CodeNotFound {
				endpoints[d.EndpointID] = nil
				continue
			}
			if err != nil {
				return nil, err
			}
			secrets, err := s.store.LiveSecrets(ctx, e.ID, now)
			if err != nil {
				return nil, err
			}
			values := make([]string, len(secrets))
			for i, sec := range secrets {
				values[i] = sec.Value
			}
			ep = &endpointOf{endpoint: e, secrets: values}
			endpoints[d.EndpointID] = ep
		}
		if ep == nil {
			continue
		}
		if !ep.endpoint.Enabled && !d.Test {
			d.Status, d.LastError, d.NextAttemptAt, d.UpdatedAt = DeliveryFailed, "the endpoint is disabled", nil, now
			if err := s.store.UpdateDelivery(ctx, d); err != nil {
				return nil, err
			}
			continue
		}
		// Each run has its own copy of the endpoint: recording a run may
		// disable it (record changes the copy it is given).
		e := *ep.endpoint
		runs = append(runs, &attemptRun{job: job, delivery: d, endpoint: &e, secrets: ep.secrets, at: now})
	}
	return runs, nil
}

// runsOf reports whether runs hold an attempt of delivery id.
func runsOf(runs []*attemptRun, id string) bool {
	for _, r := range runs {
		if r.delivery.ID == id {
			return true
		}
	}
	return false
}

// send POSTs the delivery and describes the attempt.
func (s *Service) send(ctx context.Context, e *Endpoint, d *Delivery, secrets []string, job AttemptJob, now time.Time) *Attempt {
	a := &Attempt{DeliveryID: d.ID, Number: job.Number, At: now, Manual: job.Manual}
	if s.sender == nil {
		a.Error = "webhook deliveries are not configured on this server"
		return a
	}
	ctx, cancel := context.WithTimeout(ctx, s.timeout)
	defer cancel()
	resp, err := s.sender.Send(ctx, Request{URL: e.URL, Body: d.Payload, Header: map[string]string{
		"Content-Type":   "application/json",
		"User-Agent":     "Partnerkit-Webhooks/1",
		SignatureHeader:  Sign(d.Payload, now, secrets...),
		EventIDHeader:    d.EventID,
		EventTypeHeader:  d.EventType,
		DeliveryIDHeader: d.ID,
	}})
	a.StatusCode, a.LatencyMS = resp.StatusCode, resp.Latency.Milliseconds()
	a.Response = snippet(resp.Body)
	switch {
	case errors.Is(err, context.DeadlineExceeded) || (err == nil && ctx.Err() != nil):
		a.Error = fmt.Sprintf("no answer within %s", s.timeout)
	case err != nil:
		a.Error = err.Error()
	case resp.StatusCode < 200 || resp.StatusCode > 299:
		a.Error = fmt.Sprintf("answered %d, not 2xx", resp.StatusCode)
	}
	return a
}

// snippet returns the first ResponseSnippet bytes of b as valid UTF-8.
func snippet(b []byte) string {
	if len(b) > ResponseSnippet {
		b = b[:ResponseSnippet]
	}
	return strings.ToValidUTF8(string(b), "\uFFFD")
}

// settle writes the attempt's outcome into the run's delivery at now, and
// what follows it: a retry, or disabling an endpoint that failed for the
// whole schedule.
func (r *attemptRun) settle(s *Service, now time.Time) {
	d, a := r.delivery, r.attempt
	r.next, r.disable = nil, false
	d.Attempts, d.LastStatusCode, d.LastError, d.UpdatedAt = a.Number, a.StatusCode, a.Error, now
	switch delay, more := nextDelay(s.schedule, a.Number); {
	case a.Succeeded():
		d.Status, d.NextAttemptAt = DeliverySucceeded, nil
	case more && !d.Test:
		at := now.Add(delay)
		d.Status, d.NextAttemptAt = DeliveryPending, &at
		r.next = &AttemptJob{DeliveryID: d.ID, Number: a.Number + 1, At: at}
	default:
		d.Status, d.NextAttemptAt = DeliveryFailed, nil
		r.disable = !d.Test && !r.job.Manual && a.Number == s.MaxAttempts()
	}
}

// followUp does what follows a recorded attempt (settle).
func (s *Service) followUp(ctx context.Context, r *attemptRun, now time.Time) error {
	if r.next != nil {
		return s.schedule1(ctx, *r.next)
	}
	if !r.disable {
		return nil
	}
	e := r.endpoint
	changed, err := s.store.DisableEndpoint(ctx, e.ID, DisabledFailing, now)
	if err != nil || !changed {
		return err
	}
	before := *e
	e.Enabled, e.DisabledReason, e.UpdatedAt, e.Version = false, DisabledFailing, now, e.Version+1
	return s.audit.Record(ctx, partnerkit.SystemActor, e.AccountID, "webhook.disabled", "webhook", e.ID, &before, e)
}
